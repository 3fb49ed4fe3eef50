package docscan_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"cotejo/capture/docscan"
)

// sane points SANE at its "test" backend (a virtual scanner shipped with it, speaking
// SANE's real interface) and nothing else, or skips.
func sane(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("scanimage"); err != nil {
		t.Skip("SANE's scanimage is not installed (Debian package sane-utils)")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dll.conf"), []byte("test\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SANE_CONFIG_DIR", dir)
}

func TestScanWithSANE(t *testing.T) {
	sane(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	list, err := docscan.List(ctx)
	if err != nil || len(list) == 0 || list[0].Device != "test:0" {
		t.Fatalf("%+v %v", list, err)
	}
	img, err := docscan.Scan(ctx, list[0].Device, docscan.Options{DPI: 100, Extra: []string{"--test-picture", "Color pattern"}})
	if err != nil {
		t.Fatal(err)
	}
	// The test scanner's page, 8.5 × 11 cm-ish at 100 dpi.
	if b := img.Bounds(); b.Dx() < 200 || b.Dy() < 200 {
		t.Errorf("image %v", b)
	}
	if _, err := docscan.Scan(ctx, "nonexistent:0", docscan.Options{DPI: 100}); err == nil {
		t.Error("scanned with a scanner that is not there")
	}
	cctx, ccancel := context.WithCancel(ctx)
	ccancel()
	if _, err := docscan.Scan(cctx, list[0].Device, docscan.Options{DPI: 100}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestNoSANE(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	if _, err := docscan.List(context.Background()); !errors.Is(err, docscan.ErrUnavailable) {
		t.Errorf("%v", err)
	}
}
