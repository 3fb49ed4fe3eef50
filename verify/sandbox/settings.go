package sandbox

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"cotejo/verify"
	"cotejo/verify/config"
	"cotejo/verify/httpsserve"
	"cotejo/verify/pki"
)

// Settings is the [sandbox] section of the configuration file.
type Settings struct {
	Addr             string   `toml:"addr"`
	TLSCert          string   `toml:"tls_cert"`
	TLSKey           string   `toml:"tls_key"`
	ClientCA         string   `toml:"client_ca"` // CA that issues institutions' client certificates
	EncryptionKey    string   `toml:"encryption_key"`
	SigningCert      string   `toml:"signing_cert"`
	SigningKey       string   `toml:"signing_key"`
	InstitutionCerts []string `toml:"institution_certs"`
	Padron           string   `toml:"padron"` // empty: the register shipped in assets/
	OAEPHash         string   `toml:"oaep_hash"`
	MGF1Hash         string   `toml:"mgf1_hash"`
	// Biometrics: "synthetic" (the default) compares fingerprints with the synthetic
	// fingers each register citizen was enrolled with, through the matcher Open is
	// given; "off" answers 317, as INE does when its biometric libraries are down.
	Biometrics string `toml:"biometrics"`
}

// Open loads the keys and register the settings name and returns the server with the
// TLS configuration it must be served with (client certificates required). synthetic is
// the matcher used when the biometrics are "synthetic" (the default): the caller makes it
// (the demo's is scanner/biometrics/enrolled, which verify may not import); it may be nil
// only when they are "off".
func (st Settings) Open(baseDir string, logger *slog.Logger, synthetic Matcher) (*Server, *tls.Config, error) {
	path := func(p string) string { return config.Resolve(baseDir, p) }
	cert, err := tls.LoadX509KeyPair(path(st.TLSCert), path(st.TLSKey))
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox: tls_cert/tls_key: %w", err)
	}
	cas, err := pki.LoadCertificates(path(st.ClientCA))
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox: client_ca: %w", err)
	}
	pool := x509.NewCertPool()
	for _, c := range cas {
		pool.AddCert(c)
	}
	decKey, err := pki.LoadPrivateKey(path(st.EncryptionKey))
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox: encryption_key: %w", err)
	}
	rsaKey, ok := decKey.(*rsa.PrivateKey)
	if !ok {
		return nil, nil, fmt.Errorf("sandbox: encryption_key is %T, want RSA", decKey)
	}
	sigKey, err := pki.LoadPrivateKey(path(st.SigningKey))
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox: signing_key: %w", err)
	}
	sigCert, err := pki.LoadCertificate(path(st.SigningCert))
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox: signing_cert: %w", err)
	}
	signer, err := verify.NewSigner(sigKey, sigCert)
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox: signing_key/signing_cert: %w", err)
	}
	var institutions []*x509.Certificate
	for _, p := range st.InstitutionCerts {
		c, err := pki.LoadCertificates(path(p))
		if err != nil {
			return nil, nil, fmt.Errorf("sandbox: institution_certs: %w", err)
		}
		institutions = append(institutions, c...)
	}
	oaep, err := config.OAEP(st.OAEPHash, st.MGF1Hash)
	if err != nil {
		return nil, nil, fmt.Errorf("sandbox: %w", err)
	}
	padron, err := DefaultPadron()
	if st.Padron != "" {
		var raw []byte
		if raw, err = os.ReadFile(path(st.Padron)); err != nil {
			return nil, nil, fmt.Errorf("sandbox: padron: %w", err)
		}
		padron, err = LoadPadron(bytes.NewReader(raw))
	}
	if err != nil {
		return nil, nil, err
	}
	var matcher Matcher
	switch st.Biometrics {
	case "", "synthetic":
		if synthetic == nil {
			return nil, nil, errors.New("sandbox: biometrics synthetic: no matcher was given")
		}
		matcher = synthetic
	case "off":
	default:
		return nil, nil, fmt.Errorf("sandbox: biometrics %q: want synthetic or off", st.Biometrics)
	}
	srv, err := New(Config{
		DecryptionKey: rsaKey,
		OAEP:          oaep,
		Signer:        signer,
		Institutions:  institutions,
		Padron:        padron,
		Logger:        logger,
		Matcher:       matcher,
	})
	if err != nil {
		return nil, nil, err
	}
	return srv, ServerTLS(cert, pool), nil
}

// ServerTLS is INE's side of two-way TLS: a client certificate from the CA is required.
func ServerTLS(cert tls.Certificate, clientCAs *x509.CertPool) *tls.Config {
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientAuth:   tls.RequireAndVerifyClientCert,
		ClientCAs:    clientCAs,
		MinVersion:   tls.VersionTLS12,
	}
}

// Serve answers on ln over TLS until ctx ends, then shuts down gracefully.
func Serve(ctx context.Context, ln net.Listener, h http.Handler, tlsConf *tls.Config, errLog *slog.Logger) error {
	srv := httpsserve.Server(h, tlsConf, errLog)
	// The answer is written after the fingerprints are compared, which on a busy
	// machine (the race detector, two cores) can take minutes: a shorter deadline cut
	// the connection under the client ("tls: bad record MAC").
	srv.WriteTimeout = 10 * time.Minute
	return httpsserve.Run(ctx, ln, srv)
}
