package capture

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"cotejo/storage"
	"cotejo/storage/audit"
	"cotejo/verify/config"
	"cotejo/verify/credential"
	"cotejo/verify/pki"
	"cotejo/verify/remoteid"
	"cotejo/verify/tuidentidad"
	"cotejo/verify/tuidentidad/standin"
	"cotejo/verify/webhook"
)

// Nominal is Tu Identidad as the window uses it: the lista nominal check of a
// credential and the RFC and NSS look-ups of its CURP, each a case of the tracker kept
// in the data file. A case's key is the INE request it was made from and its kind
// ("INDICE.ine"), so the citizen's name is found with the INE entry (or, for a check
// made without one, with its reference's record) and a second tap does not ask (and
// pay) twice.
type Nominal struct {
	Tracker *tuidentidad.Tracker
	DB      *storage.DB // the audit trail, and the citizens' names
	FullOCR bool        // [tuidentidad] full_ocr
	// State is where RFC look-ups search (the branch's state); 0: the CURP's state of
	// birth.
	State tuidentidad.State
	// Interval is how often a wait asks the provider; default 3 s.
	Interval time.Duration

	mu   sync.Mutex
	seen map[string]bool // final cases the window was already told of
	poke chan struct{}   // a webhook delivery: the background pass runs now
}

// NominalCase is a case with what the window shows beside it.
type NominalCase struct {
	tuidentidad.Case
	Ref  string // the INE request's indice the case was made from, or NewNominalRef's
	Name string // the citizen's name from the INE entry; "" when unknown
	CURP string // the citizen's CURP from the INE entry, for the look-ups
}

// Credential is a citizen's credential as the session holds it.
type Credential = credential.Credential

// NominalKind is which check a case is.
type NominalKind = tuidentidad.Kind

// The kinds of check, as the window names them.
const (
	NominalRoll = tuidentidad.KindINE
	NominalRFC  = tuidentidad.KindRFC
	NominalNSS  = tuidentidad.KindNSS
)

// NominalKey is the key of the case of kind made from the INE request ref.
func NominalKey(ref string, kind tuidentidad.Kind) string { return ref + "." + kind.String() }

// NewNominalRef is a reference for checks made without an INE request (INE not
// configured, or out of reach before the request was made): "TI-" and twelve random
// hexadecimal digits, standing where an INE request's indice would.
func NewNominalRef() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand's Read does not fail
	return "TI-" + hex.EncodeToString(b[:])
}

// CheckRoll asks for the lista nominal check of a credential (a data-only check: no
// fingerprints). ref is the INE request's indice; operator is who asked, for the
// audit trail. When the provider cannot be reached the case stays queued and the
// background pass sends it: the case is returned without an error.
func (n *Nominal) CheckRoll(ctx context.Context, operator, ref string, c credential.Credential) (NominalCase, error) {
	req, err := tuidentidad.INERequestFor(c, tuidentidad.MapOptions{FullOCR: n.FullOCR})
	if err != nil {
		return NominalCase{}, fieldsError(err)
	}
	if err := n.remember(ctx, operator, ref, CitizenRecord(c)); err != nil {
		return NominalCase{}, err
	}
	return n.submit(ctx, operator, ref, NominalRoll, req)
}

// LookupRFC asks for the RFC of a CURP.
func (n *Nominal) LookupRFC(ctx context.Context, operator, ref, curp string) (NominalCase, error) {
	state := n.State
	if !tuidentidad.ValidState(state) {
		state = birthState(curp)
	}
	req, err := tuidentidad.RFCRequestFor(curp, state)
	if err != nil {
		return NominalCase{}, fieldsError(err)
	}
	if err := n.remember(ctx, operator, ref, storage.Citizen{CURP: curp}); err != nil {
		return NominalCase{}, err
	}
	return n.submit(ctx, operator, ref, NominalRFC, req)
}

// LookupNSS asks for the NSS of a CURP.
func (n *Nominal) LookupNSS(ctx context.Context, operator, ref, curp string) (NominalCase, error) {
	req, err := tuidentidad.NSSRequestFor(curp)
	if err != nil {
		return NominalCase{}, fieldsError(err)
	}
	if err := n.remember(ctx, operator, ref, storage.Citizen{CURP: curp}); err != nil {
		return NominalCase{}, err
	}
	return n.submit(ctx, operator, ref, NominalNSS, req)
}

