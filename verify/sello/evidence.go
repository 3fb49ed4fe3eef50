package sello

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// EvidenceVersion is the first value of every verification's cadena: the field sequence
// below. A new sequence gets a new version, so old receipts still verify.
const EvidenceVersion = "1.0"

// TimeLayout is how times are written in the verification's cadena: UTC, to the second,
// as on the receipt.
const TimeLayout = "2006-01-02T15:04:05Z"

// Digest is a SHA-256, written as 64 lower-case hex digits in a cadena and in JSON.
type Digest [sha256.Size]byte

func (d Digest) String() string { return hex.EncodeToString(d[:]) }

// MarshalText writes the digest in hex.
func (d Digest) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads 64 hex digits.
func (d *Digest) UnmarshalText(b []byte) error {
	if len(b) != 2*sha256.Size {
		return fmt.Errorf("sello: a SHA-256 is %d hex digits, not %d", 2*sha256.Size, len(b))
	}
	_, err := hex.Decode(d[:], b)
	return err
}

// Evidence is what Cotejo seals for one verification: enough for an auditor to tie a
// receipt to INE's signed answer, and no more personal data than the receipt shows. Its
// cadena original is, in this order (docs/cadena-original.md):
//
//	Version, Indice, Momento, Operador, Sucursal, CURP?, CIC?,
//	VersionAviso, MomentoConsentimiento, Respuesta, SHA256Respuesta
//
// where ? marks the optional fields, left out with their delimiter when empty.
type Evidence struct {
	Indice         string    `json:"indice"`         // INE's request id
	At             time.Time `json:"momento"`        // when INE answered (or the request was queued)
	Operator       string    `json:"operador"`       // who ran the check
	Branch         string    `json:"sucursal"`       // institution and branch, as on the receipt
	CURP           string    `json:"curp,omitempty"` // masked as on the receipt (receipt.MaskCURP)
	CIC            string    `json:"cic,omitempty"`  // CIC or OCR, masked as on the receipt (receipt.MaskCIC)
	ConsentVersion string    `json:"version_aviso"`  // the privacy notice's version the citizen accepted
	ConsentAt      time.Time `json:"momento_consentimiento"`
	Answer         string    `json:"respuesta"`        // INE's answer in one line: verdict and codes
	AnswerSHA256   Digest    `json:"sha256_respuesta"` // of INE's signed answer, as received
}

// NoRecord is the consent of a verification the kiosk kept no consent record for (an
// entry stored before consents were kept per entry): with ConsentVersion set to it and
// no ConsentAt, both consent fields are sealed as NoRecord rather than left out, so
// the receipt says so.
const NoRecord = "sin registro"

// maskRune is the receipt's mask character (capture/receipt).
const maskRune = "*"

// Fields is the evidence's cadena sequence.
func (e Evidence) Fields() []Field {
	var answer string
	if e.AnswerSHA256 != (Digest{}) {
		answer = e.AnswerSHA256.String()
	}
	consentAt := formatTime(e.ConsentAt)
	if consentAt == "" && e.ConsentVersion == NoRecord {
		consentAt = NoRecord
	}
	return []Field{
		{Name: "Version", Value: EvidenceVersion},
		{Name: "Indice", Value: e.Indice},
		{Name: "Momento", Value: formatTime(e.At)},
		{Name: "Operador", Value: e.Operator},
		{Name: "Sucursal", Value: e.Branch},
		{Name: "CURP", Value: e.CURP, Optional: true},
		{Name: "CIC", Value: e.CIC, Optional: true},
		{Name: "VersionAviso", Value: e.ConsentVersion},
		{Name: "MomentoConsentimiento", Value: consentAt},
		{Name: "Respuesta", Value: e.Answer},
		{Name: "SHA256Respuesta", Value: answer},
	}
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(TimeLayout)
}

// Check refuses evidence that cannot be sealed: a required field empty, a value the
// cadena cannot hold, or a credential identifier that is not masked (the sealed
// evidence is printed and kept; it must not carry the full CURP or CIC).
func (e Evidence) Check() error {
	for _, f := range []Field{{Name: "CURP", Value: e.CURP}, {Name: "CIC", Value: e.CIC}} {
		if strings.TrimSpace(f.Value) != "" && !strings.Contains(f.Value, maskRune) {
			return &FieldError{Field: f.Name, Reason: ReasonUnmasked}
		}
	}
	_, err := Build(e.Fields())
	return err
}

// Cadena is the evidence's cadena original.
func (e Evidence) Cadena() (string, error) {
	if err := e.Check(); err != nil {
		return "", err
	}
	return Build(e.Fields())
}

// Seal builds the cadena and signs it.
func (e Evidence) Seal(ctx context.Context, s Signer) (Sealed, error) {
	if err := e.Check(); err != nil {
		return Sealed{}, err
	}
	return SealRecord(ctx, s, e)
}

// Verify checks sealed against the evidence and the signer's certificate: a
// *MismatchError names the fields whose values differ from the cadena's, a *SelloError
// says the sello does not verify.
func (e Evidence) Verify(cert *x509.Certificate, sealed Sealed) error {
	if cert == nil {
		return &SelloError{Problem: ProblemKey}
	}
	return VerifyRecord(cert.PublicKey, e, sealed)
}
