package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
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
	}
	// tesseract finds tessdata/ beside cotejo.exe only when TESSDATA_PREFIX is unset,
	// as on a user's Windows; cotejo takes it set and empty for unset (subtest ocr).
	t.Setenv("TESSDATA_PREFIX", "")
	os.Unsetenv("TESSDATA_PREFIX")
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
	demo := filepath.Join(home, "Demo Ñ")
	// This demo keeps its data key in hex (key_provider = "file"), so that the Linux
	// build can read its data file below; with the default, a new installation's key
	// is sealed with DPAPI (subtest keys).
	cotejo("pki", "init", "--dir", winPath(demo))
	demoConfig := filepath.Join(demo, "cotejo.toml")
	if raw, err := os.ReadFile(demoConfig); err != nil || !bytes.Contains(raw, []byte("\n[storage]\n")) {
		t.Fatalf("pki init's configuration has no [storage] (%v)", err)
	} else if err := os.WriteFile(demoConfig, bytes.Replace(raw, []byte("\n[storage]\n"), []byte("\n[storage]\nkey_provider = \"file\"\n"), 1), 0o600); err != nil {
		t.Fatal(err)
	}
	out = cotejo("demo", "--dir", winPath(demo), "--citizen", winPath(citizen), "--lang", "en")
	if !strings.Contains(out, "\nVALID: the credential is in force and the data match\n") {
		t.Errorf("the demo under Wine did not verify its citizen:\n%s", out)
	}

	// The data file the demo wrote, reopened: by cotejo.exe (the queue and the audit
	// trail), and by the Linux build, which must read the same bbolt file and key.
	linux := filepath.Join(home, "linux", "cotejo")
	run(t, ctx, nil, "", "go", "build", "-o", linux, ".")
	// Wine makes files 0644 on the Unix side (Windows keeps others out by the folder's
	// ACL), and the Linux build refuses a key file others can read.
	if err := os.Chmod(filepath.Join(demo, "cotejo.key"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, list := range map[string]string{
		"cotejo.exe":  cotejo("queue", "list", "--json", "--config", winPath(demoConfig)),
		"Linux build": run(t, ctx, nil, "", linux, "queue", "list", "--json", "--config", demoConfig),
	} {
		var queue []struct{ State string }
		if err := json.Unmarshal([]byte(list), &queue); err != nil || len(queue) != 1 || queue[0].State != "answered" {
			t.Errorf("%s's queue list of the data file cotejo.exe wrote: %v\n%s", name, err, list)
		}
	}
	if out := cotejo("audit", "verify", "--config", winPath(demoConfig)); !strings.Contains(out, "Bitácora íntegra") {
		t.Errorf("cotejo.exe audit verify on the demo's data file: %s", out)
	}

	// The fields cotejo.exe reads are Linux's, with no folder for temporary files:
	// leptonica on Windows has no fmemopen and reads every image format but BMP from
	// memory through a temporary file in %TEMP% (saying "Info in fopenReadFromMemory"),
	// and these are credential photos. The prefix's %TEMP% is made a file, so that no
	// temporary file can be made there; the second card is read with TESSDATA_PREFIX
	// set and empty, which cotejo must take for unset (it read every field empty).
	t.Run("ocr", func(t *testing.T) {
		temp := strings.TrimSpace(run(t, ctx, wine, home, "wine", "cmd", "/c", "echo %TEMP%"))
		temp = strings.TrimSpace(run(t, ctx, wine, home, "winepath", "-u", temp))
		if err := os.Rename(temp, temp+".kept"); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(temp, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := os.Remove(temp); err != nil {
				t.Error(err)
			}
			if err := os.Rename(temp+".kept", temp); err != nil {
				t.Error(err)
			}
		}()
		for i, card := range []string{"demo-0001", "demo-0002"} {
			front, err := filepath.Abs(filepath.Join("assets", card+"-front.jpg"))
			if err != nil {
				t.Fatal(err)
			}
			back := strings.TrimSuffix(front, "-front.jpg") + "-back.jpg"
			want := run(t, ctx, []string{"OMP_THREAD_LIMIT=1"}, "", linux, "ocr", "--json", front, back)
			env := wine
			if i == 1 {
				env = append(slices.Clone(wine), "TESSDATA_PREFIX=")
			}
			// Generous, but not the whole test's: set empty, it once waited forever.
			cctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
			cmd := exec.CommandContext(cctx, "wine", exe, "ocr", "--json", winPath(front), winPath(back))
			var stdout, stderr bytes.Buffer
			cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = home, append(os.Environ(), env...), &stdout, &stderr
			err = cmd.Run()
			cancel()
			if err != nil {
				t.Fatalf("%s: cotejo.exe ocr: %v\n%s", card, err, stderr.String())
			}
			if strings.Contains(stderr.String(), "fopenReadFromMemory") {
				t.Errorf("%s: leptonica went through a temporary file:\n%s", card, stderr.String())
			}
			compareJSON(t, card, stdout.Bytes(), []byte(want))
		}
	})

	// The fingerprint files: made from the same input by both builds, byte for byte the
	// same (pure Go, so any difference is a bug in the port or in the code's use of
	// the platform).
	t.Run("finger", func(t *testing.T) {
		lin, win := filepath.Join(home, "finger linux"), filepath.Join(home, "finger Windows Ñ")
		run(t, ctx, nil, "", linux, "finger", "gen", "--out", lin, "--citizens", "1", "--impressions", "1")
		cotejo("finger", "gen", "--out", winPath(win), "--citizens", "1", "--impressions", "1")
		generated, err := filepath.Glob(filepath.Join(lin, "*"))
		if err != nil || len(generated) == 0 {
			t.Fatalf("finger gen wrote nothing in %s (%v)", lin, err)
		}
		for _, f := range generated {
			sameFile(t, f, filepath.Join(win, filepath.Base(f)))
		}
		in := filepath.Join(lin, "P001-2-1-good.png")
		for _, c := range []struct{ cmd, ext string }{{"encode", "wsq"}, {"extract", "ansi"}} {
			l, w := filepath.Join(lin, "out."+c.ext), filepath.Join(win, "out."+c.ext)
			run(t, ctx, nil, "", linux, "finger", c.cmd, in, l)
			cotejo("finger", c.cmd, winPath(in), winPath(w))
			sameFile(t, l, w)
		}
	})

	// The window under Xvfb, walked through every screen as make windows-screenshots
	// does: the same shots as Linux's, none black.
	t.Run("gui", func(t *testing.T) {
		if _, err := exec.LookPath("xvfb-run"); err != nil {
			t.Skip("xvfb-run is not installed (make deps installs xvfb)")
		}
		shots := filepath.Join(home, "capturas Ñ")
		run(t, ctx, wine, home, "xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "wine", exe,
			"gui", "--demo", winPath(filepath.Join(home, "gui demo")), "--screenshots", winPath(shots))
		linux, err := filepath.Glob(filepath.Join("docs", "screenshots", "*.png"))
		if err != nil || len(linux) == 0 {
			t.Fatalf("no Linux screenshots in docs/screenshots (%v)", err)
		}
		for _, f := range linux {
			checkShot(t, filepath.Join(shots, filepath.Base(f)))
		}
	})

	// One kiosk per data file: while the window holds the demo's data file, a second
	// cotejo.exe on it is turned away (bbolt's LockFileEx) with the es/en message.
	t.Run("lock", func(t *testing.T) {
		if _, err := exec.LookPath("xvfb-run"); err != nil {
			t.Skip("xvfb-run is not installed (make deps installs xvfb)")
		}
		gctx, stop := context.WithCancel(ctx)
		defer stop()
		gui := exec.CommandContext(gctx, "xvfb-run", "-a", "wine", exe, "gui", "--demo", winPath(demo))
		gui.Dir, gui.Env = home, append(os.Environ(), wine...)
		if err := gui.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{}) // closed when the window has ended, with guiErr
		var guiErr error
		go func() { guiErr = gui.Wait(); close(exited) }()
		// Ending Wine's programs ends the window, then xvfb-run stops its X server.
		defer func() {
			kill := exec.CommandContext(ctx, "wineserver", "-k")
			kill.Env = append(os.Environ(), wine...)
			kill.Run()
			select {
			case <-exited:
			case <-time.After(2 * time.Minute):
				stop()
				<-exited
			}
		}()
		// Until the window has opened the data file: generous, the machine is shared.
		deadline := time.Now().Add(3 * time.Minute)
		// The output goes to a file, not a pipe: Wine's server and services, started by
		// whichever wine comes first, keep its standard error open as long as the
		// window keeps them running.
		outFile := filepath.Join(home, "lock.out")
		for {
			f, err := os.Create(outFile)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(ctx, "wine", exe, "queue", "list", "--config", winPath(demoConfig))
			cmd.Dir, cmd.Env, cmd.Stdout, cmd.Stderr = home, append(os.Environ(), wine...), f, f
			err = cmd.Run()
			f.Close()
			out, rerr := os.ReadFile(outFile)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if err != nil && strings.Contains(string(out), "(Cotejo is already running)") {
				return
			}
			select {
			case <-exited:
				t.Fatalf("the window ended (%v) before the data file was seen locked", guiErr)
			default:
			}
			if time.Now().After(deadline) {
				t.Fatalf("a second cotejo.exe was never turned away; the last one said (%v):\n%s", err, out)
			}
			time.Sleep(2 * time.Second)
		}
	})

	t.Run("installer", func(t *testing.T) { checkInstaller(t, ctx, wine, home, exe) })

	// A new installation's data key sealed with DPAPI, and its private files private
	// (docs/windows.md, "Data protection").
	t.Run("keys", func(t *testing.T) { checkKeys(t, ctx, wine, home, dir, citizen, linux, cotejo) })
}

