package pki

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"net"
	"time"
)

// Loopback is a throw-away CA and a server certificate it issued for localhost,
// 127.0.0.1 and ::1: enough for the stand-in, a webhook receiver and their clients to
// speak real TLS on one machine.
type Loopback struct {
	CA     *CA
	Server tls.Certificate
	Pool   *x509.CertPool // trusts CA
	CAPEM  []byte         // CA's certificate, for curl's --cacert or Python's ssl
	// CertPEM and KeyPEM are the server certificate and key, for a server in another
	// language (Python's ssl wants files).
	CertPEM, KeyPEM []byte
}

// NewLoopback makes the CA and the server certificate, valid from now.
func NewLoopback(now time.Time) (*Loopback, error) {
	ca, err := NewCA("Cotejo loopback CA", 2048, now)
	if err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	cert, err := ca.Issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "localhost"},
		DNSNames:    []string{"localhost"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.AddDate(1, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, &key.PublicKey)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	return &Loopback{
		CA:      ca,
		Server:  tls.Certificate{Certificate: [][]byte{cert.Raw}, PrivateKey: key, Leaf: cert},
		Pool:    pool,
		CAPEM:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw}),
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}),
	}, nil
}

// ServerTLS is the servers' configuration.
func (l *Loopback) ServerTLS() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{l.Server}, MinVersion: tls.VersionTLS12}
}

// ClientTLS trusts the CA.
func (l *Loopback) ClientTLS() *tls.Config {
	return &tls.Config{RootCAs: l.Pool, MinVersion: tls.VersionTLS12}
}
