package storage_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cotejo/storage"
	"cotejo/storage/audit"
	"cotejo/storage/storagetest"
)

// kiosk is a store opened the way the kiosk opens it: from its settings, with the data
// key in a real key file beside the data file.
type kiosk struct {
	dir string
	set storage.Settings
}

func newKiosk(t *testing.T) *kiosk {
	return &kiosk{dir: t.TempDir(), set: storage.Settings{Path: "datos/cotejo.db"}}
}

func (k *kiosk) path() string    { return filepath.Join(k.dir, "datos", "cotejo.db") }
func (k *kiosk) keyPath() string { return filepath.Join(k.dir, "datos", "cotejo.key") }

func (k *kiosk) open() (*storage.DB, error) {
	return storage.OpenSettings(context.Background(), k.set, k.dir)
}

func (k *kiosk) mustOpen(t *testing.T) *storage.DB {
	t.Helper()
	db, err := k.open()
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// work enqueues n entries from i on and answers every other one.
func work(t *testing.T, db *storage.DB, from, n int) {
	t.Helper()
	for i := from; i < from+n; i++ {
		e := enqueue(t, db, i, true)
		if i%2 == 0 {
			answer(t, db, e)
		}
	}
}

// TestTrailHeadKeptBesideKey: the trail's head is kept beside the key, so a data file
// deleted, emptied, replaced by an older copy, or rolled back by a damaged meta page is
// refused, not taken as a fresh or intact store (issue 15, point 4).
func TestTrailHeadKeptBesideKey(t *testing.T) {
	tests := []struct {
		name   string
		damage func(t *testing.T, k *kiosk, older []byte)
		want   func(error) bool
	}{
		{"data file emptied", func(t *testing.T, k *kiosk, _ []byte) { os.Truncate(k.path(), 0) }, isDataMissing},
		{"data file deleted", func(t *testing.T, k *kiosk, _ []byte) { os.Remove(k.path()) }, isDataMissing},
		{"older copy put back", func(t *testing.T, k *kiosk, older []byte) { os.WriteFile(k.path(), older, 0o600) }, isRollback},
		{"newest meta page damaged", func(t *testing.T, k *kiosk, _ []byte) { storagetest.DamageNewestMeta(t, k.path()) }, isRollback},
		{"head file deleted", func(t *testing.T, k *kiosk, _ []byte) { os.Remove(k.keyPath() + ".head") }, isRollback},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := newKiosk(t)
			db := k.mustOpen(t)
			work(t, db, 0, 4)
			db.Close()
			older, _ := os.ReadFile(k.path())
			db = k.mustOpen(t)
			work(t, db, 4, 4)
			db.Close()
			tt.damage(t, k, older)
			db, err := k.open()
			if err == nil {
				rep, verr := db.Audit().Verify(context.Background())
				db.Close()
				t.Fatalf("opened; audit verify: %d entries, %v", rep.Entries, verr)
			}
			if !tt.want(err) {
				t.Fatalf("%v", err)
			}
			if _, err := storage.OpenSettingsReadOnly(context.Background(), k.set, k.dir); !tt.want(err) {
				t.Errorf("read-only: %v", err)
			}
		})
	}
}

func isDataMissing(err error) bool { return errors.Is(err, storage.ErrDataMissing) }

func isRollback(err error) bool {
	var ce *audit.ChainError
	return errors.As(err, &ce) && errors.Is(err, audit.ErrRolledBack)
}

