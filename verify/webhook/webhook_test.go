package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"cotejo/verify/pki"
	"cotejo/verify/webhook"
)

func TestAuth(t *testing.T) {
	basic, bearer := webhook.Basic("user", "password"), webhook.Bearer("123456")
	// The digest's worked examples.
	if basic.Header() != "Basic dXNlcjpwYXNzd29yZA==" || bearer.Header() != "Bearer 123456" {
		t.Fatalf("%q %q", basic.Header(), bearer.Header())
	}
	cases := []struct {
		auth webhook.Auth
		got  string
		ok   bool
	}{
		{basic, "Basic dXNlcjpwYXNzd29yZA==", true},
		{basic, "basic dXNlcjpwYXNzd29yZA==", true},
		{basic, "  Basic dXNlcjpwYXNzd29yZA==  ", true},
		{basic, "Basic dXNlcjpwYXNzd29yZA", false},
		{basic, "Bearer dXNlcjpwYXNzd29yZA==", false},
		{basic, "dXNlcjpwYXNzd29yZA==", false},
		{basic, "", false},
		{bearer, "Bearer 123456", true},
		{bearer, "Bearer 1234567", false},
		{bearer, "Bearer ", false},
		{bearer, "Basic 123456", false},
		{webhook.Auth{}, "", false},
		{webhook.Auth{}, "Bearer ", false},
	}
	for _, c := range cases {
		if got := c.auth.Matches(c.got); got != c.ok {
			t.Errorf("%v matches %q: %v", c.auth, c.got, got)
		}
	}
	if strings.Contains(basic.String(), "dXNl") || strings.Contains(bearer.String(), "123456") {
		t.Error("String shows the secret")
	}
}

func TestParseAuth(t *testing.T) {
	for in, want := range map[string]string{
		"basic:user:password": "Basic dXNlcjpwYXNzd29yZA==",
		"Bearer:123456":       "Bearer 123456",
		"basic:user:pa:ss":    webhook.Basic("user", "pa:ss").Header(),
	} {
		a, err := webhook.ParseAuth(in)
		if err != nil || a.Header() != want {
			t.Errorf("%q: %q %v", in, a.Header(), err)
		}
	}
	for _, in := range []string{"", "basic:user", "basic::pw", "bearer:", "digest:x"} {
		if _, err := webhook.ParseAuth(in); err == nil {
			t.Errorf("%q accepted", in)
		}
	}
}

// idDecoder takes the body's "id" field: the provider-specific part, for these tests.
var idDecoder = webhook.DecoderFunc(func(body []byte) (webhook.Event, error) {
	var x struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(body, &x); err != nil {
		return webhook.Event{}, err
	}
	return webhook.Event{Provider: "test", ID: x.ID}, nil
})

type sink struct {
	mu   sync.Mutex
	got  []webhook.Event
	fail error
}

func (s *sink) take(ctx context.Context, e webhook.Event) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.got = append(s.got, e)
	return nil
}

func (s *sink) events() []webhook.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]webhook.Event(nil), s.got...)
}

// TestHandler speaks to the receiver over real TLS on loopback.
func TestHandler(t *testing.T) {
	lb, err := pki.NewLoopback(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, auth := range []webhook.Auth{webhook.Basic("user", "password"), webhook.Bearer("123456")} {
		t.Run(auth.String(), func(t *testing.T) {
			s := &sink{}
			h := &webhook.Handler{Auth: auth, Decoder: idDecoder, Sink: s.take, MaxBody: 1 << 10}
			if err := h.Check(); err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewUnstartedServer(h)
			srv.TLS = lb.ServerTLS()
			srv.StartTLS()
			defer srv.Close()
			client := &http.Client{Transport: &http.Transport{TLSClientConfig: lb.ClientTLS()}, Timeout: 2 * time.Minute}
			post := func(method, authz, body string) (int, string) {
				req, _ := http.NewRequestWithContext(t.Context(), method, srv.URL+"/hook", strings.NewReader(body))
				if authz != "" {
					req.Header.Set("authorization", authz)
				}
				req.Header.Set("Content-Type", "application/json")
				resp, err := client.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				b, _ := io.ReadAll(resp.Body)
				return resp.StatusCode, string(b)
			}
			code := func(body string) string {
				var x struct{ Code string }
				_ = json.Unmarshal([]byte(body), &x)
				return x.Code
			}
			status, body := post("POST", auth.Header(), `{"id":"v1"}`)
			if status != 200 || !webhook.Completed([]byte(body)) {
				t.Errorf("good delivery: %d %s", status, body)
			}
			if ev := s.events(); len(ev) != 1 || ev[0].ID != "v1" || string(ev[0].Body) != `{"id":"v1"}` {
				t.Errorf("sink got %+v", ev)
			}
			refusals := []struct {
				name, method, authz, body string
				status                    int
				code                      string
			}{
				{"no auth", "POST", "", `{"id":"v2"}`, 401, webhook.CodeUnauthorized},
				{"wrong auth", "POST", auth.Header() + "x", `{"id":"v2"}`, 401, webhook.CodeUnauthorized},
				{"other method", "POST", webhook.Bearer("password").Header(), `{"id":"v2"}`, 401, webhook.CodeUnauthorized},
				{"GET", "GET", auth.Header(), ``, 405, webhook.CodeMethod},
				{"too large", "POST", auth.Header(), `{"id":"` + strings.Repeat("x", 2<<10) + `"}`, 413, webhook.CodeTooLarge},
				{"not JSON", "POST", auth.Header(), `id=v2`, 400, webhook.CodeMalformed},
				{"no id", "POST", auth.Header(), `{}`, 400, webhook.CodeMalformed},
			}
			for _, r := range refusals {
				status, body := post(r.method, r.authz, r.body)
				if status != r.status || code(body) != r.code || webhook.Completed([]byte(body)) {
					t.Errorf("%s: %d %s", r.name, status, body)
				}
			}
			if n := len(s.events()); n != 1 {
				t.Errorf("refused deliveries reached the sink: %d events", n)
			}
			s.mu.Lock()
			s.fail = errors.New("disk full")
			s.mu.Unlock()
			if status, body := post("POST", auth.Header(), `{"id":"v3"}`); status != 500 || code(body) != webhook.CodeSink {
				t.Errorf("sink failure: %d %s", status, body)
			}
		})
	}
}

// FuzzAuthMatches: only the exact credentials (the scheme in any case) are accepted.
func FuzzAuthMatches(f *testing.F) {
	f.Add("Basic dXNlcjpwYXNzd29yZA==")
	f.Add("Bearer 123456")
	f.Add("basic  dXNlcjpwYXNzd29yZA==")
	f.Fuzz(func(t *testing.T, got string) {
		a := webhook.Basic("user", "password")
		if a.Matches(got) {
			scheme, cred, _ := strings.Cut(strings.TrimSpace(got), " ")
			if !strings.EqualFold(scheme, "Basic") || strings.TrimLeft(cred, " ") != "dXNlcjpwYXNzd29yZA==" {
				t.Fatalf("accepted %q", got)
			}
		}
	})
}

func ExampleAuth_Header() {
	fmt.Println(webhook.Basic("user", "password").Header())
	fmt.Println(webhook.Bearer("123456").Header())
	// Output:
	// Basic dXNlcjpwYXNzd29yZA==
	// Bearer 123456
}
