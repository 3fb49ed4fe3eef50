package ui

import (
	"bytes"
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
	"cotejo/capture/location"
	"cotejo/capture/signin"
	"cotejo/ocr"
	"cotejo/scanner/biometrics/enrolled"
	"cotejo/storage"
	"cotejo/verify/sandbox/sandboxtest"
)

func TestMain(m *testing.M) {
	if err := capture.LimitThreads(); err != nil {
		panic(err)
	}
	// SANE sees no scanner unless a test gives it its virtual one: probing every bus
	// would slow each credential screen.
	dir, err := os.MkdirTemp("", "sane")
	if err != nil {
		panic(err)
	}
	os.WriteFile(dir+"/dll.conf", nil, 0o644)
	os.Setenv("SANE_CONFIG_DIR", dir)
	defer os.RemoveAll(dir)
	sandboxtest.Main(m)
}

// TestDocumentScanner takes both sides from SANE's virtual test scanner: its test
// pattern is no credential, and the operator is told so, in words.
func TestDocumentScanner(t *testing.T) {
	if _, err := exec.LookPath("scanimage"); err != nil {
		t.Skip("SANE's scanimage is not installed (Debian package sane-utils)")
	}
	dir := t.TempDir()
	os.WriteFile(dir+"/dll.conf", []byte("test\n"), 0o644)
	t.Setenv("SANE_CONFIG_DIR", dir)
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	k := kiosk(t, env, false)
	k.ScanOptions = []string{"--test-picture", "Color pattern"}
	c := start(t, k)
	c.signInAs(t, "ana", "4821")
	c.tap(t, "new")
	c.tap(t, "scan")
	if !strings.Contains(c.w.status.Text, "reverso") || c.w.buttons["scan"].Text != "Escanear el reverso" {
		t.Fatalf("after the front: %q, button %q", c.w.status.Text, c.w.buttons["scan"].Text)
	}
	c.tap(t, "scan")
	if c.w.entries["curp"].Text != "" || c.w.status.Importance != widget.DangerImportance || c.w.status.Text == "" {
		t.Errorf("a test pattern read as a credential: status %q", c.w.status.Text)
	}
	t.Logf("operator is told: %s", c.w.status.Text)
}

// kiosk wires real services: the sandbox over two-way TLS, a bbolt store, tesseract,
// the simulated scanner and two operators.
func kiosk(t *testing.T, env *sandboxtest.Env, impostor bool) *capture.Kiosk {
	t.Helper()
	k := kioskTB(t, env)
	k.Scanner.Impostor = impostor
	return k
}

func kioskTB(t testing.TB, env *sandboxtest.Env) *capture.Kiosk {
	t.Helper()
	db, err := storage.OpenSettings(context.Background(), storage.Settings{Path: "cotejo.db"}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	reader, err := ocr.NewReader(1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reader.Close() })
	var ops []signin.Operator
	for _, o := range []struct{ id, role, pin string }{{"ana", "operator", "4821"}, {"sup", "supervisor", "9999"}} {
		h, err := signin.HashPIN(o.pin)
		if err != nil {
			t.Fatal(err)
		}
		ops = append(ops, signin.Operator{ID: o.id, Name: strings.ToUpper(o.id), Role: signin.Role(o.role), PIN: h})
	}
	book, err := signin.NewBook(ops)
	if err != nil {
		t.Fatal(err)
	}
	return &capture.Kiosk{OCR: reader, Sealer: env.Conn.Sealer, Client: env.Conn.Client, DB: db, Threshold: env.Conn.Threshold,
		Scanner:   capture.ScannerSettings{Kind: "simulated", Citizen: "P001"},
		Branch:    capture.Place{CodigoPostal: "06000", Ciudad: "CDMX", Estado: 9},
		Operators: book}
}

func start(t *testing.T, k *capture.Kiosk) *Controller {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	c := New(k, w, Options{Demo: true, Poll: time.Hour, NoAutoSend: true, ReceiptDir: t.TempDir(), Institution: "Banco de Prueba"})
	c.Start()
	t.Cleanup(c.Close)
	return c
}

func (c *Controller) tap(t *testing.T, key string) {
	t.Helper()
	b := c.w.buttons[key]
	if b == nil {
		t.Fatalf("screen %s has no button %q", c.screen, key)
	}
	if b.Disabled() {
		t.Fatalf("screen %s: button %q is disabled (status %q)", c.screen, key, c.w.status.Text)
	}
	test.Tap(b)
	c.Wait()
}

func (c *Controller) want(t *testing.T, screen string) {
	t.Helper()
	if c.screen != screen {
		t.Fatalf("on screen %s, want %s (status %q)", c.screen, screen, c.w.status.Text)
	}
}