// TestUntouchedStoreOpensAgain: the head check passes on an honest store, also one whose
// head file is behind (a crash between the commit and the head's write).
func TestUntouchedStoreOpensAgain(t *testing.T) {
	k := newKiosk(t)
	db := k.mustOpen(t)
	work(t, db, 0, 3)
	db.Close()
	behind, _ := os.ReadFile(k.keyPath() + ".head")
	db = k.mustOpen(t)
	work(t, db, 3, 3)
	if _, err := db.Audit().Verify(context.Background()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	os.WriteFile(k.keyPath()+".head", behind, 0o600)
	db = k.mustOpen(t)
	defer db.Close()
	if rep, err := db.Audit().Verify(context.Background()); err != nil || rep.Entries == 0 {
		t.Fatalf("%d entries, %v", rep.Entries, err)
	}
}

// TestMissingKeyNotReplaced: a key file gone beside an existing data file is an error;
// a new key would make the data unreadable (issue 15, point 9).
func TestMissingKeyNotReplaced(t *testing.T) {
	k := newKiosk(t)
	db := k.mustOpen(t)
	work(t, db, 0, 2)
	db.Close()
	os.Remove(k.keyPath())
	_, err := k.open()
	if !errors.Is(err, storage.ErrKeyMissing) {
		t.Fatalf("%v, want ErrKeyMissing", err)
	}
	if _, err := os.Stat(k.keyPath()); !errors.Is(err, os.ErrNotExist) {
		t.Error("a new key file was made")
	}
}

// TestReadOnlyOpen: viewing the queue and verifying the trail open the file read-only and
// write nothing, so they work on a full disk or a read-only file (issue 15, point 5).
func TestReadOnlyOpen(t *testing.T) {
	k := newKiosk(t)
	db := k.mustOpen(t)
	work(t, db, 0, 4)
	if _, _, err := db.ClaimOne("ind-001"); err != nil { // left sending, as by a crash
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(k.path())
	os.Chmod(k.path(), 0o400)
	if os.Geteuid() == 0 {
		t.Log("root writes read-only files: the mode alone proves nothing here, the bytes do")
	}
	ro, err := storage.OpenSettingsReadOnly(context.Background(), k.set, k.dir)
	if err != nil {
		t.Fatal(err)
	}
	if l, err := ro.List(); err != nil || len(l) != 4 {
		t.Errorf("list: %d %v", len(l), err)
	}
	if rep, err := ro.Audit().Verify(context.Background()); err != nil || rep.Entries == 0 {
		t.Errorf("verify: %+v %v", rep, err)
	}
	if c, err := ro.CitizenOf("ind-002"); err != nil || c.CURP == "" {
		t.Errorf("citizen: %v", err)
	}
	if _, err := ro.Enqueue(context.Background(), storage.Request{Indice: "x", Body: []byte("x")}); !errors.Is(err, storage.ErrReadOnly) {
		t.Errorf("enqueue on a read-only store: %v", err)
	}
	ro.Close()
	after, _ := os.ReadFile(k.path())
	if string(before) != string(after) {
		t.Error("a read-only open changed the file")
	}
}

// TestLastRequestTime: the latest request time recorded, whatever the order the clock
// gave them, for the stamp's check against a clock set back (issue 15, point 6).
func TestLastRequestTime(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	now := t0
	db := openDB(t, filepath.Join(t.TempDir(), "c.db"), newKeys(t), func() time.Time { return now })
	if last, err := db.LastRequestTime(); err != nil || !last.IsZero() {
		t.Fatalf("empty: %v %v", last, err)
	}
	for i, d := range []time.Duration{0, 2 * time.Hour, time.Hour} {
		now = t0.Add(d)
		enqueue(t, db, i, false)
	}
	if last, _ := db.LastRequestTime(); !last.Equal(t0.Add(2 * time.Hour)) {
		t.Errorf("last %v", last)
	}
}

// TestRotateKeyFile is what `cotejo key rotate` runs: a new key file, every value
// re-sealed under it, the old key retired beside it; and a rotation cut short after
// the re-sealing still opens (issue 15, point 9).
func TestRotateKeyFile(t *testing.T) {
	for _, interrupted := range []bool{false, true} {
		t.Run(fmt.Sprintf("interrupted=%v", interrupted), func(t *testing.T) {
			k := newKiosk(t)
			db := k.mustOpen(t)
			work(t, db, 0, 3)
			db.Close()
			oldKey, _ := os.ReadFile(k.keyPath())
			rep, err := storage.RotateKey(context.Background(), k.set, k.dir, "super")
			if err != nil || rep.Resealed < 3 {
				t.Fatalf("rotate: %+v %v", rep, err)
			}
			if interrupted {
				// As if the process died before the new key took the old one's place.
				os.Rename(k.keyPath(), k.keyPath()+".new")
				os.WriteFile(k.keyPath(), oldKey, 0o600)
			} else {
				if retired, _ := os.ReadFile(rep.Retired); string(retired) != string(oldKey) {
					t.Errorf("retired key %s does not hold the old key", rep.Retired)
				}
				if now, _ := os.ReadFile(k.keyPath()); string(now) == string(oldKey) {
					t.Error("the key file still holds the old key")
				}
			}
			wantRotated(t, k)
		})
	}
}

// wantRotated opens k's store after a key rotation: the citizen sealed before still
// opens and the audit trail is intact.
func wantRotated(t *testing.T, k *kiosk) {
	t.Helper()
	db := k.mustOpen(t)
	defer db.Close()
	if c, err := db.CitizenOf("ind-001"); err != nil || c.CURP == "" {
		t.Errorf("after rotation: %v", err)
	}
	if _, err := db.Audit().Verify(context.Background()); err != nil {
		t.Errorf("audit after rotation: %v", err)
	}
}
