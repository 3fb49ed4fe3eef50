// Package tsatest runs a real RFC 3161 time-stamping authority on loopback for tests,
// with its own CA, and ways to misbehave.
package tsatest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/digitorus/timestamp"

	"cotejo/verify/pki"
)

// Options make the TSA misbehave.
type Options struct {
	Skew         time.Duration // added to the token's time
	WrongNonce   bool
	WrongImprint bool
	Reject       bool // answer with a rejection status
	Garbage      bool // answer bytes that are not DER
}

// Server is a running TSA.
type Server struct {
	*httptest.Server
	ca   *pki.CA
	cert *x509.Certificate
	key  crypto.Signer
	opts Options
}

// New starts a TSA on 127.0.0.1.
func New(opts Options) (*Server, error) {
	ca, err := pki.NewCA("TSA de prueba", 2048, time.Now())
	if err != nil {
		return nil, err
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	// RFC 3161 §2.3: the TSA certificate's only extended key usage is time stamping,
	// and the extension is critical (Go writes it non-critical unless told).
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	if err != nil {
		return nil, err
	}
	cert, err := ca.Issue(&x509.Certificate{
		Subject:         pkix.Name{CommonName: "TSA de prueba"},
		NotBefore:       time.Now().Add(-24 * time.Hour),
		NotAfter:        time.Now().Add(24 * time.Hour),
		KeyUsage:        x509.KeyUsageDigitalSignature,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}},
	}, &key.PublicKey)
	if err != nil {
		return nil, err
	}
	s := &Server{ca: ca, cert: cert, key: key, opts: opts}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s, nil
}

// Roots is a pool holding the TSA's CA.
func (s *Server) Roots() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.ca.Cert)
	return p
}

// CACertificate is the TSA's root.
func (s *Server) CACertificate() *x509.Certificate { return s.ca.Cert }

// Certificate is the TSA's signing certificate.
func (s *Server) Certificate() *x509.Certificate { return s.cert }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/timestamp-reply")
	if s.opts.Garbage {
		w.Write([]byte("not a time-stamp"))
		return
	}
	if s.opts.Reject {
		out, _ := timestamp.CreateErrorResponse(timestamp.Rejection, timestamp.BadRequest)
		w.Write(out)
		return
	}
	req, err := timestamp.ParseRequest(body)
	if err != nil {
		out, _ := timestamp.CreateErrorResponse(timestamp.Rejection, timestamp.BadDataFormat)
		w.Write(out)
		return
	}
	ts := timestamp.Timestamp{
		HashAlgorithm:     req.HashAlgorithm,
		HashedMessage:     req.HashedMessage,
		Time:              time.Now().Add(s.opts.Skew),
		SerialNumber:      big.NewInt(time.Now().UnixNano()),
		Policy:            []int{1, 3, 6, 1, 4, 1, 99999, 1},
		Nonce:             req.Nonce,
		AddTSACertificate: true,
	}
	if s.opts.WrongNonce {
		ts.Nonce = big.NewInt(42)
	}
	if s.opts.WrongImprint {
		ts.HashedMessage = make([]byte, len(req.HashedMessage))
	}
	out, err := ts.CreateResponseWithOpts(s.cert, s.key, crypto.SHA256)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Write(out)
}
