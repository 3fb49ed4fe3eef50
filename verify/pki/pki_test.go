package pki_test

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"cotejo/storage/ownerfs"
	"cotejo/verify/pki"
)

func smallPKI(t *testing.T) *pki.Files {
	t.Helper()
	f, err := pki.Init(context.Background(), t.TempDir(), pki.Options{EncryptionBits: 2048, SigningBits: 1024, CABits: 2048})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestInitChainsAndModes(t *testing.T) {
	f := smallPKI(t)
	root, err := pki.LoadCertificate(f.RootCA)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(root)
	for _, tt := range []struct {
		cert  string
		usage x509.ExtKeyUsage
	}{
		{f.ServerCert, x509.ExtKeyUsageServerAuth},
		{f.ClientCert, x509.ExtKeyUsageClientAuth},
		{f.SigningCert, x509.ExtKeyUsageAny},
		{f.INESigningCert, x509.ExtKeyUsageAny},
	} {
		c, err := pki.LoadCertificate(tt.cert)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{tt.usage}}); err != nil {
			t.Errorf("%s: %v", filepath.Base(tt.cert), err)
		}
	}
	srv, _ := pki.LoadCertificate(f.ServerCert)
	if err := srv.VerifyHostname("localhost"); err != nil {
		t.Error(err)
	}
	if err := srv.VerifyHostname("127.0.0.1"); err != nil {
		t.Error(err)
	}
	for _, k := range []string{f.RootCAKey, f.ServerKey, f.EncryptionKey, f.INESigningKey, f.ClientKey, f.SigningKey, f.Config} {
		st, err := os.Stat(k)
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", filepath.Base(k), st.Mode().Perm())
		}
		if err := pki.CheckPrivate(k); err != nil {
			t.Error(err)
		}
	}
	if _, err := pki.Init(context.Background(), filepath.Dir(f.Config), pki.Options{SigningBits: 1024}); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("second init over the same folder: %v", err)
	}
}

func TestConfigReferencesFiles(t *testing.T) {
	f := smallPKI(t)
	var cfg map[string]any
	if _, err := toml.DecodeFile(f.Config, &cfg); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(f.Config)
	n := 0
	for _, section := range []string{"service", "sandbox"} {
		for key, v := range cfg[section].(map[string]any) {
			s, ok := v.(string)
			if !ok || !strings.HasSuffix(s, ".pem") {
				continue
			}
			n++
			if _, err := os.Stat(filepath.Join(dir, s)); err != nil {
				t.Errorf("[%s] %s = %s: %v", section, key, s, err)
			}
		}
	}
	if n < 12 {
		t.Errorf("only %d files referenced", n)
	}
}

func TestDefaultKeySizes(t *testing.T) {
	if testing.Short() {
		t.Skip("4096-bit key generation; skipped under -short")
	}
	f, err := pki.Init(context.Background(), t.TempDir(), pki.Options{})
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := pki.LoadRSAPublicKey(f.EncryptionPublic)
	sig, _ := pki.LoadPrivateKey(f.SigningKey)
	if enc.N.BitLen() != 4096 || sig.Public().(*rsa.PublicKey).N.BitLen() != 2048 {
		t.Errorf("encryption %d bits, signing %d bits", enc.N.BitLen(), sig.Public().(*rsa.PublicKey).N.BitLen())
	}
}

