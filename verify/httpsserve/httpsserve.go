// Package httpsserve runs an HTTPS server on a listener until a context ends, then shuts
// it down gracefully: what INE's stand-in, the providers' webhook receiver and the
// command-line receivers share.
package httpsserve

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Server is an http.Server with the limits every server of Cotejo's sets; callers may
// change them (INE's stand-in writes its answers after slow comparisons).
func Server(h http.Handler, tlsConf *tls.Config, errLog *slog.Logger) *http.Server {
	srv := &http.Server{
		Handler:           h,
		TLSConfig:         tlsConf,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
	}
	if errLog != nil {
		srv.ErrorLog = slog.NewLogLogger(errLog.Handler(), slog.LevelWarn)
	}
	return srv
}

// Run serves srv over TLS (srv.TLSConfig) on ln until ctx ends, then gives the requests
// under way five seconds to finish.
func Run(ctx context.Context, ln net.Listener, srv *http.Server) error {
	done := make(chan error, 1)
	go func() { done <- srv.Serve(tls.NewListener(ln, srv.TLSConfig)) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		err := srv.Shutdown(shutCtx)
		if e := <-done; !errors.Is(e, http.ErrServerClosed) && err == nil {
			err = e
		}
		return err
	}
}
