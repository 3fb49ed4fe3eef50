package pki

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
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
	server, certPEM, keyPEM, err := ca.ServerCertificate(now, "localhost", "127.0.0.1", "::1")
	if err != nil {
		return nil, err
	}
	return &Loopback{CA: ca, Server: server, Pool: ca.Pool(), CAPEM: ca.CertPEM(), CertPEM: certPEM, KeyPEM: keyPEM}, nil
}

// ServerCertificate issues a TLS server certificate for hosts (names or addresses, the
// first its common name), valid a year from now, with a new P-256 key; it returns it
// ready to serve and as PEM (certificate, PKCS #8 key) for servers in other languages.
func (ca *CA) ServerCertificate(now time.Time, hosts ...string) (tls.Certificate, []byte, []byte, error) {
	if len(hosts) == 0 {
		return tls.Certificate{}, nil, nil, errors.New("pki: a server certificate needs a host")
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, nil, err
	}
	tmpl := &x509.Certificate{
		Subject:     pkix.Name{CommonName: hosts[0]},
		NotBefore:   now.Add(-time.Hour),
		NotAfter:    now.AddDate(1, 0, 0),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	cert, err := ca.Issue(tmpl, &key.PublicKey)
	if err != nil {
		return tls.Certificate{}, nil, nil, fmt.Errorf("pki: server certificate: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return tls.Certificate{}, nil, nil, err
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	tc, err := tls.X509KeyPair(certPEM, keyPEM)
	return tc, certPEM, keyPEM, err
}

// CertPEM is the CA's certificate in PEM, for curl's --cacert or Python's ssl.
func (ca *CA) CertPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Cert.Raw})
}

// Pool trusts the CA only.
func (ca *CA) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(ca.Cert)
	return pool
}

// ServerTLS is the servers' configuration.
func (l *Loopback) ServerTLS() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{l.Server}, MinVersion: tls.VersionTLS12}
}

// ClientTLS trusts the CA.
func (l *Loopback) ClientTLS() *tls.Config {
	return &tls.Config{RootCAs: l.Pool, MinVersion: tls.VersionTLS12}
}
