package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cotejo/scanner/biometrics/enrolled"
	"cotejo/verify/sandbox/sandboxtest"
)

// TestPrintReceipt: the receipt goes to lp (CUPS) as a PDF; without lp the teller is
// told plainly there is no printer.
func TestPrintReceipt(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, false))
	c.signInAs(t, "ana", "4821")
	if v := c.verify(t, "G"); v != "valid" {
		t.Fatalf("verdict %q", v)
	}
	res := on[*resultScreen](t, c)
	if !strings.Contains(res.what.Text(), "vigente") || !strings.Contains(res.next.Text(), "continuar") {
		t.Errorf("read aloud: %q / %q", res.what.Text(), res.next.Text())
	}

	bin := t.TempDir()
	t.Setenv("PATH", bin)
	c.tap(t, "print")
	if !strings.Contains(c.status(), "No hay impresora") {
		t.Errorf("without lp: %q", c.status())
	}

	// A stand-in lp that keeps what it is given.
	got := filepath.Join(t.TempDir(), "printed.pdf")
	script := "#!/bin/sh\nfor a; do f=$a; done\ncat \"$f\" > " + got + "\n"
	if err := os.WriteFile(filepath.Join(bin, "lp"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+":/usr/bin:/bin")
	c.tap(t, "print")
	if !strings.Contains(c.status(), "enviado a la impresora") {
		t.Errorf("with lp: %q", c.status())
	}
	if pdf, err := os.ReadFile(got); err != nil || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Errorf("lp was given %d bytes, %v", len(pdf), err)
	}
}

// TestCancelAsksFirst: Cancelar and No acepta discard nothing until the operator says
// yes; "No, seguir" keeps the session where it was.
func TestCancelAsksFirst(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, false))
	c.signInAs(t, "ana", "4821")
	c.tap(t, "new")
	c.tap(t, "sampleG")
	curp := on[*credentialScreen](t, c).entries["curp"].Text
	c.tap(t, "cancel")
	c.want(t, "credential")
	if !strings.Contains(c.texts()+overlayTexts(c), "¿Cancelar esta verificación?") {
		t.Error("no question asked")
	}
	c.tap(t, "confirm.no")
	c.want(t, "credential")
	if got := on[*credentialScreen](t, c).entries["curp"].Text; got != curp || c.session == nil {
		t.Fatalf("after No: CURP %q, want %q", got, curp)
	}
	c.tap(t, "next")
	c.tap(t, "next")
	c.want(t, "consent")
	c.tap(t, "decline")
	c.want(t, "consent")
	c.tap(t, "confirm.no")
	c.want(t, "consent")
	c.tap(t, "decline")
	c.tap(t, "confirm.yes")
	c.want(t, "home")
	if c.session != nil {
		t.Error("the session outlived the citizen's refusal")
	}
	c.tap(t, "new")
	c.tap(t, "cancel")
	c.tap(t, "confirm.yes")
	c.want(t, "home")
}
