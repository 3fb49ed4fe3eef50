package capture

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"

	"cotejo/capture/signin"
	"cotejo/storage"
	"cotejo/verify/config"
	"cotejo/verify/nom151"
	"cotejo/verify/sandbox"
	"cotejo/verify/tuidentidad"
	"cotejo/verify/webhook"
)

// Config is the configuration file: one section per part of the app. Relative paths in
// it are relative to the file's folder.
type Config struct {
	Service   config.Service    `toml:"service"`
	Sandbox   sandbox.Settings  `toml:"sandbox"`
	Branch    Place             `toml:"branch"`
	Scanner   ScannerSettings   `toml:"scanner"`
	Kiosk     KioskSettings     `toml:"kiosk"`
	Location  LocationSettings  `toml:"location"`
	Operators []signin.Operator `toml:"operator"`
	Storage   storage.Settings  `toml:"storage"`
	Lang      string            `toml:"lang"`
	// TuIdentidad is the second provider's section (issue 17): optional.
	TuIdentidad tuidentidad.Settings `toml:"tuidentidad"`
	// Remote is remote identity verification by SMS link (issue 19): optional.
	Remote RemoteSettings `toml:"remote"`
	// NOM151 is Sovos' validation service for receipts' NOM-151 constancies: optional.
	NOM151 nom151.Settings `toml:"nom151"`
	// Webhook is the receiver Tu Identidad's and remote verification's deliveries
	// reach: optional. Receiver merges it with the old names in [tuidentidad].
	Webhook webhook.Settings `toml:"webhook"`

	dir string
}

// KioskSettings is the [kiosk] section: the window's.
type KioskSettings struct {
	FullScreen  bool   `toml:"fullscreen"`
	Demo        bool   `toml:"demo"`        // offer the sample credentials
	Institution string `toml:"institution"` // printed on receipts
	Receipts    string `toml:"receipts"`    // folder for receipts; default ~/Comprobantes
	Photos      string `toml:"photos"`      // where the photo picker opens; default ~/Imágenes
	// DemoDir runs the demonstration from this folder (a development PKI, INE's
	// stand-in inside the kiosk), as `cotejo gui --demo` does: what the first-run screen
	// writes.
	DemoDir string `toml:"demo_dir"`
}

// DefaultConfigPath is where the configuration is looked for: $COTEJO_CONFIG, else
// cotejo/cotejo.toml in the user's configuration folder.
func DefaultConfigPath() string {
	if p := os.Getenv("COTEJO_CONFIG"); p != "" {
		return p
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "cotejo.toml"
	}
	return filepath.Join(dir, "cotejo", "cotejo.toml")
}

// LoadConfig reads a configuration file. A setting it does not know is an error: a
// misspelt one would otherwise be silently ignored.
func LoadConfig(path string) (*Config, error) {
	var c Config
	md, err := toml.DecodeFile(path, &c)
	if err != nil {
		return nil, fmt.Errorf("configuration %s: %w", path, err)
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		return nil, fmt.Errorf("configuration %s: unknown setting %q", path, undecoded[0].String())
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("configuration %s: %w", path, err)
	}
	c.dir = filepath.Dir(abs)
	c.Scanner.Emulation = EmulationFromEnv(os.Getenv)
	return &c, nil
}

// Dir is the configuration file's folder, against which its relative paths resolve.
func (c *Config) Dir() string { return c.dir }

// path resolves a path written in the configuration.
func (c *Config) path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

// ReceiptDir is the folder the citizens' receipts are saved in.
func (c *Config) ReceiptDir() string {
	if c.Kiosk.Receipts != "" {
		return c.path(c.Kiosk.Receipts)
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "Comprobantes")
	}
	return ""
}

// Receiver is the webhook receiver's settings: the [webhook] section, each setting it
// leaves empty taken from its old name in [tuidentidad] (webhook_addr, webhook_auth,
// webhook_cert, webhook_key, webhook_url), which files written before [webhook]
// existed use.
func (c *Config) Receiver() webhook.Settings {
	w, t := c.Webhook, c.TuIdentidad
	for _, f := range []struct {
		set *string
		old string
	}{
		{&w.Addr, t.WebhookAddr}, {&w.Auth, t.WebhookAuth}, {&w.Cert, t.WebhookCert}, {&w.Key, t.WebhookKey}, {&w.URL, t.WebhookURL},
	} {
		if *f.set == "" {
			*f.set = f.old
		}
	}
	return w
}

// RemoteHookAuth is the credential remote verification's reports must carry: [remote]
// webhook_user and webhook_password (the password else from
// $COTEJO_REMOTE_HOOK_PASSWORD) when set, else the receiver's auth when it is of the
// basic form. ok is false when there is none.
func (c *Config) RemoteHookAuth() (user, password string, ok bool) {
	if r := c.Remote; r.WebhookUser != "" {
		return r.WebhookUser, cmp.Or(r.WebhookPassword, os.Getenv("COTEJO_REMOTE_HOOK_PASSWORD")), true
	}
	return webhook.BasicCredential(c.Receiver().Auth)
}
