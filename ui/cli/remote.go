package cli

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	bolt "go.etcd.io/bbolt"

	"cotejo/verify/remoteid"
	"cotejo/verify/webhook"
)

// runRemote is `cotejo remote send|status|certificate|credits|listen`: remote identity
// verification by SMS link (supporting evidence, not INE's check).
func runRemote(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("say send, status ID, certificate ID, credits or listen")
	}
	sub, args := args[0], args[1:]
	fs, cfgPath := newFlags("remote "+sub, stderr)
	url := fs.String("url", "", "the provider's base URL (default: [remote] base_url of the configuration)")
	user := fs.String("user", "", "API user (default: [remote] user)")
	token := fs.String("token", "", "API token (default: [remote] token, or $COTEJO_REMOTE_TOKEN)")
	caFile := fs.String("cacert", "", "trust this CA (PEM) for the provider, e.g. the stand-in's")
	asJSON := fs.Bool("json", false, "JSON output")
	lang := fs.String("lang", "es", "es or en")
	cases := fs.String("cases", "", "case file (bbolt) the reports are kept in; plaintext: for the stand-in and tests, the kiosk keeps cases sealed")
	phone := fs.String("phone", "", "send: the person's mobile (10 digits, or 52 and 10 digits)")
	document := fs.String("document", "", "send: CURP or clave de elector expected (optional)")
	at := fs.String("at", "", "send: schedule at YYYY-MM-DD HH:MM, kiosk time (default now)")
	message := fs.String("message", "", "send: SMS text with [LINK] (default the configuration's)")
	sender := fs.String("sender", "", "send: SMS sender, at most 11 characters")
	out := fs.String("out", "", "certificate: write the PDF here (default ID.pdf)")
	addr := fs.String("addr", "127.0.0.1:8444", "listen: address for the webhook receiver")
	certFile := fs.String("cert", "", "listen: TLS certificate (PEM)")
	keyFile := fs.String("key", "", "listen: TLS key (PEM)")
	hookUser := fs.String("hook-user", "", "listen: basic-auth user set in the provider's panel")
	hookPass := fs.String("hook-password", "", "listen: basic-auth password (default $COTEJO_REMOTE_HOOK_PASSWORD)")
	exitOnFinal := fs.Bool("exit-on-final", false, "listen: stop once a case reaches 5100 or 5500")
	if err := fs.Parse(args); err != nil {
		return err
	}
	id := fs.Arg(0)
	if fs.NArg() > 0 {
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	s, err := remoteSettings(*cfgPath, *url, *user, *token)
	if err != nil {
		return err
	}
	var store *remoteid.BoltStore
	if *cases != "" {
		db, err := bolt.Open(*cases, 0o600, &bolt.Options{Timeout: 10 * time.Second})
		if err != nil {
			return fmt.Errorf("--cases: %w", err)
		}
		defer db.Close()
		if store, err = remoteid.NewBoltStore(db, nil); err != nil {
			return err
		}
	}
	say := func(err error) error {
		if err == nil {
			return nil
		}
		return fmt.Errorf("%s (%w)", remoteid.Message(err, *lang), err)
	}
	switch sub {
	case "status":
		if id == "" || store == nil {
			return errors.New("remote status needs an ID and --cases")
		}
		c, err := store.Get(ctx, id)
		if err != nil {
			return err
		}
		return printRemoteCase(stdout, c, s.Nationality, *lang, *asJSON)
	case "listen":
		if store == nil || *certFile == "" || *keyFile == "" || *hookUser == "" {
			return errors.New("remote listen needs --cases, --cert, --key and --hook-user")
		}
		return remoteListen(ctx, store, *addr, *certFile, *keyFile, *hookUser, cmpOr(*hookPass, os.Getenv("COTEJO_REMOTE_HOOK_PASSWORD")), *exitOnFinal, stdout)
	case "send", "certificate", "credits":
	default:
		return fmt.Errorf("no remote command %q", sub)
	}
	o := remoteid.Options{}
	if *caFile != "" {
		pool, err := trust(*caFile)
		if err != nil {
			return fmt.Errorf("--cacert: %w", err)
		}
		o.HTTPClient = &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	}
	cl, err := remoteid.New(s, o)
	if err != nil {
		return err
	}
	switch sub {
	case "send":
		req := remoteid.SendRequest{Phone: *phone, Document: *document, Message: *message, Sender: *sender}
		if *at != "" {
			if req.At, err = cl.ParseLocalTime(*at); err != nil {
				return say(err)
			}
		}
		sent, err := cl.Send(ctx, req)
		if err != nil {
			return say(err)
		}
		if store != nil {
			if err := remoteid.Opened(ctx, store, sent.ID, req, time.Now()); err != nil {
				return err
			}
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(map[string]any{"id": sent.ID, "credits": sent.Credits})
		}
		fmt.Fprintf(stdout, "%s %s\n%s %v\n%s\n", label(*lang, "Solicitud enviada:", "Request sent:"), sent.ID,
			label(*lang, "Créditos restantes:", "Credits left:"), sent.Credits, remoteid.Notice(*lang))
		return nil
	case "certificate":
		if id == "" {
			return errors.New("remote certificate needs an ID")
		}
		var pdf []byte
		if store != nil {
			c, err := remoteid.FetchCertificate(ctx, store, cl, id, time.Now())
			if err != nil {
				return say(err)
			}
			if c.Certificate == nil {
				return fmt.Errorf("%s: %s", id, c.Estado().Message(*lang))
			}
			pdf = c.Certificate
		} else if pdf, err = cl.Certificate(ctx, id); err != nil {
			return say(err)
		}
		path := cmpOr(*out, id+".pdf")
		if err := os.WriteFile(path, pdf, 0o600); err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(stdout).Encode(map[string]any{"id": id, "file": path, "bytes": len(pdf)})
		}
		fmt.Fprintf(stdout, "%s %s (%d bytes)\n", label(*lang, "Certificado guardado en", "Certificate saved to"), path, len(pdf))
		return nil
	}
	cr, err := cl.Credits(ctx)
	if err != nil {
		return say(err)
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"credits": cr.Value})
	}
	fmt.Fprintf(stdout, "%s %v\n", label(*lang, "Créditos:", "Credits:"), cr.Value)
	return nil
}

