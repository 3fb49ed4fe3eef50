package storage_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cotejo/storage"
)

// filled makes a closed store holding n entries and returns its path and its keys.
func filled(t *testing.T, n int) (string, func() (*storage.DB, error)) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "c.db")
	keys := newKeys(t)
	open := func() (*storage.DB, error) { return storage.Open(path, storage.Options{Keys: keys}) }
	db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if _, err := db.Enqueue(context.Background(), storage.Request{Indice: fmt.Sprintf("ind-%03d", i), Body: body(i, true), Operator: "op", Citizen: citizen(i)}); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	return path, open
}

// TestTruncatedFile: a data file cut short is refused with a typed error that says what
// is wrong and what to do, in both languages, instead of crashing in bbolt with SIGBUS
// (issue 15, point 3).
func TestTruncatedFile(t *testing.T) {
	path, open := filled(t, 60)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	size := int64(len(orig))
	page := int64(os.Getpagesize())
	for _, cut := range []int64{1, 100, page - 1, page, 2 * page, 3 * page, size / 2, size/2 + 100, size - page, size - 1} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			if err := os.WriteFile(path, orig[:cut], 0o600); err != nil {
				t.Fatal(err)
			}
			db, err := open()
			if err == nil {
				// Only the file's unused tail was cut (bbolt grows it ahead): all there.
				defer db.Close()
				if l, err := db.List(); err != nil || len(l) != 60 || db.Check() != nil {
					t.Fatalf("a file cut to %d of %d bytes opened, with %d entries (%v)", cut, size, len(l), err)
				}
				return
			}
			var fe *storage.FileError
			if !errors.As(err, &fe) {
				t.Fatalf("%v, want *storage.FileError", err)
			}
			msg := err.Error()
			if !strings.Contains(msg, "respaldo") || !strings.Contains(msg, "backup") {
				t.Errorf("message does not say what to do in both languages: %s", msg)
			}
		})
	}
	// The whole file still opens.
	if err := os.WriteFile(path, orig, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}
