package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDevicesRecord follows devices --record where no reader is plugged in (this machine,
// CI): each missing part is named, in the operator's language, before anything is
// written. The recording itself is tested under umockdev in package record.
func TestDevicesRecord(t *testing.T) {
	// tools makes a PATH holding programs of these names; they are only looked up,
	// never run, as every case stops before.
	tools := func(t *testing.T, names ...string) string {
		dir := t.TempDir()
		for _, n := range names {
			if err := os.WriteFile(filepath.Join(dir, n), []byte("#!/bin/sh\nexit 99\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		return dir
	}
	tests := []struct {
		name  string
		path  []string // the programs installed
		lang  string
		wants string
	}{
		{"no umockdev", nil, "es", "umockdev-record no está instalado: instálelo con 'sudo apt-get install umockdev'"},
		{"no umockdev, English", nil, "en", "umockdev-record is not installed: install it with 'sudo apt-get install umockdev'"},
		{"no tshark", []string{"umockdev-record"}, "es", "tshark no está instalado"},
		{"no reader", []string{"umockdev-record", "tshark"}, "es", "No hay un lector de huellas conectado"},
		{"no reader, English", []string{"umockdev-record", "tshark"}, "en", "No fingerprint reader is plugged in"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PATH", tools(t, tt.path...))
			dir := filepath.Join(t.TempDir(), "grabación")
			code, stdout, stderr := runCLI(t, context.Background(), "devices", "--record", dir, "--lang", tt.lang)
			if code != 1 || !strings.Contains(stderr, tt.wants) {
				t.Errorf("exit %d, stderr %q, want 1 and %q (stdout %q)", code, stderr, tt.wants, stdout)
			}
			if _, err := os.Stat(dir); err == nil {
				t.Error("the folder was made")
			}
		})
	}
}
