package capture

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"cotejo/verify/httpsserve"
	"cotejo/verify/pki"
	"cotejo/verify/remoteid/standin"
)

// startRemoteDemo runs the remote verification provider's stand-in on a loopback port
// for the demonstration, its reports every two seconds, and points cfg's [remote] at
// it, unless the configuration names a provider of its own. The reports need a
// receiver: unless [webhook] addr is set, the kiosk's is put on a loopback port too,
// its certificate from the same throw-away CA and a basic credential made up for the
// run, which both providers' routes then ask for.
func (a *App) startRemoteDemo(ctx context.Context, cfg *Config, o Options) error {
	if cfg.Remote.BaseURL != "" || cfg.Receiver().Addr != "" {
		return nil
	}
	lb, err := pki.NewLoopback(time.Now())
	if err != nil {
		return err
	}
	files := map[string][]byte{"remote-demo-ca.pem": lb.CAPEM, "webhook-demo.pem": lb.CertPEM, "webhook-demo-key.pem": lb.KeyPEM}
	for name, b := range files {
		if err := pki.WriteFile(filepath.Join(cfg.Dir(), name), b, 0o600); err != nil { // the key: owner-only on Windows too
			return err
		}
	}
	var secret [12]byte
	_, _ = rand.Read(secret[:]) // crypto/rand's Read does not fail
	pass := hex.EncodeToString(secret[:])
	hook, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	a.hookListener = hook
	a.closers = append(a.closers, func() error { hook.Close(); return nil }) // if never served
	const user, token = "demo", "demo-token"
	srv, err := standin.New(standin.Settings{User: user, Token: token, Credits: 100,
		WebhookURL: "https://" + hook.Addr().String() + "/remote", WebhookUser: "cotejo-demo", WebhookPassword: pass,
		WebhookClient: &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{TLSClientConfig: lb.ClientTLS()}},
		Logger:        slog.New(slog.NewTextHandler(o.Log, nil))})
	if err != nil {
		return err
	}
	addr, err := a.serveDemo(ctx, func(ctx context.Context, ln net.Listener) error {
		return httpsserve.Run(ctx, ln, httpsserve.Server(srv, lb.ServerTLS(), nil))
	}, func(ctx context.Context) { srv.Run(ctx, 2*time.Second) })
	if err != nil {
		return err
	}
	cfg.Remote.BaseURL, cfg.Remote.User, cfg.Remote.Token, cfg.Remote.CA = "https://"+addr, user, token, "remote-demo-ca.pem"
	if cfg.Remote.Sender == "" {
		cfg.Remote.Sender = "Cotejo"
	}
	cfg.Webhook.Addr, cfg.Webhook.Auth = hook.Addr().String(), "basic:cotejo-demo:"+pass
	cfg.Webhook.Cert, cfg.Webhook.Key = "webhook-demo.pem", "webhook-demo-key.pem"
	return nil
}
