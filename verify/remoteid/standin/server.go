// Package standin is a local stand-in for the Identity Verification Send API: the three
// POST functions with basic auth, Res codes, credits that go down, the Resp formats,
// the spam block, a scripted webhook report chain per request (3000 → … → 5100, or
// 5500 when rejected) and a certificate PDF. Its clock is injectable and reports are
// sent when the caller steps it, so tests never sleep.
package standin

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // Fecha is Spain's time wherever the stand-in runs
	"unicode/utf8"

	"cotejo/verify/remoteid"
)

// Settings shape the stand-in; zero values take the defaults.
type Settings struct {
	User, Token string  // the account's API User and Token; required
	Credits     float64 // credits at start; default 10
	SendCost    float64 // credits a send costs; default 1
	// AccountOff answers sends -4, as for an account without the function.
	AccountOff bool
	// ForceRes answers every authenticated call with this code (-5, -6 or -7).
	ForceRes int
	// BareObject answers JSON as an object instead of a one-element array.
	BareObject bool
	// StrictSender answers -3 to a Remitente over 11 characters (unknown at the
	// provider; off by default).
	StrictSender bool
	// Scenario decides each request's outcome (see Scenarios); default "ok".
	// PhoneScenarios overrides it per Telefono.
	Scenario       string
	PhoneScenarios map[string]string
	// The webhook: where reports go, with basic auth if User is set, as JSON or
	// multipart form data. Retries is how often a non-2xx report is sent again at
	// once (the provider's policy is unknown; default none). Duplicate sends each
	// report twice.
	WebhookURL, WebhookUser, WebhookPassword string
	WebhookForm                              bool
	WebhookRetries                           int
	Duplicate                                bool
	WebhookClient                            *http.Client // default: 2-minute timeout, system roots
	// SpamLimit consecutive erroneous calls from one address block it for
	// SpamCooldown (HTTP 429); defaults 5 and one minute.
	SpamLimit    int
	SpamCooldown time.Duration
	FirstID      int64            // the first request's ID; default 1283876988 (the seed's sample)
	FontPath     string           // TTF for the certificate; default DejaVu Sans
	Now          func() time.Time // default time.Now
	Logger       *slog.Logger     // ID, path and Res only; default discarded
	MaxRequest   int64            // default 64 KiB
}

// Scenarios names the outcomes a request can be given, each with the Resultado its
// report carries: "ok" (93.96, validated), and the rejections "low-similarity" (-1),
// "minor" (-2), "sides" (-3), "different-people" (-4), "expired" (-5), "photo" (-6),
// "different-person" (-8), "dni-mismatch" (-9); "unfinished" (-7) stops at 5001.
var Scenarios = map[string]float64{
	"ok": 93.957847595214844, "low-similarity": -1, "minor": -2, "sides": -3, "different-people": -4,
	"expired": -5, "photo": -6, "unfinished": -7, "different-person": -8, "dni-mismatch": -9,
}

// Chain is the order of the reports of a request that ends validated; a rejected one
// ends in 5500 instead, an unfinished one at 5001.
var Chain = []remoteid.Estado{3000, 3001, 3002, 3003, 5000, 5001, 5100}

type request struct {
	id, phone, dni, scenario string
	sent, due                time.Time
	next                     int // index in the chain of the next report
}

func (r *request) chain() []remoteid.Estado {
	c := append([]remoteid.Estado(nil), Chain...)
	switch v := Scenarios[r.scenario]; {
	case v == -7:
		return c[:len(c)-1]
	case v < 0:
		c[len(c)-1] = remoteid.EstadoRejected
	}
	return c
}

type spam struct {
	fails        int
	blockedUntil time.Time
}

// Server is the stand-in. It is an http.Handler.
type Server struct {
	s Settings

	mu       sync.Mutex
	credits  float64
	nextID   int64
	requests map[string]*request
	order    []string
	spam     map[string]*spam
	calls    map[string]int
}

