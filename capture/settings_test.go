package capture

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSettingsFile: the supervisor's screen reads the configuration, writes changes
// back with their types, and refuses what would not load.
func TestSettingsFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "cotejo.toml")
	if err := os.WriteFile(cfg, []byte("lang = \"es\"\n[branch]\nciudad = \"CDMX\"\nestado = 9\n[storage]\nretention_days = 30\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := SettingsFile{Path: cfg}
	list, err := s.Load()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, x := range list {
		got[x.Key] = x.Value
	}
	if got["branch.ciudad"] != "CDMX" || got["branch.estado"] != "9" || got["lang"] != "es" || got["service.url"] != "" {
		t.Fatalf("%v", got)
	}
	got["branch.estado"], got["lang"], got["storage.retention_days"], got["scanner.kind"] = "14", "en", "45", "usb"
	if err := s.Save(got); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if c.Branch.Estado != 14 || c.Lang != "en" || c.Storage.RetentionDays != 45 || c.Scanner.Kind != "usb" || c.Service.TSA != nil {
		t.Errorf("saved %+v", c)
	}
	raw, _ := os.ReadFile(cfg)
	if strings.Contains(string(raw), "tsa") {
		t.Errorf("unset settings were written:\n%s", raw)
	}
	got["branch.estado"] = "catorce"
	if err := s.Save(got); err == nil {
		t.Error("a state that is not a number was saved")
	}
	if c2, err := LoadConfig(cfg); err != nil || c2.Branch.Estado != 14 {
		t.Errorf("a refused save changed the file: %+v %v", c2, err)
	}
}
