package ui

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
	"cotejo/scanner/biometrics/enrolled"
	"cotejo/verify/credential"
	"cotejo/verify/pki"
	"cotejo/verify/sandbox/sandboxtest"
	"cotejo/verify/tuidentidad"
	"cotejo/verify/tuidentidad/standin"
)

// nominal is Tu Identidad's stand-in on loopback TLS, stepped in the background on a
// fixed clock (a step finishes what is due), and the window's Nominal over k's data
// file.
func nominal(t *testing.T, k *capture.Kiosk, scenarios map[string]standin.Scenario) *capture.Nominal {
	t.Helper()
	lb, err := pki.NewLoopback(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	srv := standin.New(standin.Config{APIKeys: map[string]string{"k": "A"}, Now: func() time.Time { return now }, Scenarios: scenarios})
	ts := httptest.NewUnstartedServer(srv.Handler(""))
	ts.TLS = lb.ServerTLS()
	ts.StartTLS()
	ctx, cancel := context.WithCancel(context.Background())
	stepped := make(chan struct{})
	go func() { defer close(stepped); srv.Run(ctx, 20*time.Millisecond) }()
	t.Cleanup(func() { cancel(); <-stepped; ts.Close() })
	client := &tuidentidad.Client{BaseURL: ts.URL, APIKey: "k", HTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: lb.ClientTLS()}, Timeout: 2 * time.Minute}}
	tr := &tuidentidad.Tracker{API: client, Store: capture.TuIdentidadStore{DB: k.DB}}
	return &capture.Nominal{Tracker: tr, DB: k.DB, Interval: 20 * time.Millisecond}
}

// startNominal is start with Tu Identidad configured.
func startNominal(t *testing.T, k *capture.Kiosk, n *capture.Nominal) *Controller {
	t.Helper()
	test.NewTempApp(t)
	w := test.NewTempWindow(t, nil)
	c := New(k, w, Options{Demo: true, Poll: time.Hour, NoAutoSend: true, Nominal: n, NominalWait: 2 * time.Minute, NominalPoll: time.Hour})
	c.Start()
	t.Cleanup(c.Close)
	return c
}

// offlineINE is the sandbox, stopped: INE cannot be reached.
func offlineINE(t *testing.T) *sandboxtest.Env {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := sandboxtest.Start(t, sandboxtest.Options{Addr: addr, Matcher: &enrolled.Matcher{}})
	env.Stop()
	return env
}

// flat is what the screen shows, its lines joined: sentences are broken to fit.
func (c *Controller) flat() string { return strings.Join(strings.Fields(c.texts()), " ") }

const sampleCURP, sampleCIC = "MAMA810125HPLRNR35", "354760982"

// TestNominalWhenINEIsDown: INE is down, the request is queued; the operator runs the
// lista nominal check from the result screen and sees the data-only banner and "valid",
// looks up the RFC, and finds the case in the history; no English on these Spanish
// screens.
func TestNominalWhenINEIsDown(t *testing.T) {
	k := kiosk(t, offlineINE(t), false)
	n := nominal(t, k, map[string]standin.Scenario{sampleCIC: standin.Found, sampleCURP: standin.Found})
	c := startNominal(t, k, n)
	noEnglish := func() {
		t.Helper()
		text := strings.ReplaceAll(c.texts(), "English", "")
		if m := english.FindAllString(text, -1); len(m) > 0 {
			t.Errorf("%s shows English %q:\n%s", c.Screen(), m, text)
		}
	}
	c.signInAs(t, "ana", "4821")
	if v := c.verify(t, "G"); v != "queued" {
		t.Fatalf("offline: verdict %q", v)
	}
	noEnglish()
	c.tap(t, "nominal")
	c.want(t, "nominal")
	s := on[*nominalScreen](t, c)
	if s.verdict != "valid" {
		t.Fatalf("verdict %q, status %q", s.verdict, c.status())
	}
	text := c.flat()
	for _, want := range []string{"SIN huellas", "no es la verificación del INE", "VIGENTE · PUEDE VOTAR", "CIC: " + sampleCIC, "MARTINEZ"} {
		if !strings.Contains(text, want) {
			t.Errorf("the screen lacks %q:\n%s", want, text)
		}
	}
	noEnglish()
	c.tap(t, "rfc")
	if text := c.texts(); !strings.Contains(text, "RFC: ENCONTRADO") || !strings.Contains(text, "RFC: MAMA810125") {
		t.Errorf("after the RFC look-up:\n%s", text)
	}
	noEnglish()
	// The other language, the same answer.
	c.tap(t, "lang")
	if text := c.flat(); !strings.Contains(text, "VALID · CAN VOTE") || !strings.Contains(text, "WITHOUT fingerprints") {
		t.Errorf("in English:\n%s", text)
	}
	c.tap(t, "lang")
	// The history lists the checks with INE's queued request.
	c.tap(t, "home")
	c.tap(t, "history")
	c.want(t, "history")
	text = c.texts()
	if !strings.Contains(text, "Lista nominal · ARTURO MARTINEZ MENDOZA") || !strings.Contains(text, "respondida: VIGENTE · PUEDE VOTAR") || !strings.Contains(text, "RFC · ") {
		t.Fatalf("history:\n%s", text)
	}
	noEnglish()
	var open *widget.Button
	for _, o := range on[*historyScreen](t, c).results.Objects {
		if b, ok := o.(*widget.Button); ok && strings.HasPrefix(b.Text, "Lista nominal") {
			open = b
		}
	}
	test.Tap(open)
	c.Wait()
	c.want(t, "nominal")
	if v := on[*nominalScreen](t, c).verdict; v != "valid" || !strings.Contains(c.texts(), "RFC: MAMA810125") {
		t.Errorf("opened from the history: %q\n%s", v, c.texts())
	}
	c.tap(t, "back")
	c.want(t, "history")
}

