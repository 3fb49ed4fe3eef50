// Package config turns the [service] section of Cotejo's configuration file into a
// ready request builder and client for INE: it loads certificates and keys (from PEM
// files or an HSM), pins INE's CA and sets the protocol's open choices.
package config

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cotejo/verify"
	"cotejo/verify/pkcs11"
	"cotejo/verify/pki"
	"cotejo/verify/rfc3161"
)

// Service is the [service] section: where INE is and with what the institution speaks
// to it. Relative paths are relative to the configuration file's folder.
type Service struct {
	URL              string         `toml:"url"`
	CACert           string         `toml:"ca_cert"`            // INE's root CA, pinned
	ClientCert       string         `toml:"client_cert"`        // two-way TLS
	ClientKey        string         `toml:"client_key"`         //
	INEEncryptionKey string         `toml:"ine_encryption_key"` // INE's 4096-bit public key
	INESigningCert   string         `toml:"ine_signing_cert"`   // verifies INE's answers
	SigningCert      string         `toml:"signing_cert"`       // the institution's
	SigningKey       string         `toml:"signing_key"`        // PEM; or use [service.pkcs11]
	PKCS11           *pkcs11.Config `toml:"pkcs11"`
	OAEPHash         string         `toml:"oaep_hash"`       // sha256 (default) or sha1
	MGF1Hash         string         `toml:"mgf1_hash"`       // sha256 (default) or sha1
	DigestEncoding   string         `toml:"digest_encoding"` // base64 (default) or hex
	Timeout          time.Duration  `toml:"timeout"`
	TSA              *TSA           `toml:"tsa"`
	Threshold        float64        `toml:"threshold"` // finger similarity (%) the institution accepts
}

// TSA is an RFC 3161 time-stamping authority; without one the local clock is used.
type TSA struct {
	URL   string `toml:"url"`
	Roots string `toml:"roots"` // PEM bundle the TSA's certificate must chain to
}

// CheckThreshold validates a configured threshold wherever one is read (the file, the
// settings screen): 0 stands for DefaultThreshold; anything else must lie within
// [verify.MinThreshold, verify.MaxThreshold].
func CheckThreshold(t float64) (float64, error) {
	if t == 0 {
		return DefaultThreshold, nil
	}
	if !verify.ValidThreshold(t) {
		return 0, fmt.Errorf("threshold %v: el umbral de similitud debe estar entre %d y %d (the similarity threshold must be within %d and %d)", t, verify.MinThreshold, verify.MaxThreshold, verify.MinThreshold, verify.MaxThreshold)
	}
	return t, nil
}

// DefaultThreshold is the similarity, in percent, at which a finger counts as the
// citizen's when the institution sets none.
const DefaultThreshold = 70

// Conn is an open connection setup to INE.
type Conn struct {
	Sealer    *verify.Sealer
	Client    *verify.Client
	Threshold float64
	// Certificates are the institution's own (TLS client, signing), whose expiry the
	// kiosk warns of.
	Certificates []*x509.Certificate
	close        func() error
}

// Close releases the HSM session, if any.
func (c *Conn) Close() error {
	if c.close != nil {
		return c.close()
	}
	return nil
}

// ParseHash reads a digest name used by OAEP settings.
func ParseHash(name string) (crypto.Hash, error) {
	switch strings.ToLower(strings.ReplaceAll(strings.TrimSpace(name), "-", "")) {
	case "", "sha256":
		return crypto.SHA256, nil
	case "sha1":
		return crypto.SHA1, nil
	case "sha384":
		return crypto.SHA384, nil
	case "sha512":
		return crypto.SHA512, nil
	}
	return 0, fmt.Errorf("unknown digest %q (want sha256 or sha1)", name)
}

// OAEP reads the OAEP settings.
func OAEP(hash, mgf1 string) (verify.OAEP, error) {
	h, err := ParseHash(hash)
	if err != nil {
		return verify.OAEP{}, fmt.Errorf("oaep_hash: %w", err)
	}
	m, err := ParseHash(mgf1)
	if err != nil {
		return verify.OAEP{}, fmt.Errorf("mgf1_hash: %w", err)
	}
	return verify.OAEP{Hash: h, MGFHash: m}, nil
}

// Resolve makes a configured path absolute against the configuration's folder.
func Resolve(baseDir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(baseDir, p)
}

