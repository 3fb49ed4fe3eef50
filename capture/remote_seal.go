package capture

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"cotejo/capture/receipt"
	"cotejo/storage/audit"
	"cotejo/verify/remoteid"
	"cotejo/verify/sello"
)

// RemoteSealVersion is the first value of a remote certificate's cadena
// (docs/cadena-original.md).
const RemoteSealVersion = "1.0"

// remoteRecord is a finished remote case and the certificate PDF as a sello.Record:
// the cadena's field sequence. Only masked identifiers enter it, as on a receipt.
type remoteRecord struct {
	c   remoteid.Case
	pdf []byte // the certificate the digest is of
}

func (r remoteRecord) Fields() []sello.Field {
	c := r.c
	var ended, resultado string
	if e, ok := c.Latest(); ok {
		ended = e.UltimaActualizacion
	}
	if res := c.Result(); res != nil {
		resultado = strconv.FormatFloat(float64(res.Resultado), 'f', -1, 64)
	}
	sent := ""
	if !c.SentAt.IsZero() {
		sent = c.SentAt.UTC().Format(time.RFC3339)
	}
	sum := sha256.Sum256(r.pdf)
	return []sello.Field{
		{Name: "Version", Value: RemoteSealVersion},
		{Name: "Solicitud", Value: c.ID},
		{Name: "Enviada", Value: sent, Optional: true},
		{Name: "UltimaActualizacion", Value: ended, Optional: true},
		{Name: "MomentoCertificado", Value: c.CertificateAt.UTC().Format(time.RFC3339)},
		{Name: "Telefono", Value: receipt.MaskCIC(c.Phone), Optional: true},
		{Name: "Documento", Value: receipt.MaskCURP(c.Document), Optional: true},
		{Name: "Estado", Value: strconv.Itoa(int(c.Estado()))},
		{Name: "Resultado", Value: resultado, Optional: true},
		{Name: "SHA256Certificado", Value: hex.EncodeToString(sum[:])},
	}
}

// SealRemoteCertificate seals a case whose certificate is kept: its cadena original
// over the case's outcome and the certificate's SHA-256, signed with the institution's
// key (the one that seals receipts and the audit trail).
func SealRemoteCertificate(ctx context.Context, s sello.Signer, c remoteid.Case) (sello.Sealed, error) {
	if len(c.Certificate) == 0 || c.CertificateAt.IsZero() {
		return sello.Sealed{}, fmt.Errorf("capture: remote case %s has no certificate to seal", c.ID)
	}
	return sello.SealRecord(ctx, s, remoteRecord{c, c.Certificate})
}

// sealCertificate seals a kept certificate that is not sealed yet and stores the seal
// with the case, in the audit trail as "remote.sealed". Without a signer it does
// nothing: the case stays unsealed, which the check reports.
func (r *Remote) sealCertificate(ctx context.Context, c remoteid.Case) (remoteid.Case, error) {
	if r.Signer == nil || len(c.Certificate) == 0 || c.Sello != "" {
		return c, nil
	}
	sealed, err := SealRemoteCertificate(ctx, r.Signer, c)
	if err != nil {
		return c, err
	}
	err = r.Store.Update(ctx, c.ID, func(cur *remoteid.Case) error {
		if sha256.Sum256(cur.Certificate) != sha256.Sum256(c.Certificate) {
			return errors.New("capture: the certificate changed while it was sealed")
		}
		cur.Cadena, cur.Sello = sealed.Cadena, sealed.Sello
		return nil
	})
	if err != nil {
		return c, err
	}
	if _, err := r.Store.DB.Audit().Append(audit.Entry{Operator: "remoteid", Action: "remote.sealed", Ref: c.ID}); err != nil {
		return c, err
	}
	return r.Store.Get(ctx, c.ID)
}

// ErrRemoteUnsealed is a remote case whose certificate carries no seal: fetched
// without a signing key at hand.
var ErrRemoteUnsealed = errors.New("capture: the remote case's certificate is not sealed (el certificado de la verificación remota no está sellado)")

// CheckedRemote is what VerifyRemoteCertificate found.
type CheckedRemote struct {
	Seal sello.Sealed
	// Digest is the SHA-256 of the PDF checked, hex.
	Digest string
	// CadenaSealed says the sello verifies over the cadena as stored: when the cadena
	// does not match, the case or the PDF was altered (true), or the cadena or the
	// sello (false).
	CadenaSealed bool
}

// VerifyRemoteCertificate checks a remote case's seal under cert against pdf (the
// certificate as kept with the case, or a copy of it): the cadena must be the one the
// case and pdf build, and the sello must verify over it. A changed byte of the PDF is
// a *sello.MismatchError naming SHA256Certificado; a *sello.SelloError says the sello
// does not verify; ErrRemoteUnsealed that there is no seal.
func VerifyRemoteCertificate(c remoteid.Case, pdf []byte, cert *x509.Certificate) (*CheckedRemote, error) {
	sum := sha256.Sum256(pdf)
	checked := &CheckedRemote{Seal: sello.Sealed{Cadena: c.Cadena, Sello: c.Sello}, Digest: hex.EncodeToString(sum[:])}
	if c.Sello == "" {
		return checked, ErrRemoteUnsealed
	}
	checked.CadenaSealed = sello.VerifyCert(cert, c.Cadena, c.Sello) == nil
	if err := sello.VerifyRecord(cert.PublicKey, remoteRecord{c, pdf}, checked.Seal); err != nil {
		return checked, err
	}
	return checked, nil
}
