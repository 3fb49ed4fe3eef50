//go:build !windows

package ownerfs_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cotejo/storage/ownerfs"
)

func TestModes(t *testing.T) {
	top := t.TempDir()
	dir := filepath.Join(top, "a", "b")
	if err := ownerfs.MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "k")
	if err := ownerfs.WriteFile(file, []byte("k")); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{filepath.Join(top, "a"): 0o700, dir: 0o700, file: 0o600} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: %v %v, want %v", p, st.Mode().Perm(), err, want)
		}
	}
}

func TestCheckRefuses(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "con espacio")
	if err := ownerfs.MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		mode os.FileMode
		ok   bool
	}{{0o600, true}, {0o400, true}, {0o700, true}, {0o644, false}, {0o640, false}, {0o604, false}, {0o620, false}} {
		p := filepath.Join(dir, "k-"+c.mode.String())
		if err := os.WriteFile(p, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, c.mode); err != nil {
			t.Fatal(err)
		}
		err := ownerfs.Check(p)
		if c.ok {
			if err != nil {
				t.Errorf("%v: %v", c.mode, err)
			}
			continue
		}
		var e *ownerfs.ExposedError
		if !errors.As(err, &e) {
			t.Errorf("%v: %v, want an ExposedError", c.mode, err)
			continue
		}
		want := "chmod 600 '" + p + "'"
		for _, s := range []string{"otros usuarios pueden leer este archivo privado (mode " + c.mode.String() + "): ejecute " + want,
			"(others can read this private file (mode " + c.mode.String() + "): run " + want + ")"} {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%v: %q lacks %q", c.mode, err, s)
			}
		}
		if err := ownerfs.Restrict(p); err != nil {
			t.Fatal(err)
		}
		if err := ownerfs.Check(p); err != nil {
			t.Errorf("after Restrict: %v", err)
		}
	}
	if err := ownerfs.Restrict(dir); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("Restrict on a folder: %v", st.Mode().Perm())
	}
}