// Open loads everything the service section names. Errors say which setting is wrong.
func (s Service) Open(baseDir string) (*Conn, error) {
	if s.URL == "" {
		return nil, errors.New("config: [service] url is not set")
	}
	if !strings.HasPrefix(s.URL, "https://") {
		return nil, fmt.Errorf("config: [service] url %q must be https", s.URL)
	}
	path := func(p string) string { return Resolve(baseDir, p) }
	roots, err := certPool(path(s.CACert))
	if err != nil {
		return nil, fmt.Errorf("config: [service] ca_cert: %w", err)
	}
	if s.ClientKey != "" {
		if err := pki.CheckPrivate(path(s.ClientKey)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("config: [service] client_key: %w", err)
		}
	}
	clientCert, err := tls.LoadX509KeyPair(path(s.ClientCert), path(s.ClientKey))
	if err != nil {
		return nil, fmt.Errorf("config: [service] client_cert/client_key: %w", err)
	}
	ineKey, err := pki.LoadRSAPublicKey(path(s.INEEncryptionKey))
	if err != nil {
		return nil, fmt.Errorf("config: [service] ine_encryption_key: %w", err)
	}
	ineCert, err := pki.LoadCertificate(path(s.INESigningCert))
	if err != nil {
		return nil, fmt.Errorf("config: [service] ine_signing_cert: %w", err)
	}
	oaep, err := OAEP(s.OAEPHash, s.MGF1Hash)
	if err != nil {
		return nil, fmt.Errorf("config: [service] %w", err)
	}
	digest, err := verify.ParseDigestEncoding(s.DigestEncoding)
	if err != nil {
		return nil, fmt.Errorf("config: [service] digest_encoding: %w", err)
	}
	threshold, err := CheckThreshold(s.Threshold)
	if err != nil {
		return nil, fmt.Errorf("config: [service] %w", err)
	}
	conn := &Conn{Threshold: threshold}
	if clientCert.Leaf != nil {
		conn.Certificates = append(conn.Certificates, clientCert.Leaf)
	}
	signer, err := s.signer(baseDir, conn)
	if err != nil {
		return nil, err
	}
	sealer := &verify.Sealer{INEKey: ineKey, OAEP: oaep, Signer: signer, Digest: digest}
	if s.TSA != nil && s.TSA.URL != "" {
		tsaRoots, err := certPool(path(s.TSA.Roots))
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("config: [service.tsa] roots: %w", err)
		}
		sealer.Stamper = &rfc3161.Client{URL: s.TSA.URL, Roots: tsaRoots}
	}
	conn.Sealer = sealer
	conn.Client = &verify.Client{
		URL:     s.URL,
		HTTP:    verify.NewHTTPClient(verify.TLSConfig(clientCert, roots), s.Timeout),
		INECert: ineCert,
	}
	return conn, nil
}

// OpenSigner opens the institution's signing key alone (the PEM key or the HSM), for
// what signs without talking to INE: the kiosk's bookkeeping seals its audit records
// with it. close releases the HSM session, if any.
func (s Service) OpenSigner(baseDir string) (signer verify.Signer, close func() error, err error) {
	conn := &Conn{}
	if signer, err = s.signer(baseDir, conn); err != nil {
		return nil, nil, err
	}
	return signer, conn.Close, nil
}

func (s Service) signer(baseDir string, conn *Conn) (verify.Signer, error) {
	if s.PKCS11 != nil && s.PKCS11.Module != "" {
		cfg := *s.PKCS11
		cfg.CertFile = Resolve(baseDir, cfg.CertFile)
		if cfg.CertFile == "" {
			cfg.CertFile = Resolve(baseDir, s.SigningCert)
		}
		hsm, err := pkcs11.Open(cfg)
		if err != nil {
			return nil, fmt.Errorf("config: [service.pkcs11]: %w", err)
		}
		conn.close = hsm.Close
		return hsm, nil
	}
	key, err := pki.LoadPrivateKey(Resolve(baseDir, s.SigningKey))
	if err != nil {
		return nil, fmt.Errorf("config: [service] signing_key: %w", err)
	}
	cert, err := pki.LoadCertificate(Resolve(baseDir, s.SigningCert))
	if err != nil {
		return nil, fmt.Errorf("config: [service] signing_cert: %w", err)
	}
	signer, err := verify.NewSigner(key, cert)
	if err != nil {
		return nil, fmt.Errorf("config: [service] signing_key/signing_cert: %w", err)
	}
	conn.Certificates = append(conn.Certificates, cert)
	return signer, nil
}

func certPool(path string) (*x509.CertPool, error) {
	if path == "" {
		return nil, errors.New("not set")
	}
	certs, err := pki.LoadCertificates(path)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	for _, c := range certs {
		pool.AddCert(c)
	}
	return pool, nil
}
