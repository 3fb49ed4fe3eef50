package capture

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"cotejo/storage"
	"cotejo/storage/audit"
	"cotejo/verify/config"
	"cotejo/verify/remoteid"
	"cotejo/verify/sello"
)

// RemoteSettings is the [remote] section: the provider's account (remoteid.Settings,
// as `cotejo remote` reads it) and what the window adds.
type RemoteSettings struct {
	remoteid.Settings
	// CA is a PEM file of extra roots for the provider (the stand-in's); empty: the
	// system's roots.
	CA string `toml:"ca"`
	// WebhookUser and WebhookPassword are the basic-auth credential set in the
	// provider's panel: the reports' only proof of origin; when unset, [webhook] auth
	// of the basic form is. Reports are received at /remote on the receiver [webhook]
	// addr runs.
	WebhookUser     string `toml:"webhook_user"`
	WebhookPassword string `toml:"webhook_password"`
}

// remoteProvider names the remote verifications' cases in the data file.
const remoteProvider = "remoteid"

// RemoteStore keeps remote verifications in the encrypted data file, each case (the
// reports, the person's data, the certificate PDF) sealed whole; a change of status
// and the certificate's arrival go to the audit trail with it.
type RemoteStore struct {
	DB *storage.DB
	mu sync.Mutex // Update is a read and a write: one at a time
}

var _ remoteid.Store = (*RemoteStore)(nil)

// Update implements remoteid.Store.
func (s *RemoteStore) Update(ctx context.Context, id string, fn func(*remoteid.Case) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, err := s.Get(ctx, id)
	if errors.Is(err, remoteid.ErrNoCase) {
		old, err = remoteid.Case{ID: id}, nil
	}
	if err != nil {
		return err
	}
	c := old
	c.Events = slices.Clone(old.Events)
	if err := fn(&c); err != nil {
		return err
	}
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	var events []string
	switch {
	case c.Estado() != old.Estado():
		events = append(events, fmt.Sprintf("estado %d", int(c.Estado())))
	case old.SentAt.IsZero() && !c.SentAt.IsZero():
		events = append(events, "sent")
	}
	if len(c.Certificate) > 0 && len(old.Certificate) == 0 {
		events = append(events, "certificate")
	}
	return s.DB.SaveCase(ctx, remoteProvider, id, raw, strings.Join(events, " "))
}

// Get implements remoteid.Store.
func (s *RemoteStore) Get(ctx context.Context, id string) (remoteid.Case, error) {
	raw, err := s.DB.LoadCase(ctx, remoteProvider, id)
	if errors.Is(err, storage.ErrNotFound) {
		return remoteid.Case{}, fmt.Errorf("%w: %s", remoteid.ErrNoCase, id)
	}
	if err != nil {
		return remoteid.Case{}, err
	}
	var c remoteid.Case
	if err := json.Unmarshal(raw, &c); err != nil {
		return remoteid.Case{}, fmt.Errorf("capture: remote case %s: %w", id, err)
	}
	return c, nil
}

