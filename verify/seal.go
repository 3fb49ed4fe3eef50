package verify

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"cotejo/verify/credential"
)

// OAEP names the digests used for RSA-OAEP. INE does not publish them, so both are
// settings; the zero value means SHA-256 for both.
type OAEP struct {
	Hash    crypto.Hash
	MGFHash crypto.Hash
}

func (o OAEP) Options() *rsa.OAEPOptions {
	h, m := o.Hash, o.MGFHash
	if h == 0 {
		h = crypto.SHA256
	}
	if m == 0 {
		m = crypto.SHA256
	}
	return &rsa.OAEPOptions{Hash: h, MGFHash: m}
}

// MaxPlaintext is the longest plaintext OAEP can carry under pub.
func (o OAEP) MaxPlaintext(pub *rsa.PublicKey) int {
	return pub.Size() - 2*o.Options().Hash.Size() - 2
}

// ErrPlaintextTooLong is returned when the credential data do not fit in one OAEP block.
var ErrPlaintextTooLong = errors.New("verify: credential data too long for INE's encryption key")

// Encrypt seals plaintext for INE: RSA-OAEP under INE's public key, standard base64.
func (o OAEP) Encrypt(pub *rsa.PublicKey, plaintext []byte) (string, error) {
	if pub == nil {
		return "", errors.New("verify: no INE encryption key configured")
	}
	if max := o.MaxPlaintext(pub); len(plaintext) > max {
		return "", fmt.Errorf("%w: %d bytes, at most %d", ErrPlaintextTooLong, len(plaintext), max)
	}
	ct, err := rsa.EncryptOAEPWithOptions(rand.Reader, pub, plaintext, o.Options())
	if err != nil {
		return "", fmt.Errorf("verify: encrypting credential data: %w", err)
	}
	return base64.StdEncoding.EncodeToString(ct), nil
}

// DigestEncoding is how digestValue is written: INE's request sample shows upper-case
// hex, its responses base64. Readers accept both.
type DigestEncoding int

const (
	DigestBase64 DigestEncoding = iota
	DigestHex
)

// ParseDigestEncoding reads the config value ("base64" or "hex").
func ParseDigestEncoding(s string) (DigestEncoding, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "base64":
		return DigestBase64, nil
	case "hex":
		return DigestHex, nil
	}
	return 0, fmt.Errorf("verify: digest encoding %q: want base64 or hex", s)
}

// Encode writes a SHA-256 digest in this encoding.
func (e DigestEncoding) Encode(sum []byte) string {
	if e == DigestHex {
		return strings.ToUpper(hex.EncodeToString(sum))
	}
	return base64.StdEncoding.EncodeToString(sum)
}

// decodeDigest reads a digestValue in either encoding.
func decodeDigest(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if len(s) == 2*sha256.Size {
		if b, err := hex.DecodeString(s); err == nil {
			return b, nil
		}
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("verify: digestValue %q is neither hex nor base64 SHA-256", s)
	}
	return b, nil
}

// Fingers are the captured index fingers in one encoding. Right is finger 2, Left is 7;
// either may be nil, not both.
type Fingers struct {
	Tipo          int
	Width, Height int // raw images only
	Right, Left   []byte
}

// Verification is everything the operator gathered for one request.
type Verification struct {
	Credential credential.Credential
	Fingers    *Fingers // nil: data-only verification
	Location   Ubicacion
	Consent    bool
	Indice     string // empty: a fresh one is made
}

// Sealed is a request ready to send: the exact bytes, and what identifies them.
type Sealed struct {
	Indice  string
	Momento time.Time
	Body    []byte
}

// Sealer turns a Verification into INE's signed, encrypted, time-stamped request.
type Sealer struct {
	INEKey  *rsa.PublicKey
	OAEP    OAEP
	Signer  Signer
	Stamper Stamper // nil: the local clock, with the signing certificate's serial
	Digest  DigestEncoding
	Now     func() time.Time
	// NotBefore, when set, is the time of the last request recorded (the outbox's
	// storage.DB.LastRequestTime): without a Stamper, a local time before it means the
	// clock was set back, and the request is refused (*ClockError).
	NotBefore func() (time.Time, error)
}

// ClockError is a local clock behind the last request recorded: INE would receive
// requests stamped out of order, and the outbox's schedule would be off.
type ClockError struct {
	Now, Last time.Time
}

func (e *ClockError) Error() string {
	return fmt.Sprintf("verify: el reloj del equipo (%s) está antes de la última solicitud registrada (%s): corrija la fecha y hora del equipo "+
		"(the computer's clock is before the last request recorded: set the date and time right)",
		e.Now.UTC().Format(time.RFC3339), e.Last.UTC().Format(time.RFC3339))
}

// Seal validates v and builds the request body. Errors caused by the operator's data are
// *credential.FieldError or *InputError values, joined.
func (s *Sealer) Seal(ctx context.Context, v Verification) (*Sealed, error) {
	if s.Signer == nil {
		return nil, errors.New("verify: no signing key configured")
	}
	data, err := s.data(v)
	if err != nil {
		return nil, err
	}
	dataJSON, err := json.Marshal(data)
	if err != nil {
		return nil, fmt.Errorf("verify: encoding data: %w", err)
	}
	indice := v.Indice
	if indice == "" {
		if indice, err = NewIndice(); err != nil {
			return nil, err
		}
	}
	stamp, err := s.stamp(ctx, dataJSON)
	if err != nil {
		return nil, err
	}
	tsJSON, err := json.Marshal(TimeStamp{
		Momento:     stamp.Time.UTC().Format(MomentoLayout),
		Indice:      indice,
		NumeroSerie: stamp.Serial,
	})
	if err != nil {
		return nil, fmt.Errorf("verify: encoding timeStamp: %w", err)
	}
	sigEl, err := SignElements(ctx, s.Signer, s.Digest, dataJSON, tsJSON)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(Request{Data: dataJSON, Signature: sigEl, TimeStamp: tsJSON})
	if err != nil {
		return nil, fmt.Errorf("verify: encoding request: %w", err)
	}
	return &Sealed{Indice: indice, Momento: stamp.Time.UTC(), Body: body}, nil
}

