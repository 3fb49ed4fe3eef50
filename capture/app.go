package capture

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"cotejo/capture/location"
	"cotejo/capture/signin"
	"cotejo/ocr"
	"cotejo/scanner/biometrics/enrolled"
	"cotejo/storage"
	"cotejo/verify"
	"cotejo/verify/config"
	"cotejo/verify/nom151/standin"
	"cotejo/verify/pki"
	"cotejo/verify/sandbox"
)

// App is the kiosk's services opened from its configuration: what the window and the
// terminal's commands (verify, queue, audit, demo) work through, so that both take the
// same path from a citizen to INE.
type App struct {
	*Kiosk
	Config *Config
	// Certificates are the institution's own (TLS client, signing), whose expiry the
	// home screen warns of.
	Certificates []*x509.Certificate
	// Demo is true when the app runs the demonstration: a development PKI and INE's
	// stand-in inside the process.
	Demo bool
	// Settings is the file a supervisor's changes are written to.
	Settings SettingsFile
	// Nominal is Tu Identidad for the window, when [tuidentidad] is configured.
	Nominal *Nominal
	// Remote is remote identity verification for the window, when [remote] is
	// configured.
	Remote *Remote
	// Webhook is the in-process webhook receiver's routes, when [webhook] addr (or
	// its old name, [tuidentidad] webhook_addr) is set.
	Webhook *http.ServeMux
	// nom151Demo is Sovos' stand-in the demonstration runs, when it does.
	nom151Demo *standin.Running

	closers []func() error // in the order opened
	// hookListener is the demonstration's webhook receiver's port, taken before the
	// stand-ins were told where to report; nil: serveWebhooks listens on [webhook] addr.
	hookListener net.Listener
}

// Options say what Open opens besides the configuration and the data file.
type Options struct {
	// DemoDir runs the demonstration from this folder, whatever the configuration says:
	// a development PKI (made the first time) and INE's stand-in on a loopback port.
	DemoDir string
	// StoreOnly opens the data file alone, for bookkeeping that needs no keys (the
	// queue's list, the audit trail).
	StoreOnly bool
	// ReadOnly opens the data file for viewing and verifying only: nothing is written,
	// so the queue's list, an entry and the audit trail can be read on a full disk.
	ReadOnly bool
	// Reading opens the credential reader (tesseract), which the window uses.
	Reading bool
	// Log receives what the services report (the stand-in's requests, a reader that
	// is not available); nil discards it.
	Log io.Writer
	// Progress says what a slow opening is doing, in Spanish and English.
	Progress func(es, en string)
	// Now is the data file's clock (retention, schedules); nil: time.Now.
	Now func() time.Time
}

