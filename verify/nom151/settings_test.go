package nom151_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"cotejo/verify/nom151"
)

func TestSettings(t *testing.T) {
	for env, want := range map[string]string{"": nom151.UATURL, "uat": nom151.UATURL, "production": nom151.ProductionURL} {
		if st, err := nom151.Environment(env); err != nil || st.URL != want {
			t.Errorf("%q: %+v %v", env, st, err)
		}
	}
	if _, err := nom151.Environment("pruebas"); err == nil {
		t.Error("an unknown environment was accepted")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "cotejo.toml")
	os.WriteFile(path, []byte("[service]\nurl = \"https://ine\"\n[nom151]\nurl = \"https://sovos/webservice.asmx\"\nentidad = \"E\"\nusuario = \"u\"\nclave = \"c\"\nca_cert = \"ca.pem\"\ntimeout = \"90s\"\n"), 0o600)
	st, err := nom151.LoadSettings(path)
	if err != nil {
		t.Fatal(err)
	}
	want := nom151.Settings{URL: "https://sovos/webservice.asmx", Entidad: "E", Usuario: "u", Clave: "c", CACert: filepath.Join(dir, "ca.pem"), Timeout: 90 * time.Second}
	if st != want {
		t.Errorf("%+v, want %+v", st, want)
	}
	if _, err := st.Client(); err == nil {
		t.Error("a missing ca_cert was accepted")
	}
	os.WriteFile(filepath.Join(dir, "ca.pem"), []byte("no PEM"), 0o644)
	if _, err := st.Client(); err == nil {
		t.Error("a ca_cert without certificates was accepted")
	}
	st.CACert = ""
	c, err := st.Client()
	if err != nil || c.URL != want.URL || c.Credentials != (nom151.Credentials{Entidad: "E", Usuario: "u", Clave: "c"}) || c.Timeout != 90*time.Second {
		t.Errorf("%+v %v", c, err)
	}
}
