package verify

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
)

// Signer makes the institution's signature over a request: RSA PKCS#1 v1.5 over the
// SHA-256 of msg. Implementations hold the key in a PEM file or in an HSM (PKCS#11).
type Signer interface {
	Sign(ctx context.Context, msg []byte) ([]byte, error)
	// Certificate is the signing certificate INE's CA issued for the key; its serial
	// number goes into keyInfo.
	Certificate() *x509.Certificate
}

// NewSigner wraps any crypto.Signer holding an RSA key (a parsed PEM key, or a PKCS#11
// object) with its certificate. It refuses a key that does not match the certificate,
// so a misconfigured installation fails at start-up rather than at INE.
func NewSigner(key crypto.Signer, cert *x509.Certificate) (Signer, error) {
	if key == nil || cert == nil {
		return nil, errors.New("verify: signer needs a key and a certificate")
	}
	pub, ok := key.Public().(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("verify: signing key is %T, INE requires RSA", key.Public())
	}
	certPub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok || !pub.Equal(certPub) {
		return nil, errors.New("verify: signing key does not match the signing certificate")
	}
	return &cryptoSigner{key: key, cert: cert}, nil
}

type cryptoSigner struct {
	key  crypto.Signer
	cert *x509.Certificate
}

func (s *cryptoSigner) Sign(ctx context.Context, msg []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	digest := sha256.Sum256(msg)
	sig, err := s.key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("verify: signing: %w", err)
	}
	return sig, nil
}

func (s *cryptoSigner) Certificate() *x509.Certificate { return s.cert }
