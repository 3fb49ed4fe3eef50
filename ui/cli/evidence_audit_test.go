package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"cotejo/capture"
	"cotejo/storage/audit"
	"cotejo/verify/sello"
)

// TestEvidenceAudit checks the audit trail as an auditor would: after a verification
// the kiosk's trail verifies, sealed; one changed byte in a stored record (edited in
// the bbolt file) is reported with the record's number and the field; a record sealed
// with another key is reported by number, its chain intact.
func TestEvidenceAudit(t *testing.T) {
	ctx := context.Background()
	dir, cfgPath, _, stop := pkiAndSandbox(t)
	if code, _, stderr := runCLI(t, ctx, "verify", "--config", cfgPath, "--operator", "ana", "--citizen", "../../assets/demo-citizen.json"); code != 0 {
		t.Fatalf("verify exit %d: %s", code, stderr)
	}
	stop()
	// Bookkeeping without INE seals its records too.
	if code, _, stderr := runCLI(t, ctx, "queue", "purge", "--config", cfgPath); code != 0 || strings.Contains(stderr, "sin sello") {
		t.Fatalf("queue purge: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, ctx, "evidence", "verify", "--audit", "--config", cfgPath, "--json")
	var j struct {
		OK       bool     `json:"ok"`
		Entries  int      `json:"entries"`
		Sealed   int      `json:"sealed"`
		Unsealed []uint64 `json:"unsealed"`
	}
	if err := json.Unmarshal([]byte(stdout), &j); code != 0 || err != nil || !j.OK || j.Sealed < 4 || j.Sealed != j.Entries || len(j.Unsealed) != 0 {
		t.Fatalf("the kiosk's trail: exit %d %v\n%s\n%s", code, err, stdout, stderr)
	}

	// A sealed record with an operator, as stored.
	dbPath := filepath.Join(dir, "cotejo.db")
	var seq uint64
	var original []byte
	edit := func(fn func(b *bolt.Bucket)) {
		t.Helper()
		db, err := bolt.Open(dbPath, 0o600, &bolt.Options{Timeout: 2 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := db.Update(func(tx *bolt.Tx) error { fn(tx.Bucket([]byte("audit"))); return nil }); err != nil {
			t.Fatal(err)
		}
	}
	var rec audit.Entry
	edit(func(b *bolt.Bucket) {
		b.ForEach(func(k, v []byte) error {
			var e audit.Entry
			if json.Unmarshal(v, &e) == nil && e.Sello != "" && e.Operator != "" && seq == 0 {
				seq, original, rec = e.Seq, bytes.Clone(v), e
			}
			return nil
		})
	})
	if seq == 0 {
		t.Fatalf("no sealed record with an operator in the trail: %s", stdout)
	}
	put := func(v []byte) {
		edit(func(b *bolt.Bucket) {
			c := b.Cursor()
			for k, old := c.First(); k != nil; k, old = c.Next() {
				if bytes.Equal(old, original) || bytes.Contains(old, []byte(`"hash":"`+rec.Hash+`"`)) {
					b.Put(k, v)
					return
				}
			}
			t.Fatal("the record is gone")
		})
	}

	// One byte of its operator.
	op := rec.Operator
	changed := op[:len(op)-1] + string(rune(op[len(op)-1]^1))
	put(bytes.Replace(original, []byte(`"operator":"`+op+`"`), []byte(`"operator":"`+changed+`"`), 1))
	code, stdout, stderr = runCLI(t, ctx, "evidence", "verify", "--audit", "--config", cfgPath)
	t.Logf("edited record:\n%s", stdout)
	want := fmt.Sprintf("Registro %d, distinto (differs): Operador: registro %q, cadena %q", seq, changed, op)
	if code == 0 || !strings.Contains(stdout, want) || !strings.Contains(stdout, "se alteró el registro") || !strings.Contains(stdout, fmt.Sprintf("entry %d", seq)) {
		t.Errorf("edited record: exit %d, want %q\n%s\n%s", code, want, stdout, stderr)
	}

	// Sealed again over the same cadena with another key: the chain holds, the sello
	// does not.
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := sello.KeySigner(other)
	forged, err := sello.Seal(ctx, s, rec.Cadena)
	if err != nil {
		t.Fatal(err)
	}
	put(bytes.Replace(original, []byte(`"sello":"`+rec.Sello+`"`), []byte(`"sello":"`+forged+`"`), 1))
	code, stdout, stderr = runCLI(t, ctx, "evidence", "verify", "--audit", "--config", cfgPath)
	t.Logf("another key:\n%s", stdout)
	if code == 0 || !strings.Contains(stdout, fmt.Sprintf("Registro %d: el sello no corresponde", seq)) || strings.Contains(stdout, "distinto") || strings.Contains(stdout, "chain") && strings.Contains(stdout, "broken") {
		t.Errorf("record sealed with another key: exit %d\n%s\n%s", code, stdout, stderr)
	}

	// Put back, the trail checks out again.
	put(original)
	if code, stdout, stderr := runCLI(t, ctx, "evidence", "verify", "--audit", "--config", cfgPath); code != 0 || !strings.Contains(stdout, "sellos válidos") {
		t.Errorf("restored: exit %d\n%s\n%s", code, stdout, stderr)
	}

	// Without the signing key the bookkeeping still runs, its records unsealed: the
	// check lists them and still passes, the chain holding.
	cfg, err := capture.LoadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	keyPath := cfg.Service.SigningKey
	if !filepath.IsAbs(keyPath) {
		keyPath = filepath.Join(dir, keyPath)
	}
	if err := os.Rename(keyPath, keyPath+".away"); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, ctx, "queue", "purge", "--config", cfgPath); code != 0 || !strings.Contains(stderr, "sin sello") {
		t.Errorf("queue purge without the key: exit %d: %s", code, stderr)
	}
	code, stdout, stderr = runCLI(t, ctx, "evidence", "verify", "--audit", "--config", cfgPath)
	if code != 0 || !strings.Contains(stdout, "Sin sello (unsealed): ") || !strings.Contains(stdout, "sellos válidos") {
		t.Errorf("with unsealed records: exit %d\n%s\n%s", code, stdout, stderr)
	}
	t.Logf("with unsealed records:\n%s", stdout)
}
