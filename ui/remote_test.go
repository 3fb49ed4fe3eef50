package ui

import (
	"bytes"
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"cotejo/capture"
	"cotejo/scanner/biometrics/enrolled"
	"cotejo/verify/pki"
	"cotejo/verify/remoteid"
	"cotejo/verify/remoteid/standin"
	"cotejo/verify/sandbox/sandboxtest"
)

// remote is the remote verification stand-in on loopback TLS, its reports posted to
// the window's receiver (the handler on a loopback TLS server of its own), and the
// window's Remote over k's data file.
func remote(t *testing.T, k *capture.Kiosk) (*capture.Remote, *standin.Server) {
	t.Helper()
	lb, err := pki.NewLoopback(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pair := lb.Server
	trusting := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: lb.Pool}}}
	// The receiver, served before the handler exists: the handler needs the Remote,
	// which needs the provider's address.
	var mu sync.Mutex
	var handler http.Handler
	hook := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := handler
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	hook.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	hook.StartTLS()
	t.Cleanup(hook.Close)
	sv, err := standin.New(standin.Settings{User: "api", Token: "tok", WebhookURL: hook.URL + "/remote", WebhookUser: "prov", WebhookPassword: "pw", WebhookClient: trusting})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewUnstartedServer(sv)
	api.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	api.StartTLS()
	t.Cleanup(api.Close)
	client, err := remoteid.New(remoteid.Settings{BaseURL: api.URL, User: "api", Token: "tok", Sender: "Cotejo"}, remoteid.Options{HTTPClient: trusting})
	if err != nil {
		t.Fatal(err)
	}
	r := &capture.Remote{Client: client, Store: &capture.RemoteStore{DB: k.DB}}
	h, err := r.Handler(remoteid.WebhookAuth{User: "prov", Password: "pw"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	handler = h
	mu.Unlock()
	return r, sv
}

// TestRemoteVerification: the operator opens "Verificación remota" from the home
// screen, types the phone on the screen's keyboard and sends the link; the stand-in's
// reports step the case to 5100; the screen shows it validated with the certificate,
// which the operator saves; the notice that it is evidence only is on both screens,
// and no English on them.
func TestRemoteVerification(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	k := kiosk(t, env, false)
	r, sv := remote(t, k)
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	c := New(k, w, Options{Poll: time.Hour, NoAutoSend: true, ReceiptDir: t.TempDir(), Remote: r, RemotePoll: time.Hour})
	c.Start()
	t.Cleanup(c.Close)
	c.signInAs(t, "ana", "4821")
	c.tap(t, "remote")
	c.want(t, "remote")
	s := on[*remoteScreen](t, c)
	noEnglish := func() {
		t.Helper()
		text := strings.ReplaceAll(c.texts(), "English", "")
		if m := english.FindAllString(text, -1); len(m) > 0 {
			t.Errorf("%s shows English %q:\n%s", c.Screen(), m, text)
		}
		if !strings.Contains(c.flat(), "no consulta al INE ni compara huellas") {
			t.Errorf("%s lacks the notice:\n%s", c.Screen(), c.flat())
		}
	}
	noEnglish()
	w.Canvas().Focus(s.phone)
	for _, d := range "5512345678" {
		press(t, s.keyboard, string(d))
	}
	if s.phone.Text != "5512345678" || !strings.Contains(s.message.Text, "[LINK]") {
		t.Fatalf("phone %q, message %q", s.phone.Text, s.message.Text)
	}
	c.tap(t, "send")
	c.want(t, "remote")
	id := strings.TrimSuffix(strings.TrimPrefix(c.status(), "Enlace enviado: solicitud "), ".")
	if id == "" || id == c.status() {
		t.Fatalf("send: %q", c.status())
	}
	if b := s.buttons["case:"+id]; b == nil || !strings.Contains(b.Text, "EN CURSO") {
		t.Fatalf("the list: %v", b)
	}
	c.tap(t, "case:"+id)
	c.want(t, "remotecase")
	if v := on[*remoteCaseScreen](t, c).verdict; v != "EN CURSO" {
		t.Errorf("before the reports: %q", v)
	}
	// The person follows the link: the stand-in reports 3000 … 5100 to the receiver,
	// and the background pass (run here, its news handed to the window on the test's
	// goroutine as fyne.Do would) fetches the certificate and shows the case again.
	ctx, cancel := context.WithCancel(t.Context())
	news := make(chan capture.RemoteCase, 32)
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		_ = r.Run(ctx, time.Hour, func(rc capture.RemoteCase) { news <- rc })
	}()
	defer func() { cancel(); <-ran }()
	if err := sv.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(2 * time.Minute)
	for done := false; !done; {
		select {
		case rc := <-news:
			c.remoteChanged(rc)
			done = rc.ID == id && len(rc.Certificate) > 0
		case <-deadline:
			t.Fatal("the case never got its certificate")
		}
	}
	rs := on[*remoteCaseScreen](t, c)
	if rs.verdict != "VALIDADA" || !strings.Contains(c.flat(), "Certificado del proveedor guardado con la solicitud.") || !strings.Contains(c.flat(), "Validada y certificada") {
		t.Fatalf("verdict %q:\n%s", rs.verdict, c.flat())
	}
	noEnglish()
	c.tap(t, "savecert")
	path, ok := strings.CutPrefix(c.status(), "Certificado guardado en ")
	if !ok {
		t.Fatalf("save: %q", c.status())
	}
	if pdf, err := os.ReadFile(path); err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("certificate %s: %d bytes, %v", path, len(pdf), err)
	}
	c.tap(t, "back")
	c.want(t, "remote")
	if b := on[*remoteScreen](t, c).buttons["case:"+id]; b == nil || !strings.Contains(b.Text, "VALIDADA") {
		t.Errorf("the list after 5100: %v", b)
	}
}

