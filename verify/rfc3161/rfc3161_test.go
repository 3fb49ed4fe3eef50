package rfc3161_test

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/timestamp"

	"cotejo/verify"
	"cotejo/verify/rfc3161"
	"cotejo/verify/rfc3161/tsatest"
)

func tsa(t testing.TB, o tsatest.Options) *tsatest.Server {
	t.Helper()
	s, err := tsatest.New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

var data = []byte(`{"datosCifrados":"QUJD","minucias":null,"ubicacion":{"posicionSatelital":null,"localidad":{"codigoPostal":"06000","ciudad":"CDMX","estado":9}},"consentimiento":true}`)

func TestStampFromLocalTSA(t *testing.T) {
	s := tsa(t, tsatest.Options{})
	c := &rfc3161.Client{URL: s.URL, Roots: s.Roots()}
	tok, err := c.Timestamp(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(tok.Stamp.Time); d < -time.Minute || d > time.Minute {
		t.Errorf("time %v", tok.Stamp.Time)
	}
	if tok.Stamp.Serial != verify.DottedSerial(s.Certificate().SerialNumber) {
		t.Errorf("serial %s", tok.Stamp.Serial)
	}
	if _, err := timestamp.Parse(tok.DER); err != nil {
		t.Errorf("token DER does not parse again: %v", err)
	}
	var st verify.Stamper = c
	if _, err := st.Stamp(context.Background(), data); err != nil {
		t.Error(err)
	}
}

func TestRefusals(t *testing.T) {
	other := tsa(t, tsatest.Options{})
	tests := []struct {
		name  string
		opts  tsatest.Options
		roots func(*tsatest.Server) *x509.CertPool
		check func(error) bool
	}{
		{"roots of another CA", tsatest.Options{}, func(*tsatest.Server) *x509.CertPool { return other.Roots() }, contains("not trusted")},
		{"clock skew", tsatest.Options{Skew: time.Hour}, nil, contains("away from ours")},
		{"wrong nonce", tsatest.Options{WrongNonce: true}, nil, is(rfc3161.ErrNonceMismatch)},
		{"wrong imprint", tsatest.Options{WrongImprint: true}, nil, is(rfc3161.ErrImprintMismatch)},
		{"rejected", tsatest.Options{Reject: true}, nil, func(err error) bool { var se *rfc3161.StatusError; return errors.As(err, &se) }},
		{"garbage", tsatest.Options{Garbage: true}, nil, func(err error) bool { return err != nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := tsa(t, tt.opts)
			roots := s.Roots()
			if tt.roots != nil {
				roots = tt.roots(s)
			}
			_, err := (&rfc3161.Client{URL: s.URL, Roots: roots}).Timestamp(context.Background(), data)
			if !tt.check(err) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func contains(s string) func(error) bool {
	return func(err error) bool { return err != nil && strings.Contains(err.Error(), s) }
}

func is(target error) func(error) bool { return func(err error) bool { return errors.Is(err, target) } }

func TestHTTPFailures(t *testing.T) {
	s500 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "x", 500) }))
	defer s500.Close()
	if _, err := (&rfc3161.Client{URL: s500.URL, Roots: x509.NewCertPool()}).Timestamp(context.Background(), data); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("500: %v", err)
	}
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer hang.Close()
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := (&rfc3161.Client{URL: hang.URL, Roots: x509.NewCertPool()}).Timestamp(ctx, data)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Errorf("hanging TSA: %v after %v", err, time.Since(start))
	}
}

// TestOpenSSLVerifiesToken: OpenSSL accepts our token over the same data.
func TestOpenSSLVerifiesToken(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed: " + err.Error())
	}
	s := tsa(t, tsatest.Options{})
	tok, err := (&rfc3161.Client{URL: s.URL, Roots: s.Roots()}).Timestamp(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	out, err := exec.Command("openssl", "ts", "-verify", "-data", write("data", data), "-in", write("token.der", tok.DER), "-token_in",
		"-CAfile", write("root.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.CACertificate().Raw})),
		"-untrusted", write("tsa.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.Certificate().Raw}))).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "Verification: OK") {
		t.Fatalf("openssl ts -verify: %v\n%s", err, out)
	}
}

func BenchmarkStamp(b *testing.B) {
	s := tsa(b, tsatest.Options{})
	c := &rfc3161.Client{URL: s.URL, Roots: s.Roots()}
	for b.Loop() {
		if _, err := c.Stamp(context.Background(), data); err != nil {
			b.Fatal(err)
		}
	}
}
