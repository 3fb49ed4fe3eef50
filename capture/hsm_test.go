package capture_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ThalesGroup/crypto11"

	"cotejo/capture"
	"cotejo/capture/outbox"
	"cotejo/scanner/biometrics/enrolled"
	"cotejo/storage/audit"
	"cotejo/verify"
	"cotejo/verify/pkcs11"
	"cotejo/verify/pkcs11/softhsmtest"
	"cotejo/verify/sandbox/sandboxtest"
)

const softhsm = softhsmtest.Module

// hsmSigner is the app's pkcs11.Signer over an RSA key made in a fresh SoftHSM token,
// with a certificate for it.
func hsmSigner(t *testing.T) *pkcs11.Signer {
	t.Helper()
	softhsmtest.Token(t, "kiosk", "1234")
	dir := t.TempDir()
	ctx11, err := crypto11.Configure(&crypto11.Config{Path: softhsm, TokenLabel: "kiosk", Pin: "1234"})
	if err != nil {
		t.Fatal(err)
	}
	key, err := ctx11.GenerateRSAKeyPairWithLabel([]byte{9}, []byte("firma"), 2048)
	if err != nil {
		ctx11.Close()
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(18), Subject: pkix.Name{CommonName: "Banco de Prueba HSM"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	ctx11.Close()
	if err != nil {
		t.Fatal(err)
	}
	certPath := filepath.Join(dir, "firma.pem")
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
	s, err := pkcs11.Open(pkcs11.Config{Module: softhsm, TokenLabel: "kiosk", PIN: "1234", KeyLabel: "firma", CertFile: certPath})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestSealWithHSM: with the institution's key in a PKCS#11 token (SoftHSM), the
// kiosk's receipt and its audit records are sealed by the token and verify under the
// token's certificate.
func TestSealWithHSM(t *testing.T) {
	hsm := hsmSigner(t)
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	db := openStore(t)
	capture.SealAudit(db.Audit(), hsm)
	entry, err := walk(t, false).Submit(context.Background(), env.Conn.Sealer, &outbox.Sender{DB: db, Client: env.Conn.Client}, true)
	if err != nil {
		t.Fatal(err)
	}
	// The request went to INE's stand-in signed with the key it knows; the receipt is
	// sealed by the token.
	k := &capture.Kiosk{Sealer: &verify.Sealer{Signer: hsm}, Client: env.Conn.Client, DB: db, Threshold: env.Conn.Threshold}
	var pdf bytes.Buffer
	if err := k.Receipt(&pdf, entry, "es", "Banco de Prueba", "Ana"); err != nil {
		t.Fatal(err)
	}
	if _, err := capture.VerifyReceipt(bytes.NewReader(pdf.Bytes()), hsm.Certificate()); err != nil {
		t.Errorf("the receipt sealed in the HSM: %v", err)
	}
	if _, err := db.Audit().Append(audit.Entry{Operator: "ana", Action: "receipt.saved", Ref: entry.Indice}); err != nil {
		t.Fatal(err)
	}
	check, err := capture.VerifyAudit(context.Background(), db.Audit(), hsm.Certificate())
	if err != nil || check.Sealed < 3 || check.Sealed != check.Entries {
		t.Errorf("the trail sealed in the HSM: %+v %v", check, err)
	}
}
