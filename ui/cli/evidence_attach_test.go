package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cotejo/capture"
	"cotejo/verify/nom151"
)

// nom151Sandbox runs `cotejo nom151-sandbox` issuing constancies for files, until the
// test ends, and returns its client configuration's [nom151] settings.
func nom151Sandbox(t *testing.T, dir string, files ...string) nom151.Settings {
	t.Helper()
	args := []string{"nom151-sandbox", "--addr", "127.0.0.1:" + freePort(t), "--dir", dir}
	for _, f := range files {
		args = append(args, "--issue", f)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan string, 1)
	go func() {
		code, stdout, stderr := runCLI(t, ctx, args...)
		served <- fmt.Sprintf("%s%s exit %d", stdout, stderr, code)
	}()
	t.Cleanup(func() { cancel(); <-served })
	cfg := filepath.Join(dir, "nom151.toml")
	// Its keys come first: under the race detector on a busy machine that takes a while.
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if _, err := os.Stat(cfg); err == nil {
			break
		}
		select {
		case out := <-served:
			t.Fatalf("nom151-sandbox ended: %s", out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("nom151-sandbox wrote no configuration")
		}
	}
	st, err := nom151.LoadSettings(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestEvidenceAttach runs the commands as an operator would: a verification, its
// receipt saved, the NOM-151 stand-in issuing a constancy for that file, then
// `evidence attach` by folio and by constancy file; the kiosk opened on the
// configuration with a [nom151] section validates the entry's constancy (and one
// attached over another file fails on the digest). Wrong uses are refused.
func TestEvidenceAttach(t *testing.T) {
	ctx := context.Background()
	dir, cfgPath, _, _ := pkiAndSandbox(t)
	// pki init's configuration keeps receipts in comprobantes, beside it.
	e, receipt := kioskReceipt(t, ctx, cfgPath, "Banco de Prueba")
	if want := filepath.Join(dir, "comprobantes", capture.ReceiptName(e.Indice)); receipt != want {
		t.Fatalf("receipt at %s, want %s", receipt, want)
	}
	other := filepath.Join(dir, "otro.pdf")
	os.WriteFile(other, []byte("%PDF-1.7 otro documento\n"), 0o600)

	sb := filepath.Join(dir, "nom151")
	st := nom151Sandbox(t, sb, receipt)
	f, err := os.OpenFile(cfgPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "\n[nom151]\nurl = %q\nentidad = %q\nusuario = %q\nclave = %q\nca_cert = %q\n", st.URL, st.Entidad, st.Usuario, st.Clave, st.CACert)
	f.Close()

	validate := func(t *testing.T) *capture.ConstancyCheck {
		t.Helper()
		a, err := capture.Open(ctx, cfgPath, capture.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		e, err := a.DB.Get(e.ID)
		if err != nil || !e.Constancy {
			t.Fatalf("entry %+v %v", e, err)
		}
		check, err := a.ValidateConstancy(ctx, e, "ana")
		if err != nil {
			t.Fatal(err)
		}
		return check
	}

	t.Run("by folio", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, ctx, "evidence", "attach", "--config", cfgPath, "--entry", e.ID, "--folio", "10526380", "--operator", "ana")
		if code != 0 || !strings.Contains(stdout, "Constancia NOM-151 (folio 10526380) registrada para la entrada "+e.ID) {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		if check := validate(t); !check.Passed() || check.Result.ConstanciaSerie != "10526380" {
			t.Errorf("validation: passed %v, folio %s", check.Passed(), check.Result.ConstanciaSerie)
		}
	})
	t.Run("by constancy file, JSON", func(t *testing.T) {
		cons := filepath.Join(sb, filepath.Base(receipt)+".constancia")
		code, stdout, stderr := runCLI(t, ctx, "evidence", "attach", "--config", cfgPath, "--entry", e.Indice, "--constancia", cons, "--json", "--lang", "en")
		var got struct {
			Constancy bool   `json:"constancy"`
			Digest    string `json:"digest"`
		}
		if code != 0 || json.Unmarshal([]byte(stdout), &got) != nil || !got.Constancy || got.Digest == "" {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		if check := validate(t); !check.Passed() {
			t.Error("the constancy file did not validate")
		}
	})
	t.Run("another file's digest", func(t *testing.T) {
		code, _, stderr := runCLI(t, ctx, "evidence", "attach", "--config", cfgPath, "--entry", e.ID, "--folio", "10526380", "--receipt", other)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		check := validate(t)
		if check.Passed() || check.Result.ValidaRelacion || !strings.Contains(check.Findings("en")[0].Text(), "does NOT match") {
			t.Errorf("another file's digest: passed %v, relacion %v", check.Passed(), check.Result.ValidaRelacion)
		}
	})
	for _, args := range [][]string{
		{"--entry", e.ID},
		{"--entry", e.ID, "--folio", "1", "--constancia", other},
		{"--folio", "1"},
		{"--entry", "999", "--folio", "1"},
		{"--entry", e.ID, "--folio", "1", "--receipt", filepath.Join(dir, "no-such.pdf")},
	} {
		if code, _, _ := runCLI(t, ctx, append([]string{"evidence", "attach", "--config", cfgPath}, args...)...); code == 0 {
			t.Errorf("%q accepted", args)
		}
	}
}