// List implements remoteid.Store.
func (s *RemoteStore) List(ctx context.Context) ([]remoteid.Case, error) {
	raws, err := s.DB.Cases(ctx, remoteProvider)
	if err != nil {
		return nil, err
	}
	out := make([]remoteid.Case, 0, len(raws))
	for _, raw := range raws {
		var c remoteid.Case
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("capture: a remote case: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// Remote is remote identity verification as the window uses it: send a link, list the
// cases, receive the provider's reports and fetch the certificate after 5100. It is
// supporting evidence only: no INE, no fingerprints (Notice).
type Remote struct {
	Client *remoteid.Client
	Store  *RemoteStore
	Now    func() time.Time // default time.Now
	// Signer seals each certificate kept (SealRemoteCertificate): the institution's
	// key; nil leaves them unsealed.
	Signer sello.Signer

	mu   sync.Mutex
	poke chan struct{}
}

// RemoteCase is a case with its words.
type RemoteCase struct{ remoteid.Case }

// RemoteNotice is the warning every screen of remote verification carries.
func RemoteNotice(lang string) string { return remoteid.Notice(lang) }

func (r *Remote) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

// DefaultMessage is the SMS text the screen starts from.
func (r *Remote) DefaultMessage() string { return r.Client.Settings().Message }

// Send asks the provider to text phone the link in message (which must hold [LINK]);
// document, when given, is the CURP or clave de elector the person's document should
// show. The request goes to the audit trail with the operator, the case's ID as
// reference.
func (r *Remote) Send(ctx context.Context, operator, phone, message, document string) (RemoteCase, error) {
	req := remoteid.SendRequest{Phone: strings.TrimSpace(phone), Document: strings.ToUpper(strings.TrimSpace(document)), Message: message}
	c, err := remoteid.Start(ctx, r.Store, r.Client, req, r.now())
	if err != nil {
		r.audit(operator, "remote.refused", c.ID, remoteOutcome(err))
		return RemoteCase{c}, remoteError{err}
	}
	return RemoteCase{c}, r.audit(operator, "remote.request", c.ID, "")
}

func remoteOutcome(err error) string {
	var re *remoteid.ResError
	if errors.As(err, &re) {
		return fmt.Sprintf("res %d", int(re.Res))
	}
	return "error"
}

func (r *Remote) audit(operator, action, ref, outcome string) error {
	_, err := r.Store.DB.Audit().Append(audit.Entry{Operator: operator, Action: action, Ref: ref, Outcome: outcome})
	return err
}

// remoteError carries remoteid's message for the operator.
type remoteError struct{ err error }

func (e remoteError) Error() string              { return e.err.Error() }
func (e remoteError) Unwrap() error              { return e.err }
func (e remoteError) Message(lang string) string { return remoteid.Message(e.err, lang) }
func (r *Remote) wake() {
	select {
	case r.pokes() <- struct{}{}:
	default:
	}
}

func (r *Remote) pokes() chan struct{} {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.poke == nil {
		r.poke = make(chan struct{}, 1)
	}
	return r.poke
}

// Cases lists the cases, newest first.
func (r *Remote) Cases(ctx context.Context) ([]RemoteCase, error) {
	all, err := r.Store.List(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]RemoteCase, len(all))
	for i, c := range all {
		out[i] = RemoteCase{c}
	}
	slices.SortStableFunc(out, func(a, b RemoteCase) int { return b.SentAt.Compare(a.SentAt) })
	return out, nil
}

// Get returns a case.
func (r *Remote) Get(ctx context.Context, id string) (RemoteCase, error) {
	c, err := r.Store.Get(ctx, id)
	return RemoteCase{c}, err
}

// Handler is the receiver of the provider's reports. Each report that changes a case
// wakes Run, which fetches the certificate after 5100 and tells the window.
func (r *Remote) Handler(auth remoteid.WebhookAuth, logger *slog.Logger) (http.Handler, error) {
	return remoteid.NewWebhookHandler(r.Store, auth, remoteid.HandlerOptions{Logger: logger, OnChange: func(remoteid.Case) { r.wake() }})
}

// Run is the window's background pass, until ctx ends: every interval (default one
// minute) and at once on each report, it fetches the certificates of validated cases
// and calls changed with every case whose status or certificate changed since the last
// pass.
func (r *Remote) Run(ctx context.Context, interval time.Duration, changed func(RemoteCase)) error {
	if interval <= 0 {
		interval = time.Minute
	}
	type mark struct {
		estado remoteid.Estado
		cert   bool
	}
	seen := map[string]mark{}
	if cases, err := r.Store.List(ctx); err == nil {
		for _, c := range cases {
			seen[c.ID] = mark{c.Estado(), len(c.Certificate) > 0}
		}
	}
	poke := r.pokes()
	for {
		cases, err := r.Store.List(ctx)
		if err == nil {
			for _, c := range cases {
				if c.NeedsCertificate() {
					// The client keeps the provider's spam rules: a refused download is
					// not asked for again unchanged.
					if got, err := remoteid.FetchCertificate(ctx, r.Store, r.Client, c.ID, r.now()); err == nil {
						c = got
					}
				}
				// Sealed as soon as it is kept; a seal that failed (an HSM unplugged) is
				// tried again on the next pass.
				if got, err := r.sealCertificate(ctx, c); err == nil {
					c = got
				}
				m := mark{c.Estado(), len(c.Certificate) > 0}
				if seen[c.ID] != m {
					seen[c.ID] = m
					if changed != nil {
						changed(RemoteCase{c})
					}
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

// StateText is where the case stands, in the operator's words.
func (c RemoteCase) StateText(lang string) string {
	if c.Estado() == 0 {
		return says(lang, "Enlace enviado: la persona aún no lo abre.", "Link sent: the person has not opened it yet.")
	}
	return c.Estado().Message(lang)
}

// Verdict is the case's outcome in a word or two.
func (c RemoteCase) Verdict(lang string) string {
	switch c.Outcome() {
	case remoteid.Validated:
		return says(lang, "VALIDADA", "VALIDATED")
	case remoteid.Rejected:
		return says(lang, "RECHAZADA", "REJECTED")
	}
	return says(lang, "EN CURSO", "IN PROGRESS")
}

// Detail is what the provider reported, one line each: the comparison's outcome, the
// document asked for, a foreign document.
func (c RemoteCase) Detail(lang, nationality string) []string {
	var out []string
	if r := c.Result(); r != nil {
		out = append(out, r.Resultado.Message(lang))
		switch r.DNISolicitadoCoincide {
		case "Si":
			out = append(out, says(lang, "El documento muestra el número pedido.", "The document shows the number asked for."))
		case "No":
			out = append(out, says(lang, "El documento NO muestra el número pedido.", "The document does NOT show the number asked for."))
		}
	}
	if c.ForeignDocument(nationality) {
		out = append(out, says(lang, "El documento no es de la nacionalidad esperada.", "The document is not of the expected nationality."))
	}
	return out
}

// Nationality is the document nationality expected.
func (r *Remote) Nationality() string { return r.Client.Settings().Nationality }

// openRemote makes the window's remote verification when [remote] is configured (nil
// otherwise); serveWebhooks receives its reports.
func (a *App) openRemote(logger *slog.Logger) (*Remote, error) {
	st := a.Config.Remote
	if st.BaseURL == "" {
		return nil, nil
	}
	if st.Token == "" {
		st.Token = os.Getenv("COTEJO_REMOTE_TOKEN")
	}
	o := remoteid.Options{Now: a.DB.Now}
	if st.CA != "" {
		pem, err := os.ReadFile(config.Resolve(a.Config.Dir(), st.CA))
		if err != nil {
			return nil, fmt.Errorf("capture: [remote] ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("capture: [remote] ca %s: no certificate", st.CA)
		}
		o.HTTPClient = &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, Proxy: http.ProxyFromEnvironment}}
	}
	client, err := remoteid.New(st.Settings, o)
	if err != nil {
		return nil, err
	}
	rem := &Remote{Client: client, Store: &RemoteStore{DB: a.DB}, Now: a.DB.Now}
	if s, err := a.signer(); err == nil {
		rem.Signer = s
	}
	return rem, nil
}

// How a remote case ended.
const (
	RemotePending   = remoteid.Pending
	RemoteValidated = remoteid.Validated
	RemoteRejected  = remoteid.Rejected
)

// remoteEnded says, for retention, whether a stored remote case is final and since
// when: the certificate's arrival, else the final report's time (the provider's zone).
// A case that does not parse, or whose end cannot be dated, is kept.
func remoteEnded(raw []byte) (time.Time, bool) {
	var c remoteid.Case
	if json.Unmarshal(raw, &c) != nil || !c.Estado().Terminal() {
		return time.Time{}, false
	}
	if !c.CertificateAt.IsZero() {
		return c.CertificateAt, true
	}
	e, ok := c.Latest()
	if !ok {
		return time.Time{}, false
	}
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", e.UltimaActualizacion, loc)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
