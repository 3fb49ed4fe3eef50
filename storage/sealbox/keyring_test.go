package sealbox_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"

	"cotejo/storage/sealbox"
)

// TestKeyring stores and reads a data key in a real Secret Service: gnome-keyring in a
// private D-Bus session that the test starts around itself.
func TestKeyring(t *testing.T) {
	if os.Getenv("COTEJO_IN_DBUS") == "" {
		for _, tool := range []string{"dbus-run-session", "gnome-keyring-daemon"} {
			if _, err := exec.LookPath(tool); err != nil {
				t.Skipf("%s not installed (Debian packages dbus-daemon, gnome-keyring): %v", tool, err)
			}
		}
		cmd := exec.Command("dbus-run-session", "--", "sh", "-c",
			`echo -n pw | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; exec "$0" -test.run '^TestKeyring$' -test.count=1 -test.v`, os.Args[0])
		// A throwaway home: gnome-keyring keeps its keyrings there between runs.
		home := t.TempDir()
		cmd.Env = append(os.Environ(), "COTEJO_IN_DBUS=1", "HOME="+home, "XDG_DATA_HOME="+home, "XDG_RUNTIME_DIR="+home)
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestKeyring") {
			t.Fatalf("keyring test in a D-Bus session: %v\n%s", err, out)
		}
		return
	}
	if err := sealbox.CreateKeyringKey("cotejo-test", "/tmp/c.db"); err != nil {
		t.Fatal(err)
	}
	k, err := sealbox.Keyring{Service: "cotejo-test", User: "/tmp/c.db"}.Key(context.Background())
	if err != nil || len(k) != sealbox.KeySize {
		t.Fatalf("%v %d", err, len(k))
	}
	if err := sealbox.CreateKeyringKey("cotejo-test", "/tmp/c.db"); err == nil {
		t.Error("overwrote the keyring's key")
	}
	if _, err := (sealbox.Keyring{Service: "cotejo-test", User: "nadie"}).Key(context.Background()); err == nil {
		t.Error("missing keyring entry gave a key")
	}
}
