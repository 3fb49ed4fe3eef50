package capture_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cotejo/capture"
	"cotejo/storage"
	"cotejo/verify/pki"
	"cotejo/verify/remoteid"
	"cotejo/verify/remoteid/standin"
)

// TestRemoteApp: with [remote] configured and the receiver's address in [tuidentidad],
// the opened app sends a remote case to the stand-in, receives its reports at /remote
// on the in-process receiver, fetches the certificate after 5100 and keeps it sealed
// with the case: the data file holds neither the phone nor the PDF in clear; each
// request, status and the certificate are in the audit trail.
func TestRemoteApp(t *testing.T) {
	lb, err := pki.NewLoopback(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pair, certPEM, keyPEM := lb.Server, lb.CertPEM, lb.KeyPEM
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hookAddr := ln.Addr().String()
	ln.Close()
	sv, err := standin.New(standin.Settings{User: "api", Token: "tok", WebhookURL: "https://" + hookAddr + "/remote", WebhookUser: "prov", WebhookPassword: "pw",
		WebhookClient: &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: lb.Pool}}}})
	if err != nil {
		t.Fatal(err)
	}
	api := httptest.NewUnstartedServer(sv)
	api.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	api.StartTLS()
	defer api.Close()

	cfg := installation(t, "")
	dir := filepath.Dir(cfg)
	for name, pem := range map[string][]byte{"remote-ca.pem": lb.CAPEM, "hook.pem": certPEM, "hook.key": keyPEM} {
		if err := os.WriteFile(filepath.Join(dir, name), pem, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The receiver's own section, its basic auth the remote provider's credential too.
	fmt.Fprintf(f, "\n[webhook]\naddr = %q\nauth = \"basic:prov:pw\"\ncert = \"hook.pem\"\nkey = \"hook.key\"\n\n[remote]\nbase_url = %q\nuser = \"api\"\ntoken = \"tok\"\nsender = \"Cotejo\"\nca = \"remote-ca.pem\"\n", hookAddr, api.URL)
	f.Close()

	a, err := capture.Open(context.Background(), cfg, capture.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Remote == nil || a.Nominal != nil || a.Webhook == nil {
		t.Fatalf("remote %v, nominal %v, receiver %v", a.Remote, a.Nominal, a.Webhook)
	}
	ctx, cancel := context.WithCancel(t.Context())
	changed := make(chan capture.RemoteCase, 16)
	ran := make(chan struct{})
	go func() {
		defer close(ran)
		_ = a.Remote.Run(ctx, time.Hour, func(c capture.RemoteCase) { changed <- c })
	}()
	defer func() { cancel(); <-ran }()

	if _, err := a.Remote.Send(ctx, "ana", "55 1234 5678", "Sin enlace", ""); err == nil || capture.ProblemMessage(err, "es") == err.Error() {
		t.Errorf("a message without [LINK]: %v", err)
	}
	c, err := a.Remote.Send(ctx, "ana", "55 1234 5678", a.Remote.DefaultMessage(), "GOMR800101HDFRRN09")
	if err != nil {
		t.Fatal(err)
	}
	if c.StateText("es") != "Enlace enviado: la persona aún no lo abre." || c.Verdict("es") != "EN CURSO" {
		t.Errorf("%q %q", c.StateText("es"), c.Verdict("es"))
	}
	if err := sv.Finish(ctx); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(2 * time.Minute)
	for done := false; !done; {
		select {
		case got := <-changed:
			done = got.ID == c.ID && len(got.Certificate) > 0
		case <-deadline:
			t.Fatal("the case never got its certificate")
		}
	}
	got, err := a.Remote.Get(ctx, c.ID)
	if err != nil || got.Verdict("es") != "VALIDADA" || !bytes.HasPrefix(got.Certificate, []byte("%PDF-")) {
		t.Fatalf("%q %d bytes %v", got.Verdict("es"), len(got.Certificate), err)
	}
	// Sealed with the institution's key as it was kept.
	signing, err := pki.LoadCertificate(filepath.Join(dir, a.Config.Service.SigningCert))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := capture.VerifyRemoteCertificate(got.Case, got.Certificate, signing); err != nil {
		t.Errorf("the kept certificate's seal: %v", err)
	}
	if d := strings.Join(got.Detail("es", a.Remote.Nationality()), " "); !strings.Contains(d, "El documento muestra el número pedido.") {
		t.Errorf("detail: %s", d)
	}
	log, err := a.DB.Audit().List(ctx, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range log {
		if strings.HasPrefix(l.Action, "remote") {
			lines = append(lines, l.Operator+" "+l.Action+" "+l.Ref+" "+l.Outcome)
		}
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{"ana remote.refused", "ana remote.request " + c.ID, "remoteid remoteid.case " + c.ID + " estado 5100", "remoteid remoteid.case " + c.ID + " certificate", "remoteid remote.sealed " + c.ID} {
		if !strings.Contains(text, want) {
			t.Errorf("audit lacks %q:\n%s", want, text)
		}
	}
	cancel()
	<-ran
	ran = make(chan struct{})
	close(ran) // the deferred wait has nothing left to wait for
	a.Close()
	raw, err := os.ReadFile(filepath.Join(dir, "cotejo.db"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("5512345678")) || bytes.Contains(raw, []byte("%PDF-")) || bytes.Contains(raw, []byte("GOMEZ RUIZ")) {
		t.Error("the phone, the certificate or the name is in the data file in clear")
	}
}

// TestRemoteRetention: retention deletes remote cases finished longer ago than
// retention_days (by the certificate's arrival, or the final report's time), and keeps
// the ones in progress and those it cannot date.
func TestRemoteRetention(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	db, err := storage.Settings{Path: "cotejo.db", RetentionDays: 30}.Open(context.Background(), t.TempDir(), storage.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := &capture.RemoteStore{DB: db}
	put := func(id string, c remoteid.Case) {
		if err := store.Update(t.Context(), id, func(x *remoteid.Case) error { *x = c; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	put("1", remoteid.Case{ID: "1", Events: []remoteid.Event{{ID: "1", Estado: 5100}}, Certificate: []byte("%PDF-"), CertificateAt: now.AddDate(0, 0, -40)})
	put("2", remoteid.Case{ID: "2", Events: []remoteid.Event{{ID: "2", Estado: 5500, UltimaActualizacion: "2026-01-02 10:00"}}})
	put("3", remoteid.Case{ID: "3", Events: []remoteid.Event{{ID: "3", Estado: 5500, UltimaActualizacion: "2026-03-01 10:00"}}})
	put("4", remoteid.Case{ID: "4", Events: []remoteid.Event{{ID: "4", Estado: 3001, UltimaActualizacion: "2026-01-02 10:00"}}})
	put("5", remoteid.Case{ID: "5", Events: []remoteid.Event{{ID: "5", Estado: 5500, UltimaActualizacion: "ayer"}}})
	cfg := &capture.Config{}
	cfg.Kiosk.Receipts = t.TempDir()
	app := &capture.App{Kiosk: &capture.Kiosk{DB: db}, Config: cfg}
	rep, err := app.Purge(t.Context(), "retention")
	if err != nil || rep.Cases != 2 {
		t.Fatalf("%+v %v", rep, err)
	}
	left, err := store.List(t.Context())
	var ids []string
	for _, c := range left {
		ids = append(ids, c.ID)
	}
	if err != nil || strings.Join(ids, ",") != "3,4,5" {
		t.Errorf("%v %v", ids, err)
	}
}
