package outbox_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cotejo/capture/outbox"
	"cotejo/storage"
	"cotejo/verify"
	"cotejo/verify/pki"
	"cotejo/verify/sandbox/sandboxtest"
)

// scripted answers like INE with the codes a test asks for, signed with the PKI's INE
// key, so the client verifies them as real answers.
func scripted(t *testing.T, mode *atomic.Value) func(http.Handler) http.Handler {
	dir, _ := sandboxtest.PKI()
	key, err := pki.LoadPrivateKey(filepath.Join(dir, "ine-signing-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := pki.LoadCertificate(filepath.Join(dir, "ine-signing.pem"))
	signer, _ := verify.NewSigner(key, cert)
	return func(real http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			m := mode.Load().(string)
			switch {
			case m == "real":
				real.ServeHTTP(w, r)
				return
			case m == "503":
				http.Error(w, "mantenimiento", http.StatusServiceUnavailable)
				return
			case m == "404":
				http.NotFound(w, r)
				return
			case m == "slow":
				select {
				case <-time.After(2 * time.Second):
				case <-r.Context().Done():
				}
				return
			}
			var req struct{ TimeStamp verify.TimeStamp }
			body, _ := readAll(r)
			json.Unmarshal(body, &req)
			rb := verify.ResponseBody{IndiceSolicitud: req.TimeStamp.Indice}
			vig := &verify.SituacionRegistral{TipoSituacionRegistral: "VIGENTE"}
			code, _ := strconv.Atoi(m) // the modes below are INE's codes
			switch m {
			case "104", "110", "111":
				rb.CodigoRespuesta = code
			case "314", "317":
				rb.DataResponse = &verify.DataResponse{RespuestaSituacionRegistral: vig, RespuestaComparacion: &verify.Comparacion{}}
				rb.MinutiaeResponse = &verify.MinutiaeResponse{CodigoRespuestaMinucia: code}
			case "205":
				rb.DataResponse = &verify.DataResponse{CodigoRespuestaDatos: code}
			}
			respJSON, _ := json.Marshal(rb)
			tsJSON, _ := json.Marshal(verify.TimeStamp{Momento: "20260101000000Z", Indice: rb.IndiceSolicitud})
			sig, _ := verify.SignElements(r.Context(), signer, verify.DigestBase64, respJSON, tsJSON)
			out, _ := json.Marshal(verify.Response{Response: respJSON, Signature: sig, TimeStamp: tsJSON})
			if m == "badsig" {
				out = []byte(strings.Replace(string(out), `"codigoRespuesta":0`, `"codigoRespuesta":1`, 1))
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write(out)
		})
	}
}

func TestFaultsAndCodes(t *testing.T) {
	var mode atomic.Value
	mode.Store("real")
	s := startINE(t, scripted(t, &mode))
	p := padron(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	tests := []struct {
		mode      string
		state     storage.State
		retry     bool // NextAttempt pushed into the future
		keepsBody bool
		answers   int
		setup     func(c *verify.Client) *verify.Client
	}{
		{mode: "real", state: storage.StateAnswered, answers: 1},
		{mode: "503", state: storage.StatePending, retry: true, keepsBody: true},
		{mode: "404", state: storage.StateFailed},
		{mode: "slow", state: storage.StatePending, retry: true, keepsBody: true, setup: func(c *verify.Client) *verify.Client {
			cc := *c
			h := *c.HTTP
			h.Timeout = 300 * time.Millisecond
			cc.HTTP = &h
			return &cc
		}},
		{mode: "tls", state: storage.StatePending, retry: true, keepsBody: true, setup: func(c *verify.Client) *verify.Client {
			dir, _ := sandboxtest.PKI()
			cert, _ := tls.LoadX509KeyPair(filepath.Join(dir, "institution-client.pem"), filepath.Join(dir, "institution-client-key.pem"))
			cc := *c
			cc.HTTP = verify.NewHTTPClient(verify.TLSConfig(cert, x509.NewCertPool()), time.Second) // INE's CA not trusted
			return &cc
		}},
		{mode: "down", state: storage.StatePending, retry: true, keepsBody: true, setup: func(c *verify.Client) *verify.Client {
			cc := *c
			cc.URL = "https://127.0.0.1:1" + verify.ServicePath
			return &cc
		}},
		{mode: "badsig", state: storage.StatePending, retry: true, keepsBody: true},
		{mode: "104", state: storage.StatePending, retry: true, keepsBody: true},
		{mode: "110", state: storage.StateFailed, answers: 1},
		{mode: "111", state: storage.StateFailed, answers: 1},
		{mode: "205", state: storage.StateFailed, answers: 1},
		{mode: "314", state: storage.StateNeedsRecapture, answers: 1},
		{mode: "317", state: storage.StateAnswered, answers: 1},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			mode.Store(tt.mode)
			db := openDB(t, filepath.Join(t.TempDir(), "c.db"), newKeys(t), clock)
			client := s.conn.Client
			if tt.setup != nil {
				client = tt.setup(client)
			}
			e := enqueue(t, db, s, p.Ciudadanos[0], true)
			snd := &outbox.Sender{DB: db, Client: client}
			if _, err := snd.Drain(context.Background()); err != nil {
				t.Fatal(err)
			}
			got, _ := db.Get(e.ID)
			if got.State != tt.state || got.Attempts != 1 || got.Answers != tt.answers {
				t.Fatalf("entry %+v, want state %s answers %d", got, tt.state, tt.answers)
			}
			if tt.retry {
				d := got.NextAttempt.Sub(now)
				if d < 15*time.Second || d > 30*time.Second || got.LastError == "" {
					t.Errorf("first retry in %v (%q), want 15–30 s with a reason", d, got.LastError)
				}
			}
			_, err := db.Body(e.Indice)
			if kept := err == nil; kept != tt.keepsBody {
				t.Errorf("body kept = %v, want %v (%v)", kept, tt.keepsBody, err)
			}
			if !tt.keepsBody && got.Biometrics {
				t.Error("biometrics flag still set")
			}
		})
	}
}

