package remoteid_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"cotejo/verify/pki"
	"cotejo/verify/remoteid"
	"cotejo/verify/remoteid/standin"
)

// clock is the tests' injectable time.
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

const (
	apiUser, apiToken  = "cotejo-api", "tok-3f9a61"
	hookUser, hookPass = "provider", "hook-secret-71"
	phone, curp        = "5512345678", "GOMR800101HDFRRN09"
	generous           = 2 * time.Minute
)

// fixed is a moment for records that need one.
func fixed() time.Time { return time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC) }

// rig is the provider's stand-in and Cotejo's side, each over real HTTPS on loopback
// with a CA made for the test: the client, and the webhook handler on a bbolt store.
type rig struct {
	t      *testing.T
	clk    *clock
	pki    *pki.Loopback
	caFile string
	sv     *standin.Server
	api    *httptest.Server
	hook   *httptest.Server
	dbPath string

	mu      sync.Mutex
	db      *bolt.DB
	store   *remoteid.BoltStore
	handler http.Handler
	client  *remoteid.Client
	pool    *http.Client
}

func newRig(t *testing.T, mod func(*standin.Settings)) *rig {
	t.Helper()
	r := &rig{t: t, clk: &clock{t: time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)}, dbPath: filepath.Join(t.TempDir(), "cases.db")}
	var err error
	if r.pki, err = pki.NewLoopback(r.clk.Now()); err != nil {
		t.Fatal(err)
	}
	r.caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(r.caFile, r.pki.CAPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	r.pool = &http.Client{Timeout: generous, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: r.pki.Pool}}}
	t.Cleanup(r.pool.CloseIdleConnections)
	r.openStore()
	r.hook = r.serve(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		h := r.handler
		r.mu.Unlock()
		h.ServeHTTP(w, req)
	}))
	s := standin.Settings{User: apiUser, Token: apiToken, Now: r.clk.Now,
		WebhookURL: r.hook.URL + "/remoteid", WebhookUser: hookUser, WebhookPassword: hookPass, WebhookClient: r.pool}
	if mod != nil {
		mod(&s)
	}
	if r.sv, err = standin.New(s); err != nil {
		t.Fatal(err)
	}
	r.api = r.serve(r.sv)
	r.client = r.newClient(apiToken)
	return r
}

func (r *rig) serve(h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.TLS = r.pki.ServerTLS()
	srv.StartTLS()
	r.t.Cleanup(srv.Close)
	return srv
}

func (r *rig) newClient(token string) *remoteid.Client {
	c, err := remoteid.New(remoteid.Settings{BaseURL: r.api.URL, User: apiUser, Token: token, Sender: "Cotejo"},
		remoteid.Options{HTTPClient: r.pool, Now: r.clk.Now})
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

// openStore opens the case file and a handler on it, as the kiosk does at start.
func (r *rig) openStore() {
	db, err := bolt.Open(r.dbPath, 0o600, &bolt.Options{Timeout: generous})
	if err != nil {
		r.t.Fatal(err)
	}
	st, err := remoteid.NewBoltStore(db, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	h, err := remoteid.NewWebhookHandler(st, remoteid.WebhookAuth{User: hookUser, Password: hookPass}, remoteid.HandlerOptions{})
	if err != nil {
		r.t.Fatal(err)
	}
	r.mu.Lock()
	r.db, r.store, r.handler = db, st, h
	r.mu.Unlock()
	r.t.Cleanup(func() { db.Close() })
}

// restart closes the case file and opens it again, as after a power cut between
// reports.
func (r *rig) restart() {
	r.mu.Lock()
	r.handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "restarting", http.StatusServiceUnavailable)
	})
	db := r.db
	r.mu.Unlock()
	if err := db.Close(); err != nil {
		r.t.Fatal(err)
	}
	r.openStore()
}

func (r *rig) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), generous)
	r.t.Cleanup(cancel)
	return ctx
}

// send sends a request and records it, as the window will.
func (r *rig) send(req remoteid.SendRequest) remoteid.Sent {
	r.t.Helper()
	c, err := remoteid.Start(r.ctx(), r.store, r.client, req, r.clk.Now())
	if err != nil {
		r.t.Fatalf("send: %v", err)
	}
	cr, err := r.client.Credits(r.ctx()) // what the send said: no call
	if err != nil || !cr.Cached {
		r.t.Fatalf("credits after a send: %+v %v", cr, err)
	}
	return remoteid.Sent{ID: c.ID, Credits: cr.Value}
}

func (r *rig) get(id string) remoteid.Case {
	r.t.Helper()
	c, err := r.store.Get(r.ctx(), id)
	if err != nil {
		r.t.Fatal(err)
	}
	return c
}

func resOf(t *testing.T, err error) remoteid.Res {
	t.Helper()
	var re *remoteid.ResError
	if !errors.As(err, &re) {
		t.Fatalf("want a ResError, got %v", err)
	}
	return re.Res
}
