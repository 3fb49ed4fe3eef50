package ui

import (
	"cotejo/capture"
	"strings"

	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"cotejo/scanner/biometrics/enrolled"
	"cotejo/verify/sandbox/sandboxtest"
)

// press taps the key labelled label on the keypad k, as a finger would.
func press(t *testing.T, k *keypad, label string) {
	t.Helper()
	for _, o := range test.LaidOutObjects(k) {
		if kb, ok := o.(*key); ok && kb.label == label {
			// As the window does: the key goes down, the field loses the focus, the tap.
			kb.MouseDown(&desktop.MouseEvent{})
			test.Tap(kb)
			return
		}
	}
	t.Fatalf("no key %q", label)
}

// TestSignInByTouch: the operator is tapped in the list and the PIN typed on the
// keypad; an id not in the list is typed on the letter keys; the keys never take the
// focus from the field.
func TestSignInByTouch(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, false))
	s := on[*signInScreen](t, c)
	c.tap(t, "op:ana")
	if s.operator.Text != "ana" || c.win.Canvas().Focused() != s.pin {
		t.Fatalf("tapping ana: operator %q, focus on %T", s.operator.Text, c.win.Canvas().Focused())
	}
	for _, d := range "4821" {
		press(t, s.digits, string(d))
	}
	if s.pin.Text != "4821" || c.win.Canvas().Focused() != s.pin {
		t.Fatalf("PIN typed %q, focus on %T", s.pin.Text, c.win.Canvas().Focused())
	}
	c.tap(t, "enter")
	c.want(t, "home")

	// The supervisor, typed: tap the operator field, show the letters, type, tap the PIN.
	c.tap(t, "signout")
	s = on[*signInScreen](t, c)
	c.win.Canvas().Focus(s.operator) // a finger on the field (the entry takes the focus on mouse down)
	press(t, s.digits, "ABC")
	for _, l := range "SUP" {
		press(t, s.letters, string(l))
	}
	press(t, s.letters, "Ñ")
	press(t, s.letters, "⌫")
	if s.operator.Text != "SUP" || c.win.Canvas().Focused() != s.operator {
		t.Fatalf("typed %q, focus on %T", s.operator.Text, c.win.Canvas().Focused())
	}
	s.operator.SetText("sup") // ids are as configured; the letter keys type capitals
	c.win.Canvas().Focus(s.pin)
	press(t, s.letters, "123")
	for _, d := range "9999" {
		press(t, s.digits, string(d))
	}
	c.tap(t, "enter")
	c.want(t, "home")
}

// TestCredentialKeyboard: the letter keys type Ñ and accents into the field that has the
// focus, and leave it there.
func TestCredentialKeyboard(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, false))
	c.signInAs(t, "ana", "4821")
	c.tap(t, "new")
	cred := on[*credentialScreen](t, c)
	c.tap(t, "keyboard")
	name := cred.entries["nombre"]
	c.win.Canvas().Focus(name)
	for _, l := range []string{"P", "E", "Ñ", "A", "␣", "J", "O", "S", "É"} {
		press(t, cred.keyboard, l)
	}
	if name.Text != "PEÑA JOSÉ" || c.win.Canvas().Focused() != name {
		t.Fatalf("typed %q, focus on %T", name.Text, c.win.Canvas().Focused())
	}
}

// fits fails when the window's content needs more than w × h: the window would grow
// past the screen.
func fits(t *testing.T, c *Controller, w, h float32) {
	t.Helper()
	// Laid out at the screen's size first: wrapped words re-wrap to it, as on a kiosk.
	c.win.Resize(fyne.NewSize(w, h))
	if m := c.win.Content().MinSize(); m.Width > w || m.Height > h {
		t.Errorf("%s needs %.0f × %.0f, more than %.0f × %.0f", c.Screen(), m.Width, m.Height, w, h)
	}
}

// noScroll fails when a scrolled area of the screen hides part of its content at w × h:
// the main path's screens must show every field without scrolling.
func noScroll(t *testing.T, c *Controller, w, h float32) {
	t.Helper()
	c.win.Resize(fyne.NewSize(w, h))
	if m := c.win.Content().MinSize(); m.Width > w || m.Height > h {
		t.Errorf("%s needs %.0f × %.0f, more than %.0f × %.0f", c.Screen(), m.Width, m.Height, w, h)
	}
	for _, o := range test.LaidOutObjects(c.win.Content()) {
		if sc, ok := o.(*container.Scroll); ok && sc.Visible() && sc.Content.MinSize().Height > sc.Size().Height+1 {
			t.Errorf("%s at %.0f × %.0f: %.0f px of content in %.0f px, scrolling needed", c.Screen(), w, h, sc.Content.MinSize().Height, sc.Size().Height)
		}
	}
}

