// Package cli is cotejo's terminal commands: the kiosk's window (gui, the default), the
// sandbox, verifying a citizen, the queue, the audit trail, reading credentials and
// fingerprints, devices and location, and the demo.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/BurntSushi/toml"

	"cotejo/capture"
	"cotejo/capture/signin"
	"cotejo/storage"
	"cotejo/verify"
	"cotejo/verify/config"
	"cotejo/verify/pki"
	"cotejo/verify/sandbox"
)

// appConfig is the configuration file: one section per part of the app.
type appConfig struct {
	Service   config.Service           `toml:"service"`
	Sandbox   sandbox.Settings         `toml:"sandbox"`
	Branch    capture.Place            `toml:"branch"`
	Scanner   capture.ScannerSettings  `toml:"scanner"`
	Kiosk     kioskSettings            `toml:"kiosk"`
	Location  capture.LocationSettings `toml:"location"`
	Operators []signin.Operator        `toml:"operator"`
	Storage   storage.Settings         `toml:"storage"`
	Lang      string                   `toml:"lang"`
}

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
		{"ocr", "read a credential from photos of its front and back: ocr [--json] FRONT [BACK]", runOCR},
		{"finger", "fingerprints: gen, capture, extract, quality, match, info, encode, decode", runFinger},
		{"location", "wait for a position fix and print it: location [--gpsd HOST:PORT | --nmea DEVICE] [--json]", runLocation},
		{"devices", "the fingerprint readers plugged in: devices [--json] [--watch]", runDevices},
		{"cardgen", "draw synthetic credentials (models C–H) for tests and the demo", runCardgen},
		{"demo", "start the sandbox and verify a citizen of its register, all in one", runDemo},
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
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "Run 'cotejo COMMAND -h' for a command's flags.")
}

func newFlags(name string, stderr io.Writer) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("cotejo "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := fs.String("config", defaultConfigPath(), "configuration file (TOML)")
	return fs, cfg
}

func defaultConfigPath() string {
	if p := os.Getenv("COTEJO_CONFIG"); p != "" {
		return p
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "cotejo.toml"
	}
	return filepath.Join(dir, "cotejo", "cotejo.toml")
}

// loadConfig reads the file and returns it with its folder, against which relative
// paths in it are resolved.
func loadConfig(path string) (*appConfig, string, error) {
	var c appConfig
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		return nil, "", fmt.Errorf("configuration %s: %w", path, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		return nil, "", fmt.Errorf("configuration %s: unknown setting %q", path, undecoded[0].String())
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, "", err
	}
	return &c, filepath.Dir(abs), nil
}

func runSandbox(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("sandbox", stderr)
	addr := fs.String("addr", "", "address to listen on (default: [sandbox] addr)")
	padron := fs.String("padron", "", "voter register JSON (default: the synthetic one shipped)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, dir, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	st := cfg.Sandbox
	if *padron != "" {
		p, err := filepath.Abs(*padron)
		if err != nil {
			return err
		}
		st.Padron = p
	}
	if *addr != "" {
		st.Addr = *addr
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))
	srv, tlsConf, err := st.Open(dir, logger)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", st.Addr)
	if err != nil {
		return err
	}
	logger.Info("sandbox escuchando", "addr", ln.Addr().String(), "ruta", verify.ServicePath)
	return sandbox.Serve(ctx, ln, srv, tlsConf, logger)
}

func runPKI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("say 'cotejo pki init --dir D' or 'cotejo pki csr --out D ...'")
	}
	switch args[0] {
	case "init":
		fs, _ := newFlags("pki init", stderr)
		dir := fs.String("dir", "", "folder for the PKI and its cotejo.toml")
		inst := fs.String("institution", "Banco Demo", "institution name")
		addr := fs.String("addr", "127.0.0.1:8443", "sandbox address the config points at")
		force := fs.Bool("force", false, "overwrite an existing PKI")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *dir == "" {
			return errors.New("--dir is required")
		}
		files, err := pki.Init(ctx, *dir, pki.Options{Institution: *inst, SandboxAddr: *addr, Force: *force})
		if err != nil {
			return err
		}
		if err := ensureDemoOperators(files.Config); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "PKI de desarrollo lista en %s\nConfiguración: %s\n", *dir, files.Config)
		return nil
	case "csr":
		fs, _ := newFlags("pki csr", stderr)
		out := fs.String("out", ".", "folder for institution-key.pem and institution.csr")
		var req pki.CSRRequest
		fs.StringVar(&req.State, "state", "", "state (ST), e.g. CIUDAD DE MEXICO")
		fs.StringVar(&req.City, "city", "", "city (L)")
		fs.StringVar(&req.Organization, "org", "", "institution (O)")
		fs.StringVar(&req.CommonName, "cn", "", "server FQDN (CN)")
		fs.StringVar(&req.Email, "email", "", "contact e-mail (emailAddress)")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		keyPEM, csrPEM, err := pki.NewCSR(req)
		if err != nil {
			return err
		}
		keyPath, csrPath := filepath.Join(*out, "institution-key.pem"), filepath.Join(*out, "institution.csr")
		for _, f := range []struct {
			path string
			data []byte
			mode os.FileMode
		}{{keyPath, keyPEM, 0o600}, {csrPath, csrPEM, 0o644}} {
			if _, err := os.Stat(f.path); err == nil {
				return fmt.Errorf("%s exists; not overwriting a key or CSR", f.path)
			}
			if err := os.WriteFile(f.path, f.data, f.mode); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "Llave: %s\nSolicitud (CSR) para el INE: %s\n", keyPath, csrPath)
		return nil
	}
	return fmt.Errorf("no pki command %q (init, csr)", args[0])
}

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("verify", stderr)
	citizen := fs.String("citizen", "", "citizen file (JSON: credential fields, fingerprints, location, consent)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	dump := fs.String("dump-request", "", "write the exact request body sent to this file")
	lang := fs.String("lang", "", "es or en (default: the configuration's, else es)")
	queueOnly := fs.Bool("queue", false, "queue the request without trying to send it now")
	operator := fs.String("operator", os.Getenv("USER"), "operator id recorded with the request")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *citizen == "" {
		return errors.New("--citizen is required")
	}
	cfg, dir, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	if *lang == "" {
		*lang = cfg.Lang
	}
	v, err := capture.LoadCitizenFile(*citizen, cfg.Branch)
	if err != nil {
		return err
	}
	conn, err := cfg.Service.Open(dir)
	if err != nil {
		return err
	}
	defer conn.Close()
	return verifyCitizen(ctx, cfg, dir, conn, v, verifyOptions{dump: *dump, queueOnly: *queueOnly, operator: *operator, asJSON: *asJSON, lang: *lang}, stdout)
}

