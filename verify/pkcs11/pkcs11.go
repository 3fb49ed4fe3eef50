// Package pkcs11 signs INE requests with the institution's key held in an HSM, reached
// through PKCS#11 (crypto11). The key never leaves the token.
package pkcs11

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ThalesGroup/crypto11"

	"cotejo/verify"
	"cotejo/verify/pki"
)

// PINEnv is where the PIN is read from when the configuration has none: a
// configuration file should not hold the PIN in production.
const PINEnv = "COTEJO_PKCS11_PIN"

// Config names the token, key and certificate.
type Config struct {
	Module     string `toml:"module"`      // path of the PKCS#11 library
	TokenLabel string `toml:"token_label"` //
	PIN        string `toml:"pin"`         // testing only; else $COTEJO_PKCS11_PIN
	KeyLabel   string `toml:"key_label"`   // CKA_LABEL of the RSA key pair
	CertFile   string `toml:"cert_file"`   // the key's certificate, issued by INE's CA (PEM)
}

// Signer is a verify.Signer whose key lives in the token.
type Signer struct {
	ctx *crypto11.Context
	verify.Signer
}

// Open logs in to the token and finds the key.
func Open(cfg Config) (*Signer, error) {
	if cfg.Module == "" || cfg.TokenLabel == "" || cfg.KeyLabel == "" {
		return nil, errors.New("pkcs11: module, token_label and key_label are required")
	}
	if _, err := os.Stat(cfg.Module); err != nil {
		return nil, fmt.Errorf("pkcs11: module: %w", err)
	}
	pin := cfg.PIN
	if pin == "" {
		pin = os.Getenv(PINEnv)
	}
	if pin == "" {
		return nil, fmt.Errorf("pkcs11: no PIN: set %s", PINEnv)
	}
	cert, err := pki.LoadCertificate(cfg.CertFile)
	if err != nil {
		return nil, fmt.Errorf("pkcs11: certificate: %w", err)
	}
	c, err := crypto11.Configure(&crypto11.Config{Path: cfg.Module, TokenLabel: cfg.TokenLabel, Pin: pin})
	if err != nil {
		return nil, fmt.Errorf("pkcs11: token %q: %w", cfg.TokenLabel, scrub(err, pin))
	}
	key, err := c.FindKeyPair(nil, []byte(cfg.KeyLabel))
	if err != nil || key == nil {
		c.Close()
		if err == nil {
			err = errors.New("not found")
		}
		return nil, fmt.Errorf("pkcs11: no RSA key pair labelled %q in token %q: %w", cfg.KeyLabel, cfg.TokenLabel, scrub(err, pin))
	}
	s, err := verify.NewSigner(key, cert)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("pkcs11: %w", err)
	}
	return &Signer{ctx: c, Signer: s}, nil
}

// scrub makes sure no error text repeats the PIN.
func scrub(err error, pin string) error {
	if pin != "" && strings.Contains(err.Error(), pin) {
		return errors.New(strings.ReplaceAll(err.Error(), pin, "****"))
	}
	return err
}

// Sign signs in the token.
func (s *Signer) Sign(ctx context.Context, msg []byte) ([]byte, error) {
	return s.Signer.Sign(ctx, msg)
}

// Certificate is the key's certificate.
func (s *Signer) Certificate() *x509.Certificate { return s.Signer.Certificate() }

// Close logs out and releases the library.
func (s *Signer) Close() error { return s.ctx.Close() }