// New checks the settings and makes a stand-in.
func New(s Settings) (*Server, error) {
	if s.User == "" || s.Token == "" {
		return nil, errors.New("standin: user and token are required")
	}
	if _, ok := Scenarios[cmpOr(s.Scenario, "ok")]; !ok {
		return nil, fmt.Errorf("standin: no scenario %q", s.Scenario)
	}
	for _, sc := range s.PhoneScenarios {
		if _, ok := Scenarios[sc]; !ok {
			return nil, fmt.Errorf("standin: no scenario %q", sc)
		}
	}
	if s.Credits == 0 {
		s.Credits = 10
	}
	if s.SendCost == 0 {
		s.SendCost = 1
	}
	if s.WebhookClient == nil {
		s.WebhookClient = &http.Client{Timeout: 2 * time.Minute}
	}
	if s.SpamLimit == 0 {
		s.SpamLimit = 5
	}
	if s.SpamCooldown == 0 {
		s.SpamCooldown = time.Minute
	}
	if s.FirstID == 0 {
		s.FirstID = 1283876988
	}
	if s.FontPath == "" {
		s.FontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.MaxRequest == 0 {
		s.MaxRequest = 64 << 10
	}
	return &Server{s: s, credits: s.Credits, nextID: s.FirstID, requests: map[string]*request{},
		spam: map[string]*spam{}, calls: map[string]int{}}, nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Credits is what the account has left.
func (s *Server) Credits() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.credits
}

// SetCredits tops the account up (or drains it), as the provider's panel would.
func (s *Server) SetCredits(c float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.credits = c
}

// Calls is how many calls reached each path, blocked ones included.
func (s *Server) Calls(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[path]
}

// params are a call's parameters by lowercased name.
type params map[string]string

// readParams gathers the query string, then the body (JSON or urlencoded form), with
// names folded: the API's names are case-insensitive.
func readParams(r *http.Request, body []byte) (params, error) {
	p := params{}
	for k, v := range r.URL.Query() {
		p[strings.ToLower(k)] = v[0]
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
	case mt == "application/x-www-form-urlencoded" || (mt != "application/json" && trimmed[0] != '{'):
		v, err := url.ParseQuery(string(trimmed))
		if err != nil {
			return nil, err
		}
		for k, vs := range v {
			p[strings.ToLower(k)] = vs[0]
		}
	default:
		var m map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &m); err != nil {
			return nil, err
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			raw := m[k]
			var s string
			if json.Unmarshal(raw, &s) != nil {
				s = string(bytes.TrimSpace(raw)) // a number, or an object as JSON text
			}
			p[strings.ToLower(k)] = s
		}
	}
	return p, nil
}

// reply is an answer in Res form.
type reply struct {
	Res   int
	ID    string
	Cred  *float64
	Error string
	// double writes Cred with a decimal point, as /GetCreditos's schema has it.
	double bool
}

// ServeHTTP answers the three functions.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Path
	switch path {
	case remoteid.PathSend, remoteid.PathCertificate, remoteid.PathCredits:
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	now := s.s.Now()
	s.mu.Lock()
	s.calls[path]++
	sp := s.spam[host]
	if sp != nil && now.Before(sp.blockedUntil) {
		s.mu.Unlock()
		http.Error(w, "too many erroneous calls", http.StatusTooManyRequests)
		return
	}
	s.mu.Unlock()
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.s.MaxRequest))
	if err != nil {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	p, perr := readParams(r, body)
	var rep reply
	var pdf []byte
	switch {
	case !s.authorized(r):
		rep = reply{Res: -1}
	case perr != nil:
		rep = reply{Res: -3, Error: "Los datos de la llamada no se pueden leer."}
	case s.s.ForceRes != 0:
		rep = reply{Res: s.s.ForceRes}
	case path == remoteid.PathSend:
		rep = s.send(p, now)
	case path == remoteid.PathCertificate:
		rep, pdf = s.certificate(p)
	default:
		c := s.Credits()
		rep = reply{Res: 1, Cred: &c, double: true}
	}
	s.mu.Lock()
	if rep.Res < 0 {
		if sp == nil {
			sp = &spam{}
			s.spam[host] = sp
		}
		if sp.fails++; sp.fails >= s.s.SpamLimit {
			sp.blockedUntil, sp.fails = now.Add(s.s.SpamCooldown), 0
		}
	} else {
		delete(s.spam, host)
	}
	s.mu.Unlock()
	s.s.Logger.Info("standin", "path", path, "res", rep.Res, "id", rep.ID)
	if pdf != nil {
		w.Header().Set("Content-Type", "application/pdf")
		_, _ = w.Write(pdf)
		return
	}
	s.write(w, p["resp"], rep)
}

func (s *Server) authorized(r *http.Request) bool {
	u, t, ok := r.BasicAuth()
	uOK := subtle.ConstantTimeCompare([]byte(u), []byte(s.s.User))
	tOK := subtle.ConstantTimeCompare([]byte(t), []byte(s.s.Token))
	return ok && uOK&tOK == 1
}

