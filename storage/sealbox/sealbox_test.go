package sealbox_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"cotejo/storage/sealbox"
)

func box(t testing.TB, id uint32) *sealbox.Box {
	t.Helper()
	k, err := sealbox.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	b, err := sealbox.New(k, id)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSealOpen(t *testing.T) {
	b := box(t, 1)
	pt := []byte(`{"curp":"BEML920313HMCLNS09"}`)
	blob := b.Seal([]byte("citizen/1"), pt)
	if bytes.Contains(blob, []byte("BEML")) {
		t.Fatal("plaintext visible in the blob")
	}
	got, err := b.Open([]byte("citizen/1"), blob)
	if err != nil || !bytes.Equal(got, pt) {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := b.Open([]byte("citizen/2"), blob); !errors.Is(err, sealbox.ErrCorrupt) {
		t.Errorf("under another record key: %v", err)
	}
	for i := range blob {
		bad := bytes.Clone(blob)
		bad[i] ^= 1
		if _, err := b.Open([]byte("citizen/1"), bad); err == nil {
			t.Fatalf("flipping byte %d went unnoticed", i)
		}
	}
	if _, err := box(t, 2).Open([]byte("citizen/1"), blob); !errors.Is(err, sealbox.ErrWrongKey) {
		t.Errorf("other key id: %v", err)
	}
	if _, err := sealbox.New(make([]byte, 16), 1); err == nil {
		t.Error("AES-128 key accepted")
	}
}

func TestNoncesUnique(t *testing.T) {
	b := box(t, 1)
	seen := map[string]bool{}
	for range 10000 {
		n := string(b.Seal([]byte("k"), []byte("same"))[5:17])
		if seen[n] {
			t.Fatal("nonce repeated")
		}
		seen[n] = true
	}
}

func TestRotation(t *testing.T) {
	old, cur := box(t, 1), box(t, 2)
	oldBlob := old.Seal([]byte("r"), []byte("uno"))
	keys := sealbox.NewKeys(cur, old)
	curBlob := keys.Current().Seal([]byte("r"), []byte("dos"))
	nb, changed, err := keys.Reseal([]byte("r"), oldBlob)
	if err != nil || !changed {
		t.Fatalf("reseal old: %v %v", changed, err)
	}
	if _, changed, _ := keys.Reseal([]byte("r"), curBlob); changed {
		t.Error("current blob resealed")
	}
	onlyNew := sealbox.NewKeys(cur)
	if got, err := onlyNew.Open([]byte("r"), nb); err != nil || string(got) != "uno" {
		t.Errorf("after retiring the old key: %q %v", got, err)
	}
	if _, err := onlyNew.Open([]byte("r"), oldBlob); !errors.Is(err, sealbox.ErrWrongKey) {
		t.Errorf("old blob after retirement: %v", err)
	}
}

func TestKeyFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "datos.key")
	if err := sealbox.CreateKeyFile(p); err != nil {
		t.Fatal(err)
	}
	k1, err := sealbox.KeyFile{Path: p}.Key(context.Background())
	if err != nil || len(k1) != 32 {
		t.Fatalf("%v %d", err, len(k1))
	}
	if err := sealbox.CreateKeyFile(p); err == nil {
		t.Error("overwrote a key file")
	}
	if runtime.GOOS != "windows" { // there, ownerfs's tests give the file to others
		os.Chmod(p, 0o644)
		if _, err := (sealbox.KeyFile{Path: p}).Key(context.Background()); err == nil || !strings.Contains(err.Error(), "chmod 600") ||
			!strings.Contains(err.Error(), "otros usuarios pueden leer") || !strings.Contains(err.Error(), "others can read") {
			t.Errorf("0644 key file: %v", err)
		}
		os.Chmod(p, 0o600)
	}
	os.WriteFile(p, []byte("abcd\n"), 0o600)
	if _, err := (sealbox.KeyFile{Path: p}).Key(context.Background()); err == nil {
		t.Error("short key accepted")
	}
}

