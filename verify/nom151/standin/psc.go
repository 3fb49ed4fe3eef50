package standin

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"time"

	"cotejo/verify/pki"
)

// The stand-in's constancy file is its own format (an assumption: the seed does not
// describe the real one, which errors -107/-110 suggest is a time-stamp structure). It
// is DER:
//
//	Constancy ::= SEQUENCE {
//	    tbs   TBS,
//	    cert  OCTET STRING,  -- the issuing PSC's sealing certificate, DER
//	    seal  OCTET STRING } -- RSA PKCS #1 v1.5 with SHA-256 over tbs's DER
//	TBS ::= SEQUENCE {
//	    folio INTEGER, algorithm OBJECT IDENTIFIER, digest OCTET STRING,
//	    issued GeneralizedTime, entidad UTF8String, policy UTF8String, psc UTF8String }
//
// so that a changed byte breaks the seal (validaSello false) and another issuer's
// certificate fails the chain to Sovos' root (validaPSC false).
type constancyFile struct {
	TBS  asn1.RawValue
	Cert []byte
	Seal []byte
}

type tbs struct {
	Folio     int64
	Algorithm asn1.ObjectIdentifier
	Digest    []byte
	Issued    time.Time `asn1:"generalized"`
	Entidad   string    `asn1:"utf8"`
	Policy    string    `asn1:"utf8"`
	PSC       string    `asn1:"utf8"`
}

var (
	oidSHA256 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSHA512 = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
)

// Constancy is a decoded constancy file.
type Constancy struct {
	Folio     int64
	Algorithm string // SHA-256 or SHA-512
	Digest    []byte // of the document
	Issued    time.Time
	Entidad   string
	Policy    string
	PSC       string
	Cert      *x509.Certificate
	Seal      []byte
	signed    []byte // tbs's DER, what Seal signs
}

// errUndecodable is a file that is not a constancy: -107.
var errUndecodable = errors.New("standin: not a constancy file")

// DecodeConstancy reads a constancy file; the seal is not checked here.
func DecodeConstancy(b []byte) (*Constancy, error) {
	var f constancyFile
	rest, err := asn1.Unmarshal(b, &f)
	if err != nil || len(rest) != 0 {
		return nil, errUndecodable
	}
	var t tbs
	if rest, err := asn1.Unmarshal(f.TBS.FullBytes, &t); err != nil || len(rest) != 0 {
		return nil, errUndecodable
	}
	cert, err := x509.ParseCertificate(f.Cert)
	if err != nil {
		return nil, errUndecodable
	}
	c := &Constancy{Folio: t.Folio, Digest: t.Digest, Issued: t.Issued.UTC(), Entidad: t.Entidad,
		Policy: t.Policy, PSC: t.PSC, Cert: cert, Seal: f.Seal, signed: f.TBS.FullBytes}
	switch {
	case t.Algorithm.Equal(oidSHA256) && len(t.Digest) == 32:
		c.Algorithm = "SHA-256"
	case t.Algorithm.Equal(oidSHA512) && len(t.Digest) == 64:
		c.Algorithm = "SHA-512"
	default:
		return nil, errUndecodable
	}
	return c, nil
}

// SealValid says whether the seal is the certificate's key's signature over the data.
func (c *Constancy) SealValid() bool {
	sum := sha256.Sum256(c.signed)
	pub, ok := c.Cert.PublicKey.(*rsa.PublicKey)
	return ok && rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], c.Seal) == nil
}

// IssuedBy says whether the sealing certificate is p's: issued by its root, in its name.
func (c *Constancy) IssuedBy(p *PSC) bool {
	return c.Cert.CheckSignatureFrom(p.Root.Cert) == nil && c.Cert.Subject.CommonName == p.Name
}

// PSC is a provider that issues constancies: its root and its sealing key.
type PSC struct {
	Name   string // the distinguished name it issues under (pscNombre)
	Policy string // pscPolitica
	Root   *pki.CA
	Cert   *x509.Certificate
	Key    crypto.Signer
}

// NewPSC makes a provider with a fresh root and sealing key, both RSA of bits.
func NewPSC(name, policy string, bits int, now time.Time) (*PSC, error) {
	root, err := pki.NewCA(name+" raíz", bits, now)
	if err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		return nil, err
	}
	cert, err := root.Issue(&x509.Certificate{
		Subject:   pkix.Name{Country: []string{"MX"}, CommonName: name},
		NotBefore: now.Add(-time.Hour),
		NotAfter:  now.AddDate(5, 0, 0),
		KeyUsage:  x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
	}, &key.PublicKey)
	if err != nil {
		return nil, err
	}
	return &PSC{Name: name, Policy: policy, Root: root, Cert: cert, Key: key}, nil
}

// Issue seals a constancy over a document's digest (32 bytes SHA-256, 64 SHA-512) for
// entidad and returns the file.
func (p *PSC) Issue(folio int64, entidad string, digest []byte, issued time.Time) ([]byte, error) {
	// encoding/asn1 writes GeneralizedTime in whole seconds.
	t := tbs{Folio: folio, Digest: digest, Issued: issued.UTC().Truncate(time.Second),
		Entidad: entidad, Policy: p.Policy, PSC: p.Name}
	switch len(digest) {
	case 32:
		t.Algorithm = oidSHA256
	case 64:
		t.Algorithm = oidSHA512
	default:
		return nil, fmt.Errorf("standin: a %d-byte digest is neither SHA-256 nor SHA-512", len(digest))
	}
	der, err := asn1.Marshal(t)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(der)
	seal, err := p.Key.Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(constancyFile{TBS: asn1.RawValue{FullBytes: der}, Cert: p.Cert.Raw, Seal: seal})
}