// TestRemoteNotice: a remote case that finishes while the operator is elsewhere is a
// notice on every screen (Tu Identidad's mechanism), in the language of the moment;
// "Ver" opens the case and the notice goes.
func TestRemoteNotice(t *testing.T) {
	k := kioskTB(t, nil)
	r, sv := remote(t, k)
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	c := New(k, w, Options{Poll: time.Hour, NoAutoSend: true, Remote: r, RemotePoll: time.Hour})
	c.Start()
	t.Cleanup(c.Close)
	c.signInAs(t, "ana", "4821")
	sent, err := r.Send(t.Context(), "ana", "5512345678", r.DefaultMessage(), "")
	if err != nil {
		t.Fatal(err)
	}
	c.want(t, "home")
	ctx, cancel := context.WithCancel(t.Context())
	news := make(chan capture.RemoteCase, 32)
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		_ = r.Run(ctx, time.Hour, func(rc capture.RemoteCase) { news <- rc })
	}()
	defer func() { cancel(); <-ran }()
	if err := sv.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(2 * time.Minute)
	for done := false; !done; {
		select {
		case rc := <-news:
			c.remoteChanged(rc) // on the test's goroutine, as fyne.Do would
			done = rc.ID == sent.ID && len(rc.Certificate) > 0
		case <-deadline:
			t.Fatal("the case never got its certificate")
		}
	}
	want := "Verificación remota " + sent.ID + ": VALIDADA · Certificado del proveedor guardado"
	if text := c.flat(); !strings.Contains(text, want) {
		t.Errorf("home lacks %q:\n%s", want, text)
	}
	if n := len(c.caseNotices); n != 1 {
		t.Errorf("%d notices, want the case's one", n)
	}
	c.tap(t, "queue")
	c.want(t, "queue")
	c.tap(t, "lang")
	if text := c.flat(); !strings.Contains(text, "Remote verification "+sent.ID+": VALIDATED") {
		t.Errorf("the queue, in English:\n%s", text)
	}
	c.tap(t, "rem:"+sent.ID)
	c.want(t, "remotecase")
	if v := on[*remoteCaseScreen](t, c).verdict; v != "VALIDATED" {
		t.Errorf("opened: %q", v)
	}
	if strings.Contains(c.flat(), "Remote verification "+sent.ID+":") {
		t.Errorf("the notice stays after it was opened:\n%s", c.flat())
	}
}
