package tuidentidad_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"cotejo/verify/pki"
	"cotejo/verify/tuidentidad"
	"cotejo/verify/tuidentidad/standin"
	"cotejo/verify/webhook"
)

// One CA and server certificate per test binary: RSA keys take a moment.
var loopback = sync.OnceValues(func() (*pki.Loopback, error) { return pki.NewLoopback(time.Now()) })

func certs(t testing.TB) *pki.Loopback {
	t.Helper()
	lb, err := loopback()
	if err != nil {
		t.Fatal(err)
	}
	return lb
}

// clock is the tests' injectable time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

const (
	apiKey   = "key-company-a"
	otherKey = "key-company-b"
)

// env is the stand-in over HTTPS on loopback, a client for it, and optionally a
// webhook receiver (webhook.Handler over HTTPS) whose sink is set by the test.
type env struct {
	clock  *clock
	srv    *standin.Server
	url    string
	client *tuidentidad.Client
	lb     *pki.Loopback
	hook   *httptest.Server
	sink   func(context.Context, webhook.Event) error
	sinkMu sync.Mutex
}

type envOptions struct {
	auth      webhook.Auth // the receiver's; zero: no webhook
	sendAuth  string       // what the stand-in sends; default auth.Header()
	configure func(*standin.Config)
}

func httpClient(lb *pki.Loopback) *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: lb.ClientTLS()}, Timeout: 2 * time.Minute}
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	lb := certs(t)
	e := &env{clock: newClock(), lb: lb}
	cfg := standin.Config{
		APIKeys:       map[string]string{apiKey: "A", otherKey: "B"},
		Now:           e.clock.Now,
		WebhookClient: httpClient(lb),
	}
	if !o.auth.IsZero() {
		h := &webhook.Handler{Auth: o.auth, Decoder: tuidentidad.WebhookDecoder{}, Sink: func(ctx context.Context, ev webhook.Event) error {
			e.sinkMu.Lock()
			s := e.sink
			e.sinkMu.Unlock()
			if s == nil {
				return nil
			}
			return s(ctx, ev)
		}}
		e.hook = httptest.NewUnstartedServer(h)
		e.hook.TLS = lb.ServerTLS()
		e.hook.StartTLS()
		t.Cleanup(e.hook.Close)
		cfg.WebhookURL = e.hook.URL + "/hooks/tuidentidad"
		cfg.WebhookAuth = o.auth.Header()
		if o.sendAuth != "" {
			cfg.WebhookAuth = o.sendAuth
		}
	}
	if o.configure != nil {
		o.configure(&cfg)
	}
	e.srv = standin.New(cfg)
	ts := httptest.NewUnstartedServer(e.srv.Handler(""))
	ts.TLS = lb.ServerTLS()
	ts.StartTLS()
	t.Cleanup(ts.Close)
	e.url = ts.URL
	e.client = &tuidentidad.Client{BaseURL: ts.URL, APIKey: apiKey, HTTP: httpClient(lb)}
	return e
}

func (e *env) setSink(f func(context.Context, webhook.Event) error) {
	e.sinkMu.Lock()
	e.sink = f
	e.sinkMu.Unlock()
}

// advance moves the clock and lets the stand-in do what is due.
func (e *env) advance(t *testing.T, d time.Duration) {
	t.Helper()
	e.clock.Add(d)
	e.srv.Step(t.Context())
}

// boltStore is a Store on a real bbolt file, as the app's is (without the sealing,
// which storage does).
type boltStore struct{ db *bolt.DB }

var bucketCases = []byte("tuidentidad")

func openStore(t *testing.T, path string) *boltStore {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucketIfNotExists(bucketCases); return err }); err != nil {
		t.Fatal(err)
	}
	return &boltStore{db}
}

func storePath(t *testing.T) string { return filepath.Join(t.TempDir(), "cases.db") }

func (s *boltStore) Save(ctx context.Context, c tuidentidad.Case) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketCases).Put([]byte(c.Key), raw) })
}

func (s *boltStore) Load(ctx context.Context, key string) (tuidentidad.Case, error) {
	var c tuidentidad.Case
	err := s.db.View(func(tx *bolt.Tx) error {
		raw := tx.Bucket(bucketCases).Get([]byte(key))
		if raw == nil {
			return tuidentidad.ErrNoCase
		}
		return json.Unmarshal(raw, &c)
	})
	return c, err
}

func (s *boltStore) All(ctx context.Context) ([]tuidentidad.Case, error) {
	var out []tuidentidad.Case
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketCases).ForEach(func(k, v []byte) error {
			var c tuidentidad.Case
			if err := json.Unmarshal(v, &c); err != nil {
				return err
			}
			out = append(out, c)
			return nil
		})
	})
	return out, err
}

func apiErr(t *testing.T, err error) *tuidentidad.APIError {
	t.Helper()
	var ae *tuidentidad.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error %v is not an APIError", err)
	}
	return ae
}
