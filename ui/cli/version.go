package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// Set by the linker (make build and make deb pass -ldflags -X cotejo/ui/cli.version=…):
// a linker flag can only fill a package-level string, so these three are the exception
// to the rule against package state, and nothing writes them at run time.
var (
	version string
	commit  string
	date    string
)

// BuildInfo says which build of Cotejo this is.
type BuildInfo struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
	Go      string `json:"go"`
}

// currentBuild is the build's info: the linker's values, or, for a plain go build, what
// the Go toolchain recorded (the module version and the VCS revision and time).
func currentBuild() BuildInfo {
	bi, _ := debug.ReadBuildInfo()
	return buildInfo(version, commit, date, bi)
}

// buildInfo fills in what the linker left empty from bi, which may be nil.
func buildInfo(version, commit, date string, bi *debug.BuildInfo) BuildInfo {
	b := BuildInfo{Version: version, Commit: commit, Date: date, Go: runtime.Version()}
	if bi != nil {
		if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
		var rev, at string
		modified := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if b.Commit == "" && rev != "" {
			b.Commit = rev
			if modified {
				b.Commit += "-dirty"
			}
		}
		if b.Date == "" {
			b.Date = at
		}
	}
	if b.Version == "" {
		b.Version = "devel"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}

func runVersion(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("version", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	b := currentBuild()
	if *asJSON {
		out, err := json.MarshalIndent(b, "", "  ")
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", out)
		return err
	}
	_, err := fmt.Fprintf(stdout, "cotejo %s (commit %s, built %s, %s)\n", b.Version, b.Commit, b.Date, b.Go)
	return err
}
