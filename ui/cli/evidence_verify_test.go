package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"cotejo/capture"
	"cotejo/capture/receipt"
	"cotejo/storage"
	"cotejo/verify/pki"
	"cotejo/verify/sello"
)

// TestEvidenceCommand checks receipts as an auditor would: a sealed receipt verifies,
// one changed byte of its cadena is reported with the field, one of its sello as a
// sello that does not match, and a receipt with no seal is refused.
func TestEvidenceCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	raw, err := os.ReadFile("../../verify/sello/testdata/key.pem")
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(dir, "key.pem")
	os.WriteFile(keyPath, raw, 0o600)
	key, err := pki.LoadPrivateKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := sello.KeySigner(key)
	at := time.Date(2026, 11, 30, 23, 38, 9, 0, time.UTC)
	e := sello.Evidence{Indice: "0f6c2b1e", At: at, Operator: "demo", Branch: "Banco Demo", CIC: receipt.MaskCIC("354760982"),
		ConsentVersion: "2026-01", ConsentAt: at, Answer: "Válida", AnswerSHA256: sha256.Sum256([]byte("respuesta"))}
	seal, err := capture.SealReceipt(ctx, s, e)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := receipt.Write(&buf, receipt.Receipt{Operator: "demo", Indice: e.Indice, At: at, Verdict: "VÁLIDA", Good: true, Seal: seal}, receipt.Options{}); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "good.pdf")
	os.WriteFile(good, buf.Bytes(), 0o644)
	hex16 := func(s string) []byte {
		var b strings.Builder
		for _, u := range utf16.Encode([]rune(s)) {
			fmt.Fprintf(&b, "%04X", u)
		}
		return []byte(b.String())
	}
	changed := func(name, old, new string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, bytes.Replace(buf.Bytes(), hex16(old), hex16(new), 1), 0o644)
		return p
	}
	cert := "../../verify/sello/testdata/cert.pem"

	code, stdout, stderr := runCLI(t, ctx, "evidence", "verify", "--cert", cert, good)
	if code != 0 || !strings.Contains(stdout, "Sello válido") || !strings.Contains(stdout, seal.Cadena) {
		t.Fatalf("good receipt: exit %d\n%s\n%s", code, stdout, stderr)
	}

	code, stdout, stderr = runCLI(t, ctx, "evidence", "verify", "--cert", cert, changed("cadena.pdf", "|demo|", "|demO|"))
	if code == 0 || !strings.Contains(stdout, `Operador: evidencia "demo", cadena "demO"`) || !strings.Contains(stdout, "se alteró la cadena o el sello") || !strings.Contains(stderr, "Operador") {
		t.Errorf("changed cadena: exit %d\n%s\n%s", code, stdout, stderr)
	}

	code, stdout, stderr = runCLI(t, ctx, "evidence", "verify", "--cert", cert, "--json", changed("evidencia.pdf", `"operador":"demo"`, `"operador":"demO"`))
	var j struct {
		OK           bool               `json:"ok"`
		CadenaSealed bool               `json:"cadena_sealed"`
		Differences  []sello.Difference `json:"differences"`
	}
	if err := json.Unmarshal([]byte(stdout), &j); code != 1 || err != nil || j.OK || !j.CadenaSealed || len(j.Differences) != 1 || j.Differences[0].Field != "Operador" {
		t.Errorf("changed evidence --json: exit %d %v\n%s\n%s", code, err, stdout, stderr)
	}

	c := seal.Sello[30]
	repl := "A"
	if c == 'A' {
		repl = "B"
	}
	code, _, stderr = runCLI(t, ctx, "evidence", "verify", "--cert", cert, changed("sello.pdf", seal.Sello[:31], seal.Sello[:30]+repl))
	if code == 0 || !strings.Contains(stderr, "el sello no corresponde a la cadena original") {
		t.Errorf("changed sello: exit %d\n%s", code, stderr)
	}

	var plain bytes.Buffer
	receipt.Write(&plain, receipt.Receipt{Indice: "x"}, receipt.Options{})
	unsealed := filepath.Join(dir, "unsealed.pdf")
	os.WriteFile(unsealed, plain.Bytes(), 0o644)
	if code, _, stderr := runCLI(t, ctx, "evidence", "verify", "--cert", cert, unsealed); code == 0 || !strings.Contains(stderr, "no lleva sello") {
		t.Errorf("unsealed: exit %d\n%s", code, stderr)
	}
}

