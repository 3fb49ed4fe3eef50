package storage_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cotejo/storage"
	"cotejo/storage/sealbox"
)

// TestCases: provider cases are kept sealed, survive a reopen, list by provider, and
// are re-sealed by key rotation.
func TestCases(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cotejo.db")
	oldKey, _ := sealbox.NewKey()
	oldBox, _ := sealbox.New(oldKey, 1)
	db, err := storage.Open(path, storage.Options{Keys: sealbox.NewKeys(oldBox), Now: time.Now})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	secret := []byte(`{"curp":"PELJ800101HDFRPN09","rfc":"PELJ800101AB1"}`)
	for _, k := range []string{"b", "a"} {
		if err := db.SaveCase(ctx, "tuidentidad", k, append([]byte(k), secret...), ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SaveCase(ctx, "otro", "a", []byte("x"), "queued"); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveCase(ctx, "tuidentidad", "a", append([]byte("a2"), secret...), "done"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][2]string{{"", "a"}, {"a/b", "c"}, {"p", ""}} {
		if err := db.SaveCase(ctx, bad[0], bad[1], []byte("x"), ""); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if _, err := db.LoadCase(ctx, "tuidentidad", "zz"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("missing case: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("PELJ800101")) {
		t.Fatal("a case's personal data is in the file in clear")
	}

	newKey, _ := sealbox.NewKey()
	newBox, _ := sealbox.New(newKey, 2)
	db = openDB(t, path, sealbox.NewKeys(newBox, oldBox), time.Now)
	if n, err := db.Rotate(ctx, "supervisor"); err != nil || n < 4 { // three cases and the MAC key
		t.Fatalf("rotate: %d %v", n, err)
	}
	db.Close()
	// The old key retired: the cases still open.
	db = openDB(t, path, sealbox.NewKeys(newBox), time.Now)
	got, err := db.Cases(ctx, "tuidentidad")
	if err != nil || len(got) != 2 || !bytes.HasPrefix(got[0], []byte("a2{")) || !bytes.HasPrefix(got[1], []byte("b{")) {
		t.Fatalf("%q %v", got, err)
	}
	if one, err := db.LoadCase(ctx, "otro", "a"); err != nil || string(one) != "x" {
		t.Errorf("%q %v", one, err)
	}
	log, err := db.Audit().List(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var events []string
	for _, e := range log {
		if strings.HasSuffix(e.Action, ".case") {
			events = append(events, e.Action+" "+e.Ref+" "+e.Outcome)
		}
	}
	if strings.Join(events, "; ") != "otro.case a queued; tuidentidad.case a done" {
		t.Errorf("audit: %q", events)
	}
}

// TestPurgeCases: finished cases past retention go whole; unfinished and recent ones stay.
func TestPurgeCases(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	db, err := storage.Open(filepath.Join(t.TempDir(), "c.db"), storage.Options{Keys: newKeys(t), Now: func() time.Time { return now }, Retention: 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	// The record is "done|ended" or "open|" for this test's reader.
	records := map[string]string{"old": "done|2026-02-01T00:00:00Z", "recent": "done|2026-03-02T09:00:00Z", "open": "open|"}
	for k, v := range records {
		if err := db.SaveCase(ctx, "tuidentidad", k, []byte(v), ""); err != nil {
			t.Fatal(err)
		}
	}
	n, err := db.PurgeCases(ctx, "tuidentidad", "retention", func(r []byte) (time.Time, bool) {
		state, at, _ := bytes.Cut(r, []byte("|"))
		ts, _ := time.Parse(time.RFC3339, string(at))
		return ts, string(state) == "done"
	})
	if err != nil || n != 1 {
		t.Fatalf("%d %v", n, err)
	}
	if _, err := db.LoadCase(ctx, "tuidentidad", "old"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("old case kept: %v", err)
	}
	if left, _ := db.Cases(ctx, "tuidentidad"); len(left) != 2 {
		t.Errorf("%d cases left", len(left))
	}
}