type verifyOptions struct {
	dump, operator, lang string
	queueOnly, asJSON    bool
}

// verifyCitizen takes the citizen through the window's session (the same checks, the
// consent recorded), seals the request, makes it durable in the outbox, and sends it at
// once unless asked only to queue it. Exit status 3 means queued, not answered.
func verifyCitizen(ctx context.Context, cfg *appConfig, dir string, conn *config.Conn, v verify.Verification, o verifyOptions, stdout io.Writer) error {
	s, err := capture.SessionFor(v, o.operator, time.Now)
	if err != nil {
		var se *capture.StageError
		if errors.As(err, &se) {
			return errors.New(se.Message(o.lang))
		}
		return err
	}
	var sealer capture.Sealer = conn.Sealer
	if o.dump != "" {
		sealer = dumpingSealer{sealer, o.dump}
	}
	db, err := storage.OpenSettings(ctx, cfg.Storage, dir)
	if err != nil {
		return err
	}
	defer db.Close()
	// The request is durable before anything is sent: a crash or a dead link loses nothing.
	entry, err := s.Submit(ctx, sealer, &storage.Sender{DB: db, Client: conn.Client}, !o.queueOnly)
	if err != nil {
		return err
	}
	if o.queueOnly {
		fmt.Fprintf(stdout, "En cola: entrada %s (consulta %s)\n", entry.ID, entry.Indice)
		return nil
	}
	if entry.Answers == 0 {
		fmt.Fprintf(stdout, "El INE no respondió (%s). La consulta quedó en cola: entrada %s (consulta %s); se enviará cuando haya conexión.\n", entry.LastError+entry.Reason, entry.ID, entry.Indice)
		return &exitError{code: 3, err: fmt.Errorf("queued as entry %s", entry.ID)}
	}
	return printAnswer(db, conn, entry, o.asJSON, o.lang, stdout)
}

// dumpingSealer writes each sealed request's body to a file, as sent.
type dumpingSealer struct {
	capture.Sealer
	path string
}

func (d dumpingSealer) Seal(ctx context.Context, v verify.Verification) (*verify.Sealed, error) {
	sealed, err := d.Sealer.Seal(ctx, v)
	if err != nil {
		return nil, err
	}
	return sealed, os.WriteFile(d.path, sealed.Body, 0o600)
}

// printAnswer shows INE's stored, verified answer for an entry.
func printAnswer(db *storage.DB, conn *config.Conn, e storage.Entry, asJSON bool, lang string, stdout io.Writer) error {
	raw, err := db.Answer(e.Indice)
	if err != nil {
		return err
	}
	res, err := verify.OpenResponse(raw, conn.Client.INECert, e.Indice)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res.View(lang, conn.Threshold))
	}
	return res.WriteText(stdout, lang, conn.Threshold)
}

