package outbox_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"cotejo/capture/outbox"
	"cotejo/storage"
	"cotejo/storage/sealbox"
	"cotejo/verify"
	"cotejo/verify/config"
	"cotejo/verify/sandbox"
	"cotejo/verify/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// ine is the sandbox on loopback, counting the requests it sees per indice.
type ine struct {
	url  string
	conn *config.Conn
	stop func()
	mu   sync.Mutex
	hits map[string]int
}

func startINE(t testing.TB, wrap func(http.Handler) http.Handler) *ine {
	t.Helper()
	s := &ine{hits: map[string]int{}}
	count := func(h http.Handler) http.Handler {
		if wrap != nil {
			h = wrap(h)
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := readAll(r)
			var req struct{ TimeStamp verify.TimeStamp }
			json.Unmarshal(body, &req)
			s.mu.Lock()
			s.hits[req.TimeStamp.Indice]++
			s.mu.Unlock()
			r.Body = nopCloser{bytes.NewReader(body)}
			h.ServeHTTP(w, r)
		})
	}
	// Placeholder templates: INE's biometric side off (317), as these tests are about the outbox.
	e := sandboxtest.Start(t, sandboxtest.Options{Wrap: count, Biometrics: "off"})
	// A short timeout: fault tests must not wait 30 s for a silent INE.
	e.Conn.Client.HTTP.Timeout = 3 * time.Second
	s.url, s.conn, s.stop = e.URL, e.Conn, e.Stop
	return s
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func readAll(r *http.Request) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(r.Body)
	return b.Bytes(), err
}