// checkKeys runs the demo in pki init's folder, whose configuration leaves
// key_provider to its default, as a new installation does: the data key must be sealed
// with DPAPI (no hex key in the file; the Linux build cannot open it, cotejo.exe can),
// and the folder, the data key, the data file, the configuration and the private keys
// owner-only, read back by storage/ownerfs's Windows test program in the same Wine
// prefix, which then runs its own tests and those of DPAPI, the Credential Manager and
// the dpapi default there.
func checkKeys(t *testing.T, ctx context.Context, wine []string, home, dir, citizen, linux string, cotejo func(...string) string) {
	out := cotejo("demo", "--dir", winPath(dir), "--citizen", winPath(citizen), "--lang", "en")
	if !strings.Contains(out, "\nVALID: the credential is in force and the data match\n") {
		t.Fatalf("the demo in pki init's folder did not verify its citizen:\n%s", out)
	}
	key, config := filepath.Join(dir, "cotejo.key"), filepath.Join(dir, "cotejo.toml")
	raw, err := os.ReadFile(key)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("cotejo-dpapi 1\n")) || regexp.MustCompile(`(?i)[0-9a-f]{64}`).Match(raw) {
		t.Errorf("the data key is not sealed with DPAPI:\n%s", raw)
	}
	var queue []struct{ State string }
	if list := cotejo("queue", "list", "--json", "--config", winPath(config)); json.Unmarshal([]byte(list), &queue) != nil || len(queue) != 1 {
		t.Errorf("cotejo.exe queue list with the DPAPI key: %s", list)
	}

	// Wine keeps a file's access list as its Unix mode (see docs/windows.md): nothing
	// for others there. The Linux build, given the file 0600, is told where it opens.
	private := []string{dir, key, filepath.Join(dir, "cotejo.db"), config}
	pems, _ := filepath.Glob(filepath.Join(dir, "*-key.pem"))
	if len(pems) < 4 {
		t.Errorf("pki init's private keys: %v", pems)
	}
	private = append(private, pems...)
	for _, p := range private {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm()&0o007 != 0 {
			t.Errorf("%s: mode %v (%v), others may read it", p, st.Mode().Perm(), err)
		}
	}
	if err := os.Chmod(key, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, linux, "queue", "list", "--json", "--config", config)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "solo se abre en Windows") || !strings.Contains(string(out), "opens only on Windows") {
		t.Errorf("the Linux build on the DPAPI key: %v\n%s", err, out)
	}

	// The Windows test programs (pure Go), in this prefix.
	var names []string
	for _, p := range private {
		names = append(names, winPath(p))
	}
	for _, c := range []struct{ pkg, run string }{
		{"./storage/ownerfs/", "."},
		{"./storage/sealbox/", "DPAPI|BothFormats|KeyringWindows"},
		{"./storage/", "DPAPI"},
	} {
		prog := filepath.Join(home, "tests", filepath.Base(c.pkg)+".test.exe")
		run(t, ctx, []string{"GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0"}, "", "go", "test", "-c", "-o", prog, c.pkg)
		out := run(t, ctx, append(wine, "COTEJO_PRIVATE_FILES="+strings.Join(names, ";")), home, "wine", prog, "-test.v", "-test.run", c.run)
		if !strings.HasSuffix(strings.TrimSpace(out), "PASS") || strings.Contains(out, "--- FAIL") {
			t.Errorf("%s under Wine:\n%s", c.pkg, out)
		}
		if c.pkg == "./storage/ownerfs/" && !strings.Contains(out, "--- PASS: TestPrivateFiles") {
			t.Errorf("TestPrivateFiles did not run:\n%s", out)
		}
		t.Logf("%s under Wine:\n%s", c.pkg, out)
	}
}

