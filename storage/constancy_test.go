package storage_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cotejo/storage"
)

// TestConstancy: a constancy is kept sealed beside its entry (the entry marked, its
// bytes nowhere in clear in the file), read back after reopening, replaced by a second
// one, and its attachment is in the audit trail without its contents; an entry without
// one says so; a constancy the service could not take is refused.
func TestConstancy(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	keys := newKeys(t)
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	db := openDB(t, path, keys, func() time.Time { return now })
	old := answer(t, db, enqueue(t, db, 1, false))
	e := answer(t, db, enqueue(t, db, 2, false))
	digest := bytes.Repeat([]byte("D1G3ST-"), 5)[:32]
	file := []byte("CONSTANCIA-NOM151-archivo-de-prueba")

	for _, tt := range []struct {
		name string
		c    storage.Constancy
	}{
		{"none", storage.Constancy{Digest: digest}},
		{"both", storage.Constancy{Folio: 7, File: file, Digest: digest}},
		{"negative folio", storage.Constancy{Folio: -1, Digest: digest}},
		{"short digest", storage.Constancy{Folio: 7, Digest: digest[:20]}},
		{"huge file", storage.Constancy{File: make([]byte, storage.MaxConstancyFile+1), Digest: digest}},
	} {
		if _, err := db.PutConstancy(context.Background(), e.ID, "cajero7", tt.c); !errors.Is(err, storage.ErrBadConstancy) {
			t.Errorf("%s: kept", tt.name)
		}
	}
	if _, err := db.PutConstancy(context.Background(), "no-such", "cajero7", storage.Constancy{Folio: 7, Digest: digest}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown entry: %v", err)
	}

	got, err := db.PutConstancy(context.Background(), e.ID, "cajero7", storage.Constancy{Folio: 10526380, Digest: digest, Name: "comprobante-x.pdf"})
	if err != nil || !got.Constancy {
		t.Fatalf("attach: %+v %v", got, err)
	}
	got, err = db.PutConstancy(context.Background(), e.Indice, "cajero7", storage.Constancy{File: file, Digest: digest, Name: "comprobante-x.pdf", Source: "cajero7"})
	if err != nil || !got.Constancy {
		t.Fatalf("replace: %+v %v", got, err)
	}
	db.Close()

	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range [][]byte{digest, file, []byte("comprobante-x")} {
		if bytes.Contains(raw, sec) {
			t.Errorf("%q in clear in the data file", sec)
		}
	}

	db = openDB(t, path, keys, func() time.Time { return now })
	if e, err = db.Get(e.ID); err != nil || !e.Constancy {
		t.Fatalf("entry after reopening: %+v %v", e, err)
	}
	c, err := db.ConstancyOf(e.Indice)
	if err != nil {
		t.Fatal(err)
	}
	if c.Folio != 0 || !bytes.Equal(c.File, file) || !bytes.Equal(c.Digest, digest) || c.Name != "comprobante-x.pdf" || !c.Recorded.Equal(now) {
		t.Errorf("constancy read back: %+v", c)
	}
	if old, err = db.Get(old.ID); err != nil || old.Constancy {
		t.Errorf("old entry: %+v %v", old, err)
	}
	if _, err := db.ConstancyOf(old.Indice); !errors.Is(err, storage.ErrNoConstancy) {
		t.Errorf("old entry's constancy: %v", err)
	}

	records, err := db.Audit().List(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var attached []string
	for _, r := range records {
		if r.Action == "nom151.attach" {
			attached = append(attached, r.Outcome)
			if r.Ref != e.Indice || r.Operator != "cajero7" {
				t.Errorf("audit record %+v", r)
			}
		}
	}
	if len(attached) != 2 || attached[0] != "folio" || attached[1] != "archivo" {
		t.Errorf("audit outcomes %q, want folio then archivo", attached)
	}
}