// fieldsError keeps the first field error, which speaks the operator's language.
func fieldsError(err error) error {
	var fe *credential.FieldError
	if errors.As(err, &fe) {
		return fe
	}
	return err
}

// birthState is the state of birth the CURP's 12th and 13th letters name, as the
// provider's catalogue numbers it; 9 (Ciudad de México) when they name none.
func birthState(curp string) tuidentidad.State {
	// The CURP's two-letter codes in the provider's catalogue order (1–32).
	const codes = "AS BC BS CC CL CM CS CH DF DG GT GR HG JC MC MN MS NT NL OC PL QT QR SP SL SR TC TS TL VZ YN ZS"
	curp = credential.Normalize(curp)
	if len(curp) >= 13 {
		if i := slices.Index(strings.Fields(codes), curp[11:13]); i >= 0 {
			return tuidentidad.State(i + 1)
		}
	}
	return 9
}

func (n *Nominal) submit(ctx context.Context, operator, ref string, kind tuidentidad.Kind, body any) (NominalCase, error) {
	if ref == "" {
		return NominalCase{}, errors.New("capture: a Tu Identidad check needs the INE request it comes from")
	}
	key := NominalKey(ref, kind)
	if _, err := n.DB.Audit().Append(audit.Entry{Operator: operator, Action: "tuidentidad.request", Ref: key, Outcome: kind.String()}); err != nil {
		return NominalCase{}, err
	}
	c, err := n.Tracker.Submit(ctx, key, kind, body)
	if c.Key == "" {
		return NominalCase{}, err
	}
	// A refusal is a failed case with its code, and a provider out of reach a queued
	// case: both are shown as the case, not as an error.
	return n.view(ctx, c), nil
}

// Wait asks for the case's result until it is final or ctx ends; then the case is
// returned as it stands, without an error: the background pass finishes it.
func (n *Nominal) Wait(ctx context.Context, key string) (NominalCase, error) {
	c, err := n.Tracker.Wait(ctx, key, n.Interval)
	if err != nil && ctx.Err() == nil {
		return NominalCase{}, err
	}
	if c.State.Final() {
		n.markSeen(c.Key)
	}
	return n.view(ctx, c), nil
}

// Get returns a case as stored.
func (n *Nominal) Get(ctx context.Context, key string) (NominalCase, error) {
	c, err := n.Tracker.Get(ctx, key)
	if err != nil {
		return NominalCase{}, err
	}
	return n.view(ctx, c), nil
}

// Cases lists every case, newest first; refs, when given, keeps the cases made from
// those INE requests only (an operator's history).
func (n *Nominal) Cases(ctx context.Context, refs ...string) ([]NominalCase, error) {
	all, err := n.Tracker.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]NominalCase, 0, len(all))
	for _, c := range all {
		v := n.view(ctx, c)
		if len(refs) > 0 && !slices.Contains(refs, v.Ref) {
			continue
		}
		out = append(out, v)
	}
	slices.SortStableFunc(out, func(a, b NominalCase) int { return b.Created.Compare(a.Created) })
	return out, nil
}

func (n *Nominal) view(ctx context.Context, c tuidentidad.Case) NominalCase {
	ref := strings.TrimSuffix(c.Key, "."+c.Kind.String())
	v := NominalCase{Case: c, Ref: ref}
	if cit, err := n.citizenOf(ctx, ref); err == nil {
		v.Name, v.CURP = cit.Nombre, cit.CURP
	}
	return v
}

func (n *Nominal) markSeen(key string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen == nil {
		n.seen = map[string]bool{}
	}
	n.seen[key] = true
}

// unseen marks key seen and says whether it was not before.
func (n *Nominal) unseen(key string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen == nil {
		n.seen = map[string]bool{}
	}
	if n.seen[key] {
		return false
	}
	n.seen[key] = true
	return true
}

func (n *Nominal) pokes() chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.poke == nil {
		n.poke = make(chan struct{}, 1)
	}
	return n.poke
}

