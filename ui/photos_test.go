package ui

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
	"cotejo/scanner/biometrics/enrolled"
	"cotejo/verify/sandbox/sandboxtest"
)

// pickerTexts is what the photo picker says and offers.
func pickerTexts(c *Controller) string {
	var b strings.Builder
	for _, o := range c.win.Canvas().Overlays().List() {
		for _, w := range test.LaidOutObjects(o) {
			switch w := w.(type) {
			case *widget.Label:
				b.WriteString(w.Text + "\n")
			case *widget.Button:
				b.WriteString(w.Text + "\n")
			}
		}
	}
	return b.String()
}

// TestOpenPhotos: the photos of a credential are chosen by touch on a picker of the
// kiosk's own, in the operator's language (Fyne's file dialog is English and made for
// a mouse): a broken file is said and the picker stays, folders are walked, and the
// front and back chosen are read into the form.
func TestOpenPhotos(t *testing.T) {
	dir := t.TempDir()
	sides, err := capture.Sample("G")
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"frente.png", "reverso.png"} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, sides[i]); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	if err := os.WriteFile(filepath.Join(dir, "roto.jpg"), []byte("not a photo"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "anteriores"), 0o700); err != nil {
		t.Fatal(err)
	}
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, false))
	c.opts.PhotoDir = dir
	c.signInAs(t, "ana", "4821")
	c.tap(t, "new")
	c.tap(t, "open")
	c.tap(t, "photo.cancel")
	if shown(c) {
		t.Fatal("Cancelar left the picker shown")
	}
	c.tap(t, "open")
	text := pickerTexts(c)
	if !strings.Contains(text, "FRENTE") || !strings.Contains(text, "frente.png") || !strings.Contains(text, "anteriores") {
		t.Fatalf("the picker shows:\n%s", text)
	}
	if m := english.FindAllString(text, -1); len(m) > 0 {
		t.Errorf("the picker speaks English %q:\n%s", m, text)
	}
	c.tap(t, "photo.file:roto.jpg")
	if text := pickerTexts(c); !strings.Contains(text, "roto.jpg:") {
		t.Errorf("a broken photo is not said:\n%s", text)
	}
	c.tap(t, "photo.folder:anteriores")
	if text := pickerTexts(c); !strings.Contains(text, "No hay fotos") {
		t.Errorf("an empty folder:\n%s", text)
	}
	c.tap(t, "photo.up")
	c.tap(t, "photo.file:frente.png")
	if text := pickerTexts(c); !strings.Contains(text, "REVERSO") || !strings.Contains(text, "solo el frente") {
		t.Fatalf("after the front, the picker shows:\n%s", text)
	}
	c.tap(t, "photo.file:reverso.png")
	cred := on[*credentialScreen](t, c)
	if cred.entries["curp"].Text == "" || cred.model.Selected != "G" {
		t.Fatalf("the photos were not read: status %q, model %q", c.status(), cred.model.Selected)
	}
	if shown(c) {
		t.Errorf("a pop-up is still shown: %s", pickerTexts(c))
	}
}

// shown reports whether a pop-up is visible (hidden ones may stay in the list).
func shown(c *Controller) bool {
	for _, o := range c.win.Canvas().Overlays().List() {
		if o.Visible() {
			return true
		}
	}
	return false
}
