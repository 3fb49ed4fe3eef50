package capture_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cotejo/capture"
	"cotejo/verify"
)

func write(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadCitizenFile(t *testing.T) {
	dir := t.TempDir()
	ansi := fingerTemplate(t)
	write(t, dir, "d.ansi", string(ansi))
	write(t, dir, "fake.ansi", "FMR\x00 20\x00 not a template")
	write(t, dir, "big.ansi", strings.Repeat("x", capture.MaxTemplateBytes+1))
	lat, lon := 19.4, -99.1
	branch := capture.Place{Latitud: &lat, Longitud: &lon, CodigoPostal: "06000", Ciudad: "CDMX", Estado: 9}
	tests := []struct {
		name  string
		body  string
		check func(t *testing.T, v verify.Verification, err error)
	}{
		{"branch place and fingers", `{"modelo":"G","cic":"123456789","consentimiento":true,"huellas":{"tipo":1,"derecho":"d.ansi"}}`,
			func(t *testing.T, v verify.Verification, err error) {
				if err != nil {
					t.Fatal(err)
				}
				if v.Location.Localidad.CodigoPostal != "06000" || v.Location.PosicionSatelital.Latitud != 19.4 {
					t.Errorf("location %+v", v.Location)
				}
				if v.Fingers == nil || string(v.Fingers.Right) != string(ansi) || v.Fingers.Left != nil {
					t.Errorf("fingers %+v", v.Fingers)
				}
			}},
		{"own place", `{"cic":"123456789","consentimiento":true,"ubicacion":{"codigoPostal":"44100","ciudad":"GUADALAJARA","estado":14}}`,
			func(t *testing.T, v verify.Verification, err error) {
				if err != nil || v.Location.Localidad.Estado != 14 || v.Location.PosicionSatelital != nil {
					t.Errorf("%v %+v", err, v.Location)
				}
			}},
		{"no consent", `{"cic":"123456789"}`, func(t *testing.T, _ verify.Verification, err error) {
			if !errors.Is(err, capture.ErrNoConsent) {
				t.Errorf("err = %v", err)
			}
		}},
		{"consent false", `{"cic":"123456789","consentimiento":false}`, func(t *testing.T, _ verify.Verification, err error) {
			if !errors.Is(err, capture.ErrNoConsent) {
				t.Errorf("err = %v", err)
			}
		}},
		{"misspelt field", `{"cic":"123456789","curpp":"X","consentimiento":true}`, func(t *testing.T, _ verify.Verification, err error) {
			if err == nil || !strings.Contains(err.Error(), "curpp") {
				t.Errorf("err = %v", err)
			}
		}},
		{"missing finger file", `{"cic":"123456789","consentimiento":true,"huellas":{"tipo":1,"izquierdo":"nada.ansi"}}`, func(t *testing.T, _ verify.Verification, err error) {
			if !errors.Is(err, os.ErrNotExist) {
				t.Errorf("err = %v", err)
			}
		}},
		// Files are capped before reading and parsed before sealing: a device, a huge
		// file or a file that is not what its tipo says never reaches the request.
		{"shadow as a template", `{"cic":"123456789","consentimiento":true,"huellas":{"tipo":1,"derecho":"/etc/shadow"}}`, fileRefused(capture.FileNotFingerprint, "ANSI")},
		{"fake template", `{"cic":"123456789","consentimiento":true,"huellas":{"tipo":1,"derecho":"fake.ansi"}}`, fileRefused(capture.FileNotFingerprint, "ANSI")},
		{"zero device as a finger", `{"cic":"123456789","consentimiento":true,"huellas":{"tipo":2,"derecho":"/dev/zero"}}`, fileRefused(capture.FileNotRegular, "archivo común")},
		{"oversized template", `{"cic":"123456789","consentimiento":true,"huellas":{"tipo":1,"derecho":"big.ansi"}}`, fileRefused(capture.FileTooLarge, "KB")},
		{"template as WSQ", `{"cic":"123456789","consentimiento":true,"huellas":{"tipo":2,"derecho":"d.ansi"}}`, fileRefused(capture.FileNotFingerprint, "WSQ")},
		{"raw of the wrong size", `{"cic":"123456789","consentimiento":true,"huellas":{"tipo":3,"derecho":"d.ansi","ancho":10,"alto":10}}`, fileRefused(capture.FileNotFingerprint, "10 × 10")},
		{"unknown tipo", `{"cic":"123456789","consentimiento":true,"huellas":{"tipo":9,"derecho":"d.ansi"}}`, fileRefused(capture.FileNotFingerprint, "tipo")},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(t, dir, "c"+string(rune('a'+i))+".json", tt.body)
			v, err := capture.LoadCitizenFile(p, branch)
			tt.check(t, v, err)
		})
	}
}

// fileRefused checks a file was refused for kind, with a message that names it.
func fileRefused(kind capture.FileProblem, words string) func(*testing.T, verify.Verification, error) {
	return func(t *testing.T, v verify.Verification, err error) {
		var fe *capture.FileError
		if !errors.As(err, &fe) || fe.Kind != kind {
			t.Fatalf("err = %v (%+v), want a %q FileError", err, v.Fingers, kind)
		}
		if m := capture.ProblemMessage(err, "es"); !strings.Contains(m, words) {
			t.Errorf("message %q lacks %q", m, words)
		}
	}
}

// TestCitizenFileCapped: a citizen "file" that is a device or too large is refused
// without reading it into memory.
func TestCitizenFileCapped(t *testing.T) {
	dir := t.TempDir()
	big := write(t, dir, "big.json", `{"cic":"`+strings.Repeat("1", capture.MaxCitizenFileBytes)+`"}`)
	for _, c := range []struct {
		path string
		kind capture.FileProblem
	}{{"/dev/zero", capture.FileNotRegular}, {big, capture.FileTooLarge}} {
		_, err := capture.LoadCitizenFile(c.path, capture.Place{})
		var fe *capture.FileError
		if !errors.As(err, &fe) || fe.Kind != c.kind {
			t.Errorf("%s: %v", c.path, err)
		}
	}
}
