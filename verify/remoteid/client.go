package remoteid

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // the kiosk and the provider time zones must load on any install
	"unicode/utf8"
)

// The API's paths.
const (
	PathSend        = "/VerificarIdentidad"
	PathCertificate = "/GetCertificadoIdentidad"
	PathCredits     = "/GetCreditos"
)

// DefaultMessage is the SMS text; the provider replaces [LINK] with the access link.
const DefaultMessage = "Necesitamos verificar su identidad. Abra el siguiente enlace para comenzar: [LINK]"

// Settings is the [remote] section of the configuration: the account and the
// country-specific values. The API was written for Spain (DNI, ESP, CET, 34 numbers);
// the zero values default to Mexico.
type Settings struct {
	BaseURL string `toml:"base_url"` // not published by the provider: ask them
	User    string `toml:"user"`     // API User (panel: Your Data → Configure Account)
	Token   string `toml:"token"`    // API Token
	// PhonePrefix is the country code put before a national number; default "52".
	PhonePrefix string `toml:"phone_prefix"`
	// PhoneDigits is the length of a national number; default 10 (Mexico).
	PhoneDigits int `toml:"phone_digits"`
	// Nationality is the document nationality expected; default "MEX". A report whose
	// document says otherwise is flagged, not refused.
	Nationality string `toml:"nationality"`
	// TimeZone is where the kiosk's scheduled times are meant; default America/Mexico_City.
	TimeZone string `toml:"time_zone"`
	// ProviderTimeZone is the zone of the API's Fecha; default Europe/Madrid (CET/CEST).
	ProviderTimeZone string `toml:"provider_time_zone"`
	Sender           string `toml:"sender"`  // Remitente, at most 11 characters
	Message          string `toml:"message"` // must hold [LINK]; default DefaultMessage
}

func (s Settings) withDefaults() Settings {
	if s.PhonePrefix == "" {
		s.PhonePrefix = "52"
	}
	if s.PhoneDigits == 0 {
		s.PhoneDigits = 10
	}
	if s.Nationality == "" {
		s.Nationality = "MEX"
	}
	if s.TimeZone == "" {
		s.TimeZone = "America/Mexico_City"
	}
	if s.ProviderTimeZone == "" {
		s.ProviderTimeZone = "Europe/Madrid"
	}
	if s.Message == "" {
		s.Message = DefaultMessage
	}
	return s
}

// Options tune a Client; zero values take the defaults.
type Options struct {
	HTTPClient *http.Client     // default: a client with a 2-minute timeout
	Now        func() time.Time // default time.Now
	// MaxReply bounds a Res reply; default 64 KiB. MaxCertificate bounds the PDF;
	// default 20 MiB.
	MaxReply, MaxCertificate int64
	// CreditsInterval is the least time between two /GetCreditos calls; within it
	// Credits answers from what the last call or send said. Default 10 minutes: the
	// provider treats polling for credits as spam.
	CreditsInterval time.Duration
	// Backoff is the pause after a transport failure, doubled on each further one up
	// to MaxBackoff; defaults 30 s and 10 minutes.
	Backoff, MaxBackoff time.Duration
}

// Client calls the provider. It is safe for concurrent use. It keeps the API's spam
// rules: a call that was answered with a negative Res is not sent again unchanged, a
// transport failure pauses every call for a growing while, and credits are asked for
// at most once per CreditsInterval.
type Client struct {
	s        Settings
	o        Options
	local    *time.Location
	provider *time.Location

	mu         sync.Mutex
	failed     map[[32]byte]Res // calls answered with Res < 0, by op and body
	pauseUntil time.Time
	pause      time.Duration
	credits    Credits
}

// New checks the settings and makes a client.
func New(s Settings, o Options) (*Client, error) {
	s = s.withDefaults()
	switch {
	case s.BaseURL == "":
		return nil, errors.New("remoteid: no base_url (ask the provider)")
	case !strings.HasPrefix(s.BaseURL, "https://"):
		return nil, fmt.Errorf("remoteid: base_url %q: the API is HTTPS only", s.BaseURL)
	case s.User == "" || s.Token == "":
		return nil, errors.New("remoteid: user and token are required")
	}
	local, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("remoteid: time_zone: %w", err)
	}
	provider, err := time.LoadLocation(s.ProviderTimeZone)
	if err != nil {
		return nil, fmt.Errorf("remoteid: provider_time_zone: %w", err)
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 2 * time.Minute}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.MaxReply == 0 {
		o.MaxReply = 64 << 10
	}
	if o.MaxCertificate == 0 {
		o.MaxCertificate = 20 << 20
	}
	if o.CreditsInterval == 0 {
		o.CreditsInterval = 10 * time.Minute
	}
	if o.Backoff == 0 {
		o.Backoff = 30 * time.Second
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = 10 * time.Minute
	}
	s.BaseURL = strings.TrimRight(s.BaseURL, "/")
	return &Client{s: s, o: o, local: local, provider: provider, failed: map[[32]byte]Res{}}, nil
}

