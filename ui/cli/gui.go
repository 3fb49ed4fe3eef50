package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"cotejo/capture"
	"cotejo/capture/location"
	"cotejo/capture/signin"
	"cotejo/ocr"
	"cotejo/storage"
	"cotejo/ui"
	"cotejo/verify"
	"cotejo/verify/pki"
	"cotejo/verify/sandbox"
)

// kioskSettings is the [kiosk] section.
type kioskSettings struct {
	FullScreen  bool   `toml:"fullscreen"`
	Demo        bool   `toml:"demo"`        // offer the sample credentials
	Institution string `toml:"institution"` // printed on receipts
	Receipts    string `toml:"receipts"`    // folder for receipts; default ~/Comprobantes
}

// Demo operators written beside a development PKI: never for a real branch.
var demoOperators = []struct{ id, name, role, pin string }{
	{"demo", "Operador de demostración", "operator", "1234"},
	{"super", "Supervisora de demostración", "supervisor", "9999"},
}

// ensureDemoOperators appends the [kiosk] section and demo operators to a development
// configuration that has none.
func ensureDemoOperators(cfgPath string) error {
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

// startDemoSandbox makes (once) a development PKI in dir and runs the sandbox on a free
// loopback port, pointing the configuration's service at it. stop ends the sandbox.
func startDemoSandbox(ctx context.Context, dir string, stdout, stderr io.Writer) (cfg *appConfig, base string, stop func(), err error) {
	cfgPath := filepath.Join(dir, "cotejo.toml")
	if _, err := os.Stat(cfgPath); errors.Is(err, os.ErrNotExist) {
		fmt.Fprintf(stdout, "Creando la PKI de desarrollo en %s (las llaves de 4096 bits tardan unos segundos)...\n", dir)
		if _, err := pki.Init(ctx, dir, pki.Options{}); err != nil {
			return nil, "", nil, err
		}
	}
	if err := ensureDemoOperators(cfgPath); err != nil {
		return nil, "", nil, err
	}
	cfg, base, err = loadConfig(cfgPath)
	if err != nil {
		return nil, "", nil, err
	}
	srv, tlsConf, err := cfg.Sandbox.Open(base, slog.New(slog.NewTextHandler(stderr, nil)))
	if err != nil {
		return nil, "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- sandbox.Serve(sctx, ln, srv, tlsConf, nil) }()
	cfg.Service.URL = "https://" + ln.Addr().String() + verify.ServicePath
	return cfg, base, func() { cancel(); <-served }, nil
}

func runGUI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("gui", stderr)
	demo := fs.String("demo", "", "run the demo: a development PKI in this folder and the sandbox in-process")
	shots := fs.String("screenshots", "", "walk every screen once, saving PNGs in this folder, then quit (demo only)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var (
		cfg  *appConfig
		base string
		err  error
	)
	if *demo != "" {
		var stop func()
		if cfg, base, stop, err = startDemoSandbox(ctx, *demo, stdout, stderr); err != nil {
			return err
		}
		defer stop()
	} else if cfg, base, err = loadConfig(*cfgPath); err != nil {
		return err
	}
	k, closeKiosk, err := openKiosk(ctx, cfg, base, stderr)
	if err != nil {
		return err
	}
	defer closeKiosk()
	receipts := cfg.Kiosk.Receipts
	if receipts == "" {
		if home, err := os.UserHomeDir(); err == nil {
			receipts = filepath.Join(home, "Comprobantes")
		}
	} else if !filepath.IsAbs(receipts) {
		receipts = filepath.Join(base, receipts)
	}
	opts := ui.Options{Lang: cfg.Lang, FullScreen: cfg.Kiosk.FullScreen, Demo: cfg.Kiosk.Demo || *demo != "",
		Certificates: k.Certificates, Settings: settingsStore(*cfgPath, *demo), ReceiptDir: receipts, Institution: cfg.Kiosk.Institution}
	if *shots != "" {
		if *demo == "" {
			return errors.New("--screenshots needs --demo")
		}
		opts.Screenshots, opts.ScreenshotOperator = *shots, [2]string{"super", "9999"}
	}
	return ui.Run(ctx, k.Kiosk, opts)
}

// openedKiosk is the kiosk's services and what to watch.
type openedKiosk struct {
	*capture.Kiosk
	Certificates []*x509.Certificate
}

// openKiosk wires the services the window uses from the configuration.
func openKiosk(ctx context.Context, cfg *appConfig, base string, stderr io.Writer) (*openedKiosk, func(), error) {
	conn, err := cfg.Service.Open(base)
	if err != nil {
		return nil, nil, err
	}
	db, err := storage.OpenSettings(ctx, cfg.Storage, base)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	book, err := signin.NewBook(cfg.Operators)
	if err != nil {
		db.Close()
		conn.Close()
		return nil, nil, err
	}
	k := &capture.Kiosk{Scanner: cfg.Scanner, Sealer: conn.Sealer, Client: conn.Client, DB: db,
		Threshold: conn.Threshold, Branch: cfg.Branch, Operators: book}
	src, err := cfg.Location.Open(cfg.Branch)
	if err != nil {
		db.Close()
		conn.Close()
		return nil, nil, err
	}
	k.Position = capture.PositionFrom(src, cfg.Location.Wait.Duration)
	if w, ok := src.(location.Watcher); ok && cfg.Location.Source != "" && cfg.Location.Source != "branch" {
		k.GPS = w
	}
	reader, err := ocr.NewReader(runtime.NumCPU())
	if err != nil {
		// Without tesseract the operator types the credential: say so, carry on.
		fmt.Fprintf(stderr, "lectura automática de credenciales no disponible: %v\n", err)
	} else {
		k.OCR = reader
	}
	closeAll := func() {
		if reader != nil {
			reader.Close()
		}
		db.Close()
		conn.Close()
	}
	return &openedKiosk{Kiosk: k, Certificates: conn.Certificates}, closeAll, nil
}

// editable are the settings a supervisor may change from the window, by TOML path.
var editable = []struct {
	key     string
	label   [2]string
	choices []string
}{
	{"lang", [2]string{"Idioma", "Language"}, []string{"es", "en"}},
	{"service.url", [2]string{"Servicio del INE (URL)", "INE service (URL)"}, nil},
	{"service.threshold", [2]string{"Umbral de similitud de huellas (%)", "Fingerprint similarity threshold (%)"}, nil},
	{"service.ca_cert", [2]string{"CA del INE (archivo)", "INE's CA (file)"}, nil},
	{"service.client_cert", [2]string{"Certificado TLS de la institución", "Institution's TLS certificate"}, nil},
	{"service.client_key", [2]string{"Llave TLS de la institución", "Institution's TLS key"}, nil},
	{"service.signing_cert", [2]string{"Certificado de firma", "Signing certificate"}, nil},
	{"service.signing_key", [2]string{"Llave de firma", "Signing key"}, nil},
	{"service.tsa.url", [2]string{"Sellado de tiempo (URL de la TSA)", "Time stamping (TSA URL)"}, nil},
	{"service.tsa.roots", [2]string{"Raíces de la TSA (archivo)", "TSA roots (file)"}, nil},
	{"scanner.kind", [2]string{"Lector de huellas", "Fingerprint reader"}, []string{"", "usb", "simulated"}},
	{"location.source", [2]string{"Origen de la ubicación", "Location source"}, []string{"branch", "gpsd", "nmea"}},
	{"location.gpsd", [2]string{"gpsd (servidor:puerto)", "gpsd (host:port)"}, nil},
	{"location.nmea", [2]string{"Receptor GPS serie (dispositivo)", "Serial GPS receiver (device)"}, nil},
	{"branch.ciudad", [2]string{"Ciudad de la sucursal", "Branch city"}, nil},
	{"branch.codigo_postal", [2]string{"Código postal de la sucursal", "Branch postal code"}, nil},
	{"branch.estado", [2]string{"Entidad (número)", "State (number)"}, nil},
	{"storage.retention_days", [2]string{"Días que se conservan los resultados", "Days results are kept"}, nil},
	{"kiosk.fullscreen", [2]string{"Pantalla completa", "Full screen"}, []string{"true", "false"}},
}

// settingsStore reads and writes the editable settings of the configuration file. The
// file is rewritten whole (its comments are lost), after being checked to load.
func settingsStore(cfgPath, demoDir string) *ui.SettingsStore {
	if demoDir != "" {
		cfgPath = filepath.Join(demoDir, "cotejo.toml")
	}
	load := func() (map[string]any, error) {
		var m map[string]any
		_, err := toml.DecodeFile(cfgPath, &m)
		return m, err
	}
	return &ui.SettingsStore{
		Load: func() ([]ui.Setting, error) {
			m, err := load()
			if err != nil {
				return nil, err
			}
			var out []ui.Setting
			for _, e := range editable {
				v := ""
				if x, ok := lookup(m, e.key); ok {
					v = fmt.Sprint(x)
				}
				out = append(out, ui.Setting{Key: e.key, Label: e.label, Value: v, Choices: e.choices})
			}
			return out, nil
		},
		Save: func(values map[string]string) error {
			m, err := load()
			if err != nil {
				return err
			}
			for k, v := range values {
				old, had := lookup(m, k)
				if !had && v == "" {
					continue // not set before, not set now: the default stays
				}
				set(m, k, typed(old, v))
			}
			var b strings.Builder
			if err := toml.NewEncoder(&b).Encode(m); err != nil {
				return err
			}
			tmp := cfgPath + ".tmp"
			if err := os.WriteFile(tmp, []byte(b.String()), 0o600); err != nil {
				return err
			}
			if _, _, err := loadConfig(tmp); err != nil {
				os.Remove(tmp)
				return err
			}
			return os.Rename(tmp, cfgPath)
		},
	}
}

func lookup(m map[string]any, key string) (any, bool) {
	parts := strings.Split(key, ".")
	for _, p := range parts[:len(parts)-1] {
		sub, ok := m[p].(map[string]any)
		if !ok {
			return nil, false
		}
		m = sub
	}
	v, ok := m[parts[len(parts)-1]]
	return v, ok
}

func set(m map[string]any, key string, v any) {
	parts := strings.Split(key, ".")
	for _, p := range parts[:len(parts)-1] {
		sub, ok := m[p].(map[string]any)
		if !ok {
			sub = map[string]any{}
			m[p] = sub
		}
		m = sub
	}
	m[parts[len(parts)-1]] = v
}

// typed keeps a setting's TOML type: numbers stay numbers, booleans booleans.
func typed(old any, v string) any {
	switch old.(type) {
	case int64:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	case float64:
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	case bool:
		return v == "true"
	}
	if v == "true" || v == "false" {
		return v == "true"
	}
	return v
}
