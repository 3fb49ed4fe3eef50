package config_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"cotejo/verify"
	"cotejo/verify/config"
	"cotejo/verify/credential"
	"cotejo/verify/pki"
	"cotejo/verify/rfc3161/tsatest"
)

type file struct {
	Service config.Service `toml:"service"`
}

func load(t *testing.T) (config.Service, string) {
	t.Helper()
	f, err := pki.Init(context.Background(), t.TempDir(), pki.Options{EncryptionBits: 3072, SigningBits: 1024, CABits: 2048})
	if err != nil {
		t.Fatal(err)
	}
	var fc file
	if _, err := toml.DecodeFile(f.Config, &fc); err != nil {
		t.Fatal(err)
	}
	return fc.Service, filepath.Dir(f.Config)
}

func TestOpenWithTSA(t *testing.T) {
	svc, dir := load(t)
	tsa, err := tsatest.New(tsatest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tsa.Close()
	os.WriteFile(filepath.Join(dir, "tsa-root.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: tsa.CACertificate().Raw}), 0o644)
	svc.TSA = &config.TSA{URL: tsa.URL, Roots: "tsa-root.pem"}
	conn, err := svc.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if conn.Threshold != 70 {
		t.Errorf("threshold %v", conn.Threshold)
	}
	sealed, err := conn.Sealer.Seal(context.Background(), verify.Verification{
		Credential: credential.Credential{Modelo: "G", CIC: "123456789"},
		Location:   verify.Ubicacion{Localidad: &verify.Localidad{CodigoPostal: "06000", Ciudad: "CDMX", Estado: 9}},
		Consent:    true,
	})
	if err != nil {
		t.Fatal(err)
	}
	var req struct{ TimeStamp verify.TimeStamp }
	json.Unmarshal(sealed.Body, &req)
	if req.TimeStamp.NumeroSerie != verify.DottedSerial(tsa.Certificate().SerialNumber) {
		t.Errorf("numeroSerie %q is not the TSA's", req.TimeStamp.NumeroSerie)
	}
	if _, err := verify.ParseMomento(req.TimeStamp.Momento); err != nil {
		t.Error(err)
	}
}

func TestOpenNamesTheBadSetting(t *testing.T) {
	tests := []struct {
		name   string
		change func(*config.Service)
		want   string
	}{
		{"no url", func(s *config.Service) { s.URL = "" }, "url"},
		{"http url", func(s *config.Service) { s.URL = "http://x" + verify.ServicePath }, "https"},
		{"no CA", func(s *config.Service) { s.CACert = "nada.pem" }, "ca_cert"},
		{"client cert", func(s *config.Service) { s.ClientKey = "ine-server-key.pem" }, "client_cert"},
		{"encryption key", func(s *config.Service) { s.INEEncryptionKey = "nada.pem" }, "ine_encryption_key"},
		{"signing key mismatch", func(s *config.Service) { s.SigningKey = "institution-client-key.pem" }, "signing_key"},
		{"oaep", func(s *config.Service) { s.OAEPHash = "md5" }, "oaep_hash"},
		{"digest", func(s *config.Service) { s.DigestEncoding = "base32" }, "digest_encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, dir := load(t)
			tt.change(&svc)
			_, err := svc.Open(dir)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want mention of %s", err, tt.want)
			}
		})
	}
}

// TestOpenRefusesExposedKeysAndBadThreshold: private keys others can read are refused
// like the data key (issue 15, point 9), and the threshold stays within [50, 100]
// (point 12).
func TestOpenRefusesExposedKeysAndBadThreshold(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *config.Service, dir string)
		want   string
	}{
		{"client key 0644", func(s *config.Service, dir string) { os.Chmod(filepath.Join(dir, s.ClientKey), 0o644) }, "client_key"},
		{"signing key 0640", func(s *config.Service, dir string) { os.Chmod(filepath.Join(dir, s.SigningKey), 0o640) }, "signing_key"},
		{"threshold 1", func(s *config.Service, dir string) { s.Threshold = 1 }, "threshold"},
		{"threshold 49.9", func(s *config.Service, dir string) { s.Threshold = 49.9 }, "threshold"},
		{"threshold 101", func(s *config.Service, dir string) { s.Threshold = 101 }, "threshold"},
		{"threshold NaN", func(s *config.Service, dir string) { s.Threshold = math.NaN() }, "threshold"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc, dir := load(t)
			tt.change(&svc, dir)
			conn, err := svc.Open(dir)
			if err == nil {
				conn.Close()
				t.Fatal("opened")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want mention of %s", err, tt.want)
			}
		})
	}
	for _, th := range []float64{50, 70, 100} {
		svc, dir := load(t)
		svc.Threshold = th
		conn, err := svc.Open(dir)
		if err != nil {
			t.Fatalf("threshold %v: %v", th, err)
		}
		conn.Close()
	}
}

// TestOpenSigner: the signing key opens alone, without the rest of the service (no
// INE address), and signs under the configured certificate; a missing key names its
// setting.
func TestOpenSigner(t *testing.T) {
	svc, dir := load(t)
	svc.URL = ""
	signer, closeSigner, err := svc.OpenSigner(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer closeSigner()
	msg := []byte("||1.0|1|2026-11-30T23:38:09Z|ana|signin.ok|aa|bb||")
	sig, err := signer.Sign(context.Background(), msg)
	if err != nil {
		t.Fatal(err)
	}
	if err := signer.Certificate().CheckSignature(x509.SHA256WithRSA, msg, sig); err != nil {
		t.Errorf("the signature does not verify under the signing certificate: %v", err)
	}
	svc.SigningKey = "missing.pem"
	if _, _, err := svc.OpenSigner(dir); err == nil || !strings.Contains(err.Error(), "signing_key") {
		t.Errorf("missing key: %v", err)
	}
}