func TestPassphrase(t *testing.T) {
	salt, _ := sealbox.NewSalt()
	fast := sealbox.Argon2Params{Time: 1, MemoryKiB: 1024, Threads: 1}
	pw := func(s string) func() ([]byte, error) { return func() ([]byte, error) { return []byte(s), nil } }
	k1, err := sealbox.Passphrase{Passphrase: pw("sucursal 42"), Salt: salt, Params: fast}.Key(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	k2, _ := sealbox.Passphrase{Passphrase: pw("sucursal 42"), Salt: salt, Params: fast}.Key(context.Background())
	if !bytes.Equal(k1, k2) {
		t.Error("not deterministic")
	}
	salt2, _ := sealbox.NewSalt()
	k3, _ := sealbox.Passphrase{Passphrase: pw("sucursal 42"), Salt: salt2, Params: fast}.Key(context.Background())
	if bytes.Equal(k1, k3) {
		t.Error("salt ignored")
	}
	check := sealbox.Checksum(k1)
	if _, err := (sealbox.Passphrase{Passphrase: pw("otra"), Salt: salt, Params: fast, Check: check}).Key(context.Background()); !errors.Is(err, sealbox.ErrWrongPassphrase) {
		t.Errorf("wrong passphrase: %v", err)
	}
	if _, err := (sealbox.Passphrase{Passphrase: pw("sucursal 42"), Salt: salt, Params: fast, Check: check}).Key(context.Background()); err != nil {
		t.Error(err)
	}
}

func FuzzOpen(f *testing.F) {
	b, _ := sealbox.New(make([]byte, 32), 7)
	f.Add(b.Seal([]byte("k"), []byte("x")))
	f.Add([]byte{1, 0, 0, 0, 7})
	f.Fuzz(func(t *testing.T, blob []byte) {
		if pt, err := b.Open([]byte("k"), blob); err == nil && !bytes.Equal(pt, []byte("x")) {
			t.Fatalf("forged blob opened: %q", pt)
		}
	})
}

func BenchmarkSeal1K(b *testing.B) {
	x := box(b, 1)
	pt := make([]byte, 1024)
	b.SetBytes(1024)
	for b.Loop() {
		x.Seal([]byte("body/1234567890123456"), pt)
	}
}

func BenchmarkOpen1K(b *testing.B) {
	x := box(b, 1)
	blob := x.Seal([]byte("k"), make([]byte, 1024))
	b.SetBytes(1024)
	for b.Loop() {
		if _, err := x.Open([]byte("k"), blob); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkArgon2Default(b *testing.B) {
	salt, _ := sealbox.NewSalt()
	p := sealbox.Passphrase{Passphrase: func() ([]byte, error) { return []byte("x"), nil }, Salt: salt}
	for b.Loop() {
		if _, err := p.Key(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// TestArgon2ParamsBounded: costs read from a .kdf file are checked before argon2 sees
// them: zero threads panicked, and huge ones exhaust the kiosk (issue 15, point 9).
func TestArgon2ParamsBounded(t *testing.T) {
	salt, _ := sealbox.NewSalt()
	pw := func(s string) func() ([]byte, error) { return func() ([]byte, error) { return []byte(s), nil } }
	tests := []struct {
		name string
		p    sealbox.Argon2Params
		ok   bool
	}{
		{"fast, in bounds", sealbox.Argon2Params{Time: 1, MemoryKiB: 8 << 10, Threads: 1}, true},
		{"default", sealbox.DefaultArgon2Params(), true},
		{"zero threads", sealbox.Argon2Params{Time: 3, MemoryKiB: 64 << 10, Threads: 0}, false},
		{"zero time", sealbox.Argon2Params{Time: 0, MemoryKiB: 64 << 10, Threads: 2}, false},
		{"tiny memory", sealbox.Argon2Params{Time: 3, MemoryKiB: 7, Threads: 1}, false},
		{"4 TiB of memory", sealbox.Argon2Params{Time: 3, MemoryKiB: 1<<32 - 1, Threads: 2}, false},
		{"a billion passes", sealbox.Argon2Params{Time: 1e9, MemoryKiB: 64 << 10, Threads: 2}, false},
		{"255 threads", sealbox.Argon2Params{Time: 3, MemoryKiB: 64 << 10, Threads: 255}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sealbox.Passphrase{Passphrase: pw("x"), Salt: salt, Params: tt.p}.Key(context.Background())
			var pe *sealbox.ParamsError
			if tt.ok != (err == nil) || !tt.ok && !errors.As(err, &pe) {
				t.Errorf("%+v: %v", tt.p, err)
			}
		})
	}
}
