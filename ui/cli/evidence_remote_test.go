package cli

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cotejo/capture"
	"cotejo/verify/remoteid"
)

// TestEvidenceRemote: a remote case's certificate, sealed with the institution's key
// as the kiosk keeps it, verifies from the data file and as a saved copy; a copy with
// one byte changed is reported by field (SHA256Certificado), exit 1, the sello still
// matching the stored cadena.
func TestEvidenceRemote(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, ctx, "pki", "init", "--dir", dir, "--addr", "127.0.0.1:"+freePort(t)); code != 0 {
		t.Fatalf("pki init: %s", stderr)
	}
	cfgPath := filepath.Join(dir, "cotejo.toml")
	cfg, err := capture.LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	signer, closeSigner, err := cfg.Service.OpenSigner(cfg.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer closeSigner()
	app, err := capture.Open(ctx, cfgPath, capture.Options{StoreOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4\n% certificado del proveedor\n%%EOF\n")
	c := remoteid.Case{ID: "1283876988", Phone: "525512345678", SentAt: time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC),
		Events:      []remoteid.Event{{ID: "1283876988", Estado: remoteid.EstadoValidated, UltimaActualizacion: "2026-03-02 17:05", Result: &remoteid.Result{Resultado: 93.96}}},
		Certificate: pdf, CertificateAt: time.Date(2026, 3, 2, 16, 5, 0, 0, time.UTC)}
	sealed, err := capture.SealRemoteCertificate(ctx, signer, c)
	if err != nil {
		t.Fatal(err)
	}
	c.Cadena, c.Sello = sealed.Cadena, sealed.Sello
	if err := (&capture.RemoteStore{DB: app.DB}).Update(ctx, c.ID, func(k *remoteid.Case) error { *k = c; return nil }); err != nil {
		t.Fatal(err)
	}
	app.Close()

	if code, stdout, stderr := runCLI(t, ctx, "evidence", "verify", "--config", cfgPath, "--remote", c.ID); code != 0 || !strings.Contains(stdout, "Sello válido") {
		t.Fatalf("the kept certificate: exit %d\n%s\n%s", code, stdout, stderr)
	}
	copyPath := filepath.Join(dir, "verificacion-remota.pdf")
	os.WriteFile(copyPath, pdf, 0o600)
	if code, stdout, stderr := runCLI(t, ctx, "evidence", "verify", "--config", cfgPath, "--remote", c.ID, copyPath); code != 0 || !strings.Contains(stdout, "Sello válido") {
		t.Fatalf("a faithful copy: exit %d\n%s\n%s", code, stdout, stderr)
	}
	changed := []byte(string(pdf))
	changed[12] ^= 1
	os.WriteFile(copyPath, changed, 0o600)
	code, stdout, stderr := runCLI(t, ctx, "evidence", "verify", "--config", cfgPath, "--remote", c.ID, copyPath)
	if code != 1 || !strings.Contains(stdout, "Distinto (differs): SHA256Certificado") || !strings.Contains(stdout, "se alteró la evidencia") {
		t.Errorf("a changed byte: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, stdout, _ = runCLI(t, ctx, "evidence", "verify", "--config", cfgPath, "--remote", c.ID, "--json", copyPath)
	var j struct {
		OK           bool `json:"ok"`
		CadenaSealed bool `json:"cadena_sealed"`
		Differences  []struct {
			Field string `json:"field"`
		} `json:"differences"`
	}
	if err := json.Unmarshal([]byte(stdout), &j); err != nil || code != 1 || j.OK || !j.CadenaSealed || len(j.Differences) != 1 || j.Differences[0].Field != "SHA256Certificado" {
		t.Errorf("--json: exit %d %v\n%s", code, err, stdout)
	}
}
