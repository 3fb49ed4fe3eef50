package capture

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"time"

	"cotejo/verify/nom151"
	"cotejo/verify/nom151/standin"
)

// TestNOM151Demo: the demonstration runs Sovos' stand-in in the process: its
// preservation provider issues a constancy for a receipt's digest, and the validation
// client it sets up validates it over HTTPS.
func TestNOM151Demo(t *testing.T) {
	dir := t.TempDir()
	a := &App{Config: &Config{dir: dir}}
	defer a.Close()
	if err := a.startNOM151Demo(withDefaults(Options{})); err != nil {
		t.Fatal(err)
	}
	openDataFile(t, a)
	if err := a.openNOM151(); err != nil || a.NOM151 == nil || a.Preserver == nil {
		t.Fatalf("validator %v, preserver %v: %v", a.NOM151, a.Preserver, err)
	}
	sum := sha256.Sum256([]byte("%PDF-1.7 comprobante de prueba"))
	c, err := a.Preserver.Preserve(t.Context(), "comprobante-1.pdf", sum[:])
	if err != nil || c.Folio <= 0 {
		t.Fatalf("%+v %v", c, err)
	}
	res, err := a.NOM151.Validate(t.Context(), nom151.Request{Name: c.Name, Digest: c.Digest, Folio: c.Folio})
	if err != nil || !res.Passed() {
		t.Fatalf("%+v %v", res, err)
	}
}

// TestOpenNOM151: no [nom151] section, no client; a section makes one, its ca_cert
// taken from the configuration's folder; a ca_cert that is missing is an error.
func TestOpenNOM151(t *testing.T) {
	dir := t.TempDir()
	a := &App{Config: &Config{dir: dir}, Kiosk: &Kiosk{}}
	if err := a.openNOM151(); err != nil || a.NOM151 != nil {
		t.Fatalf("no section: %v %v", a.NOM151, err)
	}
	a.Config.NOM151 = nom151.Settings{URL: "https://127.0.0.1:1/ws", Entidad: "E", Usuario: "u", Clave: "c", CACert: "ca.pem"}
	if err := a.openNOM151(); err == nil {
		t.Error("a missing ca_cert was accepted")
	}
	_, caPEM, err := standin.TLS(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "ca.pem"), caPEM, 0o644)
	t.Setenv("COTEJO_NOM151_CLAVE", "del-entorno")
	if err := a.openNOM151(); err != nil {
		t.Fatal(err)
	}
	c, ok := a.NOM151.(*nom151.Client)
	if !ok || c.URL != "https://127.0.0.1:1/ws" || c.Credentials.Clave != "del-entorno" || c.HTTPClient == nil {
		t.Errorf("%+v", a.NOM151)
	}
}
