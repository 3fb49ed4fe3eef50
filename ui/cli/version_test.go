package cli

import (
	"context"
	"encoding/json"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

func TestBuildInfo(t *testing.T) {
	vcs := &debug.BuildInfo{Main: debug.Module{Path: "cotejo", Version: "(devel)"}, Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "9ddff1b311468b8d7aa55701edf84dad28b58812"},
		{Key: "vcs.time", Value: "2026-11-30T12:00:00Z"},
		{Key: "vcs.modified", Value: "true"},
	}}
	tests := []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		want                  BuildInfo
	}{
		{"linker values win", "1.2.0", "abc", "2026-12-01T00:00:00Z", vcs,
			BuildInfo{"1.2.0", "abc", "2026-12-01T00:00:00Z", runtime.Version()}},
		{"VCS stamp as fallback", "", "", "", vcs,
			BuildInfo{"devel", "9ddff1b311468b8d7aa55701edf84dad28b58812-dirty", "2026-11-30T12:00:00Z", runtime.Version()}},
		{"module version", "", "", "", &debug.BuildInfo{Main: debug.Module{Version: "v1.3.0"}},
			BuildInfo{"v1.3.0", "unknown", "unknown", runtime.Version()}},
		{"nothing known", "", "", "", nil,
			BuildInfo{"devel", "unknown", "unknown", runtime.Version()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := buildInfo(tt.version, tt.commit, tt.date, tt.bi); got != tt.want {
				t.Errorf("buildInfo = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestVersionCommand(t *testing.T) {
	ctx := context.Background()
	code, out, errOut := runCLI(t, ctx, "version")
	if code != 0 || !strings.HasPrefix(out, "cotejo ") || !strings.Contains(out, "commit ") || !strings.Contains(out, "built ") {
		t.Fatalf("cotejo version: code %d, out %q, err %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, ctx, "version", "--json")
	if code != 0 {
		t.Fatalf("cotejo version --json: code %d, err %q", code, errOut)
	}
	var b BuildInfo
	if err := json.Unmarshal([]byte(out), &b); err != nil {
		t.Fatalf("cotejo version --json: %v in %q", err, out)
	}
	if b != currentBuild() {
		t.Errorf("cotejo version --json = %+v, want %+v", b, currentBuild())
	}
}
