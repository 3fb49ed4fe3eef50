package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"

	"cotejo/capture"
)

// subcommands are the commands that take a subcommand before their flags: the manual
// asks each of them for its flags. TestManPageCoversSubcommands keeps the list honest.
var subcommands = map[string][]string{
	"pki":         {"init", "csr"},
	"queue":       {"list", "show", "retry", "cancel", "drain", "purge"},
	"audit":       {"verify"},
	"key":         {"rotate"},
	"finger":      {"gen", "capture", "extract", "quality", "match", "info", "encode", "decode"},
	"sello":       {"tbc"},
	"evidence":    {"verify", "nom151", "attach"},
	"tuidentidad": {"ine", "rfc", "nss", "status", "list", "poll"},
	"webhook":     {"serve"},
	"remote":      {"send", "status", "certificate", "credits", "listen"},
}

// flagDoc is one flag as the flag package's usage prints it.
type flagDoc struct {
	name, arg, text string
}

// commandFlags asks a command for its flags the way a user would, with -h: every
// command parses its flags before doing anything, so this runs nothing else. The
// --config flag, common to all, is left out; the manual describes it once.
func commandFlags(ctx context.Context, c command, sub string) []flagDoc {
	args := []string{"-h"}
	if sub != "" {
		args = []string{sub, "-h"}
	}
	var usage bytes.Buffer
	_ = c.run(ctx, args, io.Discard, &usage)
	var docs []flagDoc
	for _, d := range parseDefaults(usage.String()) {
		if d.name != "config" {
			docs = append(docs, d)
		}
	}
	return docs
}

// parseDefaults reads flag.PrintDefaults's layout: "  -name type" on one line, then the
// usage text on lines starting with four spaces and a tab (or, for a short boolean, on
// the same line after a tab).
func parseDefaults(s string) []flagDoc {
	var docs []flagDoc
	for _, line := range strings.Split(s, "\n") {
		switch {
		case strings.HasPrefix(line, "  -"):
			head, text, _ := strings.Cut(strings.TrimPrefix(line, "  -"), "\t")
			name, arg, _ := strings.Cut(strings.TrimSpace(head), " ")
			docs = append(docs, flagDoc{name: name, arg: arg, text: strings.TrimSpace(text)})
		case strings.HasPrefix(line, "    \t") && len(docs) > 0:
			d := &docs[len(docs)-1]
			d.text = strings.TrimSpace(d.text + "\n" + strings.TrimPrefix(line, "    \t"))
		}
	}
	return docs
}

// writeMan writes cotejo(1) in roff, made from the commands' own summaries and flags so
// that the manual cannot drift from the program.
func writeMan(ctx context.Context, w io.Writer) error {
	b := currentBuild()
	day := ""
	if len(b.Date) >= 10 && b.Date[4] == '-' {
		day = b.Date[:10]
	}
	var m bytes.Buffer
	fmt.Fprintf(&m, ".TH COTEJO 1 %q %q \"Cotejo\"\n", day, "cotejo "+roff(b.Version))
	// No hyphenation or justification: the page is full of paths and flags.
	m.WriteString(`.nh
.ad l
.SH NAME
cotejo \- verify Mexican INE voter credentials and fingerprints with INE's service
.SH SYNOPSIS
.B cotejo
.RI [ command ]
.RB [ \-\-config
.IR file ]
.RI [ flags ]
.SH DESCRIPTION
.B cotejo
is a kiosk for bank branches and other institutions: it reads an INE voter credential
(Credencial para Votar) from photos, captures the citizen's index fingerprints, and
asks INE's verification service whether they match the register. Without a command it
opens the kiosk's window. When INE cannot be reached, requests wait in an encrypted
queue and are sent later.
.PP
Flags may be written with one dash or two.
.SH OPTIONS
.TP
.BI \-\-config " file"
The configuration file (TOML). The default is
.IR $XDG_CONFIG_HOME/cotejo/cotejo.toml
(usually
.IR ~/.config/cotejo/cotejo.toml ),
or the file named by
.BR COTEJO_CONFIG .
.SH COMMANDS
`)
	for _, c := range commands() {
		fmt.Fprintf(&m, ".SS %s\n%s\n", roff(c.name), roff(c.summary))
		if c.run == nil {
			continue
		}
		subs, ok := subcommands[c.name]
		if !ok {
			writeFlags(&m, "", commandFlags(ctx, c, ""))
			continue
		}
		for _, sub := range subs {
			writeFlags(&m, c.name+" "+sub, commandFlags(ctx, c, sub))
		}
	}
	m.WriteString(`.SH ENVIRONMENT
.TP
.B COTEJO_CONFIG
The configuration file, when
.B \-\-config
is not given.
.TP
.B OMP_THREAD_LIMIT
Threads for tesseract's OpenMP; cotejo sets it to 1 when it is not set.
.SH FILES
.TP
.I /usr/share/cotejo/demo\-citizen.json
The demo's citizen: try
.B cotejo demo \-\-dir
.I /tmp/cotejo\-demo
.B \-\-citizen
.IR /usr/share/cotejo/demo\-citizen.json .
.TP
.I /usr/lib/udev/rules.d/60\-cotejo\-fingerprint.rules
Lets the user at the seat, and group plugdev, use the fingerprint readers.
.TP
.I /etc/xdg/autostart/cotejo\-kiosk.desktop
Starts the kiosk's window when a user logs in, once enabled by the setting
.I kiosk_autostart
in
.IR /etc/default/cotejo .
.SH EXIT STATUS
0 on success, 2 for an unknown command, and otherwise 1 or a status the command
documents (verify: the answer's outcome).
.SH SEE ALSO
.BR udev (7),
.BR tesseract (1)
`)
	_, err := w.Write(m.Bytes())
	return err
}

// writeFlags writes a command's flags as a tagged list; title names the subcommand.
func writeFlags(m *bytes.Buffer, title string, docs []flagDoc) {
	if title != "" {
		fmt.Fprintf(m, ".PP\n.B %s\n", roff(title))
	}
	if len(docs) == 0 {
		return
	}
	m.WriteString(".RS\n")
	for _, d := range docs {
		fmt.Fprintf(m, ".TP\n\\fB\\-\\-%s\\fR", roff(d.name))
		if d.arg != "" {
			fmt.Fprintf(m, " \\fI%s\\fR", roff(d.arg))
		}
		text := strings.ReplaceAll(d.text, capture.DefaultConfigPath(), "~/.config/cotejo/cotejo.toml")
		fmt.Fprintf(m, "\n%s\n", roff(text))
	}
	m.WriteString(".RE\n")
}

// roff escapes text for a roff line: backslashes, minus signs (which roff would print as
// hyphens), a leading dot or quote (a request), and non-ASCII letters as named glyphs so
// that the page renders the same in any locale.
func roff(s string) string {
	var b strings.Builder
	for i, line := range strings.Split(s, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		if strings.HasPrefix(line, ".") || strings.HasPrefix(line, "'") {
			b.WriteString(`\&`)
		}
		for _, r := range line {
			switch {
			case r == '\\':
				b.WriteString(`\e`)
			case r == '-':
				b.WriteString(`\-`)
			case r > 0x7e:
				fmt.Fprintf(&b, `\[u%04X]`, r)
			default:
				b.WriteRune(r)
			}
		}
	}
	return b.String()
}
