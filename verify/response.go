package verify

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"cotejo/verify/catalog"
)

// ErrMalformedResponse means INE's answer could not be read at all.
var ErrMalformedResponse = errors.New("verify: malformed response")

// ErrIndiceMismatch means the answer is for another request.
var ErrIndiceMismatch = errors.New("verify: response is for another request (indiceSolicitud differs)")

// ParseResponse reads INE's answer leniently: key case varies between deployments
// (encoding/json already matches names case-insensitively), similarities may be strings
// or numbers, and unknown fields are ignored. It does not check the signature.
func ParseResponse(body []byte) (*Response, *ResponseBody, error) {
	var env Response
	if err := json.Unmarshal(body, &env); err != nil {
		return nil, nil, fmt.Errorf("%w: %v", ErrMalformedResponse, err)
	}
	if len(bytes.TrimSpace(env.Response)) == 0 || bytes.Equal(bytes.TrimSpace(env.Response), []byte("null")) {
		return nil, nil, fmt.Errorf("%w: no response element", ErrMalformedResponse)
	}
	var rb ResponseBody
	if err := json.Unmarshal(env.Response, &rb); err != nil {
		return nil, nil, fmt.Errorf("%w: response element: %v", ErrMalformedResponse, err)
	}
	return &env, &rb, nil
}

// OpenResponse parses INE's answer, checks INE's signature over the exact response bytes
// and returns the Result. A result whose signature does not verify is never returned.
// wantIndice, when not empty, must equal indiceSolicitud.
func OpenResponse(body []byte, ineCert *x509.Certificate, wantIndice string) (*Result, error) {
	env, rb, err := ParseResponse(body)
	if err != nil {
		return nil, err
	}
	pub, ok := ineCert.PublicKey.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("verify: INE signing certificate has a %T key, want RSA", ineCert.PublicKey)
	}
	if err := checkResponseSignature(env, pub); err != nil {
		return nil, err
	}
	if wantIndice != "" && strings.TrimSpace(rb.IndiceSolicitud) != wantIndice {
		return nil, fmt.Errorf("%w: got %q, want %q", ErrIndiceMismatch, rb.IndiceSolicitud, wantIndice)
	}
	return newResult(rb), nil
}

// checkResponseSignature verifies INE's signature. The spec says INE signs the response
// "the same way" as a request, which reads as response followed by timeStamp; some
// descriptions say the response alone. Either string, signed by INE's key, is accepted:
// both prove the bytes came from INE unaltered.
func checkResponseSignature(env *Response, pub *rsa.PublicKey) error {
	ts := bytes.TrimSpace(env.TimeStamp)
	if len(ts) > 0 && !bytes.Equal(ts, []byte("null")) {
		err := CheckSignature(env.Signature, SignedString(env.Response, env.TimeStamp), pub)
		if err == nil {
			return nil
		}
		if CheckSignature(env.Signature, env.Response, pub) == nil {
			return nil
		}
		return err
	}
	return CheckSignature(env.Signature, env.Response, pub)
}

// ParseFechaHora reads fechaHoraPeticion in the formats seen from INE's deployments.
func ParseFechaHora(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{
		"2006-01-02 15:04:05.999999999",
		"2006-01-02T15:04:05.999999999Z07:00",
		"2006-01-02T15:04:05.999999999",
		"02/01/2006 15:04:05",
		"20060102150405.999999999Z",
		"20060102150405Z",
	} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// ParseMomento reads a timeStamp momento: YYYYMMDDhhmmss, optional fraction, then Z.
func ParseMomento(s string) (time.Time, error) {
	t, err := time.Parse("20060102150405.999999999Z", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}, fmt.Errorf("verify: momento %q is not YYYYMMDDhhmmssZ", s)
	}
	return t, nil
}

func newResult(rb *ResponseBody) *Result {
	r := &Result{
		Indice:         strings.TrimSpace(rb.IndiceSolicitud),
		RequestedAtRaw: rb.FechaHoraPeticion,
		Code:           catalog.Code(rb.CodigoRespuesta),
	}
	r.RequestedAt, _ = ParseFechaHora(rb.FechaHoraPeticion)
	if rb.TiempoProcesamiento != nil {
		r.Processing = time.Duration(*rb.TiempoProcesamiento) * time.Millisecond
	}
	if d := rb.DataResponse; d != nil {
		r.HasData = true
		r.DataCode = catalog.Code(d.CodigoRespuestaDatos)
		if s := d.RespuestaSituacionRegistral; s != nil {
			r.Situation = catalog.Situation(strings.TrimSpace(s.TipoSituacionRegistral))
			if s.TipoReporteRoboExtravio != nil {
				r.TheftReport = *s.TipoReporteRoboExtravio
			}
		}
		if c := d.RespuestaComparacion; c != nil {
			r.Fields = c.fields()
		}
	}
	if m := rb.MinutiaeResponse; m != nil {
		r.HasFingers = true
		r.FingerCode = catalog.Code(m.CodigoRespuestaMinucia)
		r.Right, r.Left = m.Similitud2, m.Similitud7
	}
	return r
}

func (c *Comparacion) fields() []FieldResult {
	list := []struct {
		name string
		v    *bool
	}{
		{"nombre", c.Nombre}, {"apellidoPaterno", c.ApellidoPaterno}, {"apellidoMaterno", c.ApellidoMaterno},
		{"curp", c.CURP}, {"claveElector", c.ClaveElector}, {"ocr", c.OCR}, {"cic", c.CIC},
		{"numeroEmisionCredencial", c.NumeroEmisionCredencial}, {"anioRegistro", c.AnioRegistro},
		{"anioEmision", c.AnioEmision},
	}
	out := make([]FieldResult, 0, len(list))
	for _, f := range list {
		// INE's samples carry no cic comparison: show it only when present.
		if f.name == "cic" && f.v == nil {
			continue
		}
		out = append(out, FieldResult{Field: f.name, Comparison: compare(f.v)})
	}
	return out
}

func compare(v *bool) Comparison {
	switch {
	case v == nil:
		return NotCompared
	case *v:
		return Match
	}
	return Mismatch
}
