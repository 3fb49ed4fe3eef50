package capture

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"cotejo/capture/signin"
	"cotejo/storage/ownerfs"
	"cotejo/verify/pki"
)

// The first start of a kiosk with no configuration: the demonstration, or the
// institution's files imported, either way a configuration written at cfgPath and its
// kiosk opened.

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

// OpenDemoConfig writes at cfgPath a configuration that runs the demonstration (a
// development PKI beside it, INE's stand-in inside the kiosk) and opens its kiosk.
func OpenDemoConfig(ctx context.Context, cfgPath string, o Options) (*App, error) {
	if err := ownerfs.MkdirAll(filepath.Dir(cfgPath)); err != nil {
		return nil, err
	}
	const conf = "# Written by the first-run screen: the demonstration, with a development PKI and\n" +
		"# INE's stand-in inside the kiosk (no request reaches INE). Replace this file with\n" +
		"# the institution's configuration to verify for real.\n[kiosk]\ndemo_dir = \"demo\"\n"
	if err := writeNew(cfgPath, conf); err != nil {
		return nil, err
	}
	a, err := Open(ctx, cfgPath, o)
	if err != nil {
		os.Remove(cfgPath) // the next start asks again
	}
	return a, err
}

// Import is what the institution gives a new kiosk: its files, INE's service and the
// first supervisor.
type Import struct {
	Folder         string // the institution's certificates and keys, INE's key and CA
	URL            string // INE's service
	SupervisorID   string
	SupervisorName string
	PIN            string
}

// OpenImported copies the institution's files from in.Folder beside cfgPath, writes a
// configuration with INE's service and the first supervisor, and opens its kiosk. A
// configuration that does not open is removed, so that the next start asks again.
func OpenImported(ctx context.Context, cfgPath string, in Import, o Options) (*App, error) {
	o = withDefaults(o)
	o.Progress("Revisando los archivos…", "Checking the files…")
	if !strings.HasPrefix(in.URL, "https://") {
		return nil, &setupError{"La dirección del servicio debe empezar con https://.", "The service's address must start with https://."}
	}
	if !signin.ValidPIN(in.PIN) {
		return nil, &setupError{"El PIN lleva de 4 a 8 dígitos, solo dígitos.", "The PIN has 4 to 8 digits, digits only."}
	}
	var es, en []string
	for _, f := range institutionFiles {
		if _, err := os.Stat(filepath.Join(in.Folder, f.name)); err != nil {
			es, en = append(es, f.name+" ("+f.es+")"), append(en, f.name+" ("+f.en+")")
		}
	}
	if len(es) > 0 {
		return nil, &setupError{
			fmt.Sprintf("Faltan en %s: %s.", in.Folder, strings.Join(es, ", ")),
			fmt.Sprintf("Missing from %s: %s.", in.Folder, strings.Join(en, ", "))}
	}
	dir := filepath.Dir(cfgPath)
	if err := ownerfs.MkdirAll(dir); err != nil {
		return nil, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Written by the first-run screen from the institution's files (%s).\n[service]\nurl = %q\n", in.Folder, in.URL)
	for _, f := range institutionFiles {
		raw, err := os.ReadFile(filepath.Join(in.Folder, f.name))
		if err != nil {
			return nil, err
		}
		mode := os.FileMode(0o644)
		if f.secret {
			mode = 0o600
		}
		if err := pki.WriteFile(filepath.Join(dir, f.name), raw, mode); err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%s = %q # %s\n", f.key, f.name, f.en)
	}
	hash, err := signin.HashPIN(in.PIN)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(&b, "\n[[operator]]\nid = %q\nname = %q\nrole = %q\npin = %q\n", in.SupervisorID, in.SupervisorName, signin.RoleSupervisor, hash)
	if err := writeNew(cfgPath, b.String()); err != nil {
		return nil, err
	}
	o.Progress("Abriendo los servicios…", "Opening the services…")
	a, err := Open(ctx, cfgPath, o)
	if err != nil {
		os.Remove(cfgPath)
		return nil, &setupError{"Los archivos no forman una configuración que funcione: " + err.Error(),
			"The files do not make a working configuration: " + err.Error()}
	}
	return a, nil
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
