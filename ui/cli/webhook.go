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
	"time"

	"cotejo/capture"
	"cotejo/verify/config"
	"cotejo/verify/tuidentidad"
	"cotejo/verify/webhook"
)

// The webhook receiver: providers post results here; each is a hint the background
// worker confirms with the provider before the case moves.

func runWebhook(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "serve" {
		return errors.New("say 'cotejo webhook serve'")
	}
	fs, cfgPath := newFlags("webhook serve", stderr)
	addr := fs.String("addr", "", "address to listen on (default: [webhook] addr)")
	auth := fs.String("auth", "", "authorization the provider sends: basic:USER:PASSWORD or bearer:TOKEN (default: [webhook] auth)")
	cert := fs.String("cert", "", "TLS certificate (default: [webhook] cert)")
	key := fs.String("key", "", "TLS key (default: [webhook] key)")
	poll := fs.Duration("poll", 15*time.Second, "how often the background worker checks waiting cases")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	app, err := capture.Open(ctx, *cfgPath, capture.Options{StoreOnly: true, Log: stderr})
	if err != nil {
		return err
	}
	defer app.Close()
	// [webhook], else the old names in [tuidentidad].
	st := app.Config.Receiver()
	pick := func(flag, setting string, resolve bool) string {
		if flag != "" {
			return flag
		}
		if resolve {
			return config.Resolve(app.Config.Dir(), setting)
		}
		return setting
	}
	a, err := webhook.ParseAuth(pick(*auth, st.Auth, false))
	if err != nil {
		return err
	}
	pair, err := tls.LoadX509KeyPair(pick(*cert, st.Cert, true), pick(*key, st.Key, true))
	if err != nil {
		return fmt.Errorf("[webhook] cert/key: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	tr, err := app.TuIdentidad(logger)
	if err != nil {
		return err
	}
	h := &webhook.Handler{Auth: a, Decoder: tuidentidad.WebhookDecoder{}, Sink: tr.Deliver, Logger: logger}
	mux := http.NewServeMux()
	mux.Handle("/tuidentidad", h)
	listen := pick(*addr, st.Addr, false)
	if listen == "" {
		return errors.New("no address: --addr or [webhook] addr")
	}
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	logger.Info("webhook escuchando", "addr", ln.Addr().String(), "ruta", "/tuidentidad", "auth", a.String())
	// The worker confirms each delivery with a status GET, and polls the cases no
	// webhook reaches.
	// It ends before the data file closes: a pass still writing then would outlive the
	// command.
	wctx, stop := context.WithCancel(ctx)
	ran := make(chan struct{})
	go func() { defer close(ran); _ = tr.Run(wctx, *poll) }()
	err = webhook.Serve(ctx, ln, mux, &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, logger)
	stop()
	<-ran
	return err
}

func loadPool(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no certificate", path)
	}
	return pool, nil
}

func httpsClient(c *tls.Config) *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: c}, Timeout: 2 * time.Minute}
}