func (s *Sealer) data(v Verification) (*Data, error) {
	pt, err := PlaintextFrom(v.Credential)
	if err != nil {
		return nil, err
	}
	var errs []error
	if !v.Consent {
		errs = append(errs, &InputError{Field: "consentimiento", Reason: ReasonNoConsent})
	}
	if err := v.Location.Validate(); err != nil {
		errs = append(errs, err)
	}
	min, err := v.Fingers.minucias()
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	ptJSON, err := json.Marshal(pt)
	if err != nil {
		return nil, fmt.Errorf("verify: encoding plaintext: %w", err)
	}
	ct, err := s.OAEP.Encrypt(s.INEKey, ptJSON)
	if err != nil {
		return nil, err
	}
	return &Data{DatosCifrados: ct, Minucias: min, Ubicacion: &v.Location, Consentimiento: true}, nil
}

func (s *Sealer) stamp(ctx context.Context, data []byte) (Stamp, error) {
	if s.Stamper != nil {
		st, err := s.Stamper.Stamp(ctx, data)
		if err != nil {
			return Stamp{}, fmt.Errorf("verify: time stamp: %w", err)
		}
		return st, nil
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	t := now()
	if s.NotBefore != nil {
		last, err := s.NotBefore()
		if err != nil {
			return Stamp{}, fmt.Errorf("verify: time stamp: %w", err)
		}
		// Momento has whole seconds: a request in the same second as the last is in order.
		if t.Truncate(time.Second).Before(last.Truncate(time.Second)) {
			return Stamp{}, &ClockError{Now: t, Last: last}
		}
	}
	return Stamp{Time: t, Serial: DottedSerial(s.Signer.Certificate().SerialNumber)}, nil
}

// SignedString is what both sides sign and verify: the data (or response) element's
// bytes immediately followed by the timeStamp element's bytes.
func SignedString(data, timeStamp []byte) []byte {
	b := make([]byte, 0, len(data)+len(timeStamp))
	return append(append(b, data...), timeStamp...)
}

// SignElements signs an element (data or response) with its timeStamp and returns the
// signature element to embed beside the same bytes.
func SignElements(ctx context.Context, signer Signer, enc DigestEncoding, element, timeStamp []byte) (Signature, error) {
	signed := SignedString(element, timeStamp)
	sig, err := signer.Sign(ctx, signed)
	if err != nil {
		return Signature{}, err
	}
	sum := sha256.Sum256(signed)
	return NewSignature(enc.Encode(sum[:]), sig, signer.Certificate().SerialNumber), nil
}

// NewSignature fills the signature element for a signed string's digest and signature.
func NewSignature(digest string, sig []byte, serial *big.Int) Signature {
	return Signature{
		SignedInfo: SignedInfo{
			CanonicalizationMethod: Algorithm{AlgC14N},
			SignatureMethod:        Algorithm{AlgRSASHA256},
			Reference: Reference{
				DigestMethod: Algorithm{AlgSHA256},
				DigestValue:  digest,
				URI:          ReferenceURI,
			},
		},
		SignatureValue: base64.StdEncoding.EncodeToString(sig),
		KeyInfo:        KeyInfo{X509Data{X509SerialNumber: serial.Text(16)}},
	}
}

// CheckSignature verifies a signature element over signed with the certificate's RSA
// key: the digest must match and the RSA-SHA256 signature must verify.
func CheckSignature(sigEl Signature, signed []byte, pub *rsa.PublicKey) error {
	sum := sha256.Sum256(signed)
	got, err := decodeDigest(sigEl.SignedInfo.Reference.DigestValue)
	if err != nil {
		return &SignatureError{Reason: "digest unreadable", Err: err}
	}
	if !bytes.Equal(got, sum[:]) {
		return &SignatureError{Reason: "digest does not match the signed bytes"}
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(sigEl.SignatureValue))
	if err != nil {
		return &SignatureError{Reason: "signatureValue is not base64", Err: err}
	}
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		return &SignatureError{Reason: "RSA signature does not verify", Err: err, Invalid: true}
	}
	return nil
}

// SignatureError says why a signature was refused. Invalid is true when the digest was
// right but the RSA signature was not (INE's code 113 rather than 112).
type SignatureError struct {
	Reason  string
	Invalid bool
	Err     error
}

func (e *SignatureError) Error() string {
	if e.Err != nil {
		return "verify: signature refused: " + e.Reason + ": " + e.Err.Error()
	}
	return "verify: signature refused: " + e.Reason
}

func (e *SignatureError) Unwrap() error { return e.Err }

// NewIndice makes a request index: 16 random decimal digits, the form of INE's samples.
// 10^16 values make a collision between two requests of one institution negligible.
func NewIndice() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(9e15))
	if err != nil {
		return "", fmt.Errorf("verify: making indice: %w", err)
	}
	return n.Add(n, big.NewInt(1e15)).String(), nil
}
