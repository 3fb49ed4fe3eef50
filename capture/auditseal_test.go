package capture_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cotejo/capture"
	"cotejo/storage/audit"
	"cotejo/verify/pki"
	"cotejo/verify/sello"
)

// testSigner is package sello's committed test key and its certificate.
func testSigner(t *testing.T) (sello.Signer, *x509.Certificate) {
	t.Helper()
	raw, err := os.ReadFile("../verify/sello/testdata/key.pem")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	os.WriteFile(path, raw, 0o600)
	key, err := pki.LoadPrivateKey(path)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sello.KeySigner(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := pki.LoadCertificate("../verify/sello/testdata/cert.pem")
	if err != nil {
		t.Fatal(err)
	}
	return s, cert
}

// TestSealAudit: records appended after SealAudit carry the cadena of
// docs/cadena-original.md (an empty outcome or reference left out) and a sello that
// VerifyAudit checks under the certificate; records from before are reported
// unsealed, not broken. Under another key's certificate the first sealed record is
// the problem.
func TestSealAudit(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	l := db.Audit()
	if _, err := l.Append(audit.Entry{Operator: "ana", Action: "signin.ok"}); err != nil {
		t.Fatal(err)
	}
	s, cert := testSigner(t)
	capture.SealAudit(l, s)
	at := time.Date(2026, 11, 30, 23, 38, 9, 123456789, time.UTC)
	e, err := l.Append(audit.Entry{Time: at, Operator: "ana", Action: "queue.enqueue", Outcome: "pending", Ref: "0f6c2b1e", Subject: "5d41402abc4b2a76"})
	if err != nil {
		t.Fatal(err)
	}
	want := "||1.0|" + "2|2026-11-30T23:38:09.123456789Z|ana|queue.enqueue|pending|0f6c2b1e|5d41402abc4b2a76|" + e.Prev + "|" + e.Hash + "||"
	if e.Cadena != want || e.Sello == "" {
		t.Errorf("cadena %s\nwant   %s", e.Cadena, want)
	}
	if e, err = l.Append(audit.Entry{Operator: "ana", Action: "signin.ok"}); err != nil || !strings.Contains(e.Cadena, "|ana|signin.ok|"+e.Prev+"|") {
		t.Errorf("a record without outcome: %v %s", err, e.Cadena)
	}
	if l.SealErr() != nil {
		t.Fatal(l.SealErr())
	}
	check, err := capture.VerifyAudit(ctx, l, cert)
	if err != nil || check.Entries != 3 || check.Sealed != 2 || !slices.Equal(check.Unsealed, []uint64{1}) || check.Problem != nil {
		t.Fatalf("%+v %v", check, err)
	}

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	var se *sello.SelloError
	check, err = capture.VerifyAudit(ctx, l, &x509.Certificate{PublicKey: &key.PublicKey})
	if !errors.Is(err, capture.ErrAuditSeal) || check.Problem == nil || check.Problem.Seq != 2 || !errors.As(check.Problem.Err, &se) || check.Chain != nil {
		t.Errorf("another certificate: %+v %v", check, err)
	}
}