func (c *Controller) signInAs(t *testing.T, id, pin string) {
	t.Helper()
	c.w.entries["operator"].SetText(id)
	c.w.entries["pin"].SetText(pin)
	c.tap(t, "enter")
}

// verify walks a whole verification with a sample credential and returns the verdict
// shown.
func (c *Controller) verify(t *testing.T, sample string) string {
	t.Helper()
	c.tap(t, "new")
	c.want(t, "credential")
	c.tap(t, "sample"+sample)
	if c.w.entries["curp"].Text == "" || c.w.model.Selected != sample {
		t.Fatalf("read nothing: status %q, model %q", c.w.status.Text, c.w.model.Selected)
	}
	c.tap(t, "next")
	c.want(t, "fingers") // capture starts by itself
	if !strings.Contains(c.w.labels["right"].Text, "capturado") || !strings.Contains(c.w.labels["left"].Text, "capturado") {
		t.Fatalf("fingers: %q %q, status %q", c.w.labels["right"].Text, c.w.labels["left"].Text, c.w.status.Text)
	}
	c.tap(t, "next")
	c.want(t, "consent")
	if c.w.buttons["next"].Disabled() == false {
		t.Error("consent: next enabled before the citizen accepted")
	}
	c.tap(t, "accept")
	c.tap(t, "next")
	c.want(t, "review")
	c.tap(t, "send")
	c.want(t, "result")
	return c.w.labels["verdict"].Text
}

func TestGenuineAndModelC(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, false))
	c.want(t, "signin")
	c.signInAs(t, "ana", "4821")
	c.want(t, "home")
	if v := c.verify(t, "G"); v != "valid" {
		t.Fatalf("genuine citizen, model G: verdict %q", v)
	}
	for _, key := range []string{"right", "left"} {
		if l := c.w.labels[key].Text; !strings.HasPrefix(l, "✓") {
			t.Errorf("%s index: %q", key, l)
		}
	}
	if m := c.w.marks["curp"]; m == nil || m.Text != "✓" {
		t.Errorf("CURP mark %+v", m)
	}
	// The citizen's receipt: a PDF in the receipts folder, without the CURP in full.
	c.tap(t, "receipt")
	path, ok := strings.CutPrefix(c.w.status.Text, "Comprobante guardado en ")
	if !ok {
		t.Fatalf("receipt: %q", c.w.status.Text)
	}
	if pdf, err := os.ReadFile(path); err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) || bytes.Contains(pdf, []byte("MAMA810125HPLRNR35")) {
		t.Errorf("receipt %s: %d bytes, %v", path, len(pdf), err)
	}
	// The second register citizen on a model C credential (no CIC: searched by OCR).
	c.k.Scanner.Citizen = "P002"
	if v := c.verify(t, "C"); v != "valid" {
		t.Fatalf("model C: verdict %q", v)
	}
	if m := c.w.marks["ocr"]; m == nil || m.Text != "✓" {
		t.Errorf("OCR mark %+v", m)
	}
	// History finds it by CURP.
	c.tap(t, "home")
	c.tap(t, "history")
	c.w.entries["search"].SetText("MAMA810125HPLRNR35")
	c.tap(t, "find")
	c.want(t, "history")
	if n := len(c.w.history.Objects); n != 1 {
		t.Errorf("history by CURP: %d lines, want the one verification of that citizen", n)
	}
}

func TestImpostor(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, true))
	c.signInAs(t, "ana", "4821")
	if v := c.verify(t, "G"); v != "invalid" {
		t.Fatalf("impostor: verdict %q", v)
	}
	for _, key := range []string{"right", "left"} {
		if l := c.w.labels[key].Text; !strings.HasPrefix(l, "✗") {
			t.Errorf("%s index: %q", key, l)
		}
	}
}

// TestOffline: INE is down, the request is queued; INE comes back and "send now"
// delivers it; the history shows the answer.
func TestOffline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := sandboxtest.Start(t, sandboxtest.Options{Addr: addr, Matcher: &enrolled.Matcher{}})
	env.Stop() // INE goes away
	c := start(t, kiosk(t, env, false))
	c.signInAs(t, "ana", "4821")
	if v := c.verify(t, "G"); v != "queued" {
		t.Fatalf("offline: verdict %q", v)
	}
	c.tap(t, "home")
	if q := c.w.labels["queue"].Text; q != "En cola: 1" {
		t.Errorf("home says %q", q)
	}
	if o := c.w.labels["online"].Text; !strings.Contains(o, "sin conexión") {
		t.Errorf("home says %q", o)
	}
	sandboxtest.Start(t, sandboxtest.Options{Addr: addr, Matcher: &enrolled.Matcher{}}) // INE is back
	c.tap(t, "queue")
	c.tap(t, "drain")
	c.want(t, "queue")
	if !strings.Contains(c.w.status.Text, "Enviadas: 1") {
		t.Errorf("drain: %q", c.w.status.Text)
	}
	entries, err := c.k.History(context.Background(), capture.Query{})
	if err != nil || len(entries) != 1 {
		t.Fatalf("%v %v", entries, err)
	}
	c.showResult(entries[0])
	c.Wait()
	if v := c.w.labels["verdict"].Text; v != "valid" {
		t.Errorf("delivered later: verdict %q", v)
	}
}

