package ui

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
	"cotejo/capture/signin"
	"cotejo/ocr"
	"cotejo/scanner/biometrics/enrolled"
	"cotejo/storage"
	"cotejo/verify/sandbox/sandboxtest"
)

func TestMain(m *testing.M) {
	if err := ocr.LimitThreads(); err != nil {
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
	cred := on[*credentialScreen](t, c)
	if !strings.Contains(cred.status.Text, "reverso") || cred.buttons["scan"].Text != "Escanear el reverso" {
		t.Fatalf("after the front: %q, button %q", cred.status.Text, cred.buttons["scan"].Text)
	}
	c.tap(t, "scan")
	if cred.entries["curp"].Text != "" || cred.status.Importance != widget.DangerImportance || cred.status.Text == "" {
		t.Errorf("a test pattern read as a credential: status %q", cred.status.Text)
	}
	t.Logf("operator is told: %s", cred.status.Text)
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
	k := &capture.Kiosk{OCR: reader, DB: db,
		Scanner:   capture.ScannerSettings{Kind: "simulated", Citizen: "P001"},
		Branch:    capture.Place{CodigoPostal: "06000", Ciudad: "CDMX", Estado: 9},
		Operators: book}
	if env != nil { // nil: a kiosk without [service]
		k.Sealer, k.Client, k.Threshold = env.Conn.Sealer, env.Conn.Client, env.Conn.Threshold
	}
	return k
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

// on is the screen shown, which must be an S.
func on[S screen](t testing.TB, c *Controller) S {
	t.Helper()
	s, ok := c.cur.(S)
	if !ok {
		t.Fatalf("on screen %s, want a %T (status %q)", c.Screen(), s, c.status())
	}
	return s
}

// status is what the screen's status line says.
func (c *Controller) status() string { return c.cur.base().status.Text }

func (c *Controller) tap(t testing.TB, key string) {
	t.Helper()
	b := c.cur.base().buttons[key]
	if b == nil {
		t.Fatalf("screen %s has no button %q", c.Screen(), key)
		return
	}
	if b.Disabled() {
		t.Fatalf("screen %s: button %q is disabled (status %q)", c.Screen(), key, c.status())
	}
	test.Tap(b)
	c.Wait()
}

func (c *Controller) want(t *testing.T, screen string) {
	t.Helper()
	if c.Screen() != screen {
		t.Fatalf("on screen %s, want %s (status %q)", c.Screen(), screen, c.status())
	}
}

func (c *Controller) signInAs(t testing.TB, id, pin string) {
	t.Helper()
	s := on[*signInScreen](t, c)
	s.operator.SetText(id)
	s.pin.SetText(pin)
	c.tap(t, "enter")
}

// verify walks a whole verification with a sample credential and returns the verdict
// shown.
func (c *Controller) verify(t *testing.T, sample string) string {
	t.Helper()
	c.tap(t, "new")
	c.want(t, "credential")
	c.tap(t, "sample"+sample)
	if cred := on[*credentialScreen](t, c); cred.entries["curp"].Text == "" || cred.model.Selected != sample {
		t.Fatalf("read nothing: status %q, model %q", c.status(), cred.model.Selected)
	}
	c.tap(t, "next")
	c.want(t, "fingers") // capture starts by itself
	if f := on[*fingersScreen](t, c); !strings.Contains(f.right.Text, "capturado") || !strings.Contains(f.left.Text, "capturado") {
		t.Fatalf("fingers: %q %q, status %q", f.right.Text, f.left.Text, c.status())
	}
	c.tap(t, "next")
	c.want(t, "consent")
	if !c.cur.base().buttons["next"].Disabled() {
		t.Error("consent: next enabled before the citizen accepted")
	}
	c.tap(t, "accept")
	c.tap(t, "next")
	c.want(t, "review")
	c.tap(t, "send")
	return on[*resultScreen](t, c).verdict
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
	res := on[*resultScreen](t, c)
	for key, l := range map[string]*canvas.Text{"right": res.right, "left": res.left} {
		if l == nil || !strings.HasPrefix(l.Text, "✓") {
			t.Errorf("%s index: %v", key, l)
		}
	}
	if m := res.marks["curp"]; m == nil || !strings.HasPrefix(m.Text, "✓") {
		t.Errorf("CURP mark %+v", m)
	}
	// The citizen's receipt: a PDF in the receipts folder, without the CURP in full.
	c.tap(t, "receipt")
	path, ok := strings.CutPrefix(c.status(), "Comprobante guardado en ")
	if !ok {
		t.Fatalf("receipt: %q", c.status())
	}
	if pdf, err := os.ReadFile(path); err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) || bytes.Contains(pdf, []byte("MAMA810125HPLRNR35")) {
		t.Errorf("receipt %s: %d bytes, %v", path, len(pdf), err)
	}
	// The second register citizen on a model C credential (no CIC: searched by OCR).
	c.k.Scanner.Citizen = "P002"
	if v := c.verify(t, "C"); v != "valid" {
		t.Fatalf("model C: verdict %q", v)
	}
	if m := on[*resultScreen](t, c).marks["ocr"]; m == nil || !strings.HasPrefix(m.Text, "✓") {
		t.Errorf("OCR mark %+v", m)
	}
	// History finds it by CURP.
	c.tap(t, "home")
	c.tap(t, "history")
	on[*historyScreen](t, c).search.SetText("MAMA810125HPLRNR35")
	c.tap(t, "find")
	c.want(t, "history")
	if n := len(on[*historyScreen](t, c).results.Objects); n != 1 {
		t.Errorf("history by CURP: %d lines, want the one verification of that citizen", n)
	}
	// A result opened from the history has a way back to it, the search kept.
	test.Tap(on[*historyScreen](t, c).results.Objects[0].(*widget.Button))
	c.Wait()
	c.want(t, "result")
	c.tap(t, "back")
	c.want(t, "history")
	if q := on[*historyScreen](t, c).search.Text; q != "MAMA810125HPLRNR35" {
		t.Errorf("back in the history, the search is %q", q)
	}
}

func TestImpostor(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, true))
	c.signInAs(t, "ana", "4821")
	if v := c.verify(t, "G"); v != "invalid" {
		t.Fatalf("impostor: verdict %q", v)
	}
	res := on[*resultScreen](t, c)
	for key, l := range map[string]*canvas.Text{"right": res.right, "left": res.left} {
		if l == nil || !strings.HasPrefix(l.Text, "✗") || !strings.Contains(l.Text, "mínimo") {
			t.Errorf("%s index: %v", key, l)
		}
	}
	// Read aloud: whose, what failed, what next.
	if res.who.Text == "" || res.who.Text == "—" {
		t.Errorf("no citizen's name: %q", res.who.Text)
	}
	if !strings.Contains(res.what.Text(), "Las huellas no coinciden con las registradas en el INE") {
		t.Errorf("what: %q", res.what.Text())
	}
	if !strings.Contains(res.next.Text(), "vuelva a colocar el dedo") || !strings.Contains(res.next.Text(), "no continúe") {
		t.Errorf("next: %q", res.next.Text())
	}
	if text := c.texts(); strings.Contains(text, "umbral") || !strings.Contains(text, "NO VÁLIDA") {
		t.Errorf("screen says:\n%s", text)
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
	home := on[*homeScreen](t, c)
	if q := home.queued.Text; q != "En cola: 1" {
		t.Errorf("home says %q", q)
	}
	if o := home.online.Text; !strings.Contains(o, "sin conexión") {
		t.Errorf("home says %q", o)
	}
	sandboxtest.Start(t, sandboxtest.Options{Addr: addr, Matcher: &enrolled.Matcher{}}) // INE is back
	c.tap(t, "queue")
	c.tap(t, "drain")
	c.want(t, "queue")
	if !strings.Contains(c.status(), "Enviadas: 1") {
		t.Errorf("drain: %q", c.status())
	}
	entries, err := c.k.History(context.Background(), capture.Query{})
	if err != nil || len(entries) != 1 {
		t.Fatalf("%v %v", entries, err)
	}
	c.goTo(&resultScreen{entry: entries[0]})
	c.Wait()
	if v := on[*resultScreen](t, c).verdict; v != "valid" {
		t.Errorf("delivered later: verdict %q", v)
	}
}