// TestEvidenceCommandConfig: without --cert the certificate is the configuration's
// signing certificate, the one the kiosk seals with.
func TestEvidenceCommandConfig(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if code, _, stderr := runCLI(t, ctx, "pki", "init", "--dir", dir); code != 0 {
		t.Fatalf("pki init: %s", stderr)
	}
	cfgPath := filepath.Join(dir, "cotejo.toml")
	cfg, err := capture.LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	keyPath := cfg.Service.SigningKey
	if !filepath.IsAbs(keyPath) {
		keyPath = filepath.Join(dir, keyPath)
	}
	key, err := pki.LoadPrivateKey(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := sello.KeySigner(key)
	at := time.Date(2026, 11, 30, 23, 38, 9, 0, time.UTC)
	seal, err := capture.SealReceipt(ctx, s, sello.Evidence{Indice: "1", At: at, Operator: "demo", Branch: "Banco Demo",
		ConsentVersion: "2026-01", ConsentAt: at, Answer: "Válida", AnswerSHA256: sha256.Sum256([]byte("r"))})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	receipt.Write(&buf, receipt.Receipt{Indice: "1", Seal: seal}, receipt.Options{})
	pdf := filepath.Join(dir, "r.pdf")
	os.WriteFile(pdf, buf.Bytes(), 0o644)
	if code, stdout, stderr := runCLI(t, ctx, "evidence", "verify", "--config", cfgPath, pdf); code != 0 || !strings.Contains(stdout, "Sello válido") {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, _, stderr := runCLI(t, ctx, "evidence", "verify", "--cert", "../../verify/sello/testdata/cert.pem", pdf); code == 0 {
		t.Errorf("verified under another certificate: %s", stderr)
	}
}

// TestEvidenceKioskReceipt: a verification made with `cotejo verify` against INE's
// stand-in, its receipt written by the kiosk where the window saves receipts, checks
// out with `evidence verify` and the configuration's certificate; one changed byte of
// its cadena is reported with the field.
func TestEvidenceKioskReceipt(t *testing.T) {
	ctx := context.Background()
	dir, cfgPath, _, _ := pkiAndSandbox(t)
	e, path := kioskReceipt(t, ctx, cfgPath, "Banco de Prueba, Sucursal Centro")
	code, stdout, stderr := runCLI(t, ctx, "evidence", "verify", "--config", cfgPath, path)
	if code != 0 || !strings.Contains(stdout, "Sello válido") || !strings.Contains(stdout, "|"+e.Indice+"|") || !strings.Contains(stdout, "|Ana|Banco de Prueba, Sucursal Centro|") {
		t.Fatalf("kiosk's receipt: exit %d\n%s\n%s", code, stdout, stderr)
	}

	// One byte of the indice in the cadena the metadata keeps.
	var old, changed strings.Builder
	for _, u := range utf16.Encode([]rune("|Ana|")) {
		fmt.Fprintf(&old, "%04X", u)
	}
	for _, u := range utf16.Encode([]rune("|Ano|")) {
		fmt.Fprintf(&changed, "%04X", u)
	}
	pdf, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(dir, "tampered.pdf")
	os.WriteFile(tampered, bytes.Replace(pdf, []byte(old.String()), []byte(changed.String()), 1), 0o600)
	code, stdout, stderr = runCLI(t, ctx, "evidence", "verify", "--config", cfgPath, tampered)
	if code == 0 || !strings.Contains(stdout, `Operador: evidencia "Ana", cadena "Ano"`) {
		t.Errorf("tampered receipt: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// kioskReceipt makes a verification with `cotejo verify` against INE's stand-in and
// writes its receipt, as the kiosk does, where the window saves receipts: the entry
// and the receipt's path.
func kioskReceipt(t *testing.T, ctx context.Context, cfgPath, institution string) (storage.Entry, string) {
	t.Helper()
	if code, _, stderr := runCLI(t, ctx, "verify", "--config", cfgPath, "--citizen", "../../assets/demo-citizen.json"); code != 0 {
		t.Fatalf("verify exit %d: %s", code, stderr)
	}
	a, err := capture.Open(ctx, cfgPath, capture.Options{})
	if err != nil {
		t.Fatal(err)
	}
	answered, err := a.DB.List(storage.StateAnswered)
	if err != nil || len(answered) != 1 {
		a.Close()
		t.Fatalf("%d answered entries, %v", len(answered), err)
	}
	e := answered[0]
	path := filepath.Join(a.Config.ReceiptDir(), capture.ReceiptName(e.Indice))
	var buf bytes.Buffer
	err = a.Receipt(&buf, e, "es", institution, "Ana")
	a.Close()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return e, path
}
