package standin

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"time"

	"cotejo/verify/httpsserve"
	"cotejo/verify/nom151"
)

// Running is a stand-in served over TLS on a loopback port: the demo's and the tests'.
type Running struct {
	*Server
	URL     string  // the service's address, https://127.0.0.1:PORT/…/webservice.asmx
	Account Account // the account its clients use
	CAPEM   []byte  // the loopback CA the server's certificate chains to

	cancel context.CancelFunc
	served chan error
}

// Start serves a stand-in with cfg and the one account a on a free loopback port until
// Close. A cfg without a PSC gets a fresh one with 2048-bit keys.
func Start(cfg Config, a Account) (*Running, error) {
	now := time.Now()
	if cfg.Now != nil {
		now = cfg.Now()
	}
	if cfg.PSC == nil {
		psc, err := NewPSC(SovosName, SovosPolicy, 2048, now)
		if err != nil {
			return nil, err
		}
		cfg.PSC = psc
	}
	cfg.Accounts = append(cfg.Accounts, a)
	srv, err := New(cfg)
	if err != nil {
		return nil, err
	}
	tlsConf, caPEM, err := TLS(now)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &Running{Server: srv, URL: "https://" + ln.Addr().String() + Path, Account: a, CAPEM: caPEM,
		cancel: cancel, served: make(chan error, 1)}
	hs := httpsserve.Server(srv, tlsConf, cfg.Logger)
	go func() { r.served <- httpsserve.Run(ctx, ln, hs) }()
	return r, nil
}

// Client is a client of the stand-in as its account, trusting its CA alone.
func (r *Running) Client() *nom151.Client {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(r.CAPEM)
	return &nom151.Client{URL: r.URL, Credentials: nom151.Credentials{Entidad: r.Account.Entidad, Usuario: r.Account.Usuario, Clave: r.Account.Clave},
		HTTPClient: &http.Client{Transport: &http.Transport{
			TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
			TLSHandshakeTimeout: time.Minute,
		}}}
}

// Close stops serving and waits for the server to end.
func (r *Running) Close() error {
	r.cancel()
	err := <-r.served
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
