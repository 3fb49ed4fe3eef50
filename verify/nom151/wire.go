package nom151

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The namespaces of the service: SOAP 1.2 envelopes around ASMX's default namespace.
const (
	SOAP12NS  = "http://www.w3.org/2003/05/soap-envelope"
	SOAP11NS  = "http://schemas.xmlsoap.org/soap/envelope/"
	ServiceNS = "http://tempuri.org/"
)

// The two operations, as the body element and the action name.
const (
	OpFolio     = "validaFolioNOM151"
	OpConstancy = "validaNOM151"
)

// Credentials are the AuthSoapHd header's fields; the service allows 20 characters each.
type Credentials struct {
	Entidad, Usuario, Clave string
}

// Request is one validation: the document's name and digest, and either the folio
// (validaFolioNOM151) or the constancy file (validaNOM151).
type Request struct {
	Name      string // nombreArchivoOriginal, shown on the evidence sheet
	Digest    []byte // huellaDigitalArchivo: SHA-256 or SHA-512 of the file
	Folio     int64  // validaFolioNOM151
	Constancy []byte // validaNOM151: the constancy file as the PSC issued it
}

// Op is the operation the request is for: the constancy file when there is one.
func (r Request) Op() string {
	if r.Constancy != nil {
		return OpConstancy
	}
	return OpFolio
}

// MarshalEnvelope writes the SOAP 1.2 request for r. The body element follows the
// digest's reading of the seed: tem:validaNOM151 with a capitalised tem:Constancia.
func MarshalEnvelope(c Credentials, r Request) []byte {
	var b bytes.Buffer
	el := func(name, text string) {
		b.WriteString("<tem:" + name + ">")
		_ = xml.EscapeText(&b, []byte(text))
		b.WriteString("</tem:" + name + ">")
	}
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	b.WriteString(`<soap:Envelope xmlns:soap="` + SOAP12NS + `" xmlns:tem="` + ServiceNS + `">`)
	b.WriteString(`<soap:Header><tem:AuthSoapHd>`)
	el("Entidad", c.Entidad)
	el("Usuario", c.Usuario)
	el("Clave", c.Clave)
	b.WriteString(`</tem:AuthSoapHd></soap:Header><soap:Body>`)
	op := r.Op()
	b.WriteString("<tem:" + op + ">")
	el("nombreArchivoOriginal", r.Name)
	el("huellaDigitalArchivo", base64.StdEncoding.EncodeToString(r.Digest))
	if op == OpConstancy {
		el("Constancia", base64.StdEncoding.EncodeToString(r.Constancy))
	} else {
		el("folio", strconv.FormatInt(r.Folio, 10))
	}
	b.WriteString("</tem:" + op + "></soap:Body></soap:Envelope>")
	return b.Bytes()
}

// Result is the service's answer to either operation.
type Result struct {
	Estado      Estado
	Descripcion string

	ValidaFecha    time.Time // when the service validated, in Mexico Central time
	ValidaRelacion bool      // the document's digest matches the constancy's
	ValidaSello    bool      // the constancy's seal is intact
	ValidaPSC      bool      // the constancy was issued by Sovos

	DocumentoNombre        string
	DocumentoHuellaDigital []byte
	ConstanciaSerie        string // the folio, kept as text: the service calls it Numeric without a range
	ConstanciaHuella       []byte
	ConstanciaFecha        time.Time // UTC
	ConstanciaAlgoritmo    string    // a label, e.g. SHA-256
	ConstanciaSello        []byte
	PSCPolitica            string // opaque: the sample's OID looks mistyped
	PSCNombre              string

	QR  string // qrPDF: the summary held in the evidence sheet's QR code
	PDF []byte // reportePDF: the evidence sheet
}

// Passed is the digest's rule: success only when the service answered 0 and all three
// checks hold.
func (r *Result) Passed() bool {
	return r.Estado == 0 && r.ValidaRelacion && r.ValidaSello && r.ValidaPSC
}

// FaultError is a SOAP fault: the service refused the envelope itself.
type FaultError struct {
	Code    string // env:Sender, env:Receiver, or a SOAP 1.1 faultcode
	Subcode string
	Reason  string
}

