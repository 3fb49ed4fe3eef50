package standin

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"net"
	"time"

	"cotejo/verify/pki"
)

// PKI is a throwaway certificate authority for HTTPS on loopback: the stand-in's
// certificate, and a webhook receiver's in tests.
type PKI struct {
	CA *pki.CA
}

// NewPKI makes a CA (RSA 2048: quick, and only for loopback).
func NewPKI(now time.Time) (*PKI, error) {
	ca, err := pki.NewCA("Cotejo remoteid stand-in CA", 2048, now)
	if err != nil {
		return nil, err
	}
	return &PKI{CA: ca}, nil
}

// CAPEM is the CA certificate in PEM, for curl --cacert and the like.
func (p *PKI) CAPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: p.CA.Cert.Raw})
}

// Pool trusts the CA only.
func (p *PKI) Pool() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(p.CA.Cert)
	return pool
}

// Server issues a server certificate for hosts (names or addresses), valid a year from
// now, and returns it with its PEM certificate and key.
func (p *PKI) Server(now time.Time, hosts ...string) (tls.Certificate, []byte, []byte, error) {
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
	cert, err := p.CA.Issue(tmpl, &key.PublicKey)
	if err != nil {
		return tls.Certificate{}, nil, nil, fmt.Errorf("standin: server certificate: %w", err)
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
