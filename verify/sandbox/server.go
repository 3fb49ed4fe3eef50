// Package sandbox is a stand-in for INE's verification service: an HTTPS server that
// checks requests the way the contract says INE does (client certificate, signature,
// decryption, parameters), looks citizens up in a synthetic register and answers with
// signed responses. It serves training, demos and integration tests.
package sandbox

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"cotejo/verify"
	"cotejo/verify/catalog"
)

// Matcher compares a submitted fingerprint with the finger the citizen was enrolled
// with. finger is the ANSI position (2 right index, 7 left index), format the encoding of
// sample: FormatANSI, FormatWSQ or FormatRaw (width × height pixels), INE's tipo as the
// server translated it. The sandbox does not make its matcher (Settings.Open takes it
// from its caller): the one the demo uses lives under scanner/, which verify must not
// import, so the interface speaks plain strings and ints that both sides can name.
//
// An error with a method BiometricCode() int (CodeError has one) becomes that biometric
// code; any other error becomes 304.
type Matcher interface {
	Match(ctx context.Context, citizenID string, finger int, format string, sample []byte, width, height int) (similarity float64, err error)
}

// The sample formats a Matcher is given, one per tipo INE accepts. A tipo outside these
// is answered 312 by the server itself, before any matcher is asked.
const (
	FormatANSI = "ansi" // verify.TipoANSI: an ANSI INCITS 378 template
	FormatWSQ  = "wsq"  // verify.TipoWSQ: a WSQ-compressed image
	FormatRaw  = "raw"  // verify.TipoRaw: 8-bit grey pixels
)

// formats translates INE's tipo into the format a Matcher is given.
var formats = map[int]string{verify.TipoANSI: FormatANSI, verify.TipoWSQ: FormatWSQ, verify.TipoRaw: FormatRaw}

// CodeError is a matcher's refusal with INE's biometric code (e.g. 314, low quality),
// for matchers that may import this package.
type CodeError struct{ Code catalog.Code }

func (e *CodeError) Error() string { return fmt.Sprintf("sandbox: biometric code %d", e.Code) }

// BiometricCode is the code the answer carries.
func (e *CodeError) BiometricCode() int { return int(e.Code) }

// Config is what a Server needs, already loaded.
type Config struct {
	DecryptionKey    *rsa.PrivateKey     // INE's encryption key pair
	OAEP             verify.OAEP         // must match the institutions' setting
	Signer           verify.Signer       // INE's response-signing key
	Institutions     []*x509.Certificate // signing certificates whose requests are accepted
	Padron           *Padron
	Matcher          Matcher // nil: fingerprints answer 317, biometric libraries disabled
	Logger           *slog.Logger
	Now              func() time.Time
	DigestEncoding   verify.DigestEncoding
	MaxRequestLength int64 // default 4 MiB
}

// Server answers SVCV 2.0 requests.
type Server struct {
	cfg Config
}