// TestNoScrollingOnTheMainPath: the credential's form and the review show all their
// rows at 1280 × 800 and at 1024 × 768.
func TestNoScrollingOnTheMainPath(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, false))
	fyne.CurrentApp().Settings().SetTheme(newKioskTheme())
	c.signInAs(t, "ana", "4821")
	c.tap(t, "new")
	c.tap(t, "sampleG")
	sizes := [][2]float32{{1280, 800}, {1024, 768}}
	for _, sz := range sizes {
		noScroll(t, c, sz[0], sz[1])
	}
	c.tap(t, "next")
	for _, sz := range sizes {
		noScroll(t, c, sz[0], sz[1])
	}
	c.tap(t, "next")
	c.tap(t, "accept")
	for _, sz := range sizes {
		noScroll(t, c, sz[0], sz[1])
	}
	c.tap(t, "next")
	c.want(t, "review")
	for _, sz := range sizes {
		noScroll(t, c, sz[0], sz[1])
	}
}

// TestFitsSmallScreen: with the kiosk's theme every screen of the main path, keyboards
// shown, fits 1024 × 768.
func TestFitsSmallScreen(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, false))
	c.opts.Settings = &wordSettings{}
	c.opts.Remote = &capture.Remote{} // only for its button: a supervisor's home has them all
	fyne.CurrentApp().Settings().SetTheme(newKioskTheme())
	c.signOut()
	const w, h = 1024, 768
	press(t, on[*signInScreen](t, c).digits, "ABC")
	fits(t, c, w, h)
	c.signInAs(t, "sup", "9999")
	fits(t, c, w, h)
	c.tap(t, "new")
	c.tap(t, "sampleG")
	c.tap(t, "keyboard")
	fits(t, c, w, h)
	c.tap(t, "next")
	fits(t, c, w, h)
	c.tap(t, "next")
	c.tap(t, "accept")
	fits(t, c, w, h)
	c.tap(t, "next")
	fits(t, c, w, h)
	c.tap(t, "send")
	fits(t, c, w, h)
	for _, s := range []func(){c.queue, c.history, c.settings} {
		s()
		c.Wait()
		fits(t, c, w, h)
	}
}

// overlayTexts is what the window's pop-ups say.
func overlayTexts(c *Controller) string {
	var b strings.Builder
	for _, o := range c.win.Canvas().Overlays().List() {
		for _, w := range test.LaidOutObjects(o) {
			if l, ok := w.(*widget.Label); ok {
				b.WriteString(l.Text + "\n")
			}
		}
	}
	return b.String()
}

// TestFingersOnReturn: back on the fingers screen after going on and coming back, the
// last print and its quality are shown beside the two captured fingers (it showed
// "Calidad 0/100"), and "Continuar sin huellas…" asks its reason in the operator's
// words.
func TestFingersOnReturn(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, false))
	c.signInAs(t, "ana", "4821")
	c.tap(t, "new")
	c.tap(t, "sampleG")
	c.tap(t, "next")
	c.tap(t, "next")
	c.want(t, "consent")
	c.tap(t, "back")
	f := on[*fingersScreen](t, c)
	if !f.quality.Visible() || f.quality.Value < 1 || f.print.Image == nil {
		t.Errorf("back on the fingers: quality shown %v at %.0f, print %v", f.quality.Visible(), f.quality.Value, f.print.Image != nil)
	}
	if b := c.cur.base().buttons["skip"]; b.Importance == widget.LowImportance {
		t.Error("the skip button looks like a line of text")
	}
	c.tap(t, "skip")
	for _, o := range c.win.Canvas().Overlays().List() {
		for _, w := range test.LaidOutObjects(o) {
			if sel, ok := w.(*widget.Select); ok && english.MatchString(sel.PlaceHolder) {
				t.Errorf("the reason's choice says %q", sel.PlaceHolder)
			}
		}
	}
}
