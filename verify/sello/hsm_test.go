package sello_test

import (
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

	"cotejo/verify/pkcs11"
	"cotejo/verify/pkcs11/softhsmtest"
	"cotejo/verify/sello"
)

const softhsm = softhsmtest.Module

// TestSealInSoftHSM seals with a key that lives in a SoftHSM token, reached two ways:
// the app's pkcs11.Signer, and crypto11's crypto.Signer through KeySigner. The sello
// verifies with the key's certificate.
func TestSealInSoftHSM(t *testing.T) {
	softhsmtest.Token(t, "sello-test", "1234")
	dir := t.TempDir()
	ctx11, err := crypto11.Configure(&crypto11.Config{Path: softhsm, TokenLabel: "sello-test", Pin: "1234"})
	if err != nil {
		t.Fatal(err)
	}
	defer ctx11.Close()
	key, err := ctx11.GenerateRSAKeyPairWithLabel([]byte{7}, []byte("sello"), 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(18), Subject: pkix.Name{CommonName: "Sucursal HSM"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	certPath := filepath.Join(dir, "sello.pem")
	os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)

	c := "||AAA010101AAA|ABC123DEF456|1.0||"
	t.Run("crypto.Signer", func(t *testing.T) {
		s, err := sello.KeySigner(key)
		if err != nil {
			t.Fatal(err)
		}
		firma, err := sello.Seal(context.Background(), s, c)
		if err != nil {
			t.Fatal(err)
		}
		if err := sello.VerifyCert(cert, c, firma); err != nil {
			t.Fatal(err)
		}
		if err := sello.VerifyCert(cert, "||AAA010101AAA|ABC123DEF456|1.1||", firma); err == nil {
			t.Fatal("verified over another cadena")
		}
	})
	t.Run("pkcs11.Signer", func(t *testing.T) {
		s, err := pkcs11.Open(pkcs11.Config{Module: softhsm, TokenLabel: "sello-test", PIN: "1234", KeyLabel: "sello", CertFile: certPath})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		firma, err := sello.Seal(context.Background(), s, c)
		if err != nil {
			t.Fatal(err)
		}
		if err := sello.VerifyCert(s.Certificate(), c, firma); err != nil {
			t.Fatal(err)
		}
	})
}