func TestWrongPINLockout(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, false))
	for i := range 4 {
		c.signInAs(t, "ana", "0000")
		c.want(t, "signin")
		if want := []string{"Quedan 4 intentos", "Quedan 3 intentos", "Quedan 2 intentos", "Queda 1 intento."}[i]; !strings.Contains(c.status(), want) {
			t.Errorf("try %d: %q", i+1, c.status())
		}
	}
	c.signInAs(t, "ana", "0000")
	if !strings.Contains(c.status(), "Demasiados PIN incorrectos") {
		t.Errorf("fifth wrong PIN: %q", c.status())
	}
	c.signInAs(t, "ana", "4821") // the right PIN, while locked
	c.want(t, "signin")
	// Another operator is not affected; only a supervisor sees the settings.
	c.signInAs(t, "sup", "9999")
	c.want(t, "home")
	// The supervisor lifts the lock by touch; ana's right PIN then signs her in.
	c.tap(t, "unlock")
	c.want(t, "unlock")
	c.tap(t, "op:ana")
	if !strings.Contains(c.status(), "puede volver a entrar") {
		t.Errorf("unlock: %q", c.status())
	}
	c.tap(t, "home")
	c.want(t, "home")
	if _, ok := c.cur.base().buttons["settings"]; ok {
		t.Error("settings offered with no settings store")
	}
	// The operator switches language at run time.
	c.tap(t, "lang")
	c.want(t, "home")
	if b := c.cur.base().buttons["new"]; b.Text != "New verification" {
		t.Errorf("after switching: %q", b.Text)
	}
	c.tap(t, "signout")
	c.signInAs(t, "ana", "4821")
	c.want(t, "home")
}
