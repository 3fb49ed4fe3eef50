// Package sandboxtest starts the INE sandbox on loopback for other packages' tests: a
// development PKI shared by the test binary, the sandbox over two-way TLS, and a client
// configured from the PKI's own cotejo.toml, as an operator's installation would be.
package sandboxtest

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"cotejo/verify"
	"cotejo/verify/config"
	"cotejo/verify/pki"
	"cotejo/verify/sandbox"
)

// File is the part of cotejo.toml the sandbox and its client read.
type File struct {
	Service config.Service   `toml:"service"`
	Sandbox sandbox.Settings `toml:"sandbox"`
}

// A PKI is costly (a 4096-bit key): one per test binary.
var pkiOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "cotejo-test-pki-")
	if err != nil {
		return "", err
	}
	_, err = pki.Init(context.Background(), dir, pki.Options{})
	return dir, err
})

// PKI returns the folder of the shared development PKI, made on first use.
func PKI() (string, error) { return pkiOnce() }

// Main runs a test binary's tests and then removes the shared PKI; call it from
// TestMain.
func Main(m *testing.M) {
	code := m.Run()
	if dir, err := pkiOnce(); err == nil {
		os.RemoveAll(dir)
	}
	os.Exit(code)
}

// Load reads the PKI's cotejo.toml.
func Load(dir string) (File, error) {
	var f File
	_, err := toml.DecodeFile(filepath.Join(dir, "cotejo.toml"), &f)
	return f, err
}

// Options change the sandbox for a test.
type Options struct {
	Wrap   func(http.Handler) http.Handler // sees (and may replace) every request
	Logger *slog.Logger                    // the sandbox's request log; default discarded
	// Biometrics overrides the configuration's sandbox biometrics ("off" answers 317).
	Biometrics string
	// Matcher compares fingerprints when the biometrics are "synthetic" (the
	// configuration's default). This package is under verify and cannot make one: a test
	// whose requests carry fingerprints to be compared passes its own (e.g.
	// &enrolled.Matcher{} from scanner/biometrics/enrolled). Nil turns the biometrics
	// off: fingerprints are answered 317.
	Matcher sandbox.Matcher
	// Addr is where to listen; default a free loopback port. A test that takes INE
	// down and brings it back starts a second sandbox on the first one's address.
	Addr string
	// Timeout replaces the configuration's per-request timeout (30 s). With a Matcher it
	// is 10 minutes unless set: requests then do real work (fingerprint extraction under
	// the race detector, on a busy machine) and a test must not fail for being slow.
	Timeout time.Duration
}

// Env is a running sandbox and a client for it.
type Env struct {
	Dir    string // the PKI
	URL    string
	Server *sandbox.Server
	Conn   *config.Conn
	stop   func()
}

// Start runs the sandbox until the test ends (or Stop).
func Start(tb testing.TB, o Options) *Env {
	tb.Helper()
	dir, err := pkiOnce()
	if err != nil {
		tb.Fatal(err)
	}
	f, err := Load(dir)
	if err != nil {
		tb.Fatal(err)
	}
	if o.Biometrics != "" {
		f.Sandbox.Biometrics = o.Biometrics
	}
	if o.Matcher == nil {
		f.Sandbox.Biometrics = "off"
	}
	if o.Timeout == 0 && o.Matcher != nil {
		o.Timeout = 10 * time.Minute
	}
	if o.Timeout > 0 {
		f.Service.Timeout = o.Timeout
	}
	srv, tlsConf, err := f.Sandbox.Open(dir, o.Logger, o.Matcher)
	if err != nil {
		tb.Fatal(err)
	}
	addr := o.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		tb.Fatal(err)
	}
	var h http.Handler = srv
	if o.Wrap != nil {
		h = o.Wrap(srv)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sandbox.Serve(ctx, ln, h, tlsConf, slog.New(slog.DiscardHandler)) }()
	f.Service.URL = "https://" + ln.Addr().String() + verify.ServicePath
	conn, err := f.Service.Open(dir)
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	e := &Env{Dir: dir, URL: f.Service.URL, Server: srv, Conn: conn}
	var once sync.Once
	e.stop = func() {
		once.Do(func() {
			conn.Client.HTTP.CloseIdleConnections()
			cancel()
			if err := <-done; err != nil {
				tb.Errorf("sandbox: %v", err)
			}
		})
	}
	tb.Cleanup(e.stop)
	return e
}

// Stop shuts the sandbox down now (it is also stopped when the test ends).
func (e *Env) Stop() { e.stop() }