// New checks the configuration and makes a server.
func New(cfg Config) (*Server, error) {
	switch {
	case cfg.DecryptionKey == nil:
		return nil, errors.New("sandbox: no INE encryption key")
	case cfg.Signer == nil:
		return nil, errors.New("sandbox: no INE signing key")
	case len(cfg.Institutions) == 0:
		return nil, errors.New("sandbox: no institution certificates to accept")
	case cfg.Padron == nil:
		return nil, errors.New("sandbox: no padrón")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxRequestLength == 0 {
		cfg.MaxRequestLength = 4 << 20
	}
	return &Server{cfg: cfg}, nil
}

// ServeHTTP serves the service path. Transport-level problems get HTTP errors; every
// request that reaches the service gets a signed JSON answer, as INE does.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != verify.ServicePath {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxRequestLength))
	if err != nil {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	start := time.Now()
	out, sum := s.Handle(r.Context(), body)
	// One line per request, no personal data: the index and the codes only. Logged
	// before answering, so the line exists by the time the client has the answer.
	s.cfg.Logger.Info("consulta", "indice", sum.Indice, "codigo", int(sum.Code),
		"datos", int(sum.DataCode), "minucia", int(sum.FingerCode), "ms", time.Since(start).Milliseconds())
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_, _ = w.Write(out)
}

// Summary is what a request came to, for the log line.
type Summary struct {
	Indice                     string
	Code, DataCode, FingerCode catalog.Code
}

// Handle answers one request body with a signed response body. It never panics on bad
// input: every failure becomes one of INE's codes.
func (s *Server) Handle(ctx context.Context, body []byte) ([]byte, Summary) {
	start := s.cfg.Now()
	rb := s.answer(ctx, body)
	rb.FechaHoraPeticion = start.Format("2006-01-02 15:04:05.000")
	ms := s.cfg.Now().Sub(start).Milliseconds()
	rb.TiempoProcesamiento = &ms
	sum := Summary{Indice: rb.IndiceSolicitud, Code: catalog.Code(rb.CodigoRespuesta)}
	if rb.DataResponse != nil {
		sum.DataCode = catalog.Code(rb.DataResponse.CodigoRespuestaDatos)
	}
	if rb.MinutiaeResponse != nil {
		sum.FingerCode = catalog.Code(rb.MinutiaeResponse.CodigoRespuestaMinucia)
	}
	out, err := s.sign(ctx, rb)
	if err != nil {
		// 115: could not sign the response. Sent unsigned, so the client refuses it.
		s.cfg.Logger.Error("firma de respuesta", "indice", rb.IndiceSolicitud, "error", err)
		out, _ = json.Marshal(map[string]any{"response": verify.ResponseBody{IndiceSolicitud: rb.IndiceSolicitud, CodigoRespuesta: 115}})
		sum.Code = 115
	}
	return out, sum
}

func (s *Server) sign(ctx context.Context, rb *verify.ResponseBody) ([]byte, error) {
	respJSON, err := json.Marshal(rb)
	if err != nil {
		return nil, err
	}
	tsJSON, err := json.Marshal(verify.TimeStamp{
		Momento:     s.cfg.Now().UTC().Format("20060102150405.000Z"),
		Indice:      rb.IndiceSolicitud,
		NumeroSerie: verify.DottedSerial(s.cfg.Signer.Certificate().SerialNumber),
	})
	if err != nil {
		return nil, err
	}
	sigEl, err := verify.SignElements(ctx, s.cfg.Signer, s.cfg.DigestEncoding, respJSON, tsJSON)
	if err != nil {
		return nil, err
	}
	return json.Marshal(verify.Response{Response: respJSON, Signature: sigEl, TimeStamp: tsJSON})
}

// answer runs INE's checks in INE's order: envelope, signature, decryption, parameters,
// search, comparison, fingerprints.
func (s *Server) answer(ctx context.Context, body []byte) *verify.ResponseBody {
	var req verify.Request
	if err := json.Unmarshal(body, &req); err != nil || isNull(req.Data) || isNull(req.TimeStamp) {
		return central(110, "")
	}
	var ts verify.TimeStamp
	if err := json.Unmarshal(req.TimeStamp, &ts); err != nil {
		return central(110, "")
	}
	indice := strings.TrimSpace(ts.Indice)
	if cert := s.institution(req.Signature.KeyInfo.X509Data.X509SerialNumber); cert == nil {
		return central(112, indice)
	} else if err := verify.CheckSignature(req.Signature, verify.SignedString(req.Data, req.TimeStamp), cert.PublicKey.(*rsa.PublicKey)); err != nil {
		var se *verify.SignatureError
		if errors.As(err, &se) && se.Invalid {
			return central(113, indice)
		}
		return central(112, indice)
	}
	if indice == "" || !validMomento(ts.Momento) {
		return central(110, indice)
	}
	var data verify.Data
	if err := json.Unmarshal(req.Data, &data); err != nil {
		return central(110, indice)
	}
	ct, err := base64.StdEncoding.DecodeString(data.DatosCifrados)
	if err != nil || len(ct) == 0 {
		return central(114, indice)
	}
	plain, err := s.cfg.DecryptionKey.Decrypt(nil, ct, s.cfg.OAEP.Options())
	if err != nil {
		return central(111, indice)
	}
	var pt verify.Plaintext
	if err := json.Unmarshal(plain, &pt); err != nil {
		return central(114, indice)
	}
	if !data.Consentimiento || validUbicacion(data.Ubicacion) != nil || !validLengths(&pt) {
		return central(110, indice)
	}
	rb := &verify.ResponseBody{IndiceSolicitud: indice}
	rb.DataResponse = s.compare(&pt)
	citizen := s.lookup(&pt)
	if data.Minucias != nil {
		rb.MinutiaeResponse = s.fingers(ctx, data.Minucias, citizen)
	}
	return rb
}

func central(code catalog.Code, indice string) *verify.ResponseBody {
	return &verify.ResponseBody{IndiceSolicitud: indice, CodigoRespuesta: int(code)}
}

func isNull(b json.RawMessage) bool {
	b = bytes.TrimSpace(b)
	return len(b) == 0 || bytes.Equal(b, []byte("null"))
}

func validMomento(m string) bool {
	_, err := verify.ParseMomento(m)
	return err == nil
}

// institution finds the accepted certificate whose serial keyInfo names. INE's spec
// says the serial's case is as issued; the sandbox accepts hex in any case, with or
// without separators, or decimal.
func (s *Server) institution(serial string) *x509.Certificate {
	serial = strings.TrimSpace(serial)
	if serial == "" {
		return nil
	}
	candidates := serialCandidates(serial)
	for _, c := range s.cfg.Institutions {
		for _, n := range candidates {
			if c.SerialNumber.Cmp(n) == 0 {
				if _, ok := c.PublicKey.(*rsa.PublicKey); ok {
					return c
				}
			}
		}
	}
	return nil
}

func serialCandidates(s string) []*big.Int {
	var out []*big.Int
	hex := strings.NewReplacer(".", "", ":", "", " ", "").Replace(s)
	if n, ok := new(big.Int).SetString(hex, 16); ok {
		out = append(out, n)
	}
	if n, ok := new(big.Int).SetString(s, 10); ok {
		out = append(out, n)
	}
	return out
}

func validUbicacion(u *verify.Ubicacion) error {
	if u == nil {
		return errors.New("no ubicacion")
	}
	return u.Validate()
}

// validLengths applies the plaintext table's maximum lengths; search-key formats are
// judged later, as data-service codes.
func validLengths(pt *verify.Plaintext) bool {
	for _, f := range []struct {
		v   *string
		max int
	}{
		{pt.Nombre, 32}, {pt.ApellidoPaterno, 32}, {pt.ApellidoMaterno, 32},
		{pt.AnioRegistro, 4}, {pt.AnioEmision, 4}, {pt.CURP, 18},
	} {
		if f.v != nil && utf8.RuneCountInString(*f.v) > f.max {
			return false
		}
	}
	return true
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}

func digits(s string, lengths ...int) bool {
	ok := false
	for _, n := range lengths {
		ok = ok || len(s) == n
	}
	if !ok {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// searchCode is the data service's verdict on the search parameters: 205 when the key
// is incomplete, 202 when a key field is malformed.
func searchCode(pt *verify.Plaintext) catalog.Code {
	if cic := str(pt.CIC); cic != "" {
		if !digits(cic, 9, 10) {
			return 202
		}
		return 0
	}
	ocr, clave, em := str(pt.OCR), str(pt.ClaveElector), str(pt.NumeroEmisionCredencial)
	if ocr == "" || clave == "" || em == "" {
		return 205
	}
	if !digits(ocr, 13) || len(clave) != 18 || !digits(em, 2) {
		return 202
	}
	return 0
}

func (s *Server) lookup(pt *verify.Plaintext) *Citizen {
	if searchCode(pt) != 0 {
		return nil
	}
	if cic := str(pt.CIC); cic != "" {
		c, _ := s.cfg.Padron.ByCIC(cic)
		return c
	}
	c, _ := s.cfg.Padron.ByOCR(str(pt.OCR), str(pt.ClaveElector), str(pt.NumeroEmisionCredencial))
	return c
}

func (s *Server) compare(pt *verify.Plaintext) *verify.DataResponse {
	if code := searchCode(pt); code != 0 {
		return &verify.DataResponse{CodigoRespuestaDatos: int(code)}
	}
	c := s.lookup(pt)
	if c == nil {
		return &verify.DataResponse{
			RespuestaSituacionRegistral: &verify.SituacionRegistral{TipoSituacionRegistral: string(catalog.Situation("DATOS_NO_ENCONTRADOS"))},
			RespuestaComparacion:        &verify.Comparacion{},
		}
	}
	// null stays null; strings, the empty one included, are compared without case.
	eq := func(sent *string, have string) *bool {
		if sent == nil {
			return nil
		}
		b := strings.EqualFold(strings.TrimSpace(*sent), strings.TrimSpace(have))
		return &b
	}
	return &verify.DataResponse{
		RespuestaSituacionRegistral: &verify.SituacionRegistral{
			TipoSituacionRegistral:  c.Situacion,
			TipoReporteRoboExtravio: c.ReporteRoboExtravio,
		},
		RespuestaComparacion: &verify.Comparacion{
			OCR:                     eq(pt.OCR, c.OCR),
			Nombre:                  eq(pt.Nombre, c.Nombre),
			ApellidoPaterno:         eq(pt.ApellidoPaterno, c.ApellidoPaterno),
			ApellidoMaterno:         eq(pt.ApellidoMaterno, c.ApellidoMaterno),
			AnioRegistro:            eq(pt.AnioRegistro, c.AnioRegistro),
			AnioEmision:             eq(pt.AnioEmision, c.AnioEmision),
			NumeroEmisionCredencial: eq(pt.NumeroEmisionCredencial, c.NumeroEmisionCredencial),
			ClaveElector:            eq(pt.ClaveElector, c.ClaveElector),
			CURP:                    eq(pt.CURP, c.CURP),
		},
	}
}

// fingers runs the biometric service's checks, then the matcher.
func (s *Server) fingers(ctx context.Context, m *verify.Minucias, c *Citizen) *verify.MinutiaeResponse {
	code := func(c catalog.Code) *verify.MinutiaeResponse {
		return &verify.MinutiaeResponse{CodigoRespuestaMinucia: int(c)}
	}
	switch {
	case m.Tipo == 0:
		return code(309)
	case formats[m.Tipo] == "":
		return code(312)
	case m.Tipo == verify.TipoRaw && (m.Ancho == nil || m.Alto == nil || *m.Ancho <= 0 || *m.Alto <= 0):
		return code(310)
	case m.Minucia2 == nil && m.Minucia7 == nil:
		return code(311)
	}
	samples := map[int][]byte{}
	for finger, b64 := range map[int]*string{2: m.Minucia2, 7: m.Minucia7} {
		if b64 == nil {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(*b64)
		if err != nil || len(b) == 0 {
			return code(320)
		}
		samples[finger] = b
	}
	if c == nil {
		return code(308)
	}
	if s.cfg.Matcher == nil {
		return code(317)
	}
	w, h := 0, 0
	if m.Ancho != nil && m.Alto != nil {
		w, h = *m.Ancho, *m.Alto
	}
	out := &verify.MinutiaeResponse{}
	for finger, sample := range samples {
		sim, err := s.cfg.Matcher.Match(ctx, c.ID, finger, formats[m.Tipo], sample, w, h)
		if err != nil {
			var coded interface{ BiometricCode() int }
			if errors.As(err, &coded) {
				return code(catalog.Code(coded.BiometricCode()))
			}
			return code(304)
		}
		v := verify.Similarity(min(max(sim, 0), 100))
		if finger == 2 {
			out.Similitud2 = &v
		} else {
			out.Similitud7 = &v
		}
	}
	return out
}