// Open loads the configuration at cfgPath (or runs the demonstration its [kiosk]
// demo_dir or o.DemoDir names) and wires the services. Close releases them.
func Open(ctx context.Context, cfgPath string, o Options) (a *App, err error) {
	o = withDefaults(o)
	a = &App{Settings: SettingsFile{Path: cfgPath}}
	defer func() {
		if err != nil {
			a.Close()
			a = nil
		}
	}()
	demoDir := o.DemoDir
	if demoDir == "" {
		if a.Config, err = LoadConfig(cfgPath); err != nil {
			return a, err
		}
		demoDir = a.Config.path(a.Config.Kiosk.DemoDir)
	}
	if demoDir != "" {
		if err := a.startDemo(ctx, demoDir, o); err != nil {
			return a, err
		}
	}
	cfg := a.Config
	db, err := cfg.Storage.Open(ctx, cfg.Dir(), storage.Options{ReadOnly: o.ReadOnly, Now: o.Now})
	if err != nil {
		return a, err
	}
	a.closers = append(a.closers, db.Close)
	a.Kiosk = &Kiosk{DB: db, Scanner: cfg.Scanner, Branch: cfg.Branch}
	if o.StoreOnly {
		if !o.ReadOnly {
			a.sealBookkeeping(cfg, o.Log)
		}
		return a, nil
	}
	// Without a [service] section the kiosk opens all the same, for Tu Identidad and
	// remote verification: INE's features then say ErrNoService.
	if cfg.Service != (config.Service{}) {
		if err := a.openService(cfg, db, o); err != nil {
			return a, err
		}
	}
	if len(cfg.Operators) > 0 {
		if a.Operators, err = signin.NewBook(cfg.Operators); err != nil {
			return a, err
		}
		// Wrong PINs are kept in the data file: a restart does not lift a lock.
		a.Operators.Store = attemptStore{db}
	}
	src, err := cfg.Location.Open(cfg.Branch)
	if err != nil {
		return a, err
	}
	a.Position = PositionFrom(src, cfg.Location.Wait.Duration)
	if w, ok := src.(location.Watcher); ok && cfg.Location.Source != "" && cfg.Location.Source != "branch" {
		a.GPS = w
	}
	logger := slog.New(slog.NewTextHandler(o.Log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	if a.Nominal, err = a.openNominal(logger); err != nil {
		return a, err
	}
	if a.Remote, err = a.openRemote(logger); err != nil {
		return a, err
	}
	if err := a.serveWebhooks(ctx, logger); err != nil {
		return a, err
	}
	if err := a.openNOM151(); err != nil {
		return a, err
	}
	if o.Reading {
		reader, err := ocr.NewReader(runtime.NumCPU())
		if err != nil {
			// Without tesseract the operator types the credential: say so, carry on.
			fmt.Fprintf(o.Log, "lectura automática de credenciales no disponible: %v\n", err)
		} else {
			a.OCR = reader
			a.closers = append(a.closers, func() error { reader.Close(); return nil })
		}
	}
	return a, nil
}

// openService connects to INE as [service] says.
func (a *App) openService(cfg *Config, db *storage.DB, o Options) error {
	conn, err := cfg.Service.Open(cfg.Dir())
	if err != nil {
		return err
	}
	a.closers = append(a.closers, conn.Close)
	if conn.Sealer.Stamper == nil {
		// Without a TSA the local clock stamps requests: one set back would stamp them
		// out of order, so the last request recorded bounds it.
		conn.Sealer.NotBefore = db.LastRequestTime
	}
	a.Sealer, a.Client, a.Threshold, a.Certificates = conn.Sealer, conn.Client, conn.Threshold, conn.Certificates
	if conn.Sealer.Signer != nil && !o.ReadOnly {
		// Every audit record from here on is sealed with the key that signs requests.
		SealAudit(db.Audit(), conn.Sealer.Signer)
	}
	return nil
}

// sealBookkeeping has the audit records of bookkeeping without INE (the queue's retry,
// cancel and purge) sealed like the kiosk's when the signing key opens. When it does
// not (an HSM unplugged, no [service]) they are written unsealed, which the evidence
// check reports, rather than stopping the bookkeeping: it says so once.
func (a *App) sealBookkeeping(cfg *Config, log io.Writer) {
	signer, closeSigner, err := cfg.Service.OpenSigner(cfg.Dir())
	if err != nil {
		fmt.Fprintf(log, "los registros de la bitácora quedan sin sello (audit records go unsealed): %v\n", err)
		return
	}
	a.closers = append(a.closers, closeSigner)
	SealAudit(a.DB.Audit(), signer)
}

func withDefaults(o Options) Options {
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Progress == nil {
		o.Progress = func(string, string) {}
	}
	return o
}

// Close releases the services, the last opened first.
func (a *App) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}

// OffersSamples reports whether the credential screen offers the sample credentials.
func (a *App) OffersSamples() bool { return a.Demo || a.Config.Kiosk.Demo }

// startDemo makes (once) a development PKI in dir and runs INE's stand-in on a free
// loopback port, with the configuration's service pointed at it.
func (a *App) startDemo(ctx context.Context, dir string, o Options) error {
	cfgPath := filepath.Join(dir, "cotejo.toml")
	if _, err := os.Stat(cfgPath); errors.Is(err, os.ErrNotExist) {
		o.Progress(fmt.Sprintf("Creando la PKI de desarrollo en %s (las llaves de 4096 bits tardan unos segundos)…", dir),
			fmt.Sprintf("Making the development PKI in %s (the 4096-bit keys take a few seconds)…", dir))
		if _, err := NewDemoConfig(ctx, dir, pki.Options{}); err != nil {
			return err
		}
	}
	if err := addDemoOperators(cfgPath); err != nil {
		return err
	}
	cfg, err := LoadConfig(cfgPath)
	if err != nil {
		return err
	}
	srv, tlsConf, err := cfg.Sandbox.Open(cfg.Dir(), slog.New(slog.NewTextHandler(o.Log, nil)), &enrolled.Matcher{})
	if err != nil {
		return err
	}
	addr, err := a.serveDemo(ctx, func(ctx context.Context, ln net.Listener) error { return sandbox.Serve(ctx, ln, srv, tlsConf, nil) }, nil)
	if err != nil {
		return err
	}
	cfg.Service.URL = "https://" + addr + verify.ServicePath
	if cfg.Kiosk.Photos == "" {
		if err := writeSamplePhotos(filepath.Join(dir, "fotos")); err != nil {
			return err
		}
		cfg.Kiosk.Photos = "fotos" // beside the configuration
	}
	if err := a.startTuIdentidadDemo(ctx, cfg, o); err != nil {
		return err
	}
	if err := a.startNOM151Demo(o); err != nil {
		return err
	}
	if err := a.startRemoteDemo(ctx, cfg, o); err != nil {
		return err
	}
	a.Config, a.Demo, a.Settings = cfg, true, SettingsFile{Path: cfgPath}
	return nil
}

// NewDemoConfig makes a development PKI in dir and its configuration, with the demo's
// operators: what `cotejo pki init` writes. It returns the configuration's path.
func NewDemoConfig(ctx context.Context, dir string, o pki.Options) (string, error) {
	files, err := pki.Init(ctx, dir, o)
	if err != nil {
		return "", err
	}
	return files.Config, addDemoOperators(files.Config)
}

// Demo operators written beside a development PKI: never for a real branch.
var demoOperators = []struct{ id, name, role, pin string }{
	{"demo", "Operador de demostración", "operator", "1234"},
	{"super", "Supervisora de demostración", "supervisor", "9999"},
}

// addDemoOperators appends the [kiosk] section and demo operators to a development
// configuration that has none.
func addDemoOperators(cfgPath string) error {
	raw, err := os.ReadFile(cfgPath)
	if err != nil {
		return err
	}
	if strings.Contains(string(raw), "[[operator]]") {
		return nil
	}
	var b strings.Builder
	b.WriteString("\n[kiosk]\nfullscreen = false\ndemo = true               # offer the sample credentials\ninstitution = \"Banco Demo, sucursal Centro\"\nreceipts = \"comprobantes\"   # folder for the citizens' receipts (PDF)\n")
	for _, o := range demoOperators {
		h, err := signin.HashPIN(o.pin)
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "\n[[operator]]               # demo PIN %s\nid = %q\nname = %q\nrole = %q\npin = %q\n", o.pin, o.id, o.name, o.role, h)
	}
	f, err := os.OpenFile(cfgPath, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// RotateKey makes a new data key, re-seals every value under it and retires the old
// one (`cotejo key rotate`). The data file must not be open: call it on a
// configuration, not on an open App.
func RotateKey(ctx context.Context, cfg *Config, operator string) (storage.RotateReport, error) {
	return storage.RotateKey(ctx, cfg.Storage, cfg.Dir(), operator)
}

// Compact rewrites the data file so that the pages purging freed keep nothing. It closes
// the data file first: the app's store is not usable afterwards.
func (a *App) Compact() error {
	st, err := a.Config.Storage.Resolved(a.Config.Dir())
	if err != nil {
		return err
	}
	if err := a.DB.Close(); err != nil {
		return err
	}
	return storage.Compact(st.Path, time.Second)
}

// serveDemo runs a demonstration's stand-in on a loopback port until the app closes:
// serve answers on ln until its context ends, and work, when not nil, is the stand-in's
// own loop (its clock, its deliveries), run beside it. It returns the port's address.
func (a *App) serveDemo(ctx context.Context, serve func(context.Context, net.Listener) error, work func(context.Context)) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	served, ran := make(chan error, 1), make(chan struct{})
	go func() { served <- serve(sctx, ln) }()
	go func() {
		defer close(ran)
		if work != nil {
			work(sctx)
		}
	}()
	a.closers = append(a.closers, func() error { cancel(); <-served; <-ran; return nil })
	return ln.Addr().String(), nil
}
