package ui

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
	"cotejo/capture/location"
	"cotejo/scanner/biometrics/enrolled"
	"cotejo/verify/sandbox/sandboxtest"
)

func TestCertificateWarnings(t *testing.T) {
	c := New(&capture.Kiosk{}, test.NewTempWindow(t, nil), Options{})
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	cert := func(days int) *x509.Certificate {
		return &x509.Certificate{Subject: pkix.Name{CommonName: "banco-demo"}, NotAfter: now.Add(time.Duration(days) * 24 * time.Hour)}
	}
	if w := c.certWarning(cert(90), now); w != nil {
		t.Error("a certificate valid for 90 days warned")
	}
	for _, c2 := range []struct {
		days int
		want string
	}{{10, "vence el 2026-12-03"}, {-1, "VENCIÓ el 2026-11-22"}} {
		w := c.certWarning(cert(c2.days), now)
		if w == nil {
			t.Fatalf("%d days: no warning", c2.days)
		}
		var text string
		for _, o := range test.LaidOutObjects(w) {
			if tx, ok := o.(*canvas.Text); ok {
				text += tx.Text + " "
			}
		}
		if !strings.Contains(text, c2.want) || !strings.Contains(text, "banco-demo") {
			t.Errorf("%d days: %q", c2.days, text)
		}
	}
}

// TestGPSText: the home screen's words for a receiver watched through capture/location.
func TestGPSText(t *testing.T) {
	c := New(&capture.Kiosk{}, test.NewTempWindow(t, nil), Options{})
	lat, lon := 19.4326, -99.1332
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	u := <-location.Fixed{Lat: &lat, Lon: &lon, Accuracy: 12}.Watch(ctx)
	if got := c.gpsText(u.Err, u.Fix.Lat, u.Fix.Lon, u.Fix.Accuracy); got != "GPS: 19.43260, -99.13320 ±12 m" {
		t.Errorf("%q", got)
	}
	u = <-location.Fixed{}.Watch(ctx)
	if got := c.gpsText(u.Err, u.Fix.Lat, u.Fix.Lon, u.Fix.Accuracy); got != "GPS: sin señal" {
		t.Errorf("no position: %q", got)
	}
}

// texts is everything the window shows in words.
func (c *Controller) texts() string {
	var b strings.Builder
	for _, o := range test.LaidOutObjects(c.win.Content()) {
		switch w := o.(type) {
		case *widget.Label:
			b.WriteString(w.Text + "\n")
		case *widget.Button:
			b.WriteString(w.Text + "\n")
		case *canvas.Text:
			b.WriteString(w.Text + "\n")
		case *widget.Entry:
			b.WriteString(w.PlaceHolder + "\n")
		case *widget.Select:
			b.WriteString(w.PlaceHolder + "\n")
		}
	}
	return b.String()
}

// TestEveryScreenBothLanguages walks every screen, switching each to English and back:
// the screen stays, its words change, and what was entered is kept.
func TestEveryScreenBothLanguages(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, false))
	settings := &fakeSettings{}
	c.opts.Settings = settings
	both := func(screen string) {
		t.Helper()
		c.want(t, screen)
		es := c.texts()
		curp := func() string {
			if cred, ok := c.cur.(*credentialScreen); ok {
				return cred.entries["curp"].Text
			}
			return ""
		}
		before := curp()
		c.tap(t, "lang")
		c.want(t, screen)
		lang := func() string { return c.cur.base().buttons["lang"].Text }
		if en := c.texts(); en == es || lang() != "Español" {
			t.Errorf("%s: the language switch changed nothing (%q)", screen, lang())
		}
		if after := curp(); after != before {
			t.Errorf("%s: the CURP entered (%q) is lost in English (%q)", screen, before, after)
		}
		c.tap(t, "lang")
		c.want(t, screen)
		if lang() != "English" {
			t.Errorf("%s: back in Spanish, the switch says %q", screen, lang())
		}
	}
	both("signin")
	c.signInAs(t, "sup", "9999")
	both("home")
	c.tap(t, "new")
	c.tap(t, "sampleG")
	both("credential")
	c.tap(t, "next")
	both("fingers")
	c.tap(t, "next")
	c.tap(t, "accept")
	both("consent")
	c.tap(t, "next")
	both("review")
	c.tap(t, "send")
	both("result")
	if v := on[*resultScreen](t, c).verdict; v != "valid" {
		t.Errorf("the result after switching: %q", v)
	}
	c.tap(t, "home")
	for _, s := range []struct{ button, screen string }{{"queue", "queue"}, {"history", "history"}, {"settings", "settings"}, {"unlock", "unlock"}} {
		c.tap(t, s.button)
		both(s.screen)
		if s.screen == "settings" {
			c.tap(t, "save") // read and written in the background
			if saved := settings.saved; saved["lang"] != "es" || !strings.HasPrefix(c.status(), "Configuración guardada") {
				t.Errorf("settings saved %v, status %q", saved, c.status())
			}
		}
		c.tap(t, "home")
	}
}

// fakeSettings is a configuration of one setting, the language.
type fakeSettings struct{ saved map[string]string }

func (f *fakeSettings) Load() ([]capture.Setting, error) {
	return []capture.Setting{{Key: "lang", Label: [2]string{"Idioma", "Language"}, Value: "es", Choices: []string{"es", "en"}}}, nil
}

func (f *fakeSettings) Save(_ capture.Operator, v map[string]string, _ string) error {
	f.saved = v
	return nil
}
