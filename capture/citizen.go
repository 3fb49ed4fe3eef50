// Package capture is the application layer under both user interfaces, the window and
// the terminal: it loads the configuration and wires the services (Open), and assembles
// one verification (the credential data, the fingers, the location and the citizen's
// consent) for verify/ to seal and the outbox to send.
package capture

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"

	"cotejo/verify"
	"cotejo/verify/credential"
)

// Place is a fixed location: the branch's, from the configuration, or one given with a
// citizen file. Latitude and longitude are optional.
type Place struct {
	Latitud      *float64 `json:"latitud,omitempty" toml:"latitud"`
	Longitud     *float64 `json:"longitud,omitempty" toml:"longitud"`
	CodigoPostal string   `json:"codigoPostal,omitempty" toml:"codigo_postal"`
	Ciudad       string   `json:"ciudad,omitempty" toml:"ciudad"`
	Estado       int      `json:"estado,omitempty" toml:"estado"`
}

// IsZero reports whether nothing is set.
func (p Place) IsZero() bool {
	return p.Latitud == nil && p.Longitud == nil && p.CodigoPostal == "" && p.Ciudad == "" && p.Estado == 0
}

// Ubicacion maps the place to the wire element.
func (p Place) Ubicacion() verify.Ubicacion {
	var u verify.Ubicacion
	if p.Latitud != nil && p.Longitud != nil {
		u.PosicionSatelital = &verify.PosicionSatelital{Latitud: *p.Latitud, Longitud: *p.Longitud}
	}
	if p.CodigoPostal != "" || p.Ciudad != "" || p.Estado != 0 {
		u.Localidad = &verify.Localidad{CodigoPostal: p.CodigoPostal, Ciudad: p.Ciudad, Estado: p.Estado}
	}
	return u
}

// CitizenFile is the JSON a `cotejo verify --citizen F.json` reads: the credential
// fields under the plaintext's names, optional fingerprint files and location, and the
// citizen's consent, which must be stated.
type CitizenFile struct {
	credential.Credential
	Huellas        *FingerFiles `json:"huellas,omitempty"`
	Ubicacion      *Place       `json:"ubicacion,omitempty"`
	Consentimiento *bool        `json:"consentimiento"`
}

// FingerFiles names fingerprint files, relative to the citizen file.
type FingerFiles struct {
	Tipo      int    `json:"tipo"` // 1 ANSI 378, 2 WSQ, 3 raw grey
	Derecho   string `json:"derecho,omitempty"`
	Izquierdo string `json:"izquierdo,omitempty"`
	Ancho     int    `json:"ancho,omitempty"`
	Alto      int    `json:"alto,omitempty"`
}

// ErrNoConsent is returned when the file does not record the citizen's consent.
var ErrNoConsent = errors.New("capture: the citizen file does not record consent (\"consentimiento\": true)")

// LoadCitizenFile reads a citizen file into a Verification. branch is used when the
// file has no location of its own.
func LoadCitizenFile(path string, branch Place) (verify.Verification, error) {
	raw, err := ReadFileLimited(path, MaxCitizenFileBytes)
	if err != nil {
		return verify.Verification{}, fmt.Errorf("capture: %w", err)
	}
	var f CitizenFile
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return verify.Verification{}, fmt.Errorf("capture: %s: %w", path, err)
	}
	if f.Consentimiento == nil || !*f.Consentimiento {
		return verify.Verification{}, ErrNoConsent
	}
	place := branch
	if f.Ubicacion != nil {
		place = *f.Ubicacion
	}
	v := verify.Verification{Credential: f.Credential, Location: place.Ubicacion(), Consent: true}
	if h := f.Huellas; h != nil {
		fingers := &verify.Fingers{Tipo: h.Tipo, Width: h.Ancho, Height: h.Alto}
		dir := filepath.Dir(path)
		for _, ff := range []struct {
			name string
			dst  *[]byte
		}{{h.Derecho, &fingers.Right}, {h.Izquierdo, &fingers.Left}} {
			if ff.name == "" {
				continue
			}
			p := ff.name
			if !filepath.IsAbs(p) {
				p = filepath.Join(dir, p)
			}
			if *ff.dst, err = ReadFileLimited(p, fingerCap(h.Tipo)); err != nil {
				return verify.Verification{}, fmt.Errorf("capture: fingerprint: %w", err)
			}
			// Parsed before it is sealed: whatever is named here goes to INE.
			if err := CheckFingerSample(p, h.Tipo, *ff.dst, h.Ancho, h.Alto); err != nil {
				return verify.Verification{}, err
			}
		}
		v.Fingers = fingers
	}
	return v, nil
}