// Settings returns the settings in use, defaults filled in.
func (c *Client) Settings() Settings { return c.s }

// SendRequest is one verification to send.
type SendRequest struct {
	// Phone is the person's mobile: a national number (PhoneDigits digits), which gets
	// PhonePrefix, or the full international number; spaces, dashes and a leading +
	// are dropped.
	Phone string
	// Document is the ID number expected (Dni): for Mexico the CURP or the clave de
	// elector. Empty: the result says N/A.
	Document string
	// At schedules the send; zero sends now. Converted to the provider's time zone.
	At time.Time
	// Message and Sender override the settings' for this request.
	Message, Sender string
}

// Sent is the provider's answer to a send.
type Sent struct {
	ID      string  // the key of the webhook reports and of the certificate
	Credits float64 // left in the account
}

// sendBody is the JSON body of /VerificarIdentidad, names as the API spells them.
type sendBody struct {
	Telefono  string `json:"Telefono"`
	Mensaje   string `json:"Mensaje,omitempty"`
	Remitente string `json:"Remitente,omitempty"`
	Dni       string `json:"Dni,omitempty"`
	Fecha     string `json:"Fecha,omitempty"`
	Resp      string `json:"Resp"`
}

// Body checks a request and returns the JSON body it is sent as.
func (c *Client) Body(r SendRequest) ([]byte, error) {
	phone, err := c.phone(r.Phone)
	if err != nil {
		return nil, err
	}
	msg := cmpOr(r.Message, c.s.Message)
	if !strings.Contains(msg, "[LINK]") {
		return nil, &InputError{Field: "Mensaje", Problem: ProblemNoLink}
	}
	sender := cmpOr(r.Sender, c.s.Sender)
	if utf8.RuneCountInString(sender) > 11 {
		return nil, &InputError{Field: "Remitente", Problem: ProblemSenderLong}
	}
	doc := strings.ToUpper(strings.TrimSpace(r.Document))
	if doc != "" && !documentNumber(doc) {
		return nil, &InputError{Field: "Dni", Problem: ProblemDocument}
	}
	b := sendBody{Telefono: phone, Mensaje: msg, Remitente: sender, Dni: doc, Resp: "JSON"}
	if !r.At.IsZero() {
		b.Fecha = r.At.In(c.provider).Format("2006-01-02 15:04")
	}
	return json.Marshal(b)
}

// ParseLocalTime reads "YYYY-MM-DD HH:MM" as a wall time in the kiosk's zone.
func (c *Client) ParseLocalTime(s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01-02 15:04", strings.TrimSpace(s), c.local)
	if err != nil {
		return time.Time{}, &InputError{Field: "Fecha", Problem: ProblemTime}
	}
	return t, nil
}

// ProviderTime reads a time the provider reports (UltimaActualizacion, FechaEnvio:
// "YYYY-MM-DD HH:MM", seconds optional), a wall time in the provider's zone, and returns
// it in the kiosk's zone: an operator in Mexico reads Madrid's 05:15 as 22:15.
func (c *Client) ProviderTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{"2006-01-02 15:04", "2006-01-02 15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, c.provider); err == nil {
			return t.In(c.local), true
		}
	}
	return time.Time{}, false
}

func (c *Client) phone(p string) (string, error) {
	p = strings.NewReplacer(" ", "", "-", "", "(", "", ")", "", ".", "").Replace(strings.TrimSpace(p))
	p = strings.TrimPrefix(p, "+")
	p = strings.TrimPrefix(p, "00")
	if p == "" || strings.Trim(p, "0123456789") != "" {
		return "", &InputError{Field: "Telefono", Problem: ProblemPhone}
	}
	switch {
	case len(p) == c.s.PhoneDigits:
		p = c.s.PhonePrefix + p
	case len(p) == len(c.s.PhonePrefix)+c.s.PhoneDigits && strings.HasPrefix(p, c.s.PhonePrefix):
	default:
		return "", &InputError{Field: "Telefono", Problem: ProblemPhone}
	}
	return p, nil
}

// documentNumber accepts what a Mexican credential shows as the person's number: the
// CURP or the clave de elector, both 18 capital letters and digits.
func documentNumber(s string) bool {
	if len(s) != 18 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return false
		}
	}
	return true
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Send asks the provider to text the person the verification link.
func (c *Client) Send(ctx context.Context, r SendRequest) (Sent, error) {
	body, err := c.Body(r)
	if err != nil {
		return Sent{}, err
	}
	rep, err := c.call(ctx, PathSend, body)
	if err != nil {
		return Sent{}, err
	}
	if rep.ID == "" {
		c.transportFailed()
		return Sent{}, fmt.Errorf("%w: Res 1 without ID", ErrMalformed)
	}
	c.mu.Lock()
	c.credits = Credits{Value: rep.Cred, At: c.o.Now()}
	c.mu.Unlock()
	return Sent{ID: rep.ID, Credits: rep.Cred}, nil
}

