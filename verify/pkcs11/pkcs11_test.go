package pkcs11_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThalesGroup/crypto11"

	"cotejo/verify/pkcs11"
	"cotejo/verify/pkcs11/softhsmtest"
)

const module = softhsmtest.Module

// token makes a fresh SoftHSM token holding an RSA 2048 key pair labelled "firma" and
// returns a Config for it, with the key's self-signed certificate in a PEM file.
func token(tb testing.TB) pkcs11.Config {
	tb.Helper()
	softhsmtest.Token(tb, "cotejo-test", "1234")
	dir := tb.TempDir()
	c, err := crypto11.Configure(&crypto11.Config{Path: module, TokenLabel: "cotejo-test", Pin: "1234"})
	if err != nil {
		tb.Fatal(err)
	}
	key, err := c.GenerateRSAKeyPairWithLabel([]byte{1}, []byte("firma"), 2048)
	if err != nil {
		tb.Fatal(err)
	}
	certPath := filepath.Join(dir, "firma.pem")
	writeCert(tb, certPath, key, key.Public())
	if err := c.Close(); err != nil {
		tb.Fatal(err)
	}
	return pkcs11.Config{Module: module, TokenLabel: "cotejo-test", PIN: "1234", KeyLabel: "firma", CertFile: certPath}
}

func writeCert(tb testing.TB, path string, signer crypto.Signer, pub crypto.PublicKey) {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(77), Subject: pkix.Name{CommonName: "Banco HSM"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, signer)
	if err != nil {
		tb.Fatal(err)
	}
	os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644)
}

func TestSignInSoftHSM(t *testing.T) {
	cfg := token(t)
	s, err := pkcs11.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	msg := []byte(`{"datosCifrados":"..."}{"momento":"20260101000000Z"}`)
	sig, err := s.Sign(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	pub := s.Certificate().PublicKey.(*rsa.PublicKey)
	sum := sha256.Sum256(msg)
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		t.Fatalf("HSM signature does not verify: %v", err)
	}
	other := sha256.Sum256([]byte("otra cosa"))
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, other[:], sig) == nil {
		t.Fatal("signature verifies over other bytes")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.Sign(context.Background(), msg); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := s.Sign(ctx, msg); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed")
	}
	dir := t.TempDir()
	pubDER, _ := x509.MarshalPKIXPublicKey(pub)
	os.WriteFile(filepath.Join(dir, "pub.pem"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o644)
	os.WriteFile(filepath.Join(dir, "msg"), msg, 0o644)
	os.WriteFile(filepath.Join(dir, "sig"), sig, 0o644)
	out, err := exec.Command("openssl", "dgst", "-sha256", "-verify", filepath.Join(dir, "pub.pem"), "-signature", filepath.Join(dir, "sig"), filepath.Join(dir, "msg")).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "Verified OK" {
		t.Errorf("openssl: %v %s", err, out)
	}
}

func TestOpenErrors(t *testing.T) {
	cfg := token(t)
	wrongCert := filepath.Join(t.TempDir(), "otra.pem")
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	writeCert(t, wrongCert, k, &k.PublicKey)
	tests := []struct {
		name   string
		change func(*pkcs11.Config)
		want   string
	}{
		{"wrong PIN", func(c *pkcs11.Config) { c.PIN = "9999" }, "PIN"},
		{"unknown key", func(c *pkcs11.Config) { c.KeyLabel = "nadie" }, "nadie"},
		{"unknown token", func(c *pkcs11.Config) { c.TokenLabel = "otro" }, "otro"},
		{"no module", func(c *pkcs11.Config) { c.Module = "/nonexistent.so" }, "module"},
		{"certificate of another key", func(c *pkcs11.Config) { c.CertFile = wrongCert }, "does not match"},
		{"no PIN", func(c *pkcs11.Config) { c.PIN = "" }, pkcs11.PINEnv},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cfg
			tt.change(&c)
			s, err := pkcs11.Open(c)
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "9999") {
				t.Errorf("error repeats the PIN: %v", err)
			}
		})
	}
}

func BenchmarkSign(b *testing.B) {
	s, err := pkcs11.Open(token(b))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	msg := make([]byte, 2048)
	for b.Loop() {
		if _, err := s.Sign(context.Background(), msg); err != nil {
			b.Fatal(err)
		}
	}
}
