// Package tbc builds and checks SAT's TBCConsulCodigo: the signed XML request with which
// a taxpayer asks about a tobacco security code ("código retroalimentado"). It is the
// document the cadena original and sello recipe of package sello was published for, and
// it serves as that recipe's reference case.
package tbc

import (
	"bytes"
	"context"
	"crypto"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"cotejo/verify/sello"
)

// The document's namespace, its schema and its one version.
const (
	Namespace = "http://esquemas.clouda.sat.gob.mx/archivos/Tabacos/1/ConsultaCodigo"
	SchemaURL = Namespace + "/TBCConsulCodigo.xsd"
	Version   = "1.0"
	xsiNS     = "http://www.w3.org/2001/XMLSchema-instance"
)

// The schema's patterns. The RFC's type (cat:tipoRFC) is defined in SAT's
// catTabacos.xsd, which the specification does not include: RFCPattern is an
// assumption (3 or 4 capital letters, Ñ or &, 6 digits, a 3-character homoclave) to be
// replaced by SAT's pattern.
var (
	codigoRE = regexp.MustCompile(`^[A-Z0-9]{12}$`)
	rfcRE    = regexp.MustCompile(`^[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3}$`)
)

// RFCPattern is the pattern an RFCContribuyente must match (see rfcRE).
const RFCPattern = `[A-ZÑ&]{3,4}[0-9]{6}[A-Z0-9]{3}`

// Consulta is what is asked: whose RFC and which code.
type Consulta struct {
	RFC    string // RFCContribuyente
	Codigo string
}

// Fields is the cadena original's sequence: RFCContribuyente, Codigo, Version.
func (q Consulta) Fields() []sello.Field {
	return []sello.Field{
		{Name: "RFCContribuyente", Value: q.RFC},
		{Name: "Codigo", Value: q.Codigo},
		{Name: "Version", Value: Version},
	}
}

// Reason says which rule of the schema a value breaks.
type Reason int

const (
	ReasonRFC     Reason = iota + 1 // RFCContribuyente does not match RFCPattern
	ReasonCodigo                    // Codigo is not 12 capital letters or digits
	ReasonVersion                   // Version is not 1.0
)

// FieldError is a value the schema would refuse. It names the field, not the value.
type FieldError struct {
	Field  string
	Reason Reason
}

func (e *FieldError) Error() string { return "tbc: " + e.Message("en") }

// Message is the operator's sentence, in Spanish ("es", the default) or English ("en").
func (e *FieldError) Message(lang string) string {
	var m [2]string
	switch e.Reason {
	case ReasonRFC:
		m = [2]string{"el RFC debe tener 12 o 13 caracteres: 3 o 4 letras mayúsculas (Ñ y & incluidas), 6 dígitos de la fecha y 3 letras mayúsculas o dígitos.",
			"the RFC must have 12 or 13 characters: 3 or 4 capital letters (Ñ and & included), 6 digits of the date and 3 capital letters or digits."}
	case ReasonCodigo:
		m = [2]string{"el código debe tener exactamente 12 letras mayúsculas (A-Z) o dígitos.", "the code must have exactly 12 capital letters (A-Z) or digits."}
	case ReasonVersion:
		m = [2]string{"la versión debe ser 1.0.", "the version must be 1.0."}
	default:
		m = [2]string{"dato no válido.", "invalid value."}
	}
	if lang == "en" {
		return e.Field + ": " + m[1]
	}
	return e.Field + ": " + m[0]
}

// Validate checks q against the schema's patterns, after the cadena's whitespace rule
// (so "ABC123DEF456\n" is the code ABC123DEF456).
func (q Consulta) Validate() error {
	if !rfcRE.MatchString(sello.Normalize(q.RFC)) {
		return &FieldError{Field: "RFCContribuyente", Reason: ReasonRFC}
	}
	if !codigoRE.MatchString(sello.Normalize(q.Codigo)) {
		return &FieldError{Field: "Codigo", Reason: ReasonCodigo}
	}
	return nil
}

// Document is a signed TBCConsulCodigo.
type Document struct {
	Consulta
	Firma string // the sello of the cadena original, standard Base64
}

// Sign validates q, builds its cadena original and seals it. The document holds the
// normalised values, which are those the cadena was built from.
func Sign(ctx context.Context, s sello.Signer, q Consulta) (*Document, string, error) {
	if err := q.Validate(); err != nil {
		return nil, "", err
	}
	q = Consulta{RFC: sello.Normalize(q.RFC), Codigo: sello.Normalize(q.Codigo)}
	sealed, err := sello.SealRecord(ctx, s, q)
	if err != nil {
		return nil, "", fmt.Errorf("tbc: %w", err)
	}
	return &Document{Consulta: q, Firma: sealed.Sello}, sealed.Cadena, nil
}

// Cadena is the document's cadena original, rebuilt from its values.
func (d *Document) Cadena() (string, error) {
	return sello.Build(d.Fields())
}

// Verify checks the document: its values against the schema's patterns and its Firma
// against the cadena rebuilt from them, under pub (the RFC's certificate's key, known
// out of band: the document does not carry it).
func (d *Document) Verify(pub crypto.PublicKey) error {
	if err := d.Validate(); err != nil {
		return err
	}
	c, err := d.Cadena()
	if err != nil {
		return err
	}
	return sello.Verify(pub, c, d.Firma)
}

