package ui

import (
	"bytes"
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cotejo/capture"
	"cotejo/scanner/biometrics/enrolled"
	"cotejo/verify/nom151/standin"
	"cotejo/verify/sandbox/sandboxtest"
)

// TestConstancyHistory: a receipt saved in the kiosk is preserved under a NOM-151
// constancy (the stand-in's PSC, over HTTPS); the history then offers "Validar
// constancia" for that entry alone, and validating shows, in Spanish and in English,
// the verdict and the service's checks and saves the evidence sheet beside the
// receipts. A constancy of another document fails on the digest, said in both
// languages; a service that is down is the operator's error, in words. Switching the
// language on the result does not ask the service again; each validation is audited.
func TestConstancyHistory(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	k := kiosk(t, env, false)
	psc, err := standin.NewPSC(standin.SovosName, standin.SovosPolicy, 1024, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	run, err := standin.Start(standin.Config{PSC: psc}, standin.Account{Entidad: "BANCO", Usuario: "cotejo", Clave: "s3creta"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { run.Close() })
	k.NOM151, k.Preserver = run.Client(), capture.StandInPreserver(run)
	c := start(t, k)
	c.signInAs(t, "ana", "4821")

	// Two verifications: the first's receipt saved (and so preserved), the second's not.
	if v := c.verify(t, "G"); v != "valid" {
		t.Fatalf("verdict %q", v)
	}
	saved := on[*resultScreen](t, c).entry
	c.tap(t, "receipt")
	if !strings.Contains(c.status(), "Comprobante guardado") {
		t.Fatalf("saving the receipt: %q", c.status())
	}
	receipt, err := os.ReadFile(filepath.Join(c.opts.ReceiptDir, capture.ReceiptName(saved.Indice)))
	if err != nil {
		t.Fatal(err)
	}
	c.tap(t, "home")
	if v := c.verify(t, "G"); v != "valid" {
		t.Fatalf("verdict %q", v)
	}
	other := on[*resultScreen](t, c).entry
	c.tap(t, "home")
	c.tap(t, "history")
	c.want(t, "history")
	buttons := c.cur.base().buttons
	if buttons["constancy:"+saved.ID] == nil || buttons["constancy:"+other.ID] != nil {
		t.Fatalf("history's constancy buttons: %v", keys(buttons))
	}
	if b := buttons["constancy:"+saved.ID]; b.Size().Height < 56 || b.Text != "Validar constancia" {
		t.Errorf("the button is %v high, %q", b.Size().Height, b.Text)
	}
	// The second entry gets a constancy of another document: the wrong one attached.
	wrong := sha256.Sum256([]byte("otro documento"))
	folio, _, err := run.Issue("BANCO", wrong[:])
	if err != nil {
		t.Fatal(err)
	}
	digest := sha256.Sum256(receipt)
	if _, err := k.AttachConstancy(context.Background(), other.ID, "ana", capture.Constancy{Folio: folio, Digest: digest[:]}); err != nil {
		t.Fatal(err)
	}

	for _, tt := range []struct {
		lang                     string
		valid, mismatch, saveMsg string
	}{
		{"es", "Constancia válida", "NO coincide con la de la constancia", "Hoja de evidencia guardada en"},
		{"en", "Valid constancy", "does NOT match the constancy's", "Evidence sheet saved to"},
	} {
		if c.lang != tt.lang {
			c.tap(t, "lang")
		}
		c.want(t, "history")
		c.tap(t, "constancy:"+saved.ID)
		c.want(t, "constancy")
		s := on[*constancyScreen](t, c)
		text := c.texts()
		if s.verdict != "valid" || !strings.Contains(text, tt.valid) || !strings.Contains(text, "Estado 0") {
			t.Fatalf("%s, valid constancy: %q\n%s", tt.lang, s.verdict, text)
		}
		c.tap(t, "save")
		if !strings.Contains(c.status(), tt.saveMsg) {
			t.Errorf("%s: saving the evidence: %q", tt.lang, c.status())
		}
		pdf, err := os.ReadFile(filepath.Join(c.opts.ReceiptDir, s.check.EvidenceName()))
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
			t.Errorf("%s: evidence sheet: %v", tt.lang, err)
		}
		c.tap(t, "back")
		c.want(t, "history")

		c.tap(t, "constancy:"+other.ID)
		s = on[*constancyScreen](t, c)
		if text := c.texts(); s.verdict != "invalid" || !strings.Contains(text, tt.mismatch) {
			t.Errorf("%s, another document's constancy: %q\n%s", tt.lang, s.verdict, text)
		}
		c.tap(t, "back")
	}

	// Back to Spanish on the result itself: shown again, not asked again.
	c.tap(t, "constancy:"+saved.ID)
	before := validations(t, k)
	c.tap(t, "lang")
	if s := on[*constancyScreen](t, c); s.verdict != "valid" || !strings.Contains(c.texts(), "Constancia válida") || validations(t, k) != before {
		t.Errorf("after switching to Spanish: %q, %d validations (were %d)\n%s", s.verdict, validations(t, k), before, c.texts())
	}

	// The service down: no verdict, and the operator is told so.
	down := run.Client()
	down.URL = "https://127.0.0.1:1" + standin.Path
	k.NOM151 = down
	c.tap(t, "again")
	if s := on[*constancyScreen](t, c); s.verdict != "error" || !strings.Contains(c.texts(), "El servicio NOM-151 no respondió") {
		t.Errorf("service down: %q\n%s", s.verdict, c.texts())
	}
	if n := validations(t, k); n != 6 {
		t.Errorf("%d validations in the audit trail, want 6", n)
	}
}

// validations counts the audit trail's NOM-151 validations.
func validations(t *testing.T, k *capture.Kiosk) int {
	t.Helper()
	records, err := k.DB.Audit().List(context.Background(), 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, r := range records {
		if r.Action == "nom151.validate" {
			n++
		}
	}
	return n
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
