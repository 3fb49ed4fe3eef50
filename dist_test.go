package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var debTest = flag.Bool("deb", false, "build the Debian package, install it on this machine, run it and purge it (needs root; slow)")

// installed are files the package must put in place, and take away when purged.
var installed = []string{
	"/usr/bin/cotejo",
	"/usr/libexec/cotejo/autostart",
	"/usr/share/man/man1/cotejo.1.gz",
	"/usr/share/applications/mx.cotejo.kiosk.desktop",
	"/usr/share/icons/hicolor/256x256/apps/mx.cotejo.kiosk.png",
	"/usr/share/icons/hicolor/scalable/apps/mx.cotejo.kiosk.svg",
	"/usr/lib/udev/rules.d/60-cotejo-fingerprint.rules",
	"/usr/share/cotejo/demo-citizen.json",
	"/usr/share/doc/cotejo/copyright",
	"/usr/share/doc/cotejo/changelog.gz",
	"/etc/default/cotejo",
	"/etc/xdg/autostart/cotejo-kiosk.desktop",
}

// TestDebianPackage builds the package with make deb (which runs lintian), installs it
// with dpkg on this machine, runs cotejo version, the autostart wrapper and the terminal
// demo from the installed files alone, then purges it and checks nothing is left.
func TestDebianPackage(t *testing.T) {
	if !*debTest && os.Getenv("COTEJO_DEB_TEST") != "1" {
		t.Skip("installs a package on this machine and takes minutes: run with -deb or COTEJO_DEB_TEST=1 (make test-deb)")
	}
	if os.Geteuid() != 0 {
		t.Skip("dpkg -i needs root")
	}
	for _, tool := range []string{"make", "dpkg", "dpkg-deb", "dpkg-query"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: this test runs on Debian", tool)
		}
	}
	if out, err := exec.Command("dpkg-query", "-W", "-f=${Status}", "cotejo").Output(); err == nil && len(out) > 0 {
		t.Fatalf("cotejo is already known to dpkg (%s): the test would replace it; purge it first", out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Minute)
	defer cancel()

	// make deb ends by printing the package's path.
	out := run(t, ctx, nil, "", "make", "--no-print-directory", "deb")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	deb := lines[len(lines)-1]
	if !strings.HasPrefix(deb, "dist/cotejo_") || !strings.HasSuffix(deb, ".deb") {
		t.Fatalf("make deb's last line is %q, not the package's path", deb)
	}
	version := field(t, ctx, deb, "Version")
	depends := field(t, ctx, deb, "Depends")
	t.Logf("built %s, Depends: %s", deb, depends)
	for _, want := range []string{"libc6", "libtesseract5", "libusb-1.0-0", "tesseract-ocr-spa", "fonts-dejavu-core"} {
		if !strings.Contains(depends, want) {
			t.Errorf("Depends: %s lacks %s", depends, want)
		}
	}

	t.Cleanup(func() {
		// Leave the machine as it was, whatever failed.
		if out, err := exec.Command("dpkg-query", "-W", "-f=${Status}", "cotejo").Output(); err == nil && len(out) > 0 {
			if out, err := exec.Command("dpkg", "-P", "cotejo").CombinedOutput(); err != nil {
				t.Errorf("dpkg -P cotejo: %v\n%s", err, out)
			}
		}
	})
	run(t, ctx, nil, "", "dpkg", "-i", deb)
	for _, f := range installed {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("installed package: %v", err)
		}
	}

	got := run(t, ctx, nil, "", "/usr/bin/cotejo", "version")
	t.Logf("installed; /usr/bin/cotejo version: %s", strings.TrimSpace(got))
	printed, _, _ := strings.Cut(strings.TrimPrefix(got, "cotejo "), " ")
	if strings.ReplaceAll(printed, "-", "+") != version || !strings.Contains(got, "(commit ") || strings.Contains(got, "commit unknown") {
		t.Errorf("cotejo version printed %q; the package is version %s", got, version)
	}

	if v, err := exec.LookPath("desktop-file-validate"); err == nil {
		run(t, ctx, nil, "", v, "/usr/share/applications/mx.cotejo.kiosk.desktop", "/etc/xdg/autostart/cotejo-kiosk.desktop")
	} else {
		t.Log("desktop-file-validate is not installed (desktop-file-utils): desktop entries not validated")
	}

	// The autostart wrapper does nothing as shipped, and starts cotejo with the
	// settings' arguments once enabled.
	dir := t.TempDir()
	if out := run(t, ctx, nil, dir, "/usr/libexec/cotejo/autostart"); out != "" {
		t.Errorf("autostart, off as shipped, printed %q", out)
	}
	defaults := filepath.Join(dir, "cotejo.defaults")
	if err := os.WriteFile(defaults, []byte("KIOSK_AUTOSTART=yes\nKIOSK_ARGS=\"version --json\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out := run(t, ctx, []string{"COTEJO_DEFAULTS=" + defaults}, dir, "/usr/libexec/cotejo/autostart"); !strings.Contains(out, `"version"`) {
		t.Errorf("autostart, enabled, printed %q, not cotejo version --json", out)
	}

	// The demo from the installed files, in a folder of its own, away from the sources.
	home := t.TempDir()
	out = run(t, ctx, []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config")}, home,
		"/usr/bin/cotejo", "demo", "--dir", filepath.Join(home, "demo"), "--citizen", "/usr/share/cotejo/demo-citizen.json", "--lang", "en")
	if !strings.Contains(out, "\nVALID: the credential is in force and the data match\n") {
		t.Errorf("the installed demo did not verify its citizen:\n%s", out)
	}

	t.Log("the installed demo verified its citizen: VALID")

	run(t, ctx, nil, "", "dpkg", "-P", "cotejo")
	for _, f := range append(installed, "/usr/share/doc/cotejo", "/usr/libexec/cotejo", "/usr/share/cotejo") {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("after dpkg -P, %s: %v", f, err)
		}
	}
	if out, err := exec.Command("dpkg-query", "-W", "-f=${Status}", "cotejo").Output(); err == nil && len(out) > 0 {
		t.Errorf("after dpkg -P, dpkg still knows cotejo: %s", out)
	}
}

// run runs name with args in dir (the test's when empty) with env added, and returns its
// standard output; a failure ends the test.
func run(t *testing.T, ctx context.Context, env []string, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s\n%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// field is a control field of the package file deb.
func field(t *testing.T, ctx context.Context, deb, name string) string {
	t.Helper()
	return strings.TrimSpace(run(t, ctx, nil, "", "dpkg-deb", "-f", deb, name))
}
