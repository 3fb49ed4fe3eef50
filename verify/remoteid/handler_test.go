package remoteid_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cotejo/verify/remoteid"
)

// failing is a store whose disk is gone.
type failing struct{ remoteid.Store }

func (failing) Update(context.Context, string, func(*remoteid.Case) error) error {
	return errors.New("disk full")
}

// TestWebhookHandler: over HTTPS, the handler answers what the provider might send:
// the seed's sample report (200, empty), the same twice (200), a wrong credential
// (401), a GET (405), a broken body (400), another service (400), a store failure (500).
func TestWebhookHandler(t *testing.T) {
	r := newRig(t, nil)
	seed, err := os.ReadFile(filepath.Join("testdata", "seed_report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var changed []remoteid.Case
	h, err := remoteid.NewWebhookHandler(r.store, remoteid.WebhookAuth{User: hookUser, Password: hookPass},
		remoteid.HandlerOptions{OnChange: func(c remoteid.Case) { changed = append(changed, c) }})
	if err != nil {
		t.Fatal(err)
	}
	broken, _ := remoteid.NewWebhookHandler(failing{r.store}, remoteid.WebhookAuth{User: hookUser, Password: hookPass}, remoteid.HandlerOptions{})
	post := func(h http.Handler, method, user, pass, body string) (int, string) {
		r.mu.Lock()
		r.handler = h
		r.mu.Unlock()
		req, _ := http.NewRequestWithContext(r.ctx(), method, r.hook.URL+"/remoteid", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := r.pool.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 512)
		n, _ := resp.Body.Read(buf)
		b.Write(buf[:n])
		return resp.StatusCode, b.String()
	}
	tests := []struct {
		name             string
		h                http.Handler
		method, u, p, bd string
		status           int
	}{
		{"sample", h, "POST", hookUser, hookPass, string(seed), 200},
		{"sample again", h, "POST", hookUser, hookPass, string(seed), 200},
		{"no credential", h, "POST", "", "", string(seed), 401},
		{"wrong password", h, "POST", hookUser, "x", string(seed), 401},
		{"GET", h, "GET", hookUser, hookPass, "", 405},
		{"broken", h, "POST", hookUser, hookPass, `{"Servicio":`, 400},
		{"other service", h, "POST", hookUser, hookPass, `{"Servicio":"FIRMA","ID":"1","Estado":"1"}`, 400},
		{"too large", h, "POST", hookUser, hookPass, strings.Repeat(" ", remoteid.MaxWebhookBody+1), 413},
		{"store fails", broken, "POST", hookUser, hookPass, string(seed), 500},
	}
	for _, tt := range tests {
		status, body := post(tt.h, tt.method, tt.u, tt.p, tt.bd)
		if status != tt.status {
			t.Errorf("%s: HTTP %d, want %d", tt.name, status, tt.status)
		}
		if status == 200 && body != "" {
			t.Errorf("%s: body %q, want empty", tt.name, body)
		}
	}
	if len(changed) != 1 || changed[0].ID != "299846332" || changed[0].Estado() != remoteid.EstadoData {
		t.Errorf("OnChange saw %d changes", len(changed))
	}
	if _, err := remoteid.NewWebhookHandler(r.store, remoteid.WebhookAuth{}, remoteid.HandlerOptions{}); err == nil {
		t.Error("a handler without a credential was made")
	}
}
