package capture

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadConfig: a setting Cotejo does not know is refused by name, and relative paths
// resolve against the file's folder.
func TestLoadConfig(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		name, toml, err, receipts string
	}{
		{"receipts beside the file", "[kiosk]\nreceipts = \"comprobantes\"\n", "", filepath.Join(dir, "comprobantes")},
		{"receipts elsewhere", "[kiosk]\nreceipts = \"/srv/recibos\"\n", "", "/srv/recibos"},
		{"misspelt setting", "[kiosk]\nfulscreen = true\n", `unknown setting "kiosk.fulscreen"`, ""},
		{"not TOML", "[kiosk\n", "configuration", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, "cotejo.toml")
			if err := os.WriteFile(path, []byte(c.toml), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := LoadConfig(path)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want one saying %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := cfg.ReceiptDir(); got != c.receipts {
				t.Errorf("receipts in %q, want %q", got, c.receipts)
			}
		})
	}
	if _, err := LoadConfig(filepath.Join(dir, "none.toml")); err == nil || !strings.Contains(err.Error(), "none.toml") {
		t.Errorf("a missing file: %v", err)
	}
}
