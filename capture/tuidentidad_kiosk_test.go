package capture_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"cotejo/capture"
	"cotejo/storage"
	"cotejo/verify/credential"
	"cotejo/verify/pki"
	"cotejo/verify/tuidentidad"
	"cotejo/verify/tuidentidad/standin"
	"cotejo/verify/webhook"
)

// nominalEnv is Tu Identidad's stand-in on loopback TLS, its clock fixed so that a Step
// finishes what is due, and a Nominal over a fresh data file.
type nominalEnv struct {
	srv *standin.Server
	n   *capture.Nominal
	db  *storage.DB
	lb  *pki.Loopback
	now *time.Time // the stand-in's, the tracker's and the data file's clock
	dir string     // the data file's folder
}

func startNominal(t *testing.T, cfg standin.Config) *nominalEnv {
	t.Helper()
	lb, err := pki.NewLoopback(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	now := new(time.Time)
	*now = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return *now }
	cfg.APIKeys = map[string]string{"k": "A"}
	cfg.Now = clock
	srv := standin.New(cfg)
	ts := httptest.NewUnstartedServer(srv.Handler(""))
	ts.TLS = lb.ServerTLS()
	ts.StartTLS()
	t.Cleanup(ts.Close)
	client := &tuidentidad.Client{BaseURL: ts.URL, APIKey: "k", HTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: lb.ClientTLS()}, Timeout: 2 * time.Minute}}
	dir := t.TempDir()
	db, err := storage.Settings{Path: "cotejo.db"}.Open(context.Background(), dir, storage.Options{Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tr := &tuidentidad.Tracker{API: client, Store: capture.TuIdentidadStore{DB: db}, Now: clock}
	return &nominalEnv{srv: srv, db: db, lb: lb, now: now, dir: dir, n: &capture.Nominal{Tracker: tr, DB: db, Interval: 10 * time.Millisecond}}
}

var sampleG = credential.Credential{Modelo: "G", CIC: "354760982", OCR: "3802273311720", CURP: "MAMA810125HPLRNR35"}

// TestTuIdentidadNominal: the window's checks from a credential and its CURP, answered
// by the stand-in, read in both languages; each request in the audit trail with the
// operator, each answer with its outcome; the list newest first.
func TestTuIdentidadNominal(t *testing.T) {
	e := startNominal(t, standin.Config{Scenarios: map[string]standin.Scenario{"354760982": standin.Found, sampleG.CURP: standin.Found}})
	ctx := t.Context()
	c, err := e.n.CheckRoll(ctx, "ana", "IDX1", sampleG)
	if err != nil || c.State != tuidentidad.CaseWaiting || c.Key != "IDX1.ine" || c.Ref != "IDX1" {
		t.Fatalf("%+v %v", c, err)
	}
	e.srv.Step(ctx)
	c, err = e.n.Wait(ctx, c.Key)
	if err != nil || c.State != tuidentidad.CaseDone {
		t.Fatalf("%+v %v", c, err)
	}
	if o := c.Outcome("es"); !o.Good || o.Verdict != "VIGENTE · PUEDE VOTAR" || !strings.Contains(strings.Join(o.Detail, "|"), "CIC: 354760982") {
		t.Errorf("es: %+v", o)
	}
	if o := c.Outcome("en"); o.Verdict != "VALID · CAN VOTE" {
		t.Errorf("en: %+v", o)
	}
	r, err := e.n.LookupRFC(ctx, "ana", "IDX1", sampleG.CURP)
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Step(ctx)
	if r, err = e.n.Wait(ctx, r.Key); err != nil || r.State != tuidentidad.CaseDone {
		t.Fatalf("%+v %v", r, err)
	}
	if o := r.Outcome("es"); !o.Found || !strings.HasPrefix(o.Detail[0], "RFC: MAMA810125") {
		t.Errorf("rfc: %+v", o)
	}
	// The request's body says where the RFC was searched: Puebla (PL) by the CURP here.
	var body tuidentidad.RFCRequest
	if err := json.Unmarshal(r.Request, &body); err != nil || body.State != 21 {
		t.Errorf("rfc body %s: %v", r.Request, err)
	}
	// A second tap does not ask again.
	if again, err := e.n.LookupRFC(ctx, "ana", "IDX1", sampleG.CURP); err != nil || again.VerificationID != r.VerificationID {
		t.Errorf("again: %+v %v", again, err)
	}
	list, err := e.n.Cases(ctx)
	if err != nil || len(list) != 2 {
		t.Fatalf("%d %v", len(list), err)
	}
	if mine, _ := e.n.Cases(ctx, "other"); len(mine) != 0 {
		t.Errorf("cases of another request: %d", len(mine))
	}
	log, err := e.db.Audit().List(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range log {
		lines = append(lines, l.Operator+" "+l.Action+" "+l.Ref+" "+l.Outcome)
	}
	got := strings.Join(lines, "\n")
	for _, want := range []string{"ana tuidentidad.request IDX1.ine ine", "tuidentidad tuidentidad.case IDX1.ine done valid=true canVote=true",
		"ana tuidentidad.request IDX1.rfc rfc", "tuidentidad tuidentidad.case IDX1.rfc done found"} {
		if !strings.Contains(got, want) {
			t.Errorf("audit lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, sampleG.CURP) || strings.Contains(got, sampleG.CIC) {
		t.Errorf("personal data in the audit trail:\n%s", got)
	}
}

// TestTuIdentidadNominalNegative: the stand-in's negative answers in the operator's
// words; a malformed credential is refused before anything is sent.
func TestTuIdentidadNominalNegative(t *testing.T) {
	e := startNominal(t, standin.Config{Scenarios: map[string]standin.Scenario{"354760982": standin.NotValid, sampleG.CURP: standin.NoMatch}})
	ctx := t.Context()
	c, err := e.n.CheckRoll(ctx, "ana", "IDX2", sampleG)
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Step(ctx)
	if c, err = e.n.Wait(ctx, c.Key); err != nil || c.Outcome("es").Verdict != "NO VIGENTE" || c.Outcome("es").Good {
		t.Errorf("%+v %v", c.Outcome("es"), err)
	}
	n, err := e.n.LookupNSS(ctx, "ana", "IDX2", sampleG.CURP)
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Step(ctx)
	n, err = e.n.Wait(ctx, n.Key)
	o := n.Outcome("es")
	if err != nil || n.State != tuidentidad.CaseFailed || o.Verdict != "NO ENCONTRADO" || o.Detail[0] != "El IMSS no tiene información para esa CURP." {
		t.Errorf("%+v %+v %v", n.Case, o, err)
	}
	if _, err := e.n.CheckRoll(ctx, "ana", "IDX3", credential.Credential{Modelo: "G", CIC: "12", OCR: "1"}); err == nil || capture.ProblemMessage(err, "es") == err.Error() {
		t.Errorf("malformed credential: %v", err)
	}
}

// TestTuIdentidadNominalRun: the background pass, woken by a webhook delivery to the
// in-process receiver's handler, finishes a case nobody waits for and says so once.
func TestTuIdentidadNominalRun(t *testing.T) {
	auth := webhook.Bearer("t0ken")
	e := startNominal(t, standin.Config{Scenarios: map[string]standin.Scenario{"354760982": standin.Found}})
	h := e.n.Handler(auth, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = webhook.Serve(ctx, ln, h, e.lb.ServerTLS(), nil) }()
	finished := make(chan capture.NominalCase, 4)
	go func() {
		defer wg.Done()
		_ = e.n.Run(ctx, time.Hour, func(c capture.NominalCase) { finished <- c })
	}()
	defer func() { cancel(); wg.Wait() }()
	c, err := e.n.CheckRoll(ctx, "ana", "IDX4", sampleG)
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Step(ctx)
	// The provider's delivery, as the stand-in would post it.
	rec, err := e.n.Tracker.API.Status(ctx, c.VerificationID)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(rec)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, "https://"+ln.Addr().String()+"/", strings.NewReader(string(raw)))
	req.Header.Set("Authorization", auth.Header())
	resp, err := (&http.Client{Transport: &http.Transport{TLSClientConfig: e.lb.ClientTLS()}, Timeout: 2 * time.Minute}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook: %d", resp.StatusCode)
	}
	select {
	case got := <-finished:
		if got.Key != c.Key || got.State != tuidentidad.CaseDone {
			t.Errorf("%+v", got)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("the background pass never reported the case")
	}
}

// TestTuIdentidadApp: with [tuidentidad] and its webhook_addr set, the opened app has
// the window's Nominal and serves the webhook receiver in-process; the stand-in's
// delivery there wakes the background pass, which finishes the case; closing the app
// stops the receiver.
func TestTuIdentidadApp(t *testing.T) {
	lb, err := pki.NewLoopback(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hookAddr := ln.Addr().String()
	ln.Close()
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	srv := standin.New(standin.Config{APIKeys: map[string]string{"k": "A"}, Now: func() time.Time { return now },
		WebhookURL: "https://" + hookAddr + "/tuidentidad", WebhookAuth: webhook.Bearer("t0ken").Header(),
		WebhookClient: &http.Client{Transport: &http.Transport{TLSClientConfig: lb.ClientTLS()}, Timeout: 2 * time.Minute},
		Scenarios:     map[string]standin.Scenario{"354760982": standin.CannotVote}})
	ts := httptest.NewUnstartedServer(srv.Handler(""))
	ts.TLS = lb.ServerTLS()
	ts.StartTLS()
	defer ts.Close()

	cfg := installation(t, "")
	dir := filepath.Dir(cfg)
	for name, pem := range map[string][]byte{"ti-ca.pem": lb.CAPEM, "hook.pem": lb.CertPEM, "hook.key": lb.KeyPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), pem, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "\n[tuidentidad]\nurl = %q\napi_key = \"k\"\nca = \"ti-ca.pem\"\nwebhook_addr = %q\nwebhook_auth = \"bearer:t0ken\"\nwebhook_cert = \"hook.pem\"\nwebhook_key = \"hook.key\"\n", ts.URL, hookAddr)
	f.Close()

	a, err := capture.Open(context.Background(), cfg, capture.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Nominal == nil || a.Webhook == nil {
		a.Close()
		t.Fatal("no Nominal or receiver with [tuidentidad] configured")
	}
	a.Nominal.Tracker.Now = func() time.Time { return now }
	ctx, cancel := context.WithCancel(t.Context())
	finished := make(chan capture.NominalCase, 1)
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		_ = a.Nominal.Run(ctx, time.Hour, func(c capture.NominalCase) { finished <- c })
	}()
	c, err := a.Nominal.CheckRoll(ctx, "ana", "IDX5", sampleG)
	if err != nil || c.State != tuidentidad.CaseWaiting {
		t.Fatalf("%+v %v", c, err)
	}
	srv.Step(ctx) // delivers to the app's receiver
	if srv.Delivered() != 1 {
		t.Errorf("deliveries acknowledged: %d", srv.Delivered())
	}
	select {
	case got := <-finished:
		if got.Key != c.Key || got.Outcome("es").Verdict != "VIGENTE · NO PUEDE VOTAR" {
			t.Errorf("%+v %+v", got.Case, got.Outcome("es"))
		}
	case <-time.After(2 * time.Minute):
		t.Error("the delivery did not finish the case")
	}
	cancel()
	<-ran
	if err := a.Close(); err != nil {
		t.Error(err)
	}
	if conn, err := net.Dial("tcp", hookAddr); err == nil {
		conn.Close()
		t.Error("the receiver still listens after the app closed")
	}
}

// TestOpenWithoutService: a configuration with Tu Identidad and no [service] opens; the
// window's Nominal is there, INE's features say in both languages that INE's service
// is not configured, and nothing panics for the missing client.
func TestOpenWithoutService(t *testing.T) {
	e := startNominal(t, standin.Config{})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "ti-ca.pem"), e.lb.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "cotejo.toml")
	toml := fmt.Sprintf("[storage]\npath = \"cotejo.db\"\n\n[tuidentidad]\nurl = %q\napi_key = \"k\"\nca = \"ti-ca.pem\"\n", e.n.Tracker.API.(*tuidentidad.Client).BaseURL)
	if err := os.WriteFile(cfg, []byte(toml), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := capture.Open(t.Context(), cfg, capture.Options{})
	if err != nil {
		t.Fatalf("a kiosk without [service] did not open: %v", err)
	}
	defer a.Close()
	if a.Nominal == nil || a.HasService() || a.Reachable(t.Context()) {
		t.Fatalf("Nominal %v, HasService %t", a.Nominal, a.HasService())
	}
	_, err = a.Submit(t.Context(), capture.NewSession("ana", nil))
	if !errors.Is(err, capture.ErrNoService) {
		t.Fatalf("submit: %v", err)
	}
	if _, err := a.Drain(t.Context(), nil); !errors.Is(err, capture.ErrNoService) {
		t.Errorf("drain: %v", err)
	}
	es, en := capture.ProblemMessage(err, "es"), capture.ProblemMessage(err, "en")
	if !strings.Contains(es, "no está configurado") || !strings.Contains(en, "not configured") {
		t.Errorf("messages %q / %q", es, en)
	}
	// The checks work without INE, made from a reference of their own.
	ref := capture.NewNominalRef()
	if !strings.HasPrefix(ref, "TI-") || ref == capture.NewNominalRef() {
		t.Errorf("ref %q", ref)
	}
	c, err := a.Nominal.CheckRoll(t.Context(), "ana", ref, sampleG)
	if err != nil || c.Ref != ref || c.State.Final() && c.State != tuidentidad.CaseDone {
		t.Errorf("%+v %v", c, err)
	}
}

// TestNominalStandalone: checks made without an INE request ("TI-" references) keep
// whose they are, sealed: the cases name the citizen, the history finds them by CURP or
// CIC (as typed) and by operator, an INE request's checks are not among them, and
// retention deletes the record once its cases are gone, not before.
func TestNominalStandalone(t *testing.T) {
	e := startNominal(t, standin.Config{Scenarios: map[string]standin.Scenario{"354760982": standin.Found, sampleG.CURP: standin.Found}})
	ctx := t.Context()
	cred := sampleG
	cred.Nombre, cred.ApellidoPaterno, cred.ApellidoMaterno = "MARIA", "MARTINEZ", "MARTINEZ"
	ref := capture.NewNominalRef()
	c, err := e.n.CheckRoll(ctx, "ana", ref, cred)
	if err != nil || c.Ref != ref || c.Name != "MARIA MARTINEZ MARTINEZ" || c.CURP != sampleG.CURP {
		t.Fatalf("%+v %v", c, err)
	}
	if _, err := e.n.LookupNSS(ctx, "ana", ref, sampleG.CURP); err != nil {
		t.Fatal(err)
	}
	// Checks from an INE request are found through its entry, not here.
	if _, err := e.n.CheckRoll(ctx, "ana", "IDX1", cred); err != nil {
		t.Fatal(err)
	}
	e.srv.Step(ctx)
	for _, key := range []string{ref + ".ine", ref + ".nss"} {
		if c, err := e.n.Wait(ctx, key); err != nil || c.State != tuidentidad.CaseDone || c.Name != "MARIA MARTINEZ MARTINEZ" {
			t.Fatalf("%s: %+v %v", key, c, err)
		}
	}
	for _, tc := range []struct {
		name string
		q    storage.Query
		want int
	}{
		{"all", storage.Query{}, 1},
		{"curp", storage.Query{Subject: sampleG.CURP}, 1},
		{"curp typed", storage.Query{Subject: " mama810125hplrnr35 "}, 1},
		{"cic", storage.Query{Subject: sampleG.CIC}, 1},
		{"operator", storage.Query{Operator: "ana", Subject: sampleG.CIC}, 1},
		{"another operator", storage.Query{Operator: "beto"}, 0},
		{"another citizen", storage.Query{Subject: "GOMA800101MDFRRR01"}, 0},
		{"later", storage.Query{From: e.now.Add(time.Hour)}, 0},
		{"earlier", storage.Query{To: e.now.Add(-time.Hour)}, 0},
	} {
		refs, err := e.n.Standalone(ctx, tc.q)
		if err != nil || len(refs) != tc.want || (tc.want == 1 && refs[0] != ref) {
			t.Errorf("%s: %v %v", tc.name, refs, err)
		}
	}
	if cases, err := e.n.Cases(ctx, ref); err != nil || len(cases) != 2 {
		t.Errorf("cases of %s: %d %v", ref, len(cases), err)
	}
	// Nothing of the citizen's in clear in the data file.
	e.db.Close()
	raw, err := os.ReadFile(filepath.Join(e.dir, "cotejo.db"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"MARTINEZ", sampleG.CURP, sampleG.CIC} {
		if strings.Contains(string(raw), s) {
			t.Errorf("%q in clear in the data file", s)
		}
	}
}

// TestNominalStandaloneRetention: a "TI-" reference's record outlives its cases and is
// deleted with the first retention pass after them.
func TestNominalStandaloneRetention(t *testing.T) {
	e := startNominal(t, standin.Config{Scenarios: map[string]standin.Scenario{sampleG.CURP: standin.Found}})
	ctx := t.Context()
	ref := capture.NewNominalRef()
	if _, err := e.n.LookupRFC(ctx, "ana", ref, sampleG.CURP); err != nil {
		t.Fatal(err)
	}
	app := &capture.App{Kiosk: &capture.Kiosk{DB: e.db}, Config: &capture.Config{}}
	count := func() int {
		refs, err := e.n.Standalone(ctx, storage.Query{})
		if err != nil {
			t.Fatal(err)
		}
		return len(refs)
	}
	// Long after, its case still waiting: both stay.
	*e.now = e.now.AddDate(0, 0, 60)
	if _, err := app.Purge(ctx, "retention"); err != nil || count() != 1 {
		t.Fatalf("waiting case: %d refs, %v", count(), err)
	}
	e.srv.Step(ctx)
	if c, err := e.n.Wait(ctx, ref+".rfc"); err != nil || c.State != tuidentidad.CaseDone {
		t.Fatalf("%+v %v", c, err)
	}
	*e.now = e.now.AddDate(0, 0, 31)
	rep, err := app.Purge(ctx, "retention")
	if err != nil || rep.Cases != 1 || count() != 0 {
		t.Errorf("%+v %v: %d refs left", rep, err, count())
	}
}