func padron(t testing.TB) *sandbox.Padron {
	p, err := sandbox.DefaultPadron()
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var branch = verify.Ubicacion{Localidad: &verify.Localidad{CodigoPostal: "06000", Ciudad: "CDMX", Estado: 9}}

// template is recognisable bytes standing for a fingerprint template.
var template = []byte("FMR\x00 20\x00PLANTILLA-DE-PRUEBA-7f3a9c")

func openDB(t testing.TB, path string, keys *sealbox.Keys, now func() time.Time) *storage.DB {
	t.Helper()
	db, err := storage.Open(path, storage.Options{Keys: keys, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newKeys(t testing.TB) *sealbox.Keys {
	k, _ := sealbox.NewKey()
	b, err := sealbox.New(k, 1)
	if err != nil {
		t.Fatal(err)
	}
	return sealbox.NewKeys(b)
}

func enqueue(t testing.TB, db *storage.DB, s *ine, c sandbox.Citizen, fingers bool) storage.Entry {
	t.Helper()
	v := verify.Verification{Credential: c.Credential(), Location: branch, Consent: true}
	if fingers {
		v.Fingers = &verify.Fingers{Tipo: verify.TipoANSI, Right: template, Left: template}
	}
	sealed, err := s.conn.Sealer.Seal(context.Background(), v)
	if err != nil {
		t.Fatal(err)
	}
	e, err := db.Enqueue(context.Background(), storage.Request{
		Indice: sealed.Indice, Body: sealed.Body, Kind: "verificacion", Operator: "cajero7", Biometrics: fingers,
		Citizen: storage.Citizen{Nombre: c.Nombre + " " + c.ApellidoPaterno, CURP: c.CURP, CIC: c.CIC},
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestEnqueueDrainAnswered(t *testing.T) {
	s := startINE(t, nil)
	p := padron(t)
	path := filepath.Join(t.TempDir(), "cotejo.db")
	db := openDB(t, path, newKeys(t), nil)
	var events []outbox.Event
	var mu sync.Mutex
	snd := &outbox.Sender{DB: db, Client: s.conn.Client, Events: func(e outbox.Event) { mu.Lock(); events = append(events, e); mu.Unlock() }}
	var entries []storage.Entry
	for i := range 5 {
		entries = append(entries, enqueue(t, db, s, p.Ciudadanos[i], i%2 == 0))
	}
	n, err := snd.Drain(context.Background())
	if err != nil || n != 5 {
		t.Fatalf("drain: %d %v", n, err)
	}
	for _, e := range entries {
		got, err := db.Get(e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Answers != 1 || got.Biometrics {
			t.Errorf("%s: %+v", e.ID, got)
		}
		if _, err := db.Body(e.Indice); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("%s: request body (with biometrics) kept after the answer: %v", e.ID, err)
		}
		raw, err := db.Answer(e.Indice)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := verify.OpenResponse(raw, s.conn.Client.INECert, e.Indice); err != nil {
			t.Errorf("stored answer does not verify: %v", err)
		}
	}
	// Situations other than VIGENTE are answers too.
	if got, _ := db.Get(entries[0].ID); got.State != storage.StateAnswered {
		t.Errorf("state %s", got.State)
	}
	mu.Lock()
	if len(events) != 10 { // sent + answered for each
		t.Errorf("%d events", len(events))
	}
	mu.Unlock()
	// Findable by CURP, CIC, operator and date.
	for _, q := range []storage.Query{{Subject: p.Ciudadanos[2].CURP}, {Subject: p.Ciudadanos[2].CIC}} {
		found, err := db.Find(context.Background(), q)
		if err != nil || len(found) != 1 || found[0].ID != entries[2].ID {
			t.Errorf("find %+v: %v %v", q, found, err)
		}
	}
	if found, _ := db.Find(context.Background(), storage.Query{Operator: "cajero7"}); len(found) != 5 {
		t.Errorf("by operator: %d", len(found))
	}
	if found, _ := db.Find(context.Background(), storage.Query{From: time.Now().Add(time.Hour)}); len(found) != 0 {
		t.Errorf("by date: %d", len(found))
	}
	// A second drain finds nothing due; INE saw each request once.
	if n, _ := snd.Drain(context.Background()); n != 0 {
		t.Errorf("second drain sent %d", n)
	}
	for ind, n := range s.hits {
		if n != 1 {
			t.Errorf("indice %s sent %d times", ind, n)
		}
	}
	if rep, err := db.Audit().Verify(context.Background()); err != nil || rep.Entries < 10 {
		t.Errorf("audit: %+v %v", rep, err)
	}
	if err := db.Check(); err != nil {
		t.Error(err)
	}
}

// TestNoPlaintextAtRest scans the raw file: no CURP, name or template bytes.
func TestNoPlaintextAtRest(t *testing.T) {
	s := startINE(t, nil)
	p := padron(t)
	path := filepath.Join(t.TempDir(), "cotejo.db")
	db := openDB(t, path, newKeys(t), nil)
	var secrets [][]byte
	snd := &outbox.Sender{DB: db, Client: s.conn.Client}
	for i := range 6 {
		c := p.Ciudadanos[i]
		enqueue(t, db, s, c, true)
		secrets = append(secrets, []byte(c.CURP), []byte(c.ApellidoPaterno+" "), []byte(c.Nombre), []byte(c.ClaveElector), []byte(c.CIC))
		if i == 2 {
			// The first three answered (INE's answer stored), the rest still queued
			// (the request body, with its fingerprints, stored).
			if n, err := snd.Drain(context.Background()); err != nil || n != 3 {
				t.Fatalf("drain: %d %v", n, err)
			}
		}
	}
	secrets = append(secrets, template[8:], []byte(base64.StdEncoding.EncodeToString(template)[12:]))
	db.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range secrets {
		if len(bytes.TrimSpace(sec)) > 0 && bytes.Contains(raw, sec) {
			t.Errorf("%q found in clear in the data file", sec)
		}
	}
}

func TestSenderRunStopsOnCancel(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s := startINE(t, nil)
	p := padron(t)
	db := openDB(t, filepath.Join(t.TempDir(), "c.db"), newKeys(t), nil)
	events := make(chan outbox.Event, 16)
	snd := &outbox.Sender{DB: db, Client: s.conn.Client, Poll: 10 * time.Millisecond, Events: func(e outbox.Event) { events <- e }}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- snd.Run(ctx) }()
	sealed, _ := s.conn.Sealer.Seal(context.Background(), verify.Verification{Credential: p.Ciudadanos[0].Credential(), Location: branch, Consent: true})
	e, err := snd.Submit(context.Background(), storage.Request{Indice: sealed.Indice, Body: sealed.Body, Operator: "op"}, false)
	if err != nil || e.State != storage.StatePending {
		t.Fatalf("submit: %+v %v", e, err)
	}
	var kinds []outbox.EventKind
	for ev := range events {
		kinds = append(kinds, ev.Kind)
		if ev.Kind == outbox.EventAnswered {
			break
		}
	}
	if len(kinds) != 3 || kinds[0] != outbox.EventQueued || kinds[1] != outbox.EventSent {
		t.Errorf("events %v", kinds)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Error(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop on cancel")
	}
	s.stop()
}

// TestSenderConcurrencyBound: the sender never has more requests in flight at INE than
// its Concurrency.
func TestSenderConcurrencyBound(t *testing.T) {
	var inFlight, peak atomic.Int32
	s := startINE(t, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := inFlight.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(20 * time.Millisecond) // long enough for requests to overlap
			h.ServeHTTP(w, r)
			inFlight.Add(-1)
		})
	})
	p := padron(t)
	db := openDB(t, filepath.Join(t.TempDir(), "c.db"), newKeys(t), nil)
	for i := range 12 {
		enqueue(t, db, s, p.Ciudadanos[i], false)
	}
	n, err := (&outbox.Sender{DB: db, Client: s.conn.Client, Concurrency: 3}).Drain(context.Background())
	if err != nil || n != 12 {
		t.Fatalf("drain: %d %v", n, err)
	}
	if got := peak.Load(); got > 3 || got < 2 {
		t.Errorf("peak in flight %d, want at most 3 (and overlap: at least 2)", got)
	}
}
