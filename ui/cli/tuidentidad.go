package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"cotejo/capture"
	"cotejo/verify/credential"
	"cotejo/verify/pki"
	"cotejo/verify/tuidentidad"
	"cotejo/verify/tuidentidad/standin"
	"cotejo/verify/webhook"
)

// Tu Identidad, the second provider: checks (ine, rfc, nss), a case's status, the list,
// a background pass; and its stand-in.

func runTuIdentidad(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("say ine, rfc, nss, status KEY, list or poll")
	}
	sub, args := args[0], args[1:]
	fs, cfgPath := newFlags("tuidentidad "+sub, stderr)
	asJSON := fs.Bool("json", false, "JSON output")
	lang := fs.String("lang", "", "es or en (default: the configuration's, else es)")
	wait := fs.Duration("wait", time.Minute, "how long to wait for the result (0: do not wait); the background worker finishes later")
	every := fs.Duration("every", 3*time.Second, "how often to ask while waiting")
	key := fs.String("key", "", "the case's key (default: a new random one)")
	citizen := fs.String("citizen", "", "ine: citizen file (JSON, as for verify) with the credential")
	model := fs.String("model", "", "ine: credential model C to H")
	cic := fs.String("cic", "", "ine: CIC (models D–H)")
	ocr := fs.String("ocr", "", "ine: OCR (13 digits)")
	clave := fs.String("clave", "", "ine: clave de elector (model C)")
	emision := fs.String("emision", "", "ine: número de emisión (model C)")
	curp := fs.String("curp", "", "rfc, nss: the CURP")
	state := fs.Int("state", 0, "rfc: the state where the RFC is registered, 1–32")
	follow := fs.Bool("follow", false, "poll: keep running until interrupted")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ref := fs.Arg(0)
	if fs.NArg() > 0 {
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	var kind tuidentidad.Kind
	switch sub {
	case "ine":
		kind = tuidentidad.KindINE
	case "rfc":
		kind = tuidentidad.KindRFC
	case "nss":
		kind = tuidentidad.KindNSS
	case "status":
		if ref == "" {
			return errors.New("tuidentidad status needs a case key")
		}
	case "list", "poll":
	default:
		return fmt.Errorf("no tuidentidad command %q", sub)
	}
	app, err := capture.Open(ctx, *cfgPath, capture.Options{StoreOnly: true, Log: stderr})
	if err != nil {
		return err
	}
	defer app.Close()
	if *lang == "" {
		*lang = app.Config.Lang
	}
	tr, err := app.TuIdentidad(slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	if err != nil {
		return err
	}
	switch sub {
	case "list":
		cases, err := tr.List(ctx)
		if err != nil {
			return err
		}
		return printCases(stdout, cases, *asJSON, *lang)
	case "poll":
		if *follow {
			return tr.Run(ctx, *every)
		}
		n, err := tr.RunOnce(ctx)
		fmt.Fprintf(stdout, "%d casos revisados / cases checked\n", n)
		return err
	case "status":
		c, err := tr.Check(ctx, ref)
		if err != nil {
			return err
		}
		return printCase(stdout, c, *asJSON, *lang)
	}

	var body any
	switch kind {
	case tuidentidad.KindINE:
		cred := credential.Credential{Modelo: credential.Model(*model), CIC: *cic, OCR: *ocr, ClaveElector: *clave, NumeroEmisionCredencial: *emision}
		if *citizen != "" {
			v, err := capture.LoadCitizenFile(*citizen, app.Config.Branch)
			if err != nil {
				return err
			}
			cred = v.Credential
		}
		req, err := tuidentidad.INERequestFor(cred, tuidentidad.MapOptions{FullOCR: app.Config.TuIdentidad.FullOCR})
		if err != nil {
			return fieldErrors(err, *lang)
		}
		body = req
	case tuidentidad.KindRFC:
		req, err := tuidentidad.RFCRequestFor(*curp, tuidentidad.State(*state))
		if err != nil {
			return fieldErrors(err, *lang)
		}
		body = req
	case tuidentidad.KindNSS:
		req, err := tuidentidad.NSSRequestFor(*curp)
		if err != nil {
			return fieldErrors(err, *lang)
		}
		body = req
	}
	if *key == "" {
		var b [8]byte
		_, _ = rand.Read(b[:])
		*key = time.Now().UTC().Format("20060102") + "-" + hex.EncodeToString(b[:])
	}
	c, err := tr.Submit(ctx, *key, kind, body)
	var ae *tuidentidad.APIError
	switch {
	case errors.As(err, &ae) && c.State == tuidentidad.CaseFailed:
		// Printed below, with the case.
	case err != nil && c.Key == "":
		return err
	case err == nil && *wait > 0:
		wctx, cancel := context.WithTimeout(ctx, *wait)
		c, err = tr.Wait(wctx, c.Key, *every)
		cancel()
		if err != nil && !errors.Is(err, context.DeadlineExceeded) {
			return err
		}
	}
	if perr := printCase(stdout, c, *asJSON, *lang); perr != nil {
		return perr
	}
	if !c.State.Final() {
		return &exitError{code: 3, err: fmt.Errorf("case %s is %s: the background worker will finish it", c.Key, c.State)}
	}
	if c.State != tuidentidad.CaseDone {
		return &exitError{code: 4, err: fmt.Errorf("case %s: %s", c.Key, caseMessage(c, "en"))}
	}
	return nil
}

// fieldErrors says what is wrong with the data in the operator's language.
func fieldErrors(err error, lang string) error {
	var msgs []string
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var fe *credential.FieldError
		if errors.As(e, &fe) {
			msgs = append(msgs, fe.Message(lang))
		} else {
			msgs = append(msgs, e.Error())
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}

// caseView is what the command shows of a case: no request, the result decoded.
type caseView struct {
	Key            string              `json:"key"`
	Kind           string              `json:"kind"`
	State          string              `json:"state"`
	VerificationID string              `json:"verificationId,omitempty"`
	Status         string              `json:"status,omitempty"`
	Code           string              `json:"code,omitempty"`
	Class          string              `json:"class,omitempty"`
	Message        string              `json:"message,omitempty"`
	Result         *tuidentidad.Result `json:"result,omitempty"`
	Created        time.Time           `json:"created"`
	Checks         int                 `json:"checks"`
	Hints          int                 `json:"webhooks"`
}

func viewOf(c tuidentidad.Case, lang string) caseView {
	v := caseView{Key: c.Key, Kind: c.Kind.String(), State: string(c.State), VerificationID: c.VerificationID,
		Code: string(c.Code), Created: c.Created, Checks: c.Checks, Hints: c.Hints, Message: caseMessage(c, lang)}
	if c.Code != "" {
		v.Class = c.Code.Class().String()
	}
	if c.Record != nil {
		v.Status = c.Record.Status.String()
	}
	if res, err := c.Result(); err == nil {
		v.Result = &res
	}
	return v
}

func caseMessage(c tuidentidad.Case, lang string) string {
	en := lang == "en"
	switch {
	case c.Code != "":
		return c.Code.Message(lang)
	case c.State == tuidentidad.CaseDone && en:
		return "Answered."
	case c.State == tuidentidad.CaseDone:
		return "Respondida."
	case c.State == tuidentidad.CaseExpired && en:
		return "No answer within the provider's retries. Check it from the back office."
	case c.State == tuidentidad.CaseExpired:
		return "Sin respuesta tras los reintentos del proveedor. Revísela desde la oficina."
	case c.State == tuidentidad.CaseFailed && en:
		return "The provider's answer could not be read. Call support."
	case c.State == tuidentidad.CaseFailed:
		return "No se pudo leer la respuesta del proveedor. Llame a soporte."
	case en:
		return "Waiting for the provider's answer."
	}
	return "En espera de la respuesta del proveedor."
}

func printCase(w io.Writer, c tuidentidad.Case, asJSON bool, lang string) error {
	v := viewOf(c, lang)
	if asJSON {
		out, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", out)
		return err
	}
	fmt.Fprintf(w, "Caso %s (%s): %s — %s\n", v.Key, v.Kind, v.State, v.Message)
	if v.VerificationID != "" {
		fmt.Fprintf(w, "  verificationId %s  estado del proveedor %s\n", v.VerificationID, v.Status)
	}
	if r := v.Result; r != nil {
		switch {
		case r.INE != nil:
			fmt.Fprintf(w, "  lista nominal: válida %v, puede votar %v\n", r.INE.Valid, r.INE.CanVote)
		case r.RFC != "":
			fmt.Fprintf(w, "  RFC %s\n", r.RFC)
		case r.NSS != "":
			fmt.Fprintf(w, "  NSS %s\n", r.NSS)
		}
	}
	return nil
}

func printCases(w io.Writer, cases []tuidentidad.Case, asJSON bool, lang string) error {
	if asJSON {
		views := make([]caseView, len(cases))
		for i, c := range cases {
			views[i] = viewOf(c, lang)
		}
		out, err := json.MarshalIndent(views, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", out)
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CASO\tTIPO\tESTADO\tCÓDIGO\tVERIFICATION ID")
	for _, c := range cases {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Key, c.Kind, c.State, c.Code, c.VerificationID)
	}
	return tw.Flush()
}

// scaledClock runs scale times faster than the wall clock from its start: the
// stand-in's 20-minute retries take 20 s at 60.
type scaledClock struct {
	start time.Time
	scale float64
}

func (c scaledClock) Now() time.Time {
	return c.start.Add(time.Duration(float64(time.Since(c.start)) * c.scale))
}

func runTuIdentidadSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("tuidentidad-sandbox", stderr)
	addr := fs.String("addr", "127.0.0.1:8445", "address to listen on")
	keys := fs.String("api-key", "", "accepted API keys, comma-separated (company A, B, …)")
	hookURL := fs.String("webhook-url", "", "where to deliver results (empty: none; poll instead)")
	hookAuth := fs.String("webhook-auth", "", "the webhook's authorization: basic:USER:PASSWORD or bearer:TOKEN")
	hookCA := fs.String("webhook-ca", "", "PEM roots for the webhook's certificate (default: the stand-in's own CA)")
	caOut := fs.String("ca-out", "", "write the stand-in's CA certificate here (for the client's [tuidentidad] ca)")
	certOut := fs.String("cert-out", "", "write the loopback server certificate here (a webhook receiver may serve it)")
	keyOut := fs.String("key-out", "", "write the loopback server key here (private)")
	scale := fs.Float64("scale", 1, "clock speed: 60 makes the provider's 20-minute retry take 20 seconds")
	tick := fs.Duration("tick", time.Second, "how often the stand-in moves its verifications")
	attempts := fs.Int("delivery-attempts", 5, "webhook delivery attempts")
	dup := fs.Bool("duplicates", false, "deliver every result twice")
	early := fs.Bool("early", false, "deliver before the status shows 3")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *keys == "" {
		return errors.New("--api-key is required")
	}
	if *scale <= 0 {
		return errors.New("--scale must be positive")
	}
	lb, err := pki.NewLoopback(time.Now())
	if err != nil {
		return err
	}
	for _, f := range []struct {
		path string
		data []byte
		mode os.FileMode
	}{{*caOut, lb.CAPEM, 0o644}, {*certOut, lb.CertPEM, 0o644}, {*keyOut, lb.KeyPEM, 0o600}} {
		if f.path != "" {
			if err := os.WriteFile(f.path, f.data, f.mode); err != nil {
				return err
			}
		}
	}
	cfg := standin.Config{APIKeys: map[string]string{}, WebhookURL: *hookURL, DeliveryAttempts: *attempts,
		Duplicates: *dup, EarlyDelivery: *early, Now: scaledClock{time.Now(), *scale}.Now}
	for i, k := range strings.Split(*keys, ",") {
		cfg.APIKeys[strings.TrimSpace(k)] = string(rune('A' + i))
	}
	if *hookAuth != "" {
		a, err := webhook.ParseAuth(*hookAuth)
		if err != nil {
			return err
		}
		cfg.WebhookAuth = a.Header()
	}
	clientTLS := lb.ClientTLS()
	if *hookCA != "" {
		pool, err := loadPool(*hookCA)
		if err != nil {
			return err
		}
		clientTLS.RootCAs = pool
	}
	cfg.WebhookClient = httpsClient(clientTLS)
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	cfg.Logger = logger
	srv := standin.New(cfg)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	logger.Info("tuidentidad-sandbox escuchando", "addr", ln.Addr().String(), "ruta", tuidentidad.DefaultPrefix)
	go srv.Run(ctx, *tick)
	return webhook.Serve(ctx, ln, srv.Handler(""), lb.ServerTLS(), logger)
}
