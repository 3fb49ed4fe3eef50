package audit_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"cotejo/storage/audit"
)

var key = []byte("0123456789abcdef0123456789abcdef")

func open(t testing.TB, path string) (*bolt.DB, *audit.Log) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.Open(db, key)
	if err != nil {
		t.Fatal(err)
	}
	return db, l
}

func fill(t testing.TB, l *audit.Log, n int) {
	t.Helper()
	for i := range n {
		if _, err := l.Append(audit.Entry{Operator: "op1", Action: "verify.sent", Outcome: "ok", Ref: fmt.Sprint(1000 + i)}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAppendVerifyReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	db, l := open(t, path)
	fill(t, l, 1000)
	rep, err := l.Verify(context.Background())
	if err != nil || rep.Entries != 1000 || rep.Last.Seq != 1000 {
		t.Fatalf("%+v %v", rep, err)
	}
	db.Close()
	db, l = open(t, path)
	defer db.Close()
	fill(t, l, 1)
	if rep, err := l.Verify(context.Background()); err != nil || rep.Entries != 1001 {
		t.Fatalf("after reopen: %+v %v", rep, err)
	}
	list, _ := l.List(context.Background(), 999, 5)
	if len(list) != 3 || list[0].Seq != 999 {
		t.Errorf("list: %+v", list)
	}
}

// tamper edits the raw file as an attacker with the file but not the key would.
func tamper(t *testing.T, db *bolt.DB, fn func(b *bolt.Bucket)) {
	t.Helper()
	if err := db.Update(func(tx *bolt.Tx) error { fn(tx.Bucket([]byte("audit"))); return nil }); err != nil {
		t.Fatal(err)
	}
}

func seqKey(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func get(b *bolt.Bucket, n uint64) audit.Entry {
	e, _ := audit.DecodeEntry(b.Get(seqKey(n)))
	return e
}

func put(b *bolt.Bucket, n uint64, e audit.Entry) {
	raw, _ := json.Marshal(e)
	b.Put(seqKey(n), raw)
}

// rehash recomputes an entry's hash the way the package does (SHA-256 needs no key).
func rehash(e audit.Entry) audit.Entry {
	e.Hash = ""
	raw, _ := json.Marshal(e)
	return withHash(e, raw)
}

func TestTamperDetected(t *testing.T) {
	tests := []struct {
		name    string
		fn      func(b *bolt.Bucket)
		wantSeq uint64
	}{
		{"edit an outcome", func(b *bolt.Bucket) { e := get(b, 5); e.Outcome = "fail"; put(b, 5, e) }, 5},
		{"delete from the middle", func(b *bolt.Bucket) { b.Delete(seqKey(5)) }, 5},
		{"swap two entries", func(b *bolt.Bucket) {
			e4, e5 := get(b, 4), get(b, 5)
			e4.Seq, e5.Seq = 5, 4
			put(b, 4, e5)
			put(b, 5, e4)
		}, 4},
		{"cut the last entry", func(b *bolt.Bucket) { b.Delete(seqKey(10)) }, 10},
		{"delete the first entry", func(b *bolt.Bucket) { b.Delete(seqKey(1)) }, 1},
		{"insert a forged entry with a good hash", func(b *bolt.Bucket) {
			// Shift 6..10 up and put a forged 6 chained to 5: entry 7 no longer follows.
			for n := uint64(10); n >= 6; n-- {
				e := get(b, n)
				e.Seq = n + 1
				put(b, n+1, e)
			}
			f := audit.Entry{Seq: 6, Time: time.Now().UTC(), Operator: "intruso", Action: "queue.cancel", Outcome: "cancelled", Prev: get(b, 5).Hash}
			put(b, 6, rehash(f))
		}, 7},
		{"rewrite the whole chain after an edit", func(b *bolt.Bucket) {
			prev := get(b, 1).Prev
			for n := uint64(1); n <= 10; n++ {
				e := get(b, n)
				if n == 3 {
					e.Operator = "otro"
				}
				e.Prev = prev
				e = rehash(e)
				put(b, n, e)
				prev = e.Hash
			}
		}, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, l := open(t, filepath.Join(t.TempDir(), "a.db"))
			defer db.Close()
			fill(t, l, 10)
			tamper(t, db, tt.fn)
			_, err := l.Verify(context.Background())
			var ce *audit.ChainError
			if !errors.As(err, &ce) {
				t.Fatalf("tampering not detected: %v", err)
			}
			if ce.Seq != tt.wantSeq && !(tt.name == "rewrite the whole chain after an edit") {
				t.Errorf("reported at %d (%s), want %d", ce.Seq, ce.Problem, tt.wantSeq)
			}
		})
	}
}

func TestConcurrentAppends(t *testing.T) {
	db, l := open(t, filepath.Join(t.TempDir(), "a.db"))
	defer db.Close()
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); fill(t, l, 25) }()
	}
	wg.Wait()
	if rep, err := l.Verify(context.Background()); err != nil || rep.Entries != 200 {
		t.Fatalf("%+v %v", rep, err)
	}
}

func TestOtherKeyRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	db, l := open(t, path)
	fill(t, l, 3)
	db.Close()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	l2, _ := audit.Open(db, []byte("another key of thirty-two bytes!"))
	if _, err := l2.Verify(context.Background()); err == nil {
		t.Error("a head sealed with another key verified")
	}
}

func TestHasher(t *testing.T) {
	h := audit.NewHasher(key)
	a, b := h.Subject("BEML920313HMCLNS09"), h.Subject(" beml920313hmclns09 ")
	if a != b || a == audit.NewHasher([]byte("other")).Subject("BEML920313HMCLNS09") {
		t.Error("subject hashing")
	}
	path := filepath.Join(t.TempDir(), "a.db")
	db, l := open(t, path)
	l.Append(audit.Entry{Operator: "op", Action: "verify.sent", Subject: a})
	db.Close()
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte("BEML920313HMCLNS09")) {
		t.Error("CURP in the file")
	}
}

func FuzzDecodeEntry(f *testing.F) {
	f.Add([]byte(`{"seq":1,"time":"2026-01-01T00:00:00Z","operator":"a","action":"b","outcome":"c","prev":"00","hash":"11"}`))
	f.Add([]byte(`{`))
	f.Fuzz(func(t *testing.T, raw []byte) { audit.DecodeEntry(raw) })
}

func BenchmarkAppend(b *testing.B) {
	db, l := open(b, filepath.Join(b.TempDir(), "a.db"))
	defer db.Close()
	for b.Loop() {
		if _, err := l.Append(audit.Entry{Operator: "op", Action: "x", Outcome: "ok"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify10k(b *testing.B) {
	db, l := open(b, filepath.Join(b.TempDir(), "a.db"))
	defer db.Close()
	db.Update(func(tx *bolt.Tx) error {
		for range 10000 {
			l.AppendTx(tx, audit.Entry{Operator: "op", Action: "x", Outcome: "ok"})
		}
		return nil
	})
	for b.Loop() {
		if _, err := l.Verify(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}
func withHash(e audit.Entry, canonical []byte) audit.Entry {
	sum := sha256.Sum256(canonical)
	e.Hash = hex.EncodeToString(sum[:])
	return e
}

// sealerFunc seals entries for these tests; the real Sealer (verify/sello with the
// institution's key) is capture's, and tested there.
type sealerFunc func(audit.Entry) (string, string, error)

func (f sealerFunc) SealEntry(e audit.Entry) (string, string, error) { return f(e) }

// TestSealedEntries: with a Sealer each entry appended keeps its cadena and sello; the
// seal is outside the hash, so entries written before (unsealed) and after still form
// one chain that verifies, also after reopening. A Sealer that fails leaves the entry
// unsealed, not refused, and says so in SealErr.
func TestSealedEntries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.db")
	db, l := open(t, path)
	fill(t, l, 2)
	var fail error
	l.SetSealer(sealerFunc(func(e audit.Entry) (string, string, error) {
		if e.Hash == "" || e.Cadena != "" {
			t.Errorf("sealing %+v: no hash yet, or a seal already", e)
		}
		return fmt.Sprintf("||%d|%s||", e.Seq, e.Hash), "sello-" + e.Hash[:8], fail
	}))
	fill(t, l, 2)
	fail = errors.New("el HSM no responde")
	fill(t, l, 1)
	if err := l.SealErr(); !errors.Is(err, fail) {
		t.Errorf("SealErr %v", err)
	}
	fail = nil
	fill(t, l, 1)
	if err := l.SealErr(); err != nil {
		t.Errorf("SealErr after a sealed entry: %v", err)
	}
	db.Close()
	db, l = open(t, path)
	defer db.Close()
	rep, err := l.Verify(context.Background())
	if err != nil || rep.Entries != 6 {
		t.Fatalf("%+v %v", rep, err)
	}
	list, err := l.List(context.Background(), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range list {
		sealed := i == 2 || i == 3 || i == 5
		if sealed != (e.Sello != "") || sealed && e.Cadena != fmt.Sprintf("||%d|%s||", e.Seq, e.Hash) {
			t.Errorf("entry %d: cadena %q sello %q", e.Seq, e.Cadena, e.Sello)
		}
	}
}
