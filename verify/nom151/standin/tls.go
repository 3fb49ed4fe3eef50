package standin

import (
	"crypto/tls"
	"time"

	"cotejo/verify/pki"
)

// TLS makes a test CA and a server certificate for loopback (localhost, 127.0.0.1, ::1)
// and returns the server's TLS configuration and the CA certificate in PEM for clients.
func TLS(now time.Time) (*tls.Config, []byte, error) {
	lb, err := pki.NewLoopback(now)
	if err != nil {
		return nil, nil, err
	}
	return &tls.Config{Certificates: []tls.Certificate{lb.Server}, MinVersion: tls.VersionTLS12}, lb.CAPEM, nil
}