func TestWrongPINLockout(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, false))
	for i := range 4 {
		c.signInAs(t, "ana", "0000")
		c.want(t, "signin")
		if want := []string{"4", "3", "2", "1"}[i]; !strings.Contains(c.w.status.Text, "Quedan "+want) {
			t.Errorf("try %d: %q", i+1, c.w.status.Text)
		}
	}
	c.signInAs(t, "ana", "0000")
	if !strings.Contains(c.w.status.Text, "Demasiados PIN incorrectos") {
		t.Errorf("fifth wrong PIN: %q", c.w.status.Text)
	}
	c.signInAs(t, "ana", "4821") // the right PIN, while locked
	c.want(t, "signin")
	// Another operator is not affected; only a supervisor sees the settings.
	c.signInAs(t, "sup", "9999")
	c.want(t, "home")
	if _, ok := c.w.buttons["settings"]; ok {
		t.Error("settings offered with no settings store")
	}
	// The operator switches language at run time.
	c.tap(t, "lang")
	c.want(t, "home")
	if b := c.w.buttons["new"]; b.Text != "New verification" {
		t.Errorf("after switching: %q", b.Text)
	}
}

// BenchmarkStartup is the time from nothing to the sign-in screen with real services
// already opened (the window's own part of start-up).
func BenchmarkStartup(b *testing.B) {
	test.NewTempApp(b)
	k := &capture.Kiosk{}
	for b.Loop() {
		w := test.NewWindow(nil)
		c := New(k, w, Options{Poll: time.Hour, NoAutoSend: true})
		c.Start()
		if c.screen != "signin" {
			b.Fatal(c.screen)
		}
		c.Close()
		w.Close()
	}
}

// BenchmarkTenVerifications walks ten whole verifications through the window (OCR of a
// sample credential, both fingers from the simulated reader, the sandbox over two-way
// TLS) and reports the heap in use afterwards, after a collection.
func BenchmarkTenVerifications(b *testing.B) {
	env := sandboxtest.Start(b, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	k := kioskTB(b, env)
	test.NewTempApp(b)
	w := test.NewTempWindow(b, nil)
	c := New(k, w, Options{Demo: true, Poll: time.Hour, NoAutoSend: true})
	c.Start()
	defer c.Close()
	c.w.entries["operator"].SetText("ana")
	c.w.entries["pin"].SetText("4821")
	test.Tap(c.w.buttons["enter"])
	c.Wait()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for b.Loop() {
		for range 10 {
			for _, key := range []string{"new", "sampleG", "next", "next", "accept", "next", "send", "home"} {
				test.Tap(c.w.buttons[key])
				c.Wait()
			}
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapInuse)/(1<<20), "MB-heap-after")
	b.ReportMetric(float64(before.HeapInuse)/(1<<20), "MB-heap-before")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(10*b.N), "ms/verification")
}

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
		curp := ""
		if e := c.w.entries["curp"]; e != nil {
			curp = e.Text
		}
		c.tap(t, "lang")
		c.want(t, screen)
		if en := c.texts(); en == es || c.w.buttons["lang"].Text != "Español" {
			t.Errorf("%s: the language switch changed nothing (%q)", screen, c.w.buttons["lang"].Text)
		}
		if e := c.w.entries["curp"]; e != nil && e.Text != curp {
			t.Errorf("%s: the CURP entered (%q) is lost in English (%q)", screen, curp, e.Text)
		}
		c.tap(t, "lang")
		c.want(t, screen)
		if c.w.buttons["lang"].Text != "English" {
			t.Errorf("%s: back in Spanish, the switch says %q", screen, c.w.buttons["lang"].Text)
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
	if c.w.labels["verdict"] == nil || c.w.labels["verdict"].Text != "valid" {
		t.Errorf("the result after switching: %v", c.w.labels["verdict"])
	}
	c.tap(t, "home")
	for _, s := range []struct{ button, screen string }{{"queue", "queue"}, {"history", "history"}, {"settings", "settings"}} {
		c.tap(t, s.button)
		both(s.screen)
		if s.screen == "settings" {
			c.tap(t, "save") // read and written in the background
			if saved := settings.saved; saved["lang"] != "es" || !strings.HasPrefix(c.w.status.Text, "Configuración guardada") {
				t.Errorf("settings saved %v, status %q", saved, c.w.status.Text)
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

func (f *fakeSettings) Save(v map[string]string) error { f.saved = v; return nil }
