package storage_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"cotejo/storage"
	"cotejo/storage/sealbox"
)

func TestSettingsKeyFileMadeOnFirstUse(t *testing.T) {
	dir := t.TempDir()
	db, err := storage.OpenSettings(context.Background(), storage.Settings{Path: "datos/cotejo.db"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	st, err := os.Stat(filepath.Join(dir, "datos", "cotejo.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", err, st)
	}
	// Same key next time: the file opens.
	db, err = storage.OpenSettings(context.Background(), storage.Settings{Path: "datos/cotejo.db"}, dir)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
}

func TestSettingsPassphrase(t *testing.T) {
	dir := t.TempDir()
	set := storage.Settings{Path: "c.db", KeyProvider: "passphrase"}
	t.Setenv(storage.PassphraseEnv, "")
	if _, err := storage.OpenSettings(context.Background(), set, dir); err == nil || !strings.Contains(err.Error(), storage.PassphraseEnv) {
		t.Fatalf("no passphrase: %v", err)
	}
	t.Setenv(storage.PassphraseEnv, "sucursal centro 2026")
	db, err := storage.OpenSettings(context.Background(), set, dir)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	t.Setenv(storage.PassphraseEnv, "otra")
	if _, err := storage.OpenSettings(context.Background(), set, dir); !errors.Is(err, sealbox.ErrWrongPassphrase) {
		t.Errorf("wrong passphrase: %v", err)
	}
	if _, err := storage.OpenSettings(context.Background(), storage.Settings{Path: "c.db", KeyProvider: "usb"}, dir); err == nil {
		t.Error("unknown provider accepted")
	}
}

// TestSettingsKDFFileBounded: a .kdf file whose costs are out of bounds (zero threads
// panicked argon2) is refused with a typed error (issue 15, point 9).
func TestSettingsKDFFileBounded(t *testing.T) {
	dir := t.TempDir()
	set := storage.Settings{Path: "c.db", KeyProvider: "passphrase"}
	t.Setenv(storage.PassphraseEnv, "sucursal centro 2026")
	db, err := storage.OpenSettings(context.Background(), set, dir)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, params := range []string{`{"Time":3,"MemoryKiB":65536,"Threads":0}`, `{"Time":4000000000,"MemoryKiB":65536,"Threads":2}`, `{"Time":3,"MemoryKiB":4294967295,"Threads":2}`} {
		kdf := `{"salt":"AAAAAAAAAAAAAAAAAAAAAA==","params":` + params + `,"check":""}`
		if err := os.WriteFile(filepath.Join(dir, "c.db.kdf"), []byte(kdf), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := storage.OpenSettings(context.Background(), set, dir)
		var pe *sealbox.ParamsError
		if !errors.As(err, &pe) {
			t.Errorf("%s: %v, want *sealbox.ParamsError", params, err)
		}
	}
}

// TestSettingsDPAPIElsewhere: key_provider = "dpapi" outside Windows is a clear es/en
// refusal, and nothing is made.
func TestSettingsDPAPIElsewhere(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("DPAPI exists here: dpapi_windows_test.go")
	}
	dir := t.TempDir()
	_, err := storage.OpenSettings(context.Background(), storage.Settings{Path: "c.db", KeyProvider: "dpapi"}, dir)
	if !errors.Is(err, sealbox.ErrNoDPAPI) || !strings.Contains(err.Error(), "existe solo en Windows") || !strings.Contains(err.Error(), "exists on Windows only") {
		t.Errorf("dpapi on %s: %v", runtime.GOOS, err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left behind: %v", left)
	}
	// The default stays the hex key file.
	s, err := storage.Settings{Path: "c.db"}.Resolved(dir)
	if err != nil || s.KeyProvider != "file" {
		t.Errorf("default key_provider on %s: %q %v", runtime.GOOS, s.KeyProvider, err)
	}
}
