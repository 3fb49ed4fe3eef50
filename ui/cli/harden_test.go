package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestHardenedCommands runs, against one development PKI and sandbox, what issue 15
// changed in the commands: fingers from the reader straight into the request, files
// that are not fingerprints refused, the data key rotated, biometrics written private.
func TestHardenedCommands(t *testing.T) {
	dir, cfg, _, stop := pkiAndSandbox(t)
	stop() // nothing here is sent
	ctx := context.Background()

	t.Run("verify --fingers scanner", func(t *testing.T) {
		// Queued, not sent: INE's stand-in comparing fingers is what is slow, and the
		// point is the way the fingers take.
		code, stdout, stderr := runCLI(t, ctx, "verify", "--config", cfg, "--citizen", "../../assets/demo-citizen.json", "--fingers", "scanner", "--queue")
		if code != 0 || !strings.Contains(stdout, "Coloque el índice derecho") || !strings.Contains(stdout, "En cola: entrada 1") {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		if list := queueList(t, cfg); len(list) != 1 || list[0]["biometrics"] != true || list[0]["fingers_sent"] != true {
			t.Errorf("the queued request does not carry the fingers: %v", list)
		}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), ".ansi") || strings.HasSuffix(e.Name(), ".png") {
				t.Errorf("a fingerprint file was left on disk: %s", e.Name())
			}
		}
	})

	t.Run("citizen file naming a file that is not a fingerprint", func(t *testing.T) {
		citizen := filepath.Join(t.TempDir(), "c.json")
		os.WriteFile(citizen, []byte(`{"modelo":"G","cic":"354760982","consentimiento":true,"huellas":{"tipo":1,"derecho":"/etc/shadow"}}`), 0o600)
		code, _, stderr := runCLI(t, ctx, "verify", "--config", cfg, "--citizen", citizen, "--queue")
		if code == 0 || !strings.Contains(stderr, "/etc/shadow") || !strings.Contains(stderr, "ANSI INCITS 378") {
			t.Errorf("exit %d: %s", code, stderr)
		}
		os.WriteFile(citizen, []byte(`{"modelo":"G","cic":"354760982","consentimiento":true,"huellas":{"tipo":2,"derecho":"/dev/zero"}}`), 0o600)
		if code, _, stderr := runCLI(t, ctx, "verify", "--config", cfg, "--citizen", citizen, "--queue"); code == 0 || !strings.Contains(stderr, "not a regular file") {
			t.Errorf("/dev/zero: exit %d: %s", code, stderr)
		}
	})

	t.Run("key rotate", func(t *testing.T) {
		code, stdout, stderr := runCLI(t, ctx, "key", "rotate", "--config", cfg, "--operator", "super")
		if code != 0 || !strings.Contains(stdout, "Llave de datos nueva en uso") {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		retired, _ := filepath.Glob(filepath.Join(dir, "cotejo.key.retired-*"))
		if len(retired) != 1 {
			t.Errorf("retired keys %v", retired)
		}
		// Everything still opens, under the new key alone.
		if code, stdout, stderr := runCLI(t, ctx, "queue", "show", "1", "--config", cfg); code != 0 || !strings.Contains(stdout, "ARTURO") {
			t.Errorf("queue show after rotation: %d %s %s", code, stdout, stderr)
		}
		if code, stdout, _ := runCLI(t, ctx, "audit", "verify", "--config", cfg); code != 0 || !strings.Contains(stdout, "íntegra") {
			t.Errorf("audit verify after rotation: %d %s", code, stdout)
		}
	})
}

// TestFingerFilesPrivate: fingerprints written by `finger capture` are their owner's
// alone: 0600 files in a 0700 folder, and a folder others can open is refused.
func TestFingerFilesPrivate(t *testing.T) {
	base := t.TempDir()
	cfg := filepath.Join(base, "cotejo.toml")
	if err := os.WriteFile(cfg, []byte("[scanner]\nkind = \"simulated\"\ncitizen = \"P001\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(base, "huellas")
	if code, stdout, stderr := runCLI(t, context.Background(), "finger", "capture", "--config", cfg, "--timeout", "10m", "--out", out); code != 0 {
		t.Fatalf("%d %s %s", code, stdout, stderr)
	}
	png := filepath.Join(base, "one.png")
	if code, _, stderr := runCLI(t, context.Background(), "finger", "capture", "--config", cfg, "--timeout", "10m", "--out", png); code != 0 {
		t.Fatalf("one finger: %s", stderr)
	}
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{{out, 0o700}, {filepath.Join(out, "right-2.ansi"), 0o600}, {filepath.Join(out, "left-7.ansi"), 0o600}, {png, 0o600}} {
		st, err := os.Stat(c.path)
		if err != nil || st.Mode().Perm() != c.mode {
			t.Errorf("%s: %v %v, want %o", c.path, err, st.Mode().Perm(), c.mode)
		}
	}
	open := filepath.Join(base, "abierta")
	os.Mkdir(open, 0o755)
	os.Chmod(open, 0o755)
	if code, _, stderr := runCLI(t, context.Background(), "finger", "capture", "--config", cfg, "--out", open); code == 0 || !strings.Contains(stderr, "chmod 700") {
		t.Errorf("a folder others can open: %d %s", code, stderr)
	}
}
