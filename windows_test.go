package main

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var windowsTest = flag.Bool("windows", false, "cross-build cotejo.exe with mingw-w64 (make windows) and run it under Wine (slow)")

// TestWindowsBuild builds dist/windows/cotejo/ with make windows (the libraries come
// from dist/windows/build-deps.sh's cache, built there the first time: long) and runs
// cotejo.exe under Wine, in a Wine prefix of its own, from paths given the Windows way
// (Z:\...): cotejo version, cotejo pki init and the terminal demo, a whole round trip
// against the sandbox over two-way TLS.
func TestWindowsBuild(t *testing.T) {
	if !*windowsTest && os.Getenv("COTEJO_WINDOWS_TEST") != "1" {
		t.Skip("cross-builds the Windows libraries and runs Wine, for many minutes: run with -windows or COTEJO_WINDOWS_TEST=1 (make test-windows)")
	}
	for _, tool := range []string{"make", "wine", "wineboot", "x86_64-w64-mingw32-gcc-posix"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (make windows-deps installs mingw-w64, make test-windows wine)", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 85*time.Minute)
	defer cancel()

	// make windows ends by printing the executable's path.
	out := run(t, ctx, nil, "", "make", "--no-print-directory", "windows")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	exe, err := filepath.Abs(lines[len(lines)-1])
	if err != nil || !strings.HasSuffix(exe, "cotejo.exe") {
		t.Fatalf("make windows's last line is %q, not cotejo.exe's path", lines[len(lines)-1])
	}
	for _, f := range []string{"tessdata/spa.traineddata", "tessdata/eng.traineddata", "tessdata/osd.traineddata"} {
		if _, err := os.Stat(filepath.Join(filepath.Dir(exe), f)); err != nil {
			t.Errorf("beside cotejo.exe: %v", err)
		}
	}

	// A Wine prefix of the test's own, so nothing of the user's Wine is touched; no
	// Mono or Gecko (cotejo needs neither, and Wine would offer to download them).
	home := t.TempDir()
	wine := []string{
		"WINEPREFIX=" + filepath.Join(home, "wine"),
		"WINEDEBUG=-all",
		"WINEDLLOVERRIDES=mscoree,mshtml=",
		"TESSDATA_PREFIX=",
	}
	run(t, ctx, wine, home, "wineboot", "--init")
	// Wine 8.0 lacks bcryptprimitives.dll, without which no Go program starts: the
	// stand-in in dist/windows/wine/ goes into this prefix's system folder (only here).
	shim, err := filepath.Abs(filepath.Join("dist", "windows", "wine", "bcryptprimitives.c"))
	if err != nil {
		t.Fatal(err)
	}
	system32 := filepath.Join(home, "wine", "drive_c", "windows", "system32")
	run(t, ctx, nil, "", "x86_64-w64-mingw32-gcc", "-O2", "-shared", "-s", "-o", filepath.Join(system32, "bcryptprimitives.dll"), shim, "-ladvapi32")

	cotejo := func(args ...string) string {
		t.Helper()
		return run(t, ctx, wine, home, "wine", append([]string{exe}, args...)...)
	}

	got := cotejo("version")
	t.Logf("wine cotejo.exe version: %s", strings.TrimSpace(got))
	head := strings.TrimSpace(run(t, ctx, nil, "", "git", "rev-parse", "HEAD"))
	if !strings.HasPrefix(got, "cotejo ") || !strings.Contains(got, "(commit "+head+",") {
		t.Errorf("cotejo.exe version printed %q; HEAD is %s", got, head)
	}

	// A folder with a space and an accent, as a Windows user's often is.
	dir := filepath.Join(home, "Datos de prueba", "pki-Ñandú")
	cotejo("pki", "init", "--dir", winPath(dir))
	for _, f := range []string{"cotejo.toml"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("after pki init: %v", err)
		}
	}

	citizen, err := filepath.Abs(filepath.Join("assets", "demo-citizen.json"))
	if err != nil {
		t.Fatal(err)
	}
	out = cotejo("demo", "--dir", winPath(filepath.Join(home, "Demo Ñ")), "--citizen", winPath(citizen), "--lang", "en")
	if !strings.Contains(out, "\nVALID: the credential is in force and the data match\n") {
		t.Errorf("the demo under Wine did not verify its citizen:\n%s", out)
	}
}

// winPath is the Windows name Wine gives an absolute Unix path: drive Z: is /.
func winPath(p string) string {
	return `Z:` + strings.ReplaceAll(p, "/", `\`)
}