// Deliver is the webhook receiver's sink: the tracker records the hint, and the
// background pass runs at once to confirm it.
func (n *Nominal) Deliver(ctx context.Context, ev webhook.Event) error {
	err := n.Tracker.Deliver(ctx, ev)
	select {
	case n.pokes() <- struct{}{}:
	default:
	}
	return err
}

// Run is the window's background pass, until ctx ends: every interval (default 15 s),
// and at once on a webhook delivery, it checks the cases that are due and tells
// finished of each case that became final without the window waiting for it.
func (n *Nominal) Run(ctx context.Context, interval time.Duration, finished func(NominalCase)) error {
	if interval <= 0 {
		interval = 15 * time.Second
	}
	// What was final before the window opened is not news.
	if cases, err := n.Tracker.List(ctx); err == nil {
		for _, c := range cases {
			if c.State.Final() {
				n.markSeen(c.Key)
			}
		}
	}
	poke := n.pokes()
	for {
		if _, err := n.Tracker.RunOnce(ctx); err != nil && ctx.Err() == nil && n.Tracker.Logger != nil {
			n.Tracker.Logger.Warn("tuidentidad: background check", "error", err)
		}
		if cases, err := n.Tracker.List(ctx); err == nil && finished != nil {
			for _, c := range cases {
				if c.State.Final() && n.unseen(c.Key) {
					finished(n.view(ctx, c))
				}
			}
		}
		timer := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-poke:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// Handler is the webhook receiver's endpoint for Tu Identidad, as `cotejo webhook
// serve` mounts it at /tuidentidad.
func (n *Nominal) Handler(auth webhook.Auth, logger *slog.Logger) http.Handler {
	return &webhook.Handler{Auth: auth, Decoder: tuidentidad.WebhookDecoder{}, Sink: n.Deliver, Logger: logger}
}

// openNominal makes the window's Tu Identidad when [tuidentidad] is configured (nil
// otherwise).
func (a *App) openNominal(logger *slog.Logger) (*Nominal, error) {
	st := a.Config.TuIdentidad
	if st.URL == "" && st.APIKey == "" {
		return nil, nil
	}
	tr, err := a.TuIdentidad(logger)
	if err != nil {
		return nil, err
	}
	n := &Nominal{Tracker: tr, DB: a.DB, FullOCR: st.FullOCR}
	if e := a.Config.Branch.Estado; e >= 1 && e <= 32 {
		n.State = tuidentidad.State(e)
	}
	return n, nil
}

// serveWebhooks runs the webhook receiver in-process when [webhook] addr (or its old
// name, [tuidentidad] webhook_addr) is set, until the app is closed, as `cotejo webhook
// serve` does: Tu Identidad's deliveries at /tuidentidad, remote verification's
// reports at /remote.
func (a *App) serveWebhooks(ctx context.Context, logger *slog.Logger) error {
	rs := a.Config.Receiver()
	if rs.Addr == "" || (a.Nominal == nil && a.Remote == nil) {
		return nil
	}
	mux := http.NewServeMux()
	if a.Nominal != nil {
		// [tuidentidad] webhook_auth, the old name, is what Receiver falls back on.
		auth, err := webhook.ParseAuth(rs.Auth)
		if err != nil {
			return fmt.Errorf("capture: [webhook] auth: %w", err)
		}
		mux.Handle("/tuidentidad", a.Nominal.Handler(auth, logger))
	}
	if a.Remote != nil {
		user, pass, ok := a.Config.RemoteHookAuth()
		if !ok {
			logger.Warn("neither [remote] webhook_user nor a basic [webhook] auth is set: remote reports are not received")
		} else {
			h, err := a.Remote.Handler(remoteid.WebhookAuth{User: user, Password: pass}, logger)
			if err != nil {
				return fmt.Errorf("capture: the remote reports' credential: %w", err)
			}
			mux.Handle("/remote", h)
		}
	}
	pair, err := tls.LoadX509KeyPair(config.Resolve(a.Config.Dir(), rs.Cert), config.Resolve(a.Config.Dir(), rs.Key))
	if err != nil {
		return fmt.Errorf("capture: [webhook] cert/key: %w", err)
	}
	ln := a.hookListener
	if ln == nil {
		if ln, err = net.Listen("tcp", rs.Addr); err != nil {
			return fmt.Errorf("capture: [webhook] addr: %w", err)
		}
	}
	a.Webhook = mux
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	served := make(chan error, 1)
	go func() {
		served <- webhook.Serve(sctx, ln, mux, &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, logger)
	}()
	a.closers = append(a.closers, func() error { cancel(); <-served; return nil })
	return nil
}

// The cases in the operator's words.

func says(lang, es, en string) string {
	if lang == "en" {
		return en
	}
	return es
}

// KindText names the check.
func (c NominalCase) KindText(lang string) string {
	switch c.Kind {
	case NominalRoll:
		return says(lang, "Lista nominal", "Electoral roll")
	case NominalRFC:
		return "RFC"
	case NominalNSS:
		return "NSS"
	}
	return c.Kind.String()
}

// StateText is where the case stands.
func (c NominalCase) StateText(lang string) string {
	switch c.State {
	case tuidentidad.CaseQueued:
		return says(lang, "en espera de conexión", "waiting for the link")
	case tuidentidad.CaseWaiting:
		return says(lang, "esperando la respuesta", "waiting for the answer")
	case tuidentidad.CaseDone:
		return says(lang, "respondida", "answered")
	case tuidentidad.CaseFailed:
		return says(lang, "sin resultado", "no result")
	case tuidentidad.CaseExpired:
		return says(lang, "vencida sin respuesta", "expired unanswered")
	}
	return string(c.State)
}

// NominalOutcome is a final case read aloud: the verdict, whether it is good news, what
// was returned, and what to do next.
type NominalOutcome struct {
	Verdict string
	Good    bool
	Found   bool     // a result came back (an RFC, an NSS, the roll's record)
	Detail  []string // the data returned, one "label: value" a line
	Next    string
}

// Outcome reads the case in lang; a case not yet final says it is awaited.
func (c NominalCase) Outcome(lang string) NominalOutcome {
	if !c.State.Final() {
		return NominalOutcome{Verdict: says(lang, "EN ESPERA", "WAITING"),
			Next: says(lang, "La respuesta llegará sola: se le avisará en cualquier pantalla y quedará en el historial.",
				"The answer arrives by itself: every screen tells you, and it stays in the history.")}
	}
	res, err := c.Result()
	if err != nil || c.State != tuidentidad.CaseDone {
		o := NominalOutcome{Verdict: says(lang, "SIN RESULTADO", "NO RESULT")}
		switch {
		case c.Code != "":
			o.Detail = []string{c.Code.Message(lang)}
		case c.State == tuidentidad.CaseExpired:
			o.Detail = []string{says(lang, "El proveedor no respondió a tiempo.", "The provider did not answer in time.")}
		}
		switch c.Code.Class() {
		case tuidentidad.ClassNegative:
			o.Verdict = says(lang, "NO ENCONTRADO", "NOT FOUND")
			o.Next = says(lang, "Pida al ciudadano que aclare sus datos ante la institución que corresponde.", "Ask the citizen to clear up their data with the institution concerned.")
		case tuidentidad.ClassFixData:
			o.Next = says(lang, "Revise los datos de la credencial y haga una verificación nueva.", "Check the credential's data and start a new verification.")
		case tuidentidad.ClassQuota:
			o.Next = says(lang, "Intente otro día.", "Try another day.")
		default:
			o.Next = says(lang, "Llame a soporte si se repite.", "Call support if it happens again.")
		}
		return o
	}
	switch {
	case res.INE != nil:
		r := res.INE
		o := NominalOutcome{Found: true, Good: r.Valid && r.CanVote}
		switch {
		case r.Valid && r.CanVote:
			o.Verdict = says(lang, "VIGENTE · PUEDE VOTAR", "VALID · CAN VOTE")
			o.Next = says(lang, "Los datos están en la lista nominal. Sin huellas: no confirma que la persona sea la titular.", "The data are on the electoral roll. Without fingerprints: it does not confirm the person is the holder.")
		case r.Valid:
			o.Verdict = says(lang, "VIGENTE · NO PUEDE VOTAR", "VALID · CANNOT VOTE")
			o.Next = says(lang, "La credencial es válida pero no está en la lista nominal para votar: siga las reglas de su institución.", "The credential is valid but not on the roll to vote: follow your institution's rules.")
		default:
			o.Verdict = says(lang, "NO VIGENTE", "NOT VALID")
			o.Next = says(lang, "La lista nominal no reconoce esta credencial: no la acepte como identificación.", "The electoral roll does not recognise this credential: do not accept it as identification.")
		}
		d := r.Data
		for _, f := range [][3]string{
			{"Modelo", "Model", d.Type}, {"Clave de elector", "Elector key", d.ElectorCode}, {"CIC", "CIC", d.CICNumber},
			{"OCR", "OCR", d.OCRNumber}, {"Número de emisión", "Issue number", d.IssueNumber}, {"Año de emisión", "Issue year", d.IssueYear},
			{"Año de registro", "Registration year", d.RegistrationYear}, {"Vigencia", "Valid until", d.ExpDate},
		} {
			if f[2] != "" {
				o.Detail = append(o.Detail, says(lang, f[0], f[1])+": "+f[2])
			}
		}
		return o
	case res.RFC != "":
		return NominalOutcome{Verdict: says(lang, "ENCONTRADO", "FOUND"), Good: true, Found: true, Detail: []string{"RFC: " + res.RFC},
			Next: says(lang, "El RFC viene del SAT por la CURP.", "The RFC comes from SAT by the CURP.")}
	default:
		return NominalOutcome{Verdict: says(lang, "ENCONTRADO", "FOUND"), Good: true, Found: true, Detail: []string{"NSS: " + res.NSS},
			Next: says(lang, "El NSS viene del IMSS por la CURP.", "The NSS comes from IMSS by the CURP.")}
	}
}

// NominalNotice is the banner every screen of these checks shows: what the check is not.
func NominalNotice(lang string) string {
	return says(lang, "Consulta sólo de datos contra la lista nominal, por Tu Identidad, SIN huellas: no es la verificación del INE (SVCV) y no confirma que la persona sea la titular.",
		"Data-only check against the electoral roll, through Tu Identidad, WITHOUT fingerprints: not INE's verification (SVCV), and it does not confirm the person is the holder.")
}

// startTuIdentidadDemo runs Tu Identidad's stand-in on a loopback port for the
// demonstration, its clock the real one and its steps every two seconds, and points
// cfg's [tuidentidad] at it (its CA written beside the configuration), unless the
// configuration names a provider of its own.
func (a *App) startTuIdentidadDemo(ctx context.Context, cfg *Config, o Options) error {
	if cfg.TuIdentidad.URL != "" {
		return nil
	}
	lb, err := pki.NewLoopback(time.Now())
	if err != nil {
		return err
	}
	caPath := filepath.Join(cfg.Dir(), "tuidentidad-demo-ca.pem")
	if err := os.WriteFile(caPath, lb.CAPEM, 0o644); err != nil {
		return err
	}
	const key = "demo"
	// The demo's model G citizen is found: by default the stand-in picks the answer by
	// the CIC's and the CURP's digits, and theirs would say "not valid" and "source
	// down" (a 20-minute retry).
	found := map[string]standin.Scenario{"354760982": standin.Found, "MAMA810125HPLRNR35": standin.Found}
	srv := standin.New(standin.Config{APIKeys: map[string]string{key: "demo"}, Scenarios: found, Logger: slog.New(slog.NewTextHandler(o.Log, nil))})
	addr, err := a.serveDemo(ctx, func(ctx context.Context, ln net.Listener) error {
		return webhook.Serve(ctx, ln, srv.Handler(""), lb.ServerTLS(), nil)
	}, func(ctx context.Context) { srv.Run(ctx, 2*time.Second) })
	if err != nil {
		return err
	}
	cfg.TuIdentidad.URL, cfg.TuIdentidad.APIKey, cfg.TuIdentidad.CA = "https://"+addr, key, caPath
	return nil
}