// write answers in the format Resp asks for. Without Resp, the reduced legacy answer
// (Res alone, as text), so that a client that forgets Resp fails visibly.
func (s *Server) write(w http.ResponseWriter, resp string, rep reply) {
	switch strings.ToUpper(resp) {
	case "JSON":
		var b bytes.Buffer
		fmt.Fprintf(&b, `{"Res":%d`, rep.Res)
		if rep.ID != "" {
			idJSON, _ := json.Marshal(rep.ID)
			fmt.Fprintf(&b, `,"ID":%s`, idJSON)
		}
		if rep.Cred != nil {
			fmt.Fprintf(&b, `,"Cred":%s`, credText(*rep.Cred, rep.double))
		}
		if rep.Error != "" {
			eJSON, _ := json.Marshal(rep.Error)
			fmt.Fprintf(&b, `,"Error":%s`, eJSON)
		}
		b.WriteByte('}')
		out := b.Bytes()
		if !s.s.BareObject {
			out = append(append([]byte("["), out...), ']')
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(out)
	case "XML":
		type x struct {
			XMLName xml.Name `xml:"Respuesta"`
			Res     int      `xml:"Res"`
			ID      string   `xml:"ID,omitempty"`
			Cred    string   `xml:"Cred,omitempty"`
			Error   string   `xml:"Error,omitempty"`
		}
		v := x{Res: rep.Res, ID: rep.ID, Error: rep.Error}
		if rep.Cred != nil {
			v.Cred = credText(*rep.Cred, rep.double)
		}
		out, _ := xml.Marshal(v)
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
		_, _ = w.Write(append([]byte(xml.Header), out...))
	case "TXT", "ANT":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "Res=%d\n", rep.Res)
		if rep.ID != "" {
			fmt.Fprintf(w, "ID=%s\n", rep.ID)
		}
		if rep.Cred != nil {
			fmt.Fprintf(w, "Cred=%s\n", credText(*rep.Cred, rep.double))
		}
		if rep.Error != "" {
			fmt.Fprintf(w, "Error=%s\n", rep.Error)
		}
	default:
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "%d", rep.Res)
	}
}

func credText(c float64, double bool) string {
	if double {
		return strconv.FormatFloat(c, 'f', 1, 64)
	}
	return strconv.FormatFloat(c, 'f', -1, 64)
}

func madrid() *time.Location {
	l, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		panic(err) // time/tzdata is linked in
	}
	return l
}

func (s *Server) send(p params, now time.Time) reply {
	phone := strings.TrimSpace(p["telefono"])
	switch {
	case phone == "":
		return reply{Res: -3, Error: "Falta el parámetro Telefono."}
	case strings.Trim(phone, "0123456789") != "":
		return reply{Res: -3, Error: "Telefono debe ser numérico."}
	case s.s.StrictSender && utf8.RuneCountInString(p["remitente"]) > 11:
		return reply{Res: -3, Error: "Remitente admite como máximo 11 caracteres."}
	case s.s.AccountOff:
		return reply{Res: -4}
	}
	due := now
	if f := strings.TrimSpace(p["fecha"]); f != "" {
		t, err := time.ParseInLocation("2006-01-02 15:04", f, madrid())
		if err != nil {
			return reply{Res: -3, Error: "Fecha debe tener el formato AAAA-MM-DD HH:MM."}
		}
		due = t
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.credits < s.s.SendCost {
		return reply{Res: -2}
	}
	s.credits -= s.s.SendCost
	id := strconv.FormatInt(s.nextID, 10)
	s.nextID++
	sc := cmpOr(s.s.PhoneScenarios[phone], cmpOr(s.s.Scenario, "ok"))
	s.requests[id] = &request{id: id, phone: phone, dni: strings.TrimSpace(p["dni"]), scenario: sc, sent: now, due: due}
	s.order = append(s.order, id)
	c := s.credits
	return reply{Res: 1, ID: id, Cred: &c}
}

func (s *Server) certificate(p params) (reply, []byte) {
	id := strings.TrimSpace(p["id"])
	if id == "" {
		return reply{Res: -3, Error: "Falta el parámetro Id."}, nil
	}
	s.mu.Lock()
	r, ok := s.requests[id]
	var done bool
	var rc request
	if ok {
		ch := r.chain()
		done = r.next == len(ch) && ch[len(ch)-1] == remoteid.EstadoValidated
		rc = *r
	}
	s.mu.Unlock()
	switch {
	case !ok:
		return reply{Res: -3, Error: "No existe una solicitud con ese Id."}, nil
	case !done:
		return reply{Res: -3, Error: "La solicitud aún no está validada."}, nil
	}
	pdf, err := certificatePDF(rc, s.s.FontPath, s.s.Now())
	if err != nil {
		s.s.Logger.Error("standin: certificate", "id", id, "error", err)
		return reply{Res: -5}, nil
	}
	return reply{Res: 1}, pdf
}
