package capture

import (
	"crypto/x509"
	"errors"
	"testing"

	"cotejo/storage/audit"
	"cotejo/verify/pki"
	"cotejo/verify/sello"
)

// FuzzAuditRecord feeds stored audit records, as a tampered data file could hold them,
// to the evidence check: it must not panic, and a record it accepts must rebuild the
// very cadena it stores.
func FuzzAuditRecord(f *testing.F) {
	cert, err := pki.LoadCertificate("../verify/sello/testdata/cert.pem")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"seq":2,"time":"2026-11-30T23:38:09.123456789Z","operator":"ana","action":"queue.enqueue","outcome":"pending","ref":"0f6c2b1e","prev":"aa","hash":"bb","cadena":"||1.0|2|2026-11-30T23:38:09.123456789Z|ana|queue.enqueue|pending|0f6c2b1e|aa|bb||","sello":"AAAA"}`))
	f.Add([]byte(`{"seq":1,"time":"2026-11-30T23:38:09Z","operator":"","action":"signin.ok","outcome":"","prev":"aa","hash":"bb","cadena":"||1.0|1||","sello":"===="}`))
	f.Add([]byte(`{"seq":3,"time":"2026-11-30T23:38:09Z","action":"x|y","prev":"a\u00a0","hash":"b","cadena":"","sello":""}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, err := audit.DecodeEntry(raw)
		if err != nil {
			return
		}
		checkAuditRecord(t, cert, e)
	})
}

func checkAuditRecord(t *testing.T, cert *x509.Certificate, e audit.Entry) {
	err := sello.VerifyRecord(cert.PublicKey, auditRecord(e), sello.Sealed{Cadena: e.Cadena, Sello: e.Sello})
	var me *sello.MismatchError
	if errors.As(err, &me) && len(me.Differences) == 0 {
		t.Errorf("a mismatch that names no difference: %q", e.Cadena)
	}
	var se *sello.SelloError
	if errors.As(err, &se) {
		if c, berr := sello.Build(auditRecord(e).Fields()); berr != nil || c != e.Cadena {
			t.Errorf("the sello was checked over a cadena the record does not build: %q", e.Cadena)
		}
	}
}
