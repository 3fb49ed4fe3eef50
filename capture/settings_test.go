package capture_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"cotejo/capture"
	"cotejo/capture/signin"
)

// withOperators appends a supervisor (PIN 9999) and an operator (1234) to a
// configuration.
func withOperators(t *testing.T, cfg string) {
	t.Helper()
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, o := range []struct{ id, role, pin string }{{"super", "supervisor", "9999"}, {"ana", "operator", "1234"}} {
		h, err := signin.HashPIN(o.pin)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(f, "\n[[operator]]\nid = %q\nname = %q\nrole = %q\npin = %q\n", o.id, o.id, o.role, h)
	}
}

// TestSettingsEditor: the save path itself checks the role against the configuration,
// the keys against the editable list and the values (the threshold within its bounds),
// asks the PIN again for the service's URL and CA, and audits each change with old and
// new values, secrets masked.
func TestSettingsEditor(t *testing.T) {
	cfg := installation(t, "")
	withOperators(t, cfg)
	// IT's comments, which a save must keep (the file is edited, not re-encoded).
	orig, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	const note = "# Sucursal 042: configurado por TI; no cambie la CA sin avisar.\n"
	if err := os.WriteFile(cfg, append([]byte(note), orig...), 0o600); err != nil {
		t.Fatal(err)
	}
	a := openApp(t, cfg, capture.Options{})
	ed := a.SettingsEditor()
	super := capture.Operator{ID: "super", Supervisor: true}
	refused := func(kind capture.SettingsProblem) func(error) bool {
		return func(err error) bool {
			var se *capture.SettingsError
			return errors.As(err, &se) && se.Kind == kind
		}
	}
	tests := []struct {
		name   string
		op     capture.Operator
		values map[string]string
		pin    string
		ok     func(error) bool
	}{
		{"an operator claiming to be a supervisor", capture.Operator{ID: "ana", Supervisor: true}, map[string]string{"lang": "en"}, "", refused(capture.SettingsNotSupervisor)},
		{"an unknown id", capture.Operator{ID: "mallory", Supervisor: true}, map[string]string{"lang": "en"}, "", refused(capture.SettingsNotSupervisor)},
		{"a key not on the list", super, map[string]string{"storage.key_file": "/tmp/k"}, "", refused(capture.SettingsNotEditable)},
		{"threshold 1", super, map[string]string{"service.threshold": "1"}, "", refused(capture.SettingsBadValue)},
		{"threshold NaN", super, map[string]string{"service.threshold": "NaN"}, "", refused(capture.SettingsBadValue)},
		{"a choice not offered", super, map[string]string{"lang": "fr"}, "", refused(capture.SettingsBadValue)},
		{"the URL without the PIN", super, map[string]string{"service.url": "https://otro.example/cxf"}, "", refused(capture.SettingsNeedPIN)},
		{"the CA with a wrong PIN", super, map[string]string{"service.ca_cert": "/tmp/ca.pem"}, "0000", refused(capture.SettingsNeedPIN)},
		{"threshold 80 and language", super, map[string]string{"service.threshold": "80", "lang": "en", "service.signing_key": "otra-llave.pem"}, "", func(err error) bool { return err == nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, _ := os.ReadFile(cfg)
			err := ed.Save(tt.op, tt.values, tt.pin)
			if !tt.ok(err) {
				t.Fatalf("err = %v", err)
			}
			after, _ := os.ReadFile(cfg)
			if err != nil && string(before) != string(after) {
				t.Error("a refused save changed the file")
			}
			if err != nil && capture.ProblemMessage(err, "es") == err.Error() {
				t.Errorf("no operator's message for %v", err)
			}
		})
	}
	c, err := capture.LoadConfig(cfg)
	if err != nil || c.Service.Threshold != 80 || c.Lang != "en" {
		t.Fatalf("saved %+v %v", c, err)
	}
	if saved, _ := os.ReadFile(cfg); !strings.HasPrefix(string(saved), note) {
		t.Errorf("the save lost IT's comment:\n%s", saved)
	}
	// With the PIN, the URL changes.
	if err := ed.Save(super, map[string]string{"service.url": "https://otro.example/cxf"}, "9999"); err != nil {
		t.Fatal(err)
	}
	log, err := a.DB.Audit().List(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log {
		if strings.HasPrefix(e.Action, "settings.") {
			got = append(got, e.Operator+" "+e.Action+" "+e.Ref+" "+e.Outcome)
		}
	}
	joined := strings.Join(got, "\n")
	for _, want := range []string{
		`super settings.change service.threshold "70" → "80"`,
		`super settings.change lang "es" → "en"`,
		`super settings.change service.signing_key "••••" → "••••"`,
		`super settings.change service.url`,
		`ana settings.refused  not a supervisor`,
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("audit lacks %q:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "otra-llave") {
		t.Errorf("a secret in the audit trail:\n%s", joined)
	}
}
