package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvidenceNOM151 runs the commands as an operator would: nom151-sandbox issuing a
// constancy for a file, then evidence nom151 by folio and by constancy file, in both
// languages and as JSON, for the file, a changed file and a folio that does not exist.
func TestEvidenceNOM151(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "recibo.pdf")
	if err := os.WriteFile(file, []byte("%PDF-1.7 recibo 0001\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sb := filepath.Join(dir, "sb")
	nom151Sandbox(t, sb, file)
	cfg := filepath.Join(sb, "nom151.toml")
	bg := context.Background()

	t.Run("by folio", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, bg, "evidence", "nom151", "--config", cfg, "--folio", "10526380", file)
		if code != 0 || !strings.Contains(stdout, "VÁLIDA: el archivo es el que la constancia ampara") {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		pdf, err := os.ReadFile(filepath.Join(dir, "recibo.pdf.nom151-10526380.pdf"))
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Errorf("evidence beside the file: %v %q", err, pdf[:min(len(pdf), 8)])
		}
	})

	t.Run("by constancy file, JSON, --out", func(t *testing.T) {
		out := t.TempDir()
		code, stdout, stderr := runCLI(t, bg, "evidence", "nom151", "--config", cfg, "--constancia", filepath.Join(sb, "recibo.pdf.constancia"), "--json", "--out", out, file)
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		var v struct {
			Passed    bool   `json:"passed"`
			Serie     string `json:"constanciaSerie"`
			QR        string `json:"qrPDF"`
			Evidencia string `json:"evidencia"`
		}
		if err := json.Unmarshal([]byte(stdout), &v); err != nil {
			t.Fatal(err)
		}
		if !v.Passed || v.Serie != "10526380" || !strings.HasPrefix(v.QR, "||10526380|recibo.pdf|") || filepath.Dir(v.Evidencia) != out {
			t.Errorf("%+v", v)
		}
		if _, err := os.Stat(v.Evidencia); err != nil {
			t.Error(err)
		}
	})

	t.Run("changed file", func(t *testing.T) {
		changed := filepath.Join(dir, "cambiado.pdf")
		os.WriteFile(changed, []byte("%PDF-1.7 recibo 0002\n"), 0o644)
		code, stdout, stderr := runCLI(t, bg, "evidence", "nom151", "--config", cfg, "--folio", "10526380", "--lang", "en", changed)
		if code != 4 || !strings.Contains(stdout, "NOT VALID") || !strings.Contains(stdout, "File digest matches:               NO") {
			t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
		}
	})

	t.Run("unknown folio", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, bg, "evidence", "nom151", "--config", cfg, "--folio", "7", file)
		if code != 1 || !strings.Contains(stderr, "No existe una constancia con ese folio para esta institución. (Estado 32)") {
			t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		code, stdout, _ = runCLI(t, bg, "evidence", "nom151", "--config", cfg, "--folio", "7", "--json", "--lang", "en", file)
		var v struct {
			Estado  int    `json:"estado"`
			Clase   string `json:"clase"`
			Mensaje string `json:"mensaje"`
		}
		if err := json.Unmarshal([]byte(stdout), &v); err != nil || code != 1 || v.Estado != 32 || v.Clase != "not-found" || !strings.HasPrefix(v.Mensaje, "No constancy with that folio") {
			t.Errorf("exit %d %v %+v", code, err, v)
		}
	})

	t.Run("wrong password from the environment", func(t *testing.T) {
		t.Setenv("COTEJO_NOM151_CLAVE", "mala")
		for _, how := range [][]string{{"--folio", "10526380"}, {"--constancia", filepath.Join(sb, "recibo.pdf.constancia")}} {
			args := append([]string{"evidence", "nom151", "--config", cfg, "--lang", "en"}, how...)
			code, _, stderr := runCLI(t, bg, append(args, file)...)
			if code != 1 || !strings.Contains(stderr, "The user or password is not valid.") || !strings.Contains(stderr, "(Estado 2)") || strings.Contains(stderr, "mala") {
				t.Errorf("%s: exit %d: %s", how[0], code, stderr)
			}
		}
	})

	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"evidence"},
			{"evidence", "otra"},
			{"evidence", "nom151", "--config", cfg, file},
			{"evidence", "nom151", "--config", cfg, "--folio", "1", "--constancia", "x", file},
			{"evidence", "nom151", "--config", filepath.Join(dir, "no-existe.toml"), "--folio", "1", file},
			{"evidence", "nom151", "--config", cfg, "--env", "marte", "--folio", "1", file},
		} {
			if code, _, _ := runCLI(t, bg, args...); code == 0 {
				t.Errorf("%q: exit 0", args)
			}
		}
	})
}
