package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"cotejo/capture/signin"
	"cotejo/ui"
)

// setupError is a first-run failure in the operator's words.
type setupError struct{ es, en string }

func (e *setupError) Error() string { return e.es }

// Message is the error in lang.
func (e *setupError) Message(lang string) string {
	if lang == "en" {
		return e.en
	}
	return e.es
}

// institutionFiles are the files a configuration is imported from, by the names the
// institution's onboarding (and `cotejo pki`) gives them, with what each one is.
var institutionFiles = []struct {
	name, key, es, en string
	secret            bool
}{
	{"ine-root-ca.pem", "ca_cert", "la CA del INE", "INE's CA", false},
	{"ine-encryption-public.pem", "ine_encryption_key", "la llave pública de cifrado del INE", "INE's encryption public key", false},
	{"ine-signing.pem", "ine_signing_cert", "el certificado de firma del INE", "INE's signing certificate", false},
	{"institution-client.pem", "client_cert", "el certificado TLS de la institución", "the institution's TLS certificate", false},
	{"institution-client-key.pem", "client_key", "la llave TLS de la institución", "the institution's TLS key", true},
	{"institution-signing.pem", "signing_cert", "el certificado de firma de la institución", "the institution's signing certificate", false},
	{"institution-signing-key.pem", "signing_key", "la llave de firma de la institución", "the institution's signing key", true},
}

// firstRun is what the window's first-run screen does: write the demonstration's
// configuration, or import the institution's, beside cfgPath, and open its kiosk.
func firstRun(cfgPath string, stdout, stderr io.Writer) *ui.FirstRun {
	dir := filepath.Dir(cfgPath)
	return &ui.FirstRun{
		Config: cfgPath,
		Demo: func(ctx context.Context, progress func(es, en string)) (ui.Started, error) {
			progress("Creando las llaves de la demostración (unos segundos)…", "Making the demonstration's keys (a few seconds)…")
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return ui.Started{}, err
			}
			const conf = "# Written by the first-run screen: the demonstration, with a development PKI and\n" +
				"# INE's stand-in inside the kiosk (no request reaches INE). Replace this file with\n" +
				"# the institution's configuration to verify for real.\n[kiosk]\ndemo_dir = \"demo\"\n"
			if err := writeNew(cfgPath, conf); err != nil {
				return ui.Started{}, err
			}
			st, err := startKiosk(ctx, cfgPath, "", stdout, stderr)
			if err != nil {
				os.Remove(cfgPath) // the next start asks again
			}
			return st, err
		},
		Import: func(ctx context.Context, in ui.Import, progress func(es, en string)) (ui.Started, error) {
			progress("Revisando los archivos…", "Checking the files…")
			if !strings.HasPrefix(in.URL, "https://") {
				return ui.Started{}, &setupError{"La dirección del servicio debe empezar con https://.", "The service's address must start with https://."}
			}
			var es, en []string
			for _, f := range institutionFiles {
				if _, err := os.Stat(filepath.Join(in.Folder, f.name)); err != nil {
					es, en = append(es, f.name+" ("+f.es+")"), append(en, f.name+" ("+f.en+")")
				}
			}
			if len(es) > 0 {
				return ui.Started{}, &setupError{
					fmt.Sprintf("Faltan en %s: %s.", in.Folder, strings.Join(es, ", ")),
					fmt.Sprintf("Missing from %s: %s.", in.Folder, strings.Join(en, ", "))}
			}
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return ui.Started{}, err
			}
			var b strings.Builder
			fmt.Fprintf(&b, "# Written by the first-run screen from the institution's files (%s).\n[service]\nurl = %q\n", in.Folder, in.URL)
			for _, f := range institutionFiles {
				raw, err := os.ReadFile(filepath.Join(in.Folder, f.name))
				if err != nil {
					return ui.Started{}, err
				}
				mode := os.FileMode(0o644)
				if f.secret {
					mode = 0o600
				}
				if err := os.WriteFile(filepath.Join(dir, f.name), raw, mode); err != nil {
					return ui.Started{}, err
				}
				fmt.Fprintf(&b, "%s = %q # %s\n", f.key, f.name, f.en)
			}
			hash, err := signin.HashPIN(in.PIN)
			if err != nil {
				return ui.Started{}, err
			}
			fmt.Fprintf(&b, "\n[[operator]]\nid = %q\nname = %q\nrole = %q\npin = %q\n", in.SupervisorID, in.SupervisorName, signin.RoleSupervisor, hash)
			if err := writeNew(cfgPath, b.String()); err != nil {
				return ui.Started{}, err
			}
			progress("Abriendo los servicios…", "Opening the services…")
			st, err := startKiosk(ctx, cfgPath, "", stdout, stderr)
			if err != nil {
				// The files do not make a working kiosk: the next start asks again.
				os.Remove(cfgPath)
				return ui.Started{}, &setupError{"Los archivos no forman una configuración que funcione: " + err.Error(),
					"The files do not make a working configuration: " + err.Error()}
			}
			return st, nil
		},
	}
}

// writeNew writes a file that must not exist yet: a configuration is never overwritten.
func writeNew(path, content string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(content); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
