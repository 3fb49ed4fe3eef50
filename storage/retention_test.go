package storage_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cotejo/storage"
	"cotejo/storage/sealbox"
)

func TestPurgeAfterRetention(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	path := filepath.Join(t.TempDir(), "c.db")
	keys := newKeys(t)
	db := openDB(t, path, keys, func() time.Time { return now })
	old := enqueue(t, db, 0, false)
	answer(t, db, old)
	now = now.Add(31 * 24 * time.Hour)
	fresh := enqueue(t, db, 1, false) // still pending: kept whole
	n, err := db.Purge(context.Background(), "supervisor")
	if err != nil || n != 1 {
		t.Fatalf("purge: %d %v", n, err)
	}
	if _, err := db.CitizenOf(old.Indice); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("personal data kept past retention: %v", err)
	}
	if _, err := db.Answer(old.Indice); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("answer kept past retention: %v", err)
	}
	if found, _ := db.Find(context.Background(), storage.Query{Subject: citizen(0).CURP}); len(found) != 0 {
		t.Errorf("still findable by CURP after purge")
	}
	if e, _ := db.Get(old.ID); !e.Purged || e.State != storage.StateAnswered {
		t.Errorf("metadata after purge: %+v", e)
	}
	if _, err := db.CitizenOf(fresh.Indice); err != nil {
		t.Errorf("pending entry lost its data: %v", err)
	}
	db.Close()
	before, _ := os.Stat(path)
	if err := storage.Compact(path, time.Second); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(path)
	if after.Size() > before.Size() {
		t.Errorf("compaction grew the file: %d → %d", before.Size(), after.Size())
	}
	db2, err := storage.Open(path, storage.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if err := db2.Check(); err != nil {
		t.Error(err)
	}
	if _, err := db2.CitizenOf(fresh.Indice); err != nil {
		t.Errorf("after compaction: %v", err)
	}
	if _, err := db2.Audit().Verify(context.Background()); err != nil {
		t.Errorf("audit after compaction: %v", err)
	}
}

func TestRotateKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	oldKey, _ := sealbox.NewKey()
	oldBox, _ := sealbox.New(oldKey, 1)
	db, err := storage.Open(path, storage.Options{Keys: sealbox.NewKeys(oldBox)})
	if err != nil {
		t.Fatal(err)
	}
	e := enqueue(t, db, 0, true)
	subject := citizen(0).CURP
	db.Close()

	newKey, _ := sealbox.NewKey()
	newBox, _ := sealbox.New(newKey, 2)
	db, err = storage.Open(path, storage.Options{Keys: sealbox.NewKeys(newBox, oldBox)})
	if err != nil {
		t.Fatal(err)
	}
	n, err := db.Rotate(context.Background(), "supervisor")
	if err != nil || n < 3 { // body, citizen, MAC key
		t.Fatalf("rotate: %d %v", n, err)
	}
	db.Close()
	// The old key retired: everything still opens, hashes still find the citizen, the
	// audit trail still verifies.
	db, err = storage.Open(path, storage.Options{Keys: sealbox.NewKeys(newBox)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Body(e.Indice); err != nil {
		t.Errorf("body after rotation: %v", err)
	}
	if found, _ := db.Find(context.Background(), storage.Query{Subject: subject}); len(found) != 1 {
		t.Error("not findable by CURP after rotation")
	}
	if _, err := db.Audit().Verify(context.Background()); err != nil {
		t.Errorf("audit after rotation: %v", err)
	}
	// The old key alone no longer opens the file.
	db.Close()
	if _, err := storage.Open(path, storage.Options{Keys: sealbox.NewKeys(oldBox)}); err == nil {
		t.Error("retired key still opens the file")
	}
}
