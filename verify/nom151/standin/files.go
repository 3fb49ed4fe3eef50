package standin

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"

	"cotejo/verify/nom151"
)

// WriteClientFiles writes what a client needs to reach a stand-in at url as account a:
// the TLS CA (ca.pem) and a configuration file with its [nom151] section
// (nom151.toml), in dir. It returns the configuration file's path.
func WriteClientFiles(dir, url string, a Account, caPEM []byte) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.pem"), caPEM, 0o644); err != nil {
		return "", err
	}
	var b bytes.Buffer
	b.WriteString("# Written by cotejo nom151-sandbox: Sovos' stand-in, not the real service.\n")
	f := struct {
		NOM151 nom151.Settings `toml:"nom151"`
	}{nom151.Settings{URL: url, Entidad: a.Entidad, Usuario: a.Usuario, Clave: a.Clave, CACert: "ca.pem"}}
	if err := toml.NewEncoder(&b).Encode(f); err != nil {
		return "", fmt.Errorf("standin: %w", err)
	}
	path := filepath.Join(dir, "nom151.toml")
	// The file holds a password, if only the stand-in's.
	return path, os.WriteFile(path, b.Bytes(), 0o600)
}
