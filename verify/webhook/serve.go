package webhook

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"

	"cotejo/verify/httpsserve"
)

// Serve answers on ln over TLS until ctx ends, then shuts down gracefully.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, tlsConf *tls.Config, errLog *slog.Logger) error {
	return httpsserve.Run(ctx, ln, httpsserve.Server(h, tlsConf, errLog))
}