// TestNominalNegative: a credential the lista nominal does not recognise, and a CURP
// IMSS does not know, in the operator's Spanish; a case finished in the background is
// a notice on every screen.
func TestNominalNegative(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	k := kiosk(t, env, false)
	n := nominal(t, k, map[string]standin.Scenario{sampleCIC: standin.NotValid, sampleCURP: standin.NoMatch})
	c := startNominal(t, k, n)
	c.signInAs(t, "ana", "4821")
	cred := capture.Credential{Modelo: "G", CIC: sampleCIC, OCR: "3802273311720", CURP: sampleCURP}
	c.goTo(&resultScreen{entry: capture.Entry{ID: "1", Indice: "IDX-NEG"}, cred: &cred})
	c.Wait()
	c.tap(t, "nominal")
	s := on[*nominalScreen](t, c)
	if s.verdict != "not-valid" || !strings.Contains(c.flat(), "NO VIGENTE") || !strings.Contains(c.flat(), "no la acepte como identificación") {
		t.Errorf("verdict %q:\n%s", s.verdict, c.texts())
	}
	c.tap(t, "nss")
	if text := c.flat(); !strings.Contains(text, "NSS: NO ENCONTRADO") || !strings.Contains(text, "El IMSS no tiene información para esa CURP.") {
		t.Errorf("NSS:\n%s", text)
	}
	if m := english.FindAllString(strings.ReplaceAll(c.texts(), "English", ""), -1); len(m) > 0 {
		t.Errorf("English %q:\n%s", m, c.texts())
	}
	// A look-up whose source is down stays waiting: the queue lists it.
	waiting := credential.MakeCURP("PEREZ", "LOPEZ", "JUAN", time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), 'H', "DF", '3')
	if _, err := n.LookupRFC(t.Context(), "ana", "IDX-Q", waiting); err != nil {
		t.Fatal(err)
	}
	c.tap(t, "home")
	c.tap(t, "queue")
	c.want(t, "queue")
	if text := c.flat(); !strings.Contains(text, "Consultas sin huellas (Tu Identidad)") || !strings.Contains(text, "RFC · — · ") || !strings.Contains(text, "esperando la respuesta") || strings.Contains(text, "NSS ·") {
		t.Errorf("queue:\n%s", text)
	}
	// A case nobody waited for, finished by the background pass: a notice.
	c.nominalNotify(capture.NominalCase{Case: tuidentidad.Case{Key: "OTHER.rfc", Kind: tuidentidad.KindRFC, State: tuidentidad.CaseFailed, Code: "RFC005"}, Ref: "OTHER"})
	c.tap(t, "home")
	if text := c.flat(); !strings.Contains(text, "Llegó la respuesta de Tu Identidad para — (RFC): NO ENCONTRADO") {
		t.Errorf("no notice:\n%s", text)
	}
	c.tap(t, "nom:OTHER.rfc")
	c.want(t, "nominal")
}