func TestRetryExpiryCancel(t *testing.T) {
	var mode atomic.Value
	mode.Store("503")
	s := startINE(t, scripted(t, &mode))
	p := padron(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db := openDB(t, filepath.Join(t.TempDir(), "c.db"), newKeys(t), func() time.Time { return now })
	snd := &outbox.Sender{DB: db, Client: s.conn.Client, Backoff: outbox.Backoff{Base: 30 * time.Second, Max: 30 * time.Minute, MaxAge: time.Hour}}
	e := enqueue(t, db, s, p.Ciudadanos[0], true)
	snd.Drain(context.Background())
	if n, _ := snd.Drain(context.Background()); n != 0 {
		t.Errorf("not due yet, but %d sent", n)
	}
	now = now.Add(2 * time.Hour) // past MaxAge: given up, body kept for a manual retry
	snd.Drain(context.Background())
	got, _ := db.Get(e.ID)
	if got.State != storage.StateFailed || !strings.HasPrefix(got.Reason, "expired") {
		t.Fatalf("after max age: %+v", got)
	}
	failed, _ := db.List(storage.StateFailed)
	if len(failed) != 1 {
		t.Errorf("dead letters: %d", len(failed))
	}
	mode.Store("real")
	if _, err := db.Retry(e.ID, "supervisor"); err != nil {
		t.Fatal(err)
	}
	snd.Drain(context.Background())
	if got, _ := db.Get(e.ID); got.State != storage.StateAnswered {
		t.Fatalf("after manual retry: %+v", got)
	}
	var se *storage.StateError
	if _, err := db.Retry(e.ID, "supervisor"); !errors.As(err, &se) {
		t.Errorf("retry of an answered entry: %v", err)
	}
	e2 := enqueue(t, db, s, p.Ciudadanos[1], true)
	if got, err := db.Cancel(e2.Indice, "supervisor"); err != nil || got.State != storage.StateCancelled || got.Biometrics {
		t.Fatalf("cancel: %+v %v", got, err)
	}
	if _, err := db.Body(e2.Indice); !errors.Is(err, storage.ErrNotFound) {
		t.Error("cancelled entry kept its body")
	}
	if n, _ := snd.Drain(context.Background()); n != 0 {
		t.Error("cancelled entry was sent")
	}
}

func TestBackoffSchedule(t *testing.T) {
	b := outbox.DefaultBackoff()
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, tt := range []struct {
		attempts int
		lo, hi   time.Duration
	}{{1, 15 * time.Second, 30 * time.Second}, {2, 30 * time.Second, time.Minute}, {5, 4 * time.Minute, 8 * time.Minute}, {30, 15 * time.Minute, 30 * time.Minute}} {
		for range 100 {
			if d := b.Delay(tt.attempts, rnd); d < tt.lo || d > tt.hi {
				t.Fatalf("attempt %d: %v outside [%v, %v]", tt.attempts, d, tt.lo, tt.hi)
			}
		}
	}
}
