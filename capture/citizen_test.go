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
	write(t, dir, "d.ansi", "FMR\x00 20\x00right")
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
				if v.Fingers == nil || string(v.Fingers.Right) != "FMR\x00 20\x00right" || v.Fingers.Left != nil {
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
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := write(t, dir, "c"+string(rune('a'+i))+".json", tt.body)
			v, err := capture.LoadCitizenFile(p, branch)
			tt.check(t, v, err)
		})
	}
}
