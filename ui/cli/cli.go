// Package cli is cotejo's terminal commands: the kiosk's window (gui, the default), the
// sandbox, verifying a citizen, the queue, the audit trail, reading credentials and
// fingerprints, devices and location, and the demo.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"cotejo/capture"
)

type command struct {
	name, summary string
	run           func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func commands() []command {
	return []command{
		{"gui", "the kiosk's window (default)", runGUI},
		{"sandbox", "serve a stand-in for INE's service over two-way TLS", runSandbox},
		{"pki", "make a development PKI (init) or a real institution's key and CSR (csr)", runPKI},
		{"verify", "verify one citizen's credential with INE and print the result (queued if INE is unreachable)", runVerify},
		{"queue", "the offline queue: list, show ID, retry ID, cancel ID, drain, purge", runQueue},
		{"audit", "check the audit trail: audit verify", runAudit},
		{"key", "the data key: key rotate (Cotejo closed)", runKey},
		{"ocr", "read a credential from photos of its front and back: ocr [--json] FRONT [BACK]", runOCR},
		{"finger", "fingerprints: gen, capture, extract, quality, match, info, encode, decode", runFinger},
		{"location", "wait for a position fix and print it: location [--gpsd HOST:PORT | --nmea DEVICE] [--json]", runLocation},
		{"devices", "the fingerprint readers plugged in: devices [--json] [--watch] [--record DIR]", runDevices},
		{"sello", "SAT's cadena original and sello: sello tbc --rfc RFC --codigo CODE --key key.pem [--cert cert.pem] [--out file.xml]", runSello},
		{"evidence", "evidence: evidence verify FILE.pdf (a sealed receipt) | evidence verify --audit (the audit trail's seals) | evidence verify --remote ID [FILE.pdf] (a remote certificate's seal) | evidence nom151 --folio N FILE | --constancia CONST FILE (Sovos NOM-151) | evidence attach --entry ID --folio N | --constancia CONST (a receipt's constancy, for the history)", runEvidence},
		{"cardgen", "draw synthetic credentials (models C–H) for tests and the demo", runCardgen},
		{"nom151-sandbox", "serve a stand-in for Sovos' NOM-151 validation service over TLS", runNOM151Sandbox},
		{"tuidentidad", "Tu Identidad, the second provider: ine, rfc, nss, status KEY, list, poll [--json]", runTuIdentidad},
		{"tuidentidad-sandbox", "serve a stand-in for Tu Identidad's asynchronous service over TLS", runTuIdentidadSandbox},
		{"webhook", "receive providers' results: webhook serve", runWebhook},
		{"remote", "remote identity check by SMS link (evidence only, not INE): send, status, certificate, credits, listen", runRemote},
		{"remote-sandbox", "serve a stand-in for the remote identity verification provider over HTTPS", runRemoteSandbox},
		{"demo", "start the sandbox and verify a citizen of its register, all in one", runDemo},
		{"version", "print the version, commit and build date: version [--json]", runVersion},
		{"help", "list the commands", nil},
	}
}

// exitError carries a specific exit status.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// Run runs the command args name (gui when none), writing to stdout and stderr, and
// returns the process's exit status.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	name := "gui"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if name == "help" && len(args) == 1 && args[0] == "--man" {
		// Hidden: make deb writes the manual page this way.
		if err := writeMan(ctx, stdout); err != nil {
			fmt.Fprintf(stderr, "cotejo help: %v\n", err)
			return 1
		}
		return 0
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			err := c.run(ctx, args, stdout, stderr)
			if err == nil {
				return 0
			}
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			fmt.Fprintf(stderr, "cotejo %s: %v\n", name, err)
			var ee *exitError
			if errors.As(err, &ee) {
				return ee.code
			}
			return 1
		}
	}
	fmt.Fprintf(stderr, "cotejo: no command %q\n", name)
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Cotejo verifies INE voter credentials. Usage: cotejo COMMAND [--config FILE] [flags]")
	fmt.Fprintln(w, "Commands:")
	width := 0
	for _, c := range commands() {
		width = max(width, len(c.name))
	}
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprintln(w, "Run 'cotejo COMMAND -h' for a command's flags.")
}

func newFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("cotejo "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("config", capture.DefaultConfigPath(), "configuration file (TOML)")
	return fs, cfg
}