func (e *FaultError) Error() string {
	s := "nom151: SOAP fault " + e.Code
	if e.Subcode != "" {
		s += " (" + e.Subcode + ")"
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// Message is the operator's sentence in Spanish ("es") or English ("en").
func (e *FaultError) Message(lang string) string {
	if lang == "en" {
		return "The NOM-151 service refused the request as malformed (SOAP fault " + e.Code + "). Call support."
	}
	return "El servicio NOM-151 rechazó la solicitud por mal formada (falla SOAP " + e.Code + "). Llame a soporte."
}

// ParseError is an answer that is not a SOAP envelope the client can read.
type ParseError struct{ Err error }

func (e *ParseError) Error() string { return "nom151: unreadable answer: " + e.Err.Error() }
func (e *ParseError) Unwrap() error { return e.Err }

// node is any XML element, kept whole so elements can be matched by local name.
type node struct {
	XMLName xml.Name
	Nodes   []node `xml:",any"`
	Text    string `xml:",chardata"`
}

func (n *node) child(local string) *node {
	for i := range n.Nodes {
		if n.Nodes[i].XMLName.Local == local {
			return &n.Nodes[i]
		}
	}
	return nil
}

// ParseResponse reads a SOAP answer of either operation. Elements are matched by local
// name in any order, and the seed's misspellings are accepted alongside the table's. A
// SOAP fault comes back as *FaultError; anything unreadable as *ParseError. A result
// with Estado ≠ 0 is returned as read: what it means is the caller's decision.
func ParseResponse(body []byte) (*Result, error) {
	var env node
	if err := xml.Unmarshal(body, &env); err != nil {
		return nil, &ParseError{err}
	}
	if env.XMLName.Local != "Envelope" || (env.XMLName.Space != SOAP12NS && env.XMLName.Space != SOAP11NS) {
		return nil, &ParseError{fmt.Errorf("root element is {%s}%s, not a SOAP envelope", env.XMLName.Space, env.XMLName.Local)}
	}
	bodyEl := env.child("Body")
	if bodyEl == nil || bodyEl.XMLName.Space != env.XMLName.Space {
		return nil, &ParseError{errors.New("no SOAP Body")}
	}
	if f := bodyEl.child("Fault"); f != nil && f.XMLName.Space == env.XMLName.Space {
		return nil, parseFault(f)
	}
	if len(bodyEl.Nodes) == 0 {
		return nil, &ParseError{errors.New("empty SOAP Body")}
	}
	// The wrapper names differ between the seed's samples and the ASMX convention, so
	// the result is found by its content: the response's child holding Estado.
	resp := &bodyEl.Nodes[0]
	var res *node
	for i := range resp.Nodes {
		if resp.Nodes[i].child("Estado") != nil {
			res = &resp.Nodes[i]
			break
		}
	}
	if res == nil {
		return nil, &ParseError{fmt.Errorf("%s holds no result with an Estado", resp.XMLName.Local)}
	}
	return parseResult(res)
}

func parseFault(f *node) *FaultError {
	fe := &FaultError{}
	text := func(n *node) string {
		if n == nil {
			return ""
		}
		return strings.TrimSpace(n.Text)
	}
	if code := f.child("Code"); code != nil { // SOAP 1.2
		fe.Code = text(code.child("Value"))
		if sub := code.child("Subcode"); sub != nil {
			fe.Subcode = text(sub.child("Value"))
		}
		if r := f.child("Reason"); r != nil {
			fe.Reason = text(r.child("Text"))
		}
	} else { // SOAP 1.1, which ASMX services also speak
		fe.Code = text(f.child("faultcode"))
		fe.Reason = text(f.child("faultstring"))
	}
	if fe.Code == "" {
		fe.Code = "?"
	}
	return fe
}

// The service's time formats.
const (
	validaFechaLayout = "2006/01/02 15:04:05"
)

// parseResult fills a Result from the result element's children.
func parseResult(n *node) (*Result, error) {
	r := &Result{}
	seen := map[string]bool{}
	for _, c := range n.Nodes {
		name := strings.ToLower(c.XMLName.Local)
		if seen[name] {
			return nil, &ParseError{fmt.Errorf("%s appears twice", c.XMLName.Local)}
		}
		seen[name] = true
		v := strings.TrimSpace(c.Text)
		var err error
		switch name {
		case "estado":
			var n int64
			n, err = strconv.ParseInt(v, 10, 32)
			r.Estado = Estado(n)
		case "descripcion":
			r.Descripcion = v
		case "validafecha":
			r.ValidaFecha, err = parseValidaFecha(v)
		case "validarelacion":
			r.ValidaRelacion, err = parseBool(v)
		case "validasello":
			r.ValidaSello, err = parseBool(v)
		case "validapsc":
			r.ValidaPSC, err = parseBool(v)
		case "documentonombre":
			r.DocumentoNombre = v
		case "documentohuelladigital":
			r.DocumentoHuellaDigital, err = decode64(v)
		case "constanciaserie":
			r.ConstanciaSerie = v
		case "constanciahuelladigital": // also the table's constanciaHueLlaDigital
			r.ConstanciaHuella, err = decode64(v)
		case "constanciafecha", "contanciafecha": // the sample's spelling
			r.ConstanciaFecha, err = ParseConstanciaFecha(v)
		case "constanciaalgoritmo":
			r.ConstanciaAlgoritmo = v
		case "constanciasello":
			r.ConstanciaSello, err = decode64(v)
		case "pscpolitica":
			r.PSCPolitica = v
		case "pscnombrepsc", "pscnombre": // the sample's spelling
			r.PSCNombre = v
		case "qrpdf":
			r.QR = v
		case "reportepdf":
			r.PDF, err = decode64(v)
			if err == nil && len(r.PDF) > 0 && !bytes.HasPrefix(r.PDF, []byte("%PDF-")) {
				err = errors.New("not a PDF")
			}
		}
		if err != nil {
			return nil, &ParseError{fmt.Errorf("%s: %w", c.XMLName.Local, err)}
		}
	}
	if !seen["estado"] {
		return nil, &ParseError{errors.New("no Estado")}
	}
	return r, nil
}

func parseBool(s string) (bool, error) {
	switch s {
	case "true":
		return true, nil
	case "false", "":
		return false, nil
	}
	return false, fmt.Errorf("%q is not true or false", s)
}

func decode64(s string) ([]byte, error) {
	if s == "" {
		return nil, nil
	}
	// Base64 in XML may be wrapped across lines.
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	return base64.StdEncoding.DecodeString(s)
}

// MexicoCentral is the zone of validaFecha: America/Mexico_City from the system's zone
// database; without one, UTC−6, which Central Mexico has kept all year since it dropped
// daylight saving in 2022.
func MexicoCentral() *time.Location {
	if loc, err := time.LoadLocation("America/Mexico_City"); err == nil {
		return loc
	}
	return time.FixedZone("CST", -6*60*60)
}

func parseValidaFecha(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.ParseInLocation(validaFechaLayout, s, MexicoCentral())
}

// FormatValidaFecha writes t as validaFecha: Mexico Central time, YYYY/MM/DD HH:MM:SS.
func FormatValidaFecha(t time.Time) string {
	return t.In(MexicoCentral()).Format(validaFechaLayout)
}

// FormatConstanciaFecha writes t as the seed's sample does: UTC GeneralizedTime with
// milliseconds, 20220131182502.115Z.
func FormatConstanciaFecha(t time.Time) string {
	return t.UTC().Format("20060102150405.000Z")
}

// ParseConstanciaFecha reads constanciaFecha in any of the seed's spellings:
// YYYYMMDDHHMMSS or YYYYMMDDHH:MM:SS, with any number of fraction digits, then Z.
func ParseConstanciaFecha(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	bad := fmt.Errorf("constanciaFecha %q: want YYYYMMDDHHMMSS[.fff]Z", s)
	v, ok := strings.CutSuffix(s, "Z")
	if !ok {
		return time.Time{}, bad
	}
	v, frac, hasFrac := strings.Cut(v, ".")
	if len(v) == 16 && v[10] == ':' && v[13] == ':' {
		v = v[:10] + v[11:13] + v[14:]
	}
	if len(v) != 14 || (hasFrac && frac == "") {
		return time.Time{}, bad
	}
	for _, r := range v + frac {
		if r < '0' || r > '9' {
			return time.Time{}, bad
		}
	}
	t, err := time.ParseInLocation("20060102150405", v, time.UTC)
	if err != nil {
		return time.Time{}, bad
	}
	if frac != "" {
		if len(frac) > 9 {
			frac = frac[:9]
		}
		ns, _ := strconv.Atoi(frac + strings.Repeat("0", 9-len(frac)))
		t = t.Add(time.Duration(ns))
	}
	return t, nil
}