// WriteTo writes the document as XML: the namespace, the schema location and the four
// unqualified attributes, on one element with no children.
func (d *Document) WriteTo(w io.Writer) (int64, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<conCod:TBCConsulCodigo xmlns:conCod="` + Namespace + `" xmlns:xsi="` + xsiNS + `" xsi:schemaLocation="` + Namespace + " " + SchemaURL + `"`)
	for _, a := range [][2]string{{"Version", Version}, {"RFCContribuyente", d.RFC}, {"Codigo", d.Codigo}, {"Firma", d.Firma}} {
		b.WriteString(" " + a[0] + `="`)
		xml.EscapeText(&b, []byte(a[1])) // never fails on a bytes.Buffer
		b.WriteString(`"`)
	}
	b.WriteString("/>\n")
	return b.WriteTo(w)
}

// MaxDocument bounds the XML Parse reads: the document is one element of four short
// attributes.
const MaxDocument = 16 << 10

// Problem says what is wrong with a received document.
type Problem int

const (
	ProblemTooLarge   Problem = iota + 1 // more than MaxDocument bytes
	ProblemXML                           // not well-formed XML
	ProblemRoot                          // the root is not TBCConsulCodigo in the namespace
	ProblemMissing                       // a required attribute is missing
	ProblemExtra                         // an attribute or content the schema does not allow
	ProblemBadVersion                    // Version is not 1.0
)

// DocumentError is a received document the schema refuses.
type DocumentError struct {
	Problem Problem
	Detail  string // the attribute or element concerned, when there is one
	Err     error
}

func (e *DocumentError) Error() string {
	s := "tbc: " + e.Message("en")
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *DocumentError) Unwrap() error { return e.Err }

// Message is the operator's sentence, in Spanish ("es", the default) or English ("en").
func (e *DocumentError) Message(lang string) string {
	var m [2]string
	switch e.Problem {
	case ProblemTooLarge:
		m = [2]string{"el documento es demasiado grande", "the document is too large"}
	case ProblemXML:
		m = [2]string{"el documento no es XML bien formado", "the document is not well-formed XML"}
	case ProblemRoot:
		m = [2]string{"el elemento raíz no es conCod:TBCConsulCodigo del espacio de nombres del SAT", "the root element is not conCod:TBCConsulCodigo in SAT's namespace"}
	case ProblemMissing:
		m = [2]string{"falta el atributo requerido", "the required attribute is missing"}
	case ProblemExtra:
		m = [2]string{"el esquema no permite", "the schema does not allow"}
	case ProblemBadVersion:
		m = [2]string{"la versión debe ser 1.0", "the version must be 1.0"}
	}
	s := m[0]
	if lang == "en" {
		s = m[1]
	}
	if e.Detail != "" {
		s += " " + e.Detail
	}
	return s
}

// Parse reads a received TBCConsulCodigo. It checks the form (root, namespace, the four
// attributes and nothing else) but not the values; Verify checks those.
func Parse(r io.Reader) (*Document, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxDocument+1))
	if err != nil {
		return nil, fmt.Errorf("tbc: reading: %w", err)
	}
	if len(data) > MaxDocument {
		return nil, &DocumentError{Problem: ProblemTooLarge}
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var d *Document
	depth := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &DocumentError{Problem: ProblemXML, Err: err}
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if d != nil {
				return nil, &DocumentError{Problem: ProblemExtra, Detail: t.Name.Local}
			}
			if t.Name.Space != Namespace || t.Name.Local != "TBCConsulCodigo" {
				return nil, &DocumentError{Problem: ProblemRoot}
			}
			if d, err = attributes(t.Attr); err != nil {
				return nil, err
			}
			depth++
		case xml.EndElement:
			depth--
		case xml.CharData:
			if strings.TrimSpace(string(t)) != "" {
				return nil, &DocumentError{Problem: ProblemExtra, Detail: "text"}
			}
		case xml.Directive:
			return nil, &DocumentError{Problem: ProblemExtra, Detail: "<!" + firstWord(t) + ">"}
		}
	}
	if d == nil || depth != 0 {
		return nil, &DocumentError{Problem: ProblemRoot}
	}
	return d, nil
}

func firstWord(b []byte) string {
	f := strings.Fields(string(b))
	if len(f) == 0 || len(f[0]) > 20 {
		return ""
	}
	return f[0]
}

// attributes reads the four unqualified attributes; namespace declarations and
// xsi:schemaLocation are allowed besides them.
func attributes(attrs []xml.Attr) (*Document, error) {
	var d Document
	seen := map[string]bool{}
	for _, a := range attrs {
		switch {
		case a.Name.Space == "xmlns" || (a.Name.Space == "" && a.Name.Local == "xmlns"):
			continue
		case a.Name.Space == xsiNS && a.Name.Local == "schemaLocation":
			continue
		case a.Name.Space != "":
			return nil, &DocumentError{Problem: ProblemExtra, Detail: a.Name.Local}
		}
		if seen[a.Name.Local] {
			return nil, &DocumentError{Problem: ProblemXML, Detail: a.Name.Local}
		}
		switch a.Name.Local {
		case "Version":
			if a.Value != Version {
				return nil, &DocumentError{Problem: ProblemBadVersion}
			}
		case "RFCContribuyente":
			d.RFC = a.Value
		case "Codigo":
			d.Codigo = a.Value
		case "Firma":
			d.Firma = a.Value
		default:
			return nil, &DocumentError{Problem: ProblemExtra, Detail: a.Name.Local}
		}
		seen[a.Name.Local] = true
	}
	for _, name := range []string{"Version", "RFCContribuyente", "Codigo", "Firma"} {
		if !seen[name] {
			return nil, &DocumentError{Problem: ProblemMissing, Detail: name}
		}
	}
	return &d, nil
}
