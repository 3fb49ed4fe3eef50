package capture

import (
	"context"
	"crypto/x509"
	"errors"
	"strconv"
	"time"

	"cotejo/storage/audit"
	"cotejo/verify/sello"
)

// AuditVersion is the first value of an audit record's cadena (docs/cadena-original.md).
const AuditVersion = "1.0"

// auditRecord is an audit entry as a sello.Record: its cadena's field sequence.
type auditRecord audit.Entry

func (r auditRecord) Fields() []sello.Field {
	return []sello.Field{
		{Name: "Version", Value: AuditVersion},
		{Name: "Seq", Value: strconv.FormatUint(r.Seq, 10)},
		{Name: "Momento", Value: r.Time.UTC().Format(time.RFC3339Nano)},
		{Name: "Operador", Value: r.Operator, Optional: true},
		{Name: "Accion", Value: r.Action},
		{Name: "Resultado", Value: r.Outcome, Optional: true},
		{Name: "Referencia", Value: r.Ref, Optional: true},
		{Name: "Sujeto", Value: r.Subject, Optional: true},
		{Name: "Anterior", Value: r.Prev},
		{Name: "Hash", Value: r.Hash},
	}
}

// sealTimeout bounds one audit record's signature: the trail's write waits for it.
const sealTimeout = 2 * time.Minute

// auditSealer seals audit records with the institution's signing key.
type auditSealer struct{ signer sello.Signer }

func (s auditSealer) SealEntry(e audit.Entry) (string, string, error) {
	// The trail appends inside a write transaction and has no context to give: the
	// bound keeps a stuck HSM from holding the data file for ever.
	ctx, cancel := context.WithTimeout(context.Background(), sealTimeout)
	defer cancel()
	sealed, err := sello.SealRecord(ctx, s.signer, auditRecord(e))
	return sealed.Cadena, sealed.Sello, err
}

// SealAudit has every audit record appended from now on sealed with signer.
func SealAudit(l *audit.Log, signer sello.Signer) {
	if signer == nil {
		l.SetSealer(nil)
		return
	}
	l.SetSealer(auditSealer{signer})
}

// AuditProblem is the first audit record whose seal does not check out.
type AuditProblem struct {
	Seq uint64
	// Err is a *sello.MismatchError naming the fields whose values differ from the
	// sealed cadena's, or a *sello.SelloError: the sello does not verify.
	Err error
	// CadenaSealed says the sello verifies over the cadena as stored: when a field
	// differs, the record was edited (true), or its cadena or sello (false).
	CadenaSealed bool
}

// AuditCheck is what VerifyAudit found.
type AuditCheck struct {
	Entries  int
	Sealed   int
	Unsealed []uint64      // records written without a seal (before sealing, or a failed one)
	Chain    error         // the chain's check (audit.Log.Verify): nil, or its first break
	Problem  *AuditProblem // the first record whose seal does not check out
}

// ErrAuditSeal is the error of a trail whose chain holds but a record's seal does not.
var ErrAuditSeal = errors.New("capture: an audit record's seal does not check out (el sello de un registro de la bitácora no corresponde)")

// auditPage is how many records VerifyAudit reads at a time.
const auditPage = 512

// VerifyAudit checks the trail: the chain (audit.Log.Verify) and each record's sello
// under cert, rebuilding its cadena from the record as stored. The error is the chain's
// break when there is one, else ErrAuditSeal when a seal fails; the check says which
// record and which field.
func VerifyAudit(ctx context.Context, l *audit.Log, cert *x509.Certificate) (*AuditCheck, error) {
	c := &AuditCheck{}
	if cert == nil {
		return c, &sello.SelloError{Problem: sello.ProblemKey}
	}
	_, c.Chain = l.Verify(ctx)
	var from uint64
	for {
		page, err := l.List(ctx, from, auditPage)
		if err != nil {
			if c.Chain != nil {
				return c, c.Chain // an unreadable record: the chain names it
			}
			return c, err
		}
		for _, e := range page {
			c.Entries++
			if e.Sello == "" && e.Cadena == "" {
				c.Unsealed = append(c.Unsealed, e.Seq)
				continue
			}
			c.Sealed++
			if c.Problem != nil {
				continue
			}
			sealed := sello.Sealed{Cadena: e.Cadena, Sello: e.Sello}
			if err := sello.VerifyRecord(cert.PublicKey, auditRecord(e), sealed); err != nil {
				c.Problem = &AuditProblem{Seq: e.Seq, Err: err, CadenaSealed: sello.VerifyCert(cert, e.Cadena, e.Sello) == nil}
			}
		}
		if len(page) < auditPage {
			break
		}
		from = page[len(page)-1].Seq + 1
	}
	switch {
	case c.Chain != nil:
		return c, c.Chain
	case c.Problem != nil:
		return c, ErrAuditSeal
	}
	return c, nil
}