func label(lang, es, en string) string {
	if lang == "en" {
		return en
	}
	return es
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// remoteSettings reads [remote] from the configuration file, if there is one, and
// lets the flags override it.
func remoteSettings(cfgPath, url, user, token string) (remoteid.Settings, error) {
	var f struct {
		Remote remoteid.Settings `toml:"remote"`
	}
	if _, err := toml.DecodeFile(cfgPath, &f); err != nil && !errors.Is(err, os.ErrNotExist) {
		return f.Remote, fmt.Errorf("--config %s: %w", cfgPath, err)
	}
	s := f.Remote
	s.BaseURL = cmpOr(url, s.BaseURL)
	s.User = cmpOr(user, s.User)
	s.Token = cmpOr(token, cmpOr(s.Token, os.Getenv("COTEJO_REMOTE_TOKEN")))
	return s, nil
}

// remoteCaseView is a case as printed: the certificate as a flag, not its bytes.
type remoteCaseView struct {
	remoteid.Case
	Certificate bool   `json:"certificate"`
	Estado      int    `json:"estado"`
	Outcome     string `json:"outcome"`
	Notice      string `json:"notice"`
}

func printRemoteCase(w io.Writer, c remoteid.Case, nationality, lang string, asJSON bool) error {
	outcome := [...]string{"pending", "validated", "rejected"}[c.Outcome()]
	if asJSON {
		v := remoteCaseView{Case: c, Certificate: len(c.Certificate) > 0, Estado: int(c.Estado()), Outcome: outcome, Notice: remoteid.Notice(lang)}
		v.Case.Certificate = nil
		return json.NewEncoder(w).Encode(v)
	}
	fmt.Fprintf(w, "%s %s: %d %s\n", label(lang, "Solicitud", "Request"), c.ID, int(c.Estado()), c.Estado().Message(lang))
	for _, e := range c.Events {
		fmt.Fprintf(w, "  %s  %d  %s\n", e.UltimaActualizacion, int(e.Estado), e.Estado.Message(lang))
	}
	if r := c.Result(); r != nil {
		fmt.Fprintf(w, "%s %s\n", label(lang, "Resultado:", "Result:"), r.Resultado.Message(lang))
		if r.DNISolicitadoCoincide != "" {
			fmt.Fprintf(w, "%s %s\n", label(lang, "Documento pedido coincide:", "Requested document matches:"), r.DNISolicitadoCoincide)
		}
	}
	if e, ok := c.Latest(); ok && len(e.Unreadable) > 0 {
		fmt.Fprintf(w, "%s %s\n", label(lang, "No se pudo leer del reporte:", "Could not read from the report:"), strings.Join(e.Unreadable, ", "))
	}
	if c.ForeignDocument(nationality) {
		fmt.Fprintln(w, label(lang, "Atención: el documento no es de la nacionalidad esperada.", "Note: the document is not of the expected nationality."))
	}
	switch {
	case len(c.Certificate) > 0:
		fmt.Fprintln(w, label(lang, "Certificado: guardado.", "Certificate: kept."))
	case c.NeedsCertificate():
		fmt.Fprintln(w, label(lang, "Certificado: pendiente de descargar (cotejo remote certificate).", "Certificate: to be downloaded (cotejo remote certificate)."))
	}
	fmt.Fprintln(w, remoteid.Notice(lang))
	return nil
}

// remoteListen serves the webhook receiver until ctx ends.
func remoteListen(ctx context.Context, store remoteid.Store, addr, certFile, keyFile, user, pass string, exitOnFinal bool, stdout io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	h, err := remoteid.NewWebhookHandler(store, remoteid.WebhookAuth{User: user, Password: pass}, remoteid.HandlerOptions{
		OnChange: func(c remoteid.Case) {
			fmt.Fprintf(stdout, "%s %d\n", c.ID, int(c.Estado()))
			if exitOnFinal && c.Estado().Terminal() {
				cancel()
			}
		},
	})
	if err != nil {
		return err
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Receptor de reportes en https://%s/\n", ln.Addr())
	return webhook.Serve(ctx, ln, h, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil)
}
