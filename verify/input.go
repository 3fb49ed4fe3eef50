package verify

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"

	"cotejo/verify/catalog"
	"cotejo/verify/credential"
)

// Reason says what is wrong with a request input other than a credential field.
type Reason int

const (
	ReasonNoConsent Reason = iota + 1
	ReasonNoLocation
	ReasonBadPosition
	ReasonBadPostalCode
	ReasonBadCity
	ReasonBadEntity
	ReasonNoFingers
	ReasonBadTipo
	ReasonRawSize
)

// InputError is a problem with consent, location or fingerprints that the operator must
// fix before the request can be built.
type InputError struct {
	Field  string
	Reason Reason
}

func (e *InputError) Error() string {
	return "verify: " + e.Field + ": " + e.Message("en")
}

// Message is the operator's sentence, in Spanish ("es") or English ("en").
func (e *InputError) Message(lang string) string {
	m := inputMessage(e.Reason)
	if lang == "en" {
		return m[1]
	}
	return m[0]
}

func inputMessage(r Reason) [2]string {
	switch r {
	case ReasonNoConsent:
		return [2]string{"El ciudadano no ha dado su consentimiento; sin él no se puede consultar al INE.", "The citizen has not consented; INE cannot be asked without consent."}
	case ReasonNoLocation:
		return [2]string{"Falta la ubicación: se necesita la posición GPS o la localidad de la sucursal.", "Location missing: a GPS position or the branch's locality is needed."}
	case ReasonBadPosition:
		return [2]string{"La posición GPS no es válida.", "The GPS position is not valid."}
	case ReasonBadPostalCode:
		return [2]string{"El código postal debe tener 5 dígitos.", "The postal code must have 5 digits."}
	case ReasonBadCity:
		return [2]string{"La ciudad es obligatoria y tiene como máximo 20 caracteres.", "The city is required and has at most 20 characters."}
	case ReasonBadEntity:
		return [2]string{"La entidad federativa debe ser un número del 1 al 32.", "The federal entity must be a number from 1 to 32."}
	case ReasonNoFingers:
		return [2]string{"Se necesita al menos una huella (índice derecho o izquierdo).", "At least one fingerprint (right or left index) is needed."}
	case ReasonBadTipo:
		return [2]string{"Tipo de huella no válido.", "Invalid fingerprint type."}
	case ReasonRawSize:
		return [2]string{"Las imágenes sin comprimir necesitan ancho y alto.", "Raw images need a width and a height."}
	}
	return [2]string{"Dato no válido.", "Invalid input."}
}

// PlaintextFrom normalises and validates a credential and maps it to the encrypted
// plaintext. Empty fields become null, so INE does not compare them; which fields are
// required depends on the search key (CIC, or OCR + clave + emisión for model C).
func PlaintextFrom(c credential.Credential) (*Plaintext, error) {
	c = c.Normalized()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if _, err := c.SearchKey(); err != nil {
		return nil, err
	}
	return &Plaintext{
		OCR:                     nullable(c.OCR),
		CIC:                     nullable(c.CIC),
		Nombre:                  nullable(c.Nombre),
		ApellidoPaterno:         nullable(c.ApellidoPaterno),
		ApellidoMaterno:         nullable(c.ApellidoMaterno),
		AnioRegistro:            nullable(c.AnioRegistro),
		AnioEmision:             nullable(c.AnioEmision),
		NumeroEmisionCredencial: nullable(c.NumeroEmisionCredencial),
		ClaveElector:            nullable(c.ClaveElector),
		CURP:                    nullable(c.CURP),
	}, nil
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// Validate applies the spec's rules: at least one of position or locality; a locality
// has all three fields.
func (u Ubicacion) Validate() error {
	if u.PosicionSatelital == nil && u.Localidad == nil {
		return &InputError{Field: "ubicacion", Reason: ReasonNoLocation}
	}
	var errs []error
	if p := u.PosicionSatelital; p != nil {
		if math.IsNaN(p.Latitud) || math.IsNaN(p.Longitud) || math.Abs(p.Latitud) > 90 || math.Abs(p.Longitud) > 180 {
			errs = append(errs, &InputError{Field: "posicionSatelital", Reason: ReasonBadPosition})
		}
	}
	if l := u.Localidad; l != nil {
		if !allDigits(l.CodigoPostal, 5) {
			errs = append(errs, &InputError{Field: "codigoPostal", Reason: ReasonBadPostalCode})
		}
		if n := utf8.RuneCountInString(l.Ciudad); n == 0 || n > 20 {
			errs = append(errs, &InputError{Field: "ciudad", Reason: ReasonBadCity})
		}
		if !catalog.ValidEntity(l.Estado) {
			errs = append(errs, &InputError{Field: "estado", Reason: ReasonBadEntity})
		}
	}
	return errors.Join(errs...)
}

func allDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// minucias maps captured fingers to the wire element; nil fingers mean minucias null.
func (f *Fingers) minucias() (*Minucias, error) {
	if f == nil {
		return nil, nil
	}
	if len(f.Right) == 0 && len(f.Left) == 0 {
		return nil, &InputError{Field: "minucias", Reason: ReasonNoFingers}
	}
	m := &Minucias{Tipo: f.Tipo}
	switch f.Tipo {
	case TipoANSI, TipoWSQ:
	case TipoRaw:
		if f.Width <= 0 || f.Height <= 0 {
			return nil, &InputError{Field: "minucias", Reason: ReasonRawSize}
		}
		w, h := f.Width, f.Height
		m.Ancho, m.Alto = &w, &h
		for _, img := range [][]byte{f.Right, f.Left} {
			if len(img) != 0 && len(img) != w*h {
				return nil, fmt.Errorf("verify: raw fingerprint has %d bytes, want %d×%d: %w", len(img), w, h, &InputError{Field: "minucias", Reason: ReasonRawSize})
			}
		}
	default:
		return nil, &InputError{Field: "minucias.tipo", Reason: ReasonBadTipo}
	}
	m.Minucia2 = base64OrNil(f.Right)
	m.Minucia7 = base64OrNil(f.Left)
	return m, nil
}

// base64OrNil is a sample as the plaintext carries it: base64, or absent (null) when there
// is none.
func base64OrNil(b []byte) *string {
	if len(b) == 0 {
		return nil
	}
	s := base64.StdEncoding.EncodeToString(b)
	return &s
}
