// Package rfc3161 time-stamps INE requests with an RFC 3161 time-stamping authority:
// the TSA vouches for when the data element existed, and its token's time and
// certificate serial fill the request's momento and numeroSerie.
package rfc3161

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"net/http"
	"time"

	"github.com/digitorus/timestamp"

	"cotejo/verify"
)

// ErrImprintMismatch means the token stamps other data than ours.
var ErrImprintMismatch = errors.New("rfc3161: the token stamps other data")

// ErrNonceMismatch means the token answers another request (or a replay).
var ErrNonceMismatch = errors.New("rfc3161: the token's nonce is not ours")

// StatusError is a TSA's refusal.
type StatusError struct{ Err error }

func (e *StatusError) Error() string { return "rfc3161: the TSA refused: " + e.Err.Error() }
func (e *StatusError) Unwrap() error { return e.Err }

// Client asks one TSA for tokens.
type Client struct {
	URL        string
	Roots      *x509.CertPool // the TSA certificate must chain to these
	HTTPClient *http.Client   // default: 30 s timeout
	Hash       crypto.Hash    // default SHA-256
	Policy     asn1.ObjectIdentifier
	MaxSkew    time.Duration // how far genTime may be from the local clock; default 5 min
	Now        func() time.Time
}

// Token is a verified time-stamp token.
type Token struct {
	Stamp       verify.Stamp
	DER         []byte // the token, kept as evidence
	Certificate *x509.Certificate
}

// Stamp implements verify.Stamper.
func (c *Client) Stamp(ctx context.Context, data []byte) (verify.Stamp, error) {
	t, err := c.Timestamp(ctx, data)
	if err != nil {
		return verify.Stamp{}, err
	}
	return t.Stamp, nil
}

// Timestamp gets and checks a token over data: status, imprint, nonce, signature, the
// TSA certificate's chain to Roots with the time-stamping usage, and the clock.
func (c *Client) Timestamp(ctx context.Context, data []byte) (*Token, error) {
	h := c.Hash
	if h == 0 {
		h = crypto.SHA256
	}
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, err
	}
	reqDER, err := timestamp.CreateRequest(bytes.NewReader(data), &timestamp.RequestOptions{
		Hash: h, Certificates: true, Nonce: nonce, TSAPolicyOID: c.Policy,
	})
	if err != nil {
		return nil, fmt.Errorf("rfc3161: request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(reqDER))
	if err != nil {
		return nil, fmt.Errorf("rfc3161: %w", err)
	}
	req.Header.Set("Content-Type", "application/timestamp-query")
	hc := c.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("rfc3161: %w", ctx.Err())
		}
		return nil, fmt.Errorf("rfc3161: TSA unreachable: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, fmt.Errorf("rfc3161: reading reply: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("rfc3161: TSA answered HTTP %d", resp.StatusCode)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "application/timestamp-reply" {
		return nil, fmt.Errorf("rfc3161: TSA answered %q, not a time-stamp reply", mt)
	}
	ts, err := timestamp.ParseResponse(body)
	if err != nil {
		var re *timestamp.ParseError
		if errors.As(err, &re) {
			return nil, fmt.Errorf("rfc3161: unreadable reply: %w", err)
		}
		return nil, &StatusError{Err: err}
	}
	want := h.New()
	want.Write(data)
	if ts.HashAlgorithm != h || !bytes.Equal(ts.HashedMessage, want.Sum(nil)) {
		return nil, ErrImprintMismatch
	}
	if ts.Nonce == nil || ts.Nonce.Cmp(nonce) != 0 {
		return nil, ErrNonceMismatch
	}
	cert, err := c.verifyChain(ts)
	if err != nil {
		return nil, err
	}
	now, skew := time.Now, c.MaxSkew
	if c.Now != nil {
		now = c.Now
	}
	if skew == 0 {
		skew = 5 * time.Minute
	}
	if d := ts.Time.Sub(now()); d > skew || d < -skew {
		return nil, fmt.Errorf("rfc3161: the TSA's time %s is %v away from ours", ts.Time.UTC().Format(time.RFC3339), d.Round(time.Second))
	}
	return &Token{
		Stamp:       verify.Stamp{Time: ts.Time.UTC(), Serial: verify.DottedSerial(cert.SerialNumber)},
		DER:         ts.RawToken,
		Certificate: cert,
	}, nil
}

// verifyChain finds the certificate that signed the token and checks it chains to the
// configured roots for time-stamping. The parser checked the signature, not the chain.
func (c *Client) verifyChain(ts *timestamp.Timestamp) (*x509.Certificate, error) {
	if c.Roots == nil {
		return nil, errors.New("rfc3161: no TSA roots configured")
	}
	if len(ts.Certificates) == 0 {
		return nil, errors.New("rfc3161: the token carries no certificate")
	}
	inter := x509.NewCertPool()
	for _, cert := range ts.Certificates[1:] {
		inter.AddCert(cert)
	}
	var lastErr error
	for _, cert := range ts.Certificates {
		_, err := cert.Verify(x509.VerifyOptions{
			Roots: c.Roots, Intermediates: inter, CurrentTime: ts.Time,
			KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
		})
		if err == nil && !criticalEKU(cert) {
			err = errors.New("its extended key usage is not marked critical (RFC 3161 §2.3)")
		}
		if err == nil {
			return cert, nil
		}
		lastErr = err
	}
	return nil, fmt.Errorf("rfc3161: TSA certificate not trusted: %w", lastErr)
}

func criticalEKU(c *x509.Certificate) bool {
	for _, e := range c.Extensions {
		if e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 37}) {
			return e.Critical
		}
	}
	return false
}