// checkShot reports a screenshot that is missing, unreadable or all one colour.
func checkShot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		return
	}
	b := img.Bounds()
	first := img.At(b.Min.X, b.Min.Y)
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			if img.At(x, y) != first {
				return
			}
		}
	}
	t.Errorf("%s is all one colour %v", path, first)
}

// checkInstaller builds the NSIS installer from the folder make windows made, and
// installs and uninstalls it silently in the test's Wine prefix: the files, shortcuts,
// the uninstall entry and the kiosk option's sign-in start; the user's data kept by a
// plain uninstall and deleted with /REMOVEDATA; then uninstalls it from its pages,
// answering the question about the data both ways.
func checkInstaller(t *testing.T, ctx context.Context, wine []string, home, exe string) {
	if _, err := exec.LookPath("makensis"); err != nil {
		t.Skip("makensis is not installed (make test-windows installs nsis)")
	}
	// Named as make windows-installer names it, relative: makensis works in the
	// script's folder, and a relative path in the script once found nothing there.
	nsi := filepath.Join("dist", "windows", "cotejo.nsi")
	setup := filepath.Join(home, "cotejo-setup.exe")
	run(t, ctx, nil, "", "makensis", "-V2", "-DVERSION=0.0.0-test", "-DSRC="+filepath.Dir(exe), "-DOUT="+setup, nsi)
	// The uninstaller copies itself away and returns at once: wineserver -w waits for
	// every program in the prefix to end.
	wineWait := func(args ...string) {
		t.Helper()
		run(t, ctx, wine, home, "wine", args...)
		run(t, ctx, wine, home, "wineserver", "-w")
	}
	runKey := func() (string, error) {
		out, err := exec.CommandContext(ctx, "wine", "reg", "query", `HKLM\Software\Microsoft\Windows\CurrentVersion\Run`, "/v", "Cotejo").Output()
		return string(out), err
	}
	for _, e := range wine {
		if strings.HasPrefix(e, "WINEPREFIX=") {
			t.Setenv("WINEPREFIX", strings.TrimPrefix(e, "WINEPREFIX="))
		}
	}
	t.Setenv("WINEDEBUG", "-all")

	drive := filepath.Join(home, "wine", "drive_c")
	dir := filepath.Join(drive, "Program Files", "Cotejo")
	installed := []string{
		filepath.Join(dir, "cotejo.exe"),
		filepath.Join(dir, "uninstall.exe"),
		filepath.Join(dir, "cotejo-readers.inf"), // copied for IT, not installed
		filepath.Join(dir, "tessdata", "spa.traineddata"),
		filepath.Join(drive, "ProgramData", "Microsoft", "Windows", "Start Menu", "Programs", "Cotejo", "Cotejo.lnk"),
		filepath.Join(drive, "users", "Public", "Desktop", "Cotejo.lnk"),
	}
	dlls, err := filepath.Glob(filepath.Join(filepath.Dir(exe), "*.dll"))
	if err != nil || len(dlls) == 0 {
		t.Fatalf("no DLLs beside %s (%v)", exe, err)
	}
	for _, d := range dlls {
		installed = append(installed, filepath.Join(dir, filepath.Base(d)))
	}
	// The data of the user installing (Wine's user is the Unix one).
	users, err := filepath.Glob(filepath.Join(drive, "users", "*", "AppData", "Roaming"))
	if err != nil || len(users) != 1 {
		t.Fatalf("Wine's user folders: %v %v", users, err)
	}
	appData := filepath.Dir(users[0])
	data := []string{filepath.Join(appData, "Roaming", "cotejo", "cotejo.toml"), filepath.Join(appData, "Local", "cotejo", "cotejo.db")}

	for _, remove := range []bool{false, true} {
		wineWait(winPath(setup), "/S", "/KIOSK")
		for _, f := range installed {
			if _, err := os.Stat(f); err != nil {
				t.Errorf("after installing: %v", err)
			}
		}
		if out, err := runKey(); err != nil || !strings.Contains(out, `"C:\Program Files\Cotejo\cotejo.exe" gui --fullscreen`) {
			t.Errorf("the kiosk option's sign-in start: %v\n%s", err, out)
		}
		if out := run(t, ctx, wine, home, "wine", `C:\Program Files\Cotejo\cotejo.exe`, "version"); !strings.HasPrefix(out, "cotejo ") {
			t.Errorf("the installed cotejo.exe version: %q", out)
		}
		for _, f := range data {
			if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f, []byte("datos"), 0o600); err != nil {
				t.Fatal(err)
			}
		}

		uninstall := []string{`C:\Program Files\Cotejo\uninstall.exe`, "/S"}
		if remove {
			uninstall = append(uninstall, "/REMOVEDATA")
		}
		wineWait(uninstall...)
		for _, f := range append(installed, dir) {
			if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("after uninstalling, %s: %v", f, err)
			}
		}
		if out, err := runKey(); err == nil {
			t.Errorf("after uninstalling, the sign-in start is still there:\n%s", out)
		}
		for _, f := range data {
			_, err := os.Stat(f)
			if gone := errors.Is(err, os.ErrNotExist); gone != remove {
				t.Errorf("uninstalling with /REMOVEDATA %v: %s: %v", remove, f, err)
			}
		}
	}

	// As IT would from Apps & features: the uninstaller's pages and its question about
	// the data, answered from the keyboard on a virtual screen, "No" then "Yes".
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Log("the interactive uninstall is not tried: xdotool is not installed (make windows-tools installs it)")
		return
	}
	for _, answer := range []string{"n", "y"} {
		wineWait(winPath(setup), "/S")
		for _, f := range data {
			if err := os.MkdirAll(filepath.Dir(f), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(f, []byte("datos"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		// Each window is waited for by its title (the language, the uninstaller's
		// page, the question); the last page's Close is pressed until the uninstaller
		// has ended.
		script := `set -e
wine 'C:\Program Files\Cotejo\uninstall.exe' >/dev/null 2>&1 &
key() { xdotool search --sync --onlyvisible --name "$1" >/dev/null; sleep 1; xdotool key "$2"; }
key '^Installer Language$' Return
key '^Cotejo Uninstall $' Return
key '^Cotejo Uninstall$' "$ANSWER"
while xdotool search --onlyvisible --name '^Cotejo Uninstall $' >/dev/null; do xdotool key Return; sleep 2; done
wineserver -w
`
		uctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		run(t, uctx, append(slices.Clone(wine), "ANSWER="+answer), home, "xvfb-run", "-a", "-s", "-screen 0 1024x768x24", "sh", "-c", script)
		cancel()
		for _, f := range append(installed, dir) {
			if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("after uninstalling by hand, %s: %v", f, err)
			}
		}
		for _, f := range data {
			_, err := os.Stat(f)
			if gone := errors.Is(err, os.ErrNotExist); gone != (answer == "y") {
				t.Errorf("answering %q to deleting the data: %s: %v", answer, f, err)
			}
		}
	}
}

// compareJSON reports, field by field, where the JSON object got differs from want.
func compareJSON(t *testing.T, name string, got, want []byte) {
	t.Helper()
	var g, w map[string]any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: cotejo.exe's JSON: %v\n%s", name, err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: the Linux build's JSON: %v\n%s", name, err, want)
	}
	keys := map[string]bool{}
	for k := range g {
		keys[k] = true
	}
	for k := range w {
		keys[k] = true
	}
	for k := range keys {
		if k == "confidence" {
			compareConfidence(t, name, g[k], w[k])
			continue
		}
		if !reflect.DeepEqual(g[k], w[k]) {
			t.Errorf("%s: %s is %v under Wine, %v on Linux", name, k, g[k], w[k])
		}
	}
	t.Logf("%s: %d fields compared", name, len(keys))
}

// compareConfidence allows the fields' confidences to differ by 0.01: tesseract's
// scores come out a few thousandths apart between Debian's library and the mingw-w64
// build of the same source (first measured: at most 0.004), and the text read is what
// must be the same.
func compareConfidence(t *testing.T, name string, got, want any) {
	t.Helper()
	g, _ := got.(map[string]any)
	w, _ := want.(map[string]any)
	if len(g) != len(w) {
		t.Errorf("%s: confidence for %v under Wine, %v on Linux", name, got, want)
		return
	}
	for k, wv := range w {
		gf, gok := g[k].(float64)
		wf, wok := wv.(float64)
		if !gok || !wok || math.Abs(gf-wf) > 0.01 {
			t.Errorf("%s: confidence in %s is %v under Wine, %v on Linux", name, k, g[k], wv)
		}
	}
}

// sameFile reports whether two files differ, and where.
func sameFile(t *testing.T, a, b string) {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(x, y) {
		i := 0
		for i < len(x) && i < len(y) && x[i] == y[i] {
			i++
		}
		t.Errorf("%s (%d bytes) and %s (%d bytes) differ from byte %d", a, len(x), b, len(y), i)
	}
}

// winPath is the Windows name Wine gives an absolute Unix path: drive Z: is /.
func winPath(p string) string {
	return `Z:` + strings.ReplaceAll(p, "/", `\`)
}
