package capture_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cotejo/capture"
	"cotejo/storage"
	"cotejo/verify/credential"
	"cotejo/verify/pki"
	"cotejo/verify/tuidentidad"
	"cotejo/verify/tuidentidad/standin"
)

// TestTuIdentidadStore: Tu Identidad's cases go through the encrypted data file: a case
// started before a restart is finished after it, once, and the file holds no CURP or
// result in clear.
func TestTuIdentidadStore(t *testing.T) {
	lb, err := pki.NewLoopback(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	srv := standin.New(standin.Config{APIKeys: map[string]string{"k": "A"}, Now: func() time.Time { return now }})
	ts := httptest.NewUnstartedServer(srv.Handler(""))
	ts.TLS = lb.ServerTLS()
	ts.StartTLS()
	defer ts.Close()
	client := &tuidentidad.Client{BaseURL: ts.URL, APIKey: "k", HTTP: &http.Client{Transport: &http.Transport{TLSClientConfig: lb.ClientTLS()}, Timeout: 2 * time.Minute}}

	dir := t.TempDir()
	open := func() *storage.DB {
		db, err := storage.OpenSettings(context.Background(), storage.Settings{Path: "cotejo.db"}, dir)
		if err != nil {
			t.Fatal(err)
		}
		return db
	}
	curp := credential.MakeCURP("PEREZ", "LOPEZ", "JUAN", time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC), 'H', "DF", '0')
	db := open()
	tr := &tuidentidad.Tracker{API: client, Store: capture.TuIdentidadStore{DB: db}, Now: func() time.Time { return now }}
	c, err := tr.Submit(t.Context(), "caso-1", tuidentidad.KindRFC, tuidentidad.RFCRequest{CURP: curp, State: 9})
	if err != nil || c.State != tuidentidad.CaseWaiting {
		t.Fatalf("%+v %v", c, err)
	}
	db.Close()

	srv.Step(t.Context())

	db = open()
	defer db.Close()
	tr = &tuidentidad.Tracker{API: client, Store: capture.TuIdentidadStore{DB: db}, Now: func() time.Time { return now }}
	if n, err := tr.RunOnce(t.Context()); err != nil || n != 1 {
		t.Fatalf("%d %v", n, err)
	}
	c, err = tr.Get(t.Context(), "caso-1")
	res, rerr := c.Result()
	if err != nil || c.State != tuidentidad.CaseDone || rerr != nil || len(res.RFC) != 13 {
		t.Fatalf("%+v %v %+v %v", c, err, res, rerr)
	}
	if _, err := tr.Get(t.Context(), "otro"); err != tuidentidad.ErrNoCase {
		t.Errorf("missing case: %v", err)
	}
	all, err := tr.List(t.Context())
	if err != nil || len(all) != 1 {
		t.Errorf("%d cases, %v", len(all), err)
	}
	db.Close()
	raw, err := os.ReadFile(filepath.Join(dir, "cotejo.db"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte(curp)) || bytes.Contains(raw, []byte(res.RFC)) {
		t.Error("the CURP or the RFC is in the data file in clear")
	}
	db = open()
	defer db.Close()
	log, err := db.Audit().List(t.Context(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, e := range log {
		if e.Action == "tuidentidad.case" {
			events = append(events, e.Ref+" "+e.Outcome)
		}
	}
	if got := strings.Join(events, "; "); got != "caso-1 queued; caso-1 waiting; caso-1 done found" {
		t.Errorf("audit: %s", got)
	}
}

// TestTuIdentidadRetention: retention deletes Tu Identidad's cases finished longer ago
// than retention_days, and keeps the waiting ones.
func TestTuIdentidadRetention(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	db, err := storage.Settings{Path: "cotejo.db", RetentionDays: 30}.Open(context.Background(), t.TempDir(), storage.Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := capture.TuIdentidadStore{DB: db}
	for _, c := range []tuidentidad.Case{
		{Key: "old", Kind: tuidentidad.KindNSS, State: tuidentidad.CaseDone, Created: now.AddDate(0, 0, -40), Ended: now.AddDate(0, 0, -40)},
		{Key: "recent", Kind: tuidentidad.KindNSS, State: tuidentidad.CaseFailed, Created: now.AddDate(0, 0, -2), Ended: now.AddDate(0, 0, -2)},
		{Key: "waiting", Kind: tuidentidad.KindNSS, State: tuidentidad.CaseWaiting, Created: now.AddDate(0, 0, -40)},
	} {
		if err := store.Save(t.Context(), c); err != nil {
			t.Fatal(err)
		}
	}
	cfg := &capture.Config{}
	cfg.Kiosk.Receipts = t.TempDir()
	app := &capture.App{Kiosk: &capture.Kiosk{DB: db}, Config: cfg}
	rep, err := app.Purge(t.Context(), "retention")
	if err != nil || rep.Cases != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	left, err := store.All(t.Context())
	if err != nil || len(left) != 2 || left[0].Key != "recent" || left[1].Key != "waiting" {
		t.Errorf("%+v %v", left, err)
	}
}
