package standin

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"cotejo/verify/pki"
	"cotejo/verify/remoteid"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// start serves a stand-in over HTTPS on loopback with a CA made for the test.
func start(t *testing.T, s Settings) (*Server, *httptest.Server, *http.Client, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)}
	s.User, s.Token, s.Now = "u", "t", clk.Now
	p, err := pki.NewLoopback(clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	cert := p.Server
	hc := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{TLSClientConfig: p.ClientTLS()}}
	if s.WebhookClient == nil {
		s.WebhookClient = hc
	}
	sv, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(sv)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	t.Cleanup(hc.CloseIdleConnections)
	return sv, srv, hc, clk
}

func call(t *testing.T, hc *http.Client, method, url, ct, body string, auth bool) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if auth {
		req.SetBasicAuth("u", "t")
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestFormats: the stand-in speaks every way the digest says the provider does.
func TestFormats(t *testing.T) {
	_, srv, hc, _ := start(t, Settings{SpamLimit: 100})
	send, cred := srv.URL+remoteid.PathSend, srv.URL+remoteid.PathCredits
	const js, form = "application/json", "application/x-www-form-urlencoded"
	tests := []struct {
		name, method, url, ct, body string
		auth                        bool
		status                      int
		want                        string
	}{
		{"json array", "POST", send, js, `{"Telefono":"525512345678","Resp":"JSON"}`, true, 200, `[{"Res":1,"ID":"1283876988","Cred":9}]`},
		{"names in any case", "POST", send, js, `{"TELEFONO":"525512345678","resp":"json"}`, true, 200, `[{"Res":1,"ID":"1283876989","Cred":8}]`},
		{"form", "POST", send, form, `Telefono=525512345678&Resp=JSON`, true, 200, `[{"Res":1,"ID":"1283876990","Cred":7}]`},
		{"query string", "POST", send + "?Telefono=525512345678&Resp=TXT", "", ``, true, 200, "Res=1\nID=1283876991\nCred=6\n"},
		{"xml", "POST", cred, js, `{"Resp":"XML"}`, true, 200, `<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<Respuesta><Res>1</Res><Cred>6.0</Cred></Respuesta>`},
		{"legacy without Resp", "POST", cred, js, `{}`, true, 200, `1`},
		{"credits double", "POST", cred, js, `{"Resp":"JSON"}`, true, 200, `[{"Res":1,"Cred":6.0}]`},
		{"no auth", "POST", cred, js, `{"Resp":"JSON"}`, false, 200, `[{"Res":-1}]`},
		{"no Telefono", "POST", send, js, `{"Resp":"JSON"}`, true, 200, `[{"Res":-3,"Error":"Falta el parámetro Telefono."}]`},
		{"bad Fecha", "POST", send, js, `{"Telefono":"52551","Fecha":"mañana","Resp":"JSON"}`, true, 200, `[{"Res":-3,"Error":"Fecha debe tener el formato AAAA-MM-DD HH:MM."}]`},
		{"no Id", "POST", srv.URL + remoteid.PathCertificate, js, `{"Resp":"JSON"}`, true, 200, `[{"Res":-3,"Error":"Falta el parámetro Id."}]`},
		{"unreadable body: Resp unknown, legacy answer", "POST", send, js, `{"Telefono":`, true, 200, `-3`},
		{"GET", "GET", cred, "", ``, true, 405, "method not allowed\n"},
		{"other path", "POST", srv.URL + "/GetSaldo", js, `{}`, true, 404, "404 page not found\n"},
	}
	for _, tt := range tests {
		status, body := call(t, hc, tt.method, tt.url, tt.ct, tt.body, tt.auth)
		if status != tt.status || body != tt.want {
			t.Errorf("%s: HTTP %d %q, want %d %q", tt.name, status, body, tt.status, tt.want)
		}
	}
}

// TestSwitches: the bare object, the strict sender, the account without the function.
func TestSwitches(t *testing.T) {
	_, srv, hc, _ := start(t, Settings{BareObject: true, StrictSender: true})
	if _, b := call(t, hc, "POST", srv.URL+remoteid.PathCredits, "application/json", `{"Resp":"JSON"}`, true); b != `{"Res":1,"Cred":10.0}` {
		t.Errorf("bare object: %s", b)
	}
	if _, b := call(t, hc, "POST", srv.URL+remoteid.PathSend, "application/json", `{"Telefono":"525512345678","Remitente":"DoceLetrasXX","Resp":"JSON"}`, true); !strings.HasPrefix(b, `{"Res":-3`) {
		t.Errorf("strict sender: %s", b)
	}
	_, srv, hc, _ = start(t, Settings{AccountOff: true})
	if _, b := call(t, hc, "POST", srv.URL+remoteid.PathSend, "application/json", `{"Telefono":"525512345678","Resp":"JSON"}`, true); b != `[{"Res":-4}]` {
		t.Errorf("account off: %s", b)
	}
}

// TestSpamBlock: N erroneous calls in a row block the address for the cool-down; the
// injectable clock ends it.
func TestSpamBlock(t *testing.T) {
	_, srv, hc, clk := start(t, Settings{SpamLimit: 3, SpamCooldown: 5 * time.Minute})
	url := srv.URL + remoteid.PathCredits
	for i := range 3 {
		if s, b := call(t, hc, "POST", url, "application/json", `{"Resp":"JSON"}`, false); s != 200 || b != `[{"Res":-1}]` {
			t.Fatalf("call %d: %d %s", i, s, b)
		}
	}
	if s, _ := call(t, hc, "POST", url, "application/json", `{"Resp":"JSON"}`, true); s != http.StatusTooManyRequests {
		t.Fatalf("blocked: HTTP %d", s)
	}
	clk.Add(5 * time.Minute)
	if s, b := call(t, hc, "POST", url, "application/json", `{"Resp":"JSON"}`, true); s != 200 || b != `[{"Res":1,"Cred":10.0}]` {
		t.Fatalf("after the cool-down: %d %s", s, b)
	}
}

// TestWebhookRetries: a receiver that answers 500 gets each report 1+Retries times
// and the stand-in reports the refusal; reports carry the seed's encoding.
func TestWebhookRetries(t *testing.T) {
	var mu sync.Mutex
	var bodies []string
	p, err := pki.NewLoopback(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cert := p.Server
	recv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies = append(bodies, string(b))
		mu.Unlock()
		http.Error(w, "down", 500)
	}))
	recv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	recv.StartTLS()
	defer recv.Close()
	hc := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{TLSClientConfig: p.ClientTLS()}}
	sv, srv, apiHC, _ := start(t, Settings{WebhookURL: recv.URL, WebhookRetries: 2, WebhookClient: hc})
	call(t, apiHC, "POST", srv.URL+remoteid.PathSend, "application/json", `{"Telefono":"525512345678","Dni":"GOMR800101HDFRRN09","Resp":"JSON"}`, true)
	if n, err := sv.Step(context.Background()); n != 1 || err == nil || !strings.Contains(err.Error(), "HTTP 500") {
		t.Fatalf("step: %d %v", n, err)
	}
	if len(bodies) != 3 {
		t.Errorf("%d deliveries, want 3", len(bodies))
	}
	// 5001 carries Result as a JSON string with \/ escapes, every value a string.
	body, ct, err := sv.Report("1283876988", remoteid.EstadoData)
	if err != nil || ct != "application/json" || !strings.Contains(string(body), `"Estado":"5001"`) ||
		!strings.Contains(string(body), `\"FechaNacimiento\":\"01\\/01\\/1980\"`) {
		t.Errorf("report %s %s %v", body, ct, err)
	}
	e, err := remoteid.ParseWebhook(ct, body)
	if err != nil || e.Result == nil || e.Result.DNISolicitadoCoincide != "Si" {
		t.Errorf("parsed %+v %v", e, err)
	}
	// Before 5001 there is no Result.
	body, _, _ = sv.Report("1283876988", remoteid.EstadoLiveness)
	if strings.Contains(string(body), "Result") {
		t.Errorf("Result before 5001: %s", body)
	}
}

func TestNewRefuses(t *testing.T) {
	for _, s := range []Settings{{}, {User: "u", Token: "t", Scenario: "nope"}, {User: "u", Token: "t", PhoneScenarios: map[string]string{"1": "nope"}}} {
		if _, err := New(s); err == nil {
			t.Errorf("New(%+v) accepted", s)
		}
	}
}
