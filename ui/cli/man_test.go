package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseDefaults(t *testing.T) {
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.Bool("json", false, "print JSON")
	fs.String("dir", "demo", "folder for the demo's PKI")
	fs.Int("count", 12, "how many cards\nacross two lines")
	var out bytes.Buffer
	fs.SetOutput(&out)
	fs.PrintDefaults()
	want := []flagDoc{
		{name: "count", arg: "int", text: "how many cards\nacross two lines (default 12)"},
		{name: "dir", arg: "string", text: "folder for the demo's PKI (default \"demo\")"},
		{name: "json", text: "print JSON"},
	}
	if got := parseDefaults(out.String()); !reflect.DeepEqual(got, want) {
		t.Errorf("parseDefaults(%q)\n got %+v\nwant %+v", out.String(), got, want)
	}
}

func TestRoff(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"--json", `\-\-json`},
		{`C:\path`, `C:\epath`},
		{".TH not a request", `\&.TH not a request`},
		{"'quoted\n.second", "\\&'quoted\n\\&.second"},
		{"models C–H", `models C\[u2013]H`},
		{"Índice", `\[u00CD]ndice`},
	}
	for _, tt := range tests {
		if got := roff(tt.in); got != tt.want {
			t.Errorf("roff(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestManPageCoversSubcommands checks that the manual asks every command for its flags:
// a command that wants a subcommand first prints no usage for a bare -h, so it must be
// in subcommands, and each subcommand listed there must exist.
func TestManPageCoversSubcommands(t *testing.T) {
	ctx := context.Background()
	for _, c := range commands() {
		if c.run == nil {
			continue
		}
		subs, ok := subcommands[c.name]
		if !ok {
			subs = []string{""}
		}
		for _, sub := range subs {
			args, name := []string{"-h"}, "cotejo "+c.name
			if sub != "" {
				args, name = []string{sub, "-h"}, name+" "+sub
			}
			var usage bytes.Buffer
			_ = c.run(ctx, args, new(bytes.Buffer), &usage)
			if !strings.HasPrefix(usage.String(), "Usage of "+name+":") {
				t.Errorf("%s -h printed %q, not its flags' usage", name, usage.String())
			}
		}
	}
}

func TestManPage(t *testing.T) {
	code, page, errOut := runCLI(t, context.Background(), "help", "--man")
	if code != 0 {
		t.Fatalf("cotejo help --man: code %d, %s", code, errOut)
	}
	if !strings.HasPrefix(page, ".TH COTEJO 1 ") {
		t.Errorf("the page starts %q, not with .TH", page[:min(len(page), 40)])
	}
	for _, c := range commands() {
		if !strings.Contains(page, "\n.SS "+roff(c.name)+"\n"+roff(c.summary)+"\n") {
			t.Errorf("the page has no section for %s", c.name)
		}
	}
	for _, want := range []string{`\fB\-\-json\fR`, `\fB\-\-citizen\fR \fIstring\fR`, `.B queue purge`, `\fB\-\-compact\fR`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	// --config is described once, and the page does not depend on who built it.
	if strings.Count(page, `\-\-config`) != 3 {
		t.Errorf("--config appears %d times, want only in SYNOPSIS, OPTIONS and ENVIRONMENT", strings.Count(page, `\-\-config`))
	}
	if home, err := os.UserHomeDir(); err == nil && strings.Contains(page, home+"/") {
		t.Errorf("the page names the builder's home %s", home)
	}

	// man reports roff mistakes as warnings on stderr, as lintian's check does.
	man, err := exec.LookPath("man")
	if err != nil {
		t.Skip("man is not installed (Debian package man-db): the page's roff is not checked")
	}
	file := filepath.Join(t.TempDir(), "cotejo.1")
	if err := os.WriteFile(file, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(man, "--warnings", "-E", "UTF-8", "-l", "-Tutf8", "-Z", file)
	cmd.Env = append(os.Environ(), "LC_ALL=C.UTF-8", "MANWIDTH=80")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil || stderr.Len() > 0 {
		t.Errorf("man --warnings: %v\n%s", err, stderr.String())
	}
}
