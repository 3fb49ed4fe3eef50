package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"cotejo/verify/httpsserve"
	"cotejo/verify/pki"
	"cotejo/verify/remoteid/standin"
)

// runRemoteSandbox serves the stand-in of the remote verification provider over HTTPS,
// with a CA of its own written to --dir, and sends each request's reports to --webhook.
func runRemoteSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("remote-sandbox", stderr)
	addr := fs.String("addr", "127.0.0.1:8445", "address to serve on")
	dir := fs.String("dir", "remote-sandbox", "folder for the stand-in's CA and certificates (ca.pem; receiver.pem and receiver-key.pem for 'cotejo remote listen')")
	user := fs.String("user", "demo", "API user the stand-in accepts")
	token := fs.String("token", "demo-token", "API token the stand-in accepts")
	credits := fs.Float64("credits", 10, "credits at start")
	scenario := fs.String("scenario", "ok", "outcome of every request: ok, low-similarity, minor, sides, different-people, expired, photo, unfinished, different-person, dni-mismatch")
	webhook := fs.String("webhook", "", "where reports are posted (https://…); none: no reports")
	hookUser := fs.String("webhook-user", "", "basic-auth user for the reports")
	hookPass := fs.String("webhook-password", "", "basic-auth password for the reports")
	hookCA := fs.String("webhook-cacert", "", "also trust this CA (PEM) for the webhook; the stand-in's own is trusted")
	form := fs.Bool("webhook-form", false, "post reports as multipart form data instead of JSON")
	every := fs.Duration("every", 2*time.Second, "time between two reports of a request")
	duplicate := fs.Bool("duplicate", false, "send every report twice")
	retries := fs.Int("webhook-retries", 0, "send a refused report again this many times")
	bare := fs.Bool("bare-object", false, "answer JSON as a bare object instead of a one-element array")
	accountOff := fs.Bool("account-off", false, "answer sends -4 (function not activated)")
	forceRes := fs.Int("force-res", 0, "answer every call with this Res (-5, -6 or -7)")
	strictSender := fs.Bool("strict-sender", false, "answer -3 to a sender over 11 characters")
	spamLimit := fs.Int("spam-limit", 5, "erroneous calls in a row that block an address")
	spamCooldown := fs.Duration("spam-cooldown", time.Minute, "how long an address stays blocked")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *every <= 0 {
		return errors.New("--every must be positive")
	}
	now := time.Now()
	ca, err := pki.NewCA("Cotejo remote stand-in CA", 2048, now)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("--addr: %w", err)
	}
	serverCert, _, _, err := ca.ServerCertificate(now, host, "localhost")
	if err != nil {
		return err
	}
	_, recvPEM, recvKey, err := ca.ServerCertificate(now, "127.0.0.1", "localhost")
	if err != nil {
		return err
	}
	for name, b := range map[string][]byte{"ca.pem": ca.CertPEM(), "receiver.pem": recvPEM, "receiver-key.pem": recvKey} {
		if err := os.WriteFile(filepath.Join(*dir, name), b, 0o600); err != nil {
			return err
		}
	}
	pool := ca.Pool()
	if *hookCA != "" {
		b, err := os.ReadFile(*hookCA)
		if err != nil || !pool.AppendCertsFromPEM(b) {
			return fmt.Errorf("--webhook-cacert %s: no certificate (%v)", *hookCA, err)
		}
	}
	sv, err := standin.New(standin.Settings{
		User: *user, Token: *token, Credits: *credits, Scenario: *scenario,
		WebhookURL: *webhook, WebhookUser: *hookUser, WebhookPassword: *hookPass, WebhookForm: *form,
		Duplicate: *duplicate, WebhookRetries: *retries, BareObject: *bare, AccountOff: *accountOff,
		ForceRes: *forceRes, StrictSender: *strictSender, SpamLimit: *spamLimit, SpamCooldown: *spamCooldown,
		WebhookClient: &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}},
		Logger:        slog.New(slog.NewTextHandler(stderr, nil)),
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Sustituto del proveedor en https://%s (CA en %s)\n", ln.Addr(), filepath.Join(*dir, "ca.pem"))
	go sv.Run(ctx, *every)
	return httpsserve.Run(ctx, ln, httpsserve.Server(sv, &tls.Config{Certificates: []tls.Certificate{serverCert}, MinVersion: tls.VersionTLS12}, nil))
}

// trust is a pool with the PEM file's certificates.
func trust(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%s: no certificate", path)
	}
	return pool, nil
}
