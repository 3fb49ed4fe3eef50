package sello

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Signer makes an RSA PKCS#1 v1.5 signature over the SHA-256 of msg. verify.Signer and
// the HSM's pkcs11.Signer are Signers; KeySigner makes one of any crypto.Signer.
type Signer interface {
	Sign(ctx context.Context, msg []byte) ([]byte, error)
}

// KeySigner adapts a crypto.Signer holding an RSA key: a key read from a PEM file, or a
// PKCS#11 object (crypto11) whose private half never leaves the token.
func KeySigner(key crypto.Signer) (Signer, error) {
	if key == nil {
		return nil, errors.New("sello: no key")
	}
	if _, ok := key.Public().(*rsa.PublicKey); !ok {
		return nil, fmt.Errorf("sello: the key is %T; the sello needs RSA", key.Public())
	}
	return keySigner{key}, nil
}

type keySigner struct{ key crypto.Signer }

func (s keySigner) Sign(ctx context.Context, msg []byte) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	digest := sha256.Sum256(msg)
	// crypto.SHA256 as the options is what selects PKCS#1 v1.5 with the DigestInfo:
	// the seed's "encrypt the digest" read as the signature verifiers check.
	sig, err := s.key.Sign(rand.Reader, digest[:], crypto.SHA256)
	if err != nil {
		return nil, fmt.Errorf("sello: signing: %w", err)
	}
	return sig, nil
}

// Seal signs the UTF-8 bytes of cadena and returns the sello: the signature in standard
// padded Base64, on one line.
func Seal(ctx context.Context, s Signer, cadena string) (string, error) {
	if _, err := Parse(cadena); err != nil {
		return "", err
	}
	sig, err := s.Sign(ctx, []byte(cadena))
	if err != nil {
		return "", fmt.Errorf("sello: %w", err)
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}

// MaxSello bounds the sello read from outside: a 16384-bit key's signature in Base64.
const MaxSello = 4 * (16384/8 + 2) / 3

// DecodeSello decodes a sello strictly: the standard alphabet, padding, no line breaks
// or spaces (Go's decoder would skip those), so that each signature has one spelling.
func DecodeSello(sello string) ([]byte, error) {
	if len(sello) > MaxSello {
		return nil, &SelloError{Problem: ProblemTooLong}
	}
	for i := 0; i < len(sello); i++ {
		if c := sello[i]; c == '\r' || c == '\n' {
			return nil, &SelloError{Problem: ProblemBase64}
		}
	}
	sig, err := base64.StdEncoding.Strict().DecodeString(sello)
	if err != nil || len(sig) == 0 {
		return nil, &SelloError{Problem: ProblemBase64, Err: err}
	}
	return sig, nil
}

// Verify checks that sello is the signature of cadena under pub (an *rsa.PublicKey).
// It does not check that cadena is canonical; VerifyRecord does, by rebuilding it.
func Verify(pub crypto.PublicKey, cadena, sello string) error {
	rsaPub, ok := pub.(*rsa.PublicKey)
	if !ok {
		return &SelloError{Problem: ProblemKey, Err: fmt.Errorf("%T", pub)}
	}
	sig, err := DecodeSello(sello)
	if err != nil {
		return err
	}
	if len(sig) != rsaPub.Size() {
		return &SelloError{Problem: ProblemLength, Err: fmt.Errorf("%d bytes, the key needs %d", len(sig), rsaPub.Size())}
	}
	digest := sha256.Sum256([]byte(cadena))
	if err := rsa.VerifyPKCS1v15(rsaPub, crypto.SHA256, digest[:], sig); err != nil {
		return &SelloError{Problem: ProblemSignature, Err: err}
	}
	return nil
}

// VerifyCert is Verify with the signer's certificate. It checks the signature only:
// whether the certificate is trusted, and was valid when the sello was made, is the
// caller's policy.
func VerifyCert(cert *x509.Certificate, cadena, sello string) error {
	if cert == nil {
		return &SelloError{Problem: ProblemKey, Err: errors.New("no certificate")}
	}
	return Verify(cert.PublicKey, cadena, sello)
}

// Sealed is a record's cadena original and its sello, as stored or printed.
type Sealed struct {
	Cadena string `json:"cadena"`
	Sello  string `json:"sello"`
}

// SealRecord builds r's cadena and seals it.
func SealRecord(ctx context.Context, s Signer, r Record) (Sealed, error) {
	c, err := Build(r.Fields())
	if err != nil {
		return Sealed{}, err
	}
	sello, err := Seal(ctx, s, c)
	if err != nil {
		return Sealed{}, err
	}
	return Sealed{Cadena: c, Sello: sello}, nil
}

// VerifyRecord checks a sealed record against the record: the cadena must be the one r
// builds (else a *MismatchError says which fields differ) and the sello must verify
// under pub (else a *SelloError).
func VerifyRecord(pub crypto.PublicKey, r Record, s Sealed) error {
	want, err := Build(r.Fields())
	if err != nil {
		return err
	}
	if want != s.Cadena {
		e := &MismatchError{Differences: Diff(r.Fields(), s.Cadena)}
		if _, err := Parse(s.Cadena); err != nil {
			errors.As(err, &e.Malformed)
		}
		return e
	}
	return Verify(pub, s.Cadena, s.Sello)
}

// Diff says which of fields have another value in cadena. Values are matched by
// position; when the cadena has more or fewer values than the record, the values that
// agree from the start and from the end are matched, and what is left between is
// reported. A cadena that does not parse is compared as best it can be: split at "|".
func Diff(fields []Field, cadena string) []Difference {
	var want []Field
	for _, f := range fields {
		f.Value = Normalize(f.Value)
		if f.Value == "" && f.Optional {
			continue
		}
		want = append(want, f)
	}
	got, err := Parse(cadena)
	if err != nil {
		got = splitLoose(cadena)
	}
	var out []Difference
	if len(got) == len(want) {
		for i, f := range want {
			if f.Value != got[i] {
				out = append(out, Difference{Field: f.Name, Want: f.Value, Got: got[i]})
			}
		}
		return out
	}
	head := 0
	for head < len(want) && head < len(got) && want[head].Value == got[head] {
		head++
	}
	tail := 0
	for tail < len(want)-head && tail < len(got)-head && want[len(want)-1-tail].Value == got[len(got)-1-tail] {
		tail++
	}
	w, g := want[head:len(want)-tail], got[head:len(got)-tail]
	for i := 0; i < len(w) || i < len(g); i++ {
		var d Difference
		if i < len(w) {
			d.Field, d.Want = w[i].Name, w[i].Value
		}
		if i < len(g) {
			d.Got = g[i]
		}
		out = append(out, d)
	}
	return out
}

// splitLoose reads the values of a damaged cadena, for Diff only.
func splitLoose(c string) []string {
	if len(c) > MaxCadena {
		c = c[:MaxCadena]
	}
	for len(c) > 0 && c[0] == '|' {
		c = c[1:]
	}
	for len(c) > 0 && c[len(c)-1] == '|' {
		c = c[:len(c)-1]
	}
	if c == "" {
		return nil
	}
	return strings.Split(c, "|")
}
