package capture_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"cotejo/capture"
	"cotejo/capture/receipt"
	"cotejo/verify/pki"
	"cotejo/verify/sello"
)

// sealedReceipt writes a receipt sealed with package sello's committed test key and
// returns the PDF and the evidence sealed.
func sealedReceipt(t *testing.T) ([]byte, sello.Evidence) {
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
	at := time.Date(2026, 11, 30, 23, 38, 9, 0, time.UTC)
	e := sello.Evidence{
		Indice: "0f6c2b1e-5a37-4c1d-9d7e-2b8a4f1c3e90", At: at, Operator: "demo", Branch: "Banco Demo, Sucursal Centro",
		CURP: receipt.MaskCURP("MAMA800101HDFRRR35"), CIC: receipt.MaskCIC("354760982"),
		ConsentVersion: "2026-01", ConsentAt: at.Add(-2 * time.Minute),
		Answer: "Válida; datos 6/6 coinciden", AnswerSHA256: sha256.Sum256([]byte(`{"respuesta":"firmada"}`)),
	}
	seal, err := capture.SealReceipt(context.Background(), s, e)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	r := receipt.Receipt{Lang: "es", Institution: e.Branch, Operator: e.Operator, Indice: e.Indice, At: at,
		Verdict: "VÁLIDA", Good: true, Citizen: "MARÍA", CURP: "MAMA800101HDFRRR35", CIC: "354760982", Seal: seal}
	if err := receipt.Write(&buf, r, receipt.Options{}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), e
}

// testCert is the committed test key's certificate.
const testCert = "../verify/sello/testdata/cert.pem"

// other is a Base64 character other than c.
func other(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// subjectHex is how the receipt's metadata spells s: UTF-16BE in upper-case hex.
func subjectHex(s string) []byte {
	var b strings.Builder
	for _, u := range utf16.Encode([]rune(s)) {
		fmt.Fprintf(&b, "%04X", u)
	}
	return []byte(b.String())
}

// tamper replaces the first old in the PDF's metadata with new, of the same length,
// so the PDF's cross-reference offsets stay right: the edit a forger would make.
func tamper(t *testing.T, pdf []byte, old, new string) []byte {
	t.Helper()
	o, n := subjectHex(old), subjectHex(new)
	if len(o) != len(n) || !bytes.Contains(pdf, o) {
		t.Fatalf("cannot replace %q with %q", old, new)
	}
	return bytes.Replace(pdf, o, n, 1)
}

// TestVerifyReceipt: a sealed receipt verifies; one byte changed in its cadena, its
// sello or its evidence is reported with what changed.
func TestVerifyReceipt(t *testing.T) {
	pdf, e := sealedReceipt(t)
	cert, err := pki.LoadCertificate(testCert)
	if err != nil {
		t.Fatal(err)
	}
	checked, err := capture.VerifyReceipt(bytes.NewReader(pdf), cert)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := e.Cadena()
	if checked.Seal.Cadena != want || !checked.CadenaSealed || checked.Evidence.Indice != e.Indice {
		t.Errorf("read %+v", checked)
	}

	sealedSello := checked.Seal.Sello
	tests := []struct {
		name, old, new string
		field          string // the field reported; "" for a sello that does not verify
		cadenaSealed   bool
	}{
		{"one byte of the cadena's operator", "|demo|", "|demp|", "Operador", false},
		{"one byte of the cadena's time", "|2026-11-30T23:38:09Z|", "|2026-11-30T23:38:08Z|", "Momento", false},
		{"one byte of the cadena's answer digest", "|" + hex.EncodeToString(e.AnswerSHA256[:4]), "|" + hex.EncodeToString(e.AnswerSHA256[:3]) + "00", "SHA256Respuesta", false},
		{"one byte of the evidence's operator", `"operador":"demo"`, `"operador":"dema"`, "Operador", true},
		{"one byte of the sello", sealedSello[:20], sealedSello[:19] + other(sealedSello[19]), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checked, err := capture.VerifyReceipt(bytes.NewReader(tamper(t, pdf, tt.old, tt.new)), cert)
			if err == nil {
				t.Fatal("verified")
			}
			if checked.CadenaSealed != tt.cadenaSealed {
				t.Errorf("CadenaSealed %v", checked.CadenaSealed)
			}
			if tt.field == "" {
				var se *sello.SelloError
				if !errors.As(err, &se) || se.Problem != sello.ProblemSignature {
					t.Fatalf("%v, want a signature mismatch", err)
				}
				return
			}
			var me *sello.MismatchError
			if !errors.As(err, &me) || strings.Join(me.Fields(), ",") != tt.field {
				t.Fatalf("%v, want field %s", err, tt.field)
			}
		})
	}
	t.Run("another certificate", func(t *testing.T) {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		var se *sello.SelloError
		if _, err := capture.VerifyReceipt(bytes.NewReader(pdf), &x509.Certificate{PublicKey: &key.PublicKey}); !errors.As(err, &se) {
			t.Fatalf("%v", err)
		}
	})
	t.Run("unsealed receipt", func(t *testing.T) {
		var buf bytes.Buffer
		receipt.Write(&buf, receipt.Receipt{Indice: "x"}, receipt.Options{})
		if _, err := capture.VerifyReceipt(&buf, cert); !errors.Is(err, receipt.ErrNoSeal) {
			t.Fatalf("%v", err)
		}
	})
}
