package capture

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"cotejo/capture/receipt"
	"cotejo/verify/sello"
)

// SealReceipt seals a verification's evidence for its receipt: the cadena original, its
// sello and the evidence itself, which the receipt prints and keeps in its metadata.
func SealReceipt(ctx context.Context, s sello.Signer, e sello.Evidence) (*receipt.Seal, error) {
	sealed, err := e.Seal(ctx, s)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("capture: evidence: %w", err)
	}
	return &receipt.Seal{Cadena: sealed.Cadena, Sello: sealed.Sello, Evidence: raw}, nil
}

// CheckedReceipt is what VerifyReceipt read from a receipt.
type CheckedReceipt struct {
	Evidence sello.Evidence
	Seal     receipt.Seal
	// CadenaSealed says the sello verifies over the cadena as stored. When the cadena
	// does not match the evidence it tells which was altered: the evidence (true) or
	// the cadena or the sello (false).
	CadenaSealed bool
}

// VerifyReceipt reads the seal a receipt PDF keeps and checks it under cert: the cadena
// must be the one its evidence builds, and the sello must verify over it. It returns
// what it read along with the first problem: a *sello.MismatchError says which fields
// differ, a *sello.SelloError that the sello does not verify, receipt.ErrNoSeal that
// the PDF carries none.
func VerifyReceipt(pdf io.Reader, cert *x509.Certificate) (*CheckedReceipt, error) {
	s, err := receipt.ReadSeal(pdf)
	if err != nil {
		return nil, err
	}
	c := &CheckedReceipt{Seal: *s}
	c.CadenaSealed = sello.VerifyCert(cert, s.Cadena, s.Sello) == nil
	if len(s.Evidence) == 0 {
		return c, errors.New("capture: the receipt's seal carries no evidence (el sello del comprobante no trae la evidencia)")
	}
	if err := json.Unmarshal(s.Evidence, &c.Evidence); err != nil {
		return c, fmt.Errorf("capture: the receipt's evidence: %w", err)
	}
	return c, c.Evidence.Verify(cert, sello.Sealed{Cadena: s.Cadena, Sello: s.Sello})
}
