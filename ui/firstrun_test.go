package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
	"cotejo/verify/pki"
)

// firstRunView finds a first-run screen's widgets by what the operator reads on them.
type firstRunView struct {
	t *testing.T
	w fyne.Window
	s *FirstRunScreen
}

func (sc firstRunView) button(text string) *widget.Button {
	for _, o := range test.LaidOutObjects(sc.w.Content()) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	sc.t.Fatalf("no button %q", text)
	return nil
}

func (sc firstRunView) entry(placeholder string) *widget.Entry {
	for _, o := range test.LaidOutObjects(sc.w.Content()) {
		if e, ok := o.(*widget.Entry); ok && e.PlaceHolder == placeholder {
			return e
		}
	}
	sc.t.Fatalf("no field %q", placeholder)
	return nil
}

// says reports whether some label on the screen holds text.
func (sc firstRunView) says(text string) bool {
	for _, o := range test.LaidOutObjects(sc.w.Content()) {
		if l, ok := o.(*widget.Label); ok && strings.Contains(l.Text, text) {
			return true
		}
	}
	return false
}

// kiosk waits for the work to end, then for the kiosk's own sign-in screen.
func (sc firstRunView) kiosk() {
	sc.t.Helper()
	sc.s.Wait()
	if c := sc.s.Controller(); c == nil || c.Screen() != "signin" {
		sc.t.Fatal("the kiosk did not start after the first-run screen")
	}
}

func firstRunScreen(t *testing.T, cfgPath, lang string) firstRunView {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1280, 800))
	s := ShowFirstRun(w, FirstRun{Config: cfgPath}, lang)
	t.Cleanup(s.Close)
	return firstRunView{t, w, s}
}

// TestFirstRunDemo: a kiosk started with no configuration says so, and its demonstration
// button makes a configuration that opens the kiosk, now and at the next start.
func TestFirstRunDemo(t *testing.T) {
	cfgPath := filepath.Join(t.TempDir(), "cotejo", "cotejo.toml")
	sc := firstRunScreen(t, cfgPath, "es")
	if !sc.says("No se encontró la configuración (" + cfgPath + ")") {
		t.Error("the screen does not say which configuration is missing")
	}
	test.Tap(sc.button("English")) // the language switch works here too
	test.Tap(sc.button("Start the demonstration"))
	sc.kiosk()
	raw, err := os.ReadFile(cfgPath)
	if err != nil || !strings.Contains(string(raw), `demo_dir = "demo"`) {
		t.Fatalf("configuration written: %q, %v", raw, err)
	}
	// The next start finds the configuration and opens the same kiosk.
	sc.s.Close()
	app, err := capture.Open(context.Background(), cfgPath, capture.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	if !app.OffersSamples() || app.Operators == nil {
		t.Errorf("next start: %+v", app)
	}
}

// TestFirstRunImport: the institution's files and a first supervisor, with the teller's
// usual mistakes on the way, make a configuration the kiosk runs on.
func TestFirstRunImport(t *testing.T) {
	inst := t.TempDir()
	if _, err := pki.Init(context.Background(), inst, pki.Options{}); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(t.TempDir(), "cotejo.toml")
	sc := firstRunScreen(t, cfgPath, "es")
	fill := func(folder, pin2 string) {
		sc.entry("Carpeta de archivos").SetText(folder)
		sc.entry("Servicio del INE (URL)").SetText("https://127.0.0.1:8443/cxf/SVD/EntidadesExternas/consulta")
		sc.entry("Supervisor: identificador").SetText("marta")
		sc.entry("Supervisor: nombre").SetText("Marta Ríos")
		sc.entry("PIN (4 a 8 dígitos)").SetText("2468")
		sc.entry("Repita el PIN").SetText(pin2)
	}
	importButton := sc.button("Importar y empezar")

	fill(inst, "2469")
	test.Tap(importButton)
	if !sc.says("Los dos PIN no coinciden.") {
		t.Error("two different PINs were not caught")
	}
	empty := t.TempDir()
	fill(empty, "2468")
	test.Tap(importButton)
	sc.s.Wait()
	if !sc.says("Faltan en " + empty + ": ine-root-ca.pem (la CA del INE)") {
		t.Error("the missing files are not named")
	}
	if _, err := os.Stat(cfgPath); err == nil {
		t.Fatal("a failed import left a configuration")
	}

	fill(inst, "2468")
	test.Tap(importButton)
	sc.kiosk()
	if op, err := sc.s.Controller().k.SignIn("marta", "2468"); err != nil || !op.Supervisor || op.Name != "Marta Ríos" {
		t.Errorf("the first supervisor: %+v, %v", op, err)
	}
	if info, err := os.Stat(filepath.Join(filepath.Dir(cfgPath), "institution-signing-key.pem")); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("the signing key copied: %v, %v", info, err)
	}
}