// TestNominalWithoutINE: a kiosk configured with Tu Identidad only. The home screen
// says INE's service is not configured; the credential is read and reviewed, the
// review says INE's service is not configured (its send disabled) and offers the lista
// nominal, which answers "valid" for the citizen read; back leads to the review.
func TestNominalWithoutINE(t *testing.T) {
	k := kioskTB(t, nil)
	n := nominal(t, k, map[string]standin.Scenario{sampleCIC: standin.Found, sampleCURP: standin.Found})
	c := startNominal(t, k, n)
	c.signInAs(t, "ana", "4821")
	c.want(t, "home")
	if text := c.flat(); !strings.Contains(text, "INE: servicio no configurado") {
		t.Errorf("home:\n%s", text)
	}
	c.tap(t, "new")
	c.tap(t, "sampleG")
	c.tap(t, "next")
	c.want(t, "fingers")
	c.tap(t, "next")
	c.tap(t, "accept")
	c.tap(t, "next")
	c.want(t, "review")
	if b := c.cur.base().buttons["send"]; !b.Disabled() || !strings.Contains(c.status(), "El servicio del INE no está configurado") {
		t.Errorf("review: send disabled %t, status %q", b.Disabled(), c.status())
	}
	c.tap(t, "nominal")
	c.want(t, "nominal")
	s := on[*nominalScreen](t, c)
	if s.verdict != "valid" {
		t.Fatalf("verdict %q, status %q", s.verdict, c.status())
	}
	text := c.flat()
	for _, want := range []string{"SIN huellas", "VIGENTE · PUEDE VOTAR", "CIC: " + sampleCIC, "MARTINEZ"} {
		if !strings.Contains(text, want) {
			t.Errorf("the screen lacks %q:\n%s", want, text)
		}
	}
	ref := s.ref
	c.tap(t, "lang")
	if text := c.flat(); !strings.Contains(text, "VALID · CAN VOTE") {
		t.Errorf("in English:\n%s", text)
	}
	c.tap(t, "back")
	c.want(t, "review")
	if !strings.Contains(c.status(), "INE's service is not configured") {
		t.Errorf("review in English: %q", c.status())
	}
	// Asked again from the same session: the same case, not a second one.
	c.tap(t, "nominal")
	if s := on[*nominalScreen](t, c); s.ref != ref || s.verdict != "valid" {
		t.Errorf("again: ref %q (was %q), verdict %q", s.ref, ref, s.verdict)
	}
	cases, err := n.Cases(t.Context())
	if err != nil || len(cases) != 1 {
		t.Fatalf("%d cases, %v", len(cases), err)
	}
	// Without an INE request the check is still in the history, found by its CURP,
	// with the citizen's name, and opens again; a notice names the citizen.
	c.tap(t, "lang")
	c.home() // the session's screens lead back to the review, not home
	c.Wait()
	c.tap(t, "history")
	c.want(t, "history")
	h := on[*historyScreen](t, c)
	h.search.SetText(strings.ToLower(sampleCURP))
	c.tap(t, "find")
	text = c.flat()
	if !strings.Contains(text, "Lista nominal · "+cases[0].Name) || cases[0].Name == "" || strings.Contains(text, c.t("hist.none")) {
		t.Fatalf("history (name %q):\n%s", cases[0].Name, text)
	}
	var open *widget.Button
	for _, o := range h.results.Objects {
		if b, ok := o.(*widget.Button); ok && strings.HasPrefix(b.Text, "Lista nominal") {
			open = b
		}
	}
	test.Tap(open)
	c.Wait()
	c.want(t, "nominal")
	if s := on[*nominalScreen](t, c); s.ref != ref || s.verdict != "valid" || !strings.Contains(c.flat(), cases[0].Name) {
		t.Errorf("opened from the history: ref %q, verdict %q:\n%s", s.ref, s.verdict, c.flat())
	}
	c.tap(t, "back")
	h = on[*historyScreen](t, c)
	h.search.SetText("GOMA800101MDFRRR01")
	c.tap(t, "find")
	if text := c.flat(); strings.Contains(text, "Lista nominal") || !strings.Contains(text, c.t("hist.none")) {
		t.Errorf("another CURP:\n%s", text)
	}
	c.tap(t, "home")
	c.nominalNotify(cases[0])
	if text := c.flat(); !strings.Contains(text, cases[0].Name+" (Lista nominal): VIGENTE") {
		t.Errorf("notice:\n%s", text)
	}
}

// TestNominalFromReview: with Tu Identidad configured, the review offers the lista
// nominal when the home screen found INE out of reach (and still lets the request be
// queued), and does not when INE answers.
func TestNominalFromReview(t *testing.T) {
	for _, tc := range []struct {
		name    string
		offline bool
	}{{"INE down", true}, {"INE up", false}} {
		t.Run(tc.name, func(t *testing.T) {
			var env *sandboxtest.Env
			if tc.offline {
				env = offlineINE(t)
			} else {
				env = sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
			}
			k := kiosk(t, env, false)
			n := nominal(t, k, map[string]standin.Scenario{sampleCIC: standin.Found})
			c := startNominal(t, k, n)
			c.signInAs(t, "ana", "4821")
			c.tap(t, "new")
			c.tap(t, "sampleG")
			c.tap(t, "next")
			c.tap(t, "next")
			c.tap(t, "accept")
			c.tap(t, "next")
			c.want(t, "review")
			b := c.cur.base().buttons
			if b["send"].Disabled() {
				t.Error("send disabled with INE configured")
			}
			if (b["nominal"] != nil) != tc.offline {
				t.Fatalf("the lista nominal offered: %t", b["nominal"] != nil)
			}
			if !tc.offline {
				return
			}
			c.tap(t, "nominal")
			if s := on[*nominalScreen](t, c); s.verdict != "valid" || !strings.HasPrefix(s.ref, "TI-") {
				t.Errorf("verdict %q, ref %q", s.verdict, s.ref)
			}
		})
	}
}