// Certificate downloads the certificate PDF of a validated request (Estado 5100).
func (c *Client) Certificate(ctx context.Context, id string) ([]byte, error) {
	id = strings.TrimSpace(id)
	if id == "" {
		return nil, &InputError{Field: "Id", Problem: ProblemNoID}
	}
	body, _ := certificateBody(id)
	raw, key, err := c.post(ctx, PathCertificate, body, c.o.MaxCertificate)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(raw, []byte("%PDF-")) {
		c.succeeded()
		return raw, nil
	}
	_, err = c.answer(PathCertificate, key, raw)
	if err == nil {
		c.transportFailed()
		err = fmt.Errorf("%w: Res 1 without a PDF", ErrMalformed)
	}
	return nil, err
}

// Credits is what the account has left.
type Credits struct {
	Value  float64
	At     time.Time // when the provider said so
	Cached bool      // answered from the last call or send, not asked now
}

// Credits asks the provider for the credits left unless it said so (in a send's answer
// or a credits call) less than CreditsInterval ago; then the last known value is
// returned with Cached set.
func (c *Client) Credits(ctx context.Context) (Credits, error) {
	c.mu.Lock()
	now := c.o.Now()
	if !c.credits.At.IsZero() && now.Sub(c.credits.At) < c.o.CreditsInterval {
		cr := c.credits
		cr.Cached = true
		c.mu.Unlock()
		return cr, nil
	}
	c.mu.Unlock()
	rep, err := c.call(ctx, PathCredits, []byte(`{"Resp":"JSON"}`))
	if err != nil {
		return Credits{}, err
	}
	cr := Credits{Value: rep.Cred, At: c.o.Now()}
	c.mu.Lock()
	c.credits = cr
	c.mu.Unlock()
	return cr, nil
}

// ForgetCertificate lets the certificate of id be asked for again after a refusal:
// call it when a 5100 report arrives for id, since the provider's state changed and the
// same call is no longer a repeat.
func (c *Client) ForgetCertificate(id string) {
	body, _ := certificateBody(strings.TrimSpace(id))
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.failed, callKey(PathCertificate, body))
}

func certificateBody(id string) ([]byte, error) {
	return json.Marshal(struct {
		ID   string `json:"Id"`
		Resp string `json:"Resp"`
	}{id, "JSON"})
}

func callKey(path string, body []byte) [32]byte {
	return sha256.Sum256(append([]byte(path+"\x00"), body...))
}

// ForgetFailures lets calls that failed be sent again unchanged: for after the
// operator changed what the request does not show (credits bought, account activated).
func (c *Client) ForgetFailures() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.failed)
}

func (c *Client) call(ctx context.Context, path string, body []byte) (Reply, error) {
	raw, key, err := c.post(ctx, path, body, c.o.MaxReply)
	if err != nil {
		return Reply{}, err
	}
	return c.answer(path, key, raw)
}

// answer decodes a Res reply and remembers a refusal.
func (c *Client) answer(path string, key [32]byte, raw []byte) (Reply, error) {
	rep, err := DecodeReply(raw)
	if err != nil {
		c.transportFailed()
		return Reply{}, err
	}
	if rep.Res != ResOK {
		c.mu.Lock()
		c.failed[key] = rep.Res
		c.pause, c.pauseUntil = 0, time.Time{} // the connection works
		c.mu.Unlock()
		return rep, &ResError{Op: path, Res: rep.Res, Detail: rep.Error}
	}
	c.succeeded()
	return rep, nil
}

// post sends one call, after the spam checks, and returns the body read up to limit.
func (c *Client) post(ctx context.Context, path string, body []byte, limit int64) ([]byte, [32]byte, error) {
	key := callKey(path, body)
	c.mu.Lock()
	if res, ok := c.failed[key]; ok {
		c.mu.Unlock()
		return nil, key, &RepeatError{Op: path, Res: res}
	}
	if now := c.o.Now(); now.Before(c.pauseUntil) {
		until := c.pauseUntil
		c.mu.Unlock()
		return nil, key, &PauseError{Until: until}
	}
	c.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.s.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return nil, key, err
	}
	req.SetBasicAuth(c.s.User, c.s.Token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.o.HTTPClient.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			c.transportFailed()
		}
		return nil, key, fmt.Errorf("remoteid: %s: %w", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	switch {
	case err != nil:
		c.transportFailed()
		return nil, key, fmt.Errorf("remoteid: %s: %w", path, err)
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		c.transportFailed()
		return nil, key, &HTTPError{Op: path, Status: resp.StatusCode}
	case int64(len(raw)) > limit:
		c.transportFailed()
		return nil, key, fmt.Errorf("%w: %s: reply over %d bytes", ErrMalformed, path, limit)
	}
	return raw, key, nil
}

func (c *Client) transportFailed() {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.pause == 0:
		c.pause = c.o.Backoff
	case c.pause < c.o.MaxBackoff:
		c.pause = min(2*c.pause, c.o.MaxBackoff)
	}
	c.pauseUntil = c.o.Now().Add(c.pause)
}

func (c *Client) succeeded() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pause = 0
	c.pauseUntil = time.Time{}
}
