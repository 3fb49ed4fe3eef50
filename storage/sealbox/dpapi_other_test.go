//go:build !windows

package sealbox_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cotejo/storage/sealbox"
)

// TestDPAPIElsewhere: no DPAPI key is made outside Windows, and one copied from
// Windows is refused saying where it opens.
func TestDPAPIElsewhere(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "cotejo.key")
	if err := sealbox.CreateDPAPIKeyFile(p); !errors.Is(err, sealbox.ErrNoDPAPI) {
		t.Errorf("CreateDPAPIKeyFile: %v, want ErrNoDPAPI", err)
	}
	if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a key file was left: %v", err)
	}
	if err := os.WriteFile(p, []byte("cotejo-dpapi 1\nAQAAANCMnd8BFdERjHoAwE/Cl+s=\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if ok, err := sealbox.IsDPAPI(p); !ok || err != nil {
		t.Errorf("IsDPAPI: %v %v", ok, err)
	}
	_, err := sealbox.KeyFile{Path: p}.Key(context.Background())
	if !errors.Is(err, sealbox.ErrNoDPAPI) || !strings.Contains(err.Error(), "solo se abre en Windows") || !strings.Contains(err.Error(), "opens only on Windows") {
		t.Errorf("a DPAPI key file here: %v", err)
	}
}