func runQueue(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("say list, show ID, retry ID, cancel ID, drain or purge")
	}
	sub, args := args[0], args[1:]
	fs, cfgPath := newFlags("queue "+sub, stderr)
	asJSON := fs.Bool("json", false, "JSON output (list)")
	operator := fs.String("operator", os.Getenv("USER"), "operator id recorded in the audit trail")
	compact := fs.Bool("compact", false, "after purging, rewrite the file so freed pages keep nothing (purge)")
	lang := fs.String("lang", "es", "es or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// The id may stand before the flags: parse what follows it too.
	id := fs.Arg(0)
	if fs.NArg() > 0 {
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	cfg, dir, db, err := openStore(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer db.Close()
	needID := func() error {
		if id == "" {
			return fmt.Errorf("queue %s needs an entry id", sub)
		}
		return nil
	}
	switch sub {
	case "list":
		entries, err := db.List()
		if err != nil {
			return err
		}
		if *asJSON {
			if entries == nil {
				entries = []storage.Entry{}
			}
			return json.NewEncoder(stdout).Encode(entries)
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCONSULTA\tESTADO\tINTENTOS\tSIGUIENTE\tMOTIVO")
		for _, e := range entries {
			next := "—"
			if e.State == storage.StatePending {
				next = e.NextAttempt.Local().Format("2006-01-02 15:04:05")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", e.ID, e.Indice, e.State, e.Attempts, next, e.Reason+e.LastError)
		}
		return tw.Flush()
	case "show":
		if err := needID(); err != nil {
			return err
		}
		e, err := db.Get(id)
		if err != nil {
			return err
		}
		out, _ := json.MarshalIndent(e, "", "  ")
		fmt.Fprintf(stdout, "%s\n", out)
		if c, err := db.CitizenOf(e.Indice); err == nil {
			fmt.Fprintf(stdout, "Ciudadano: %s  CURP %s  CIC %s\n", c.Nombre, c.CURP, c.CIC)
		}
		if e.Answers > 0 && !e.Purged {
			conn, err := cfg.Service.Open(dir)
			if err != nil {
				return err
			}
			defer conn.Close()
			return printAnswer(db, conn, e, false, *lang, stdout)
		}
		return nil
	case "retry", "cancel":
		if err := needID(); err != nil {
			return err
		}
		op := db.Retry
		if sub == "cancel" {
			op = db.Cancel
		}
		e, err := op(id, *operator)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Entrada %s: %s\n", e.ID, e.State)
		return nil
	case "drain":
		conn, err := cfg.Service.Open(dir)
		if err != nil {
			return err
		}
		defer conn.Close()
		snd := &storage.Sender{DB: db, Client: conn.Client, Force: true, Events: func(ev storage.Event) {
			if ev.Kind != storage.EventSent {
				fmt.Fprintf(stdout, "entrada %s: %s\n", ev.Entry.ID, ev.Entry.State)
			}
		}}
		n, err := snd.Drain(ctx)
		fmt.Fprintf(stdout, "%d envíos\n", n)
		return err
	case "purge":
		n, err := db.Purge(ctx, *operator)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%d consultas depuradas\n", n)
		if *compact {
			st, err := cfg.Storage.Resolved(dir)
			if err != nil {
				return err
			}
			db.Close()
			if err := storage.Compact(st.Path, time.Second); err != nil {
				return err
			}
			fmt.Fprintln(stdout, "Archivo compactado")
		}
		return nil
	}
	return fmt.Errorf("no queue command %q", sub)
}

// openStore loads the configuration and opens the data file it names.
func openStore(ctx context.Context, cfgPath string) (*appConfig, string, *storage.DB, error) {
	cfg, dir, err := loadConfig(cfgPath)
	if err != nil {
		return nil, "", nil, err
	}
	db, err := storage.OpenSettings(ctx, cfg.Storage, dir)
	return cfg, dir, db, err
}

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("say 'cotejo audit verify'")
	}
	fs, cfgPath := newFlags("audit verify", stderr)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	_, _, db, err := openStore(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.Audit().Verify(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Bitácora íntegra: %d registros; el último (%d) es de %s\n", rep.Entries, rep.Last.Seq, rep.Last.Time.Local().Format("2006-01-02 15:04:05"))
	return nil
}

// runDemo is the whole round trip with no set-up: a development PKI in a folder, the
// sandbox on a free loopback port, and one verification of a citizen of its register.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("demo", stderr)
	dir := fs.String("dir", "demo", "folder for the demo's PKI")
	citizen := fs.String("citizen", "assets/demo-citizen.json", "citizen file to verify")
	lang := fs.String("lang", "es", "es or en")
	noFingers := fs.Bool("no-fingers", false, "verify the credential data only, without the configured scanner")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, base, stop, err := startDemoSandbox(ctx, *dir, stdout, stderr)
	if err != nil {
		return err
	}
	defer stop()
	conn, err := cfg.Service.Open(base)
	if err != nil {
		return err
	}
	defer conn.Close()
	v, err := capture.LoadCitizenFile(*citizen, cfg.Branch)
	if err != nil {
		return err
	}
	if v.Fingers == nil && cfg.Scanner.Kind != "" && !*noFingers {
		if v.Fingers, err = captureFingers(ctx, cfg.Scanner, *lang, stdout); err != nil {
			return err
		}
	}
	vctx, vcancel := context.WithTimeout(ctx, 30*time.Second)
	defer vcancel()
	fmt.Fprintf(stdout, "Consultando al INE de prueba en %s ...\n\n", strings.TrimSuffix(strings.TrimPrefix(cfg.Service.URL, "https://"), verify.ServicePath))
	return verifyCitizen(vctx, cfg, base, conn, v, verifyOptions{operator: "demo", lang: *lang}, stdout)
}
