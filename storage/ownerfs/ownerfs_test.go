package ownerfs_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"cotejo/storage/ownerfs"
)

// TestPrivate makes a private folder (with parents), files in it, and checks each: the
// same code path on Unix (modes) and Windows (access lists).
func TestPrivate(t *testing.T) {
	dir := filepath.Join(tempDir(t), "datos Ñ", "cotejo")
	if err := ownerfs.MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	if err := ownerfs.MkdirAll(dir); err != nil {
		t.Errorf("MkdirAll on an existing folder: %v", err)
	}
	key := filepath.Join(dir, "cotejo.key")
	if err := ownerfs.WriteFile(key, []byte("secreto\n")); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(key); err != nil || string(b) != "secreto\n" {
		t.Errorf("read back %q, %v", b, err)
	}
	if err := ownerfs.WriteFile(key, []byte("otro")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("WriteFile over an existing file: %v, want fs.ErrExist", err)
	}
	f, err := ownerfs.Create(filepath.Join(dir, "b.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("x"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	for _, p := range []string{dir, key, f.Name()} {
		if err := ownerfs.Check(p); err != nil {
			t.Errorf("Check(%s): %v", p, err)
		}
	}
	if err := ownerfs.Check(filepath.Join(dir, "falta")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Check on a missing file: %v, want fs.ErrNotExist", err)
	}
	if err := ownerfs.MkdirAll(key); err == nil {
		t.Error("MkdirAll over a file succeeded")
	}
}

// tempDir is t.TempDir without its cleanup's error: under Wine, Go's os.RemoveAll
// fails on every file ("unlinkat …: Invalid function"; os.Remove works).
func tempDir(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "ownerfs")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}