func TestTwoWayTLS(t *testing.T) {
	f := smallPKI(t)
	root, _ := pki.LoadCertificate(f.RootCA)
	pool := x509.NewCertPool()
	pool.AddCert(root)
	srvCert, err := tls.LoadX509KeyPair(f.ServerCert, f.ServerKey)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{srvCert}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool, MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.(*tls.Conn).Handshake()
			c.Write([]byte("ok"))
			c.Close()
		}
	}()
	dial := func(cert tls.Certificate) error {
		c, err := tls.Dial("tcp", ln.Addr().String(), &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, ServerName: "localhost"})
		if err != nil {
			return err
		}
		defer c.Close()
		buf := make([]byte, 2)
		_, err = c.Read(buf)
		return err
	}
	good, _ := tls.LoadX509KeyPair(f.ClientCert, f.ClientKey)
	if err := dial(good); err != nil {
		t.Fatalf("institution client: %v", err)
	}
	other, err := pki.NewCA("Otra", 2048, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	key, _ := pki.LoadPrivateKey(f.ClientKey)
	leaf, err := other.Issue(&x509.Certificate{Subject: pkix.Name{CommonName: "x"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, key.Public())
	if err != nil {
		t.Fatal(err)
	}
	if err := dial(tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key}); err == nil {
		t.Fatal("a client certificate from another CA was accepted")
	}
}

func TestCSR(t *testing.T) {
	keyPEM, csrPEM, err := pki.NewCSR(pki.CSRRequest{State: "CIUDAD DE MEXICO", City: "CIUDAD DE MEXICO", Organization: "Banco X", CommonName: "kiosko.bancox.mx", Email: "seguridad@bancox.mx"})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "k.pem"), keyPEM, 0o600)
	os.WriteFile(filepath.Join(dir, "r.csr"), csrPEM, 0o644)
	key, err := pki.LoadPrivateKey(filepath.Join(dir, "k.pem"))
	if err != nil || key.Public().(*rsa.PublicKey).N.BitLen() != 2048 {
		t.Fatalf("key: %v", err)
	}
	if _, _, err := pki.NewCSR(pki.CSRRequest{State: "X"}); err == nil || !strings.Contains(err.Error(), "city") {
		t.Errorf("incomplete subject: %v", err)
	}
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed: " + err.Error())
	}
	out, err := exec.Command("openssl", "req", "-in", filepath.Join(dir, "r.csr"), "-noout", "-verify", "-subject", "-nameopt", "RFC2253").CombinedOutput()
	if err != nil {
		t.Fatalf("openssl req: %v: %s", err, out)
	}
	for _, want := range []string{"verify OK", "C=MX", "ST=CIUDAD DE MEXICO", "L=CIUDAD DE MEXICO", "O=Banco X", "CN=kiosko.bancox.mx", "emailAddress=seguridad@bancox.mx"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("openssl req output lacks %q:\n%s", want, out)
		}
	}
}

func TestOpenSSLVerifiesChain(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed: " + err.Error())
	}
	f := smallPKI(t)
	for _, c := range []string{f.ClientCert, f.ServerCert, f.SigningCert} {
		out, err := exec.Command("openssl", "verify", "-CAfile", f.RootCA, c).CombinedOutput()
		if err != nil || !strings.Contains(string(out), ": OK") {
			t.Errorf("openssl verify %s: %v %s", filepath.Base(c), err, out)
		}
	}
}

func TestLoadErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "nada.pem")
	os.WriteFile(p, []byte("no pem here"), 0o600)
	for _, err := range []error{
		func() error { _, err := pki.LoadCertificate(p); return err }(),
		func() error { _, err := pki.LoadPrivateKey(p); return err }(),
		func() error { _, err := pki.LoadRSAPublicKey(p); return err }(),
	} {
		if err == nil || !strings.Contains(err.Error(), "nada.pem") {
			t.Errorf("error does not name the file: %v", err)
		}
	}
}

// TestCheckPrivateRefuses: a private key others can read is not loaded, and the es/en
// error says how to make it private again.
func TestCheckPrivateRefuses(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits mean nothing there: storage/ownerfs's Windows tests give a file to others")
	}
	f := smallPKI(t)
	if _, err := pki.LoadPrivateKey(f.ClientKey); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(f.ClientKey, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := pki.LoadPrivateKey(f.ClientKey)
	var e *ownerfs.ExposedError
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "ejecute chmod 600 "+f.ClientKey) || !strings.Contains(err.Error(), "run chmod 600 "+f.ClientKey) {
		t.Errorf("0644 private key: %v", err)
	}
}
