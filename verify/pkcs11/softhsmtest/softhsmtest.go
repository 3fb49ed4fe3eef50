// Package softhsmtest makes a fresh SoftHSM token for a test: the real PKCS#11 module,
// in a folder of the test's own. Tests skip, saying why, where SoftHSM is not installed.
package softhsmtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Module is Debian's SoftHSM PKCS#11 module.
const Module = "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so"

// Token initialises a token labelled label with user PIN pin in a new folder, points
// SOFTHSM2_CONF at it for the rest of the test, and returns the module's path.
func Token(tb testing.TB, label, pin string) string {
	tb.Helper()
	if _, err := os.Stat(Module); err != nil {
		tb.Skip("SoftHSM is not installed (Debian package softhsm2): " + err.Error())
	}
	if _, err := exec.LookPath("softhsm2-util"); err != nil {
		tb.Skip("softhsm2-util not found (Debian package softhsm2): " + err.Error())
	}
	dir := tb.TempDir()
	tokens := filepath.Join(dir, "tokens")
	if err := os.Mkdir(tokens, 0o700); err != nil {
		tb.Fatal(err)
	}
	conf := filepath.Join(dir, "softhsm2.conf")
	if err := os.WriteFile(conf, []byte("directories.tokendir = "+tokens+"\nobjectstore.backend = file\nlog.level = ERROR\n"), 0o600); err != nil {
		tb.Fatal(err)
	}
	tb.Setenv("SOFTHSM2_CONF", conf)
	if out, err := exec.Command("softhsm2-util", "--init-token", "--free", "--label", label, "--pin", pin, "--so-pin", "5678").CombinedOutput(); err != nil {
		tb.Fatalf("softhsm2-util: %v: %s", err, out)
	}
	return Module
}
