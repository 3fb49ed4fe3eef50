package sello

import (
	"fmt"
	"strings"
)

// Reason says why a field cannot go into a cadena original.
type Reason int

const (
	ReasonEmpty    Reason = iota + 1 // a required value is empty after normalising
	ReasonPipe                       // "|" is the cadena's control character
	ReasonSpace                      // a space other than U+0020, tab, CR or LF (e.g. U+00A0)
	ReasonControl                    // a control character
	ReasonUTF8                       // not valid UTF-8
	ReasonUnmasked                   // a credential identifier not masked as on the receipt
)

// FieldError is a value that cannot be sealed. It names the field, never its value,
// which may be personal data.
type FieldError struct {
	Field  string
	Reason Reason
}

func (e *FieldError) Error() string {
	return "sello: " + e.Message("en")
}

func (e *FieldError) name(lang string) string {
	if e.Field != "" {
		return e.Field
	}
	if lang == "en" {
		return "no field"
	}
	return "ningún campo"
}

// Message is the operator's sentence, in Spanish ("es", the default) or English ("en").
func (e *FieldError) Message(lang string) string {
	m := reasonMessage(e.Reason)
	if lang == "en" {
		return fmt.Sprintf("%s: %s", e.name(lang), m[1])
	}
	return fmt.Sprintf("%s: %s", e.name(lang), m[0])
}

func reasonMessage(r Reason) [2]string {
	switch r {
	case ReasonEmpty:
		return [2]string{"el dato es obligatorio y está vacío.", "the value is required and empty."}
	case ReasonPipe:
		return [2]string{"el dato no puede contener el carácter | (separa los datos de la cadena original).", "the value cannot contain the character | (it separates the values of the cadena original)."}
	case ReasonSpace:
		return [2]string{"el dato contiene un espacio que no es el espacio común (por ejemplo, un espacio duro).", "the value contains a space other than the ordinary space (e.g. a no-break space)."}
	case ReasonControl:
		return [2]string{"el dato contiene un carácter de control.", "the value contains a control character."}
	case ReasonUTF8:
		return [2]string{"el dato no está en UTF-8 válido.", "the value is not valid UTF-8."}
	case ReasonUnmasked:
		return [2]string{"el identificador debe ir enmascarado como en el comprobante.", "the identifier must be masked as on the receipt."}
	}
	return [2]string{"dato no válido.", "invalid value."}
}

// Problem says what is wrong with a cadena or sello received from outside.
type Problem int

const (
	ProblemStart     Problem = iota + 1 // the cadena does not start with "||"
	ProblemEnd                          // the cadena does not end with "||"
	ProblemEmpty                        // two separators with nothing between
	ProblemBlank                        // a value not normalised (spaces at an end, a run of spaces, a tab or line break)
	ProblemCharacter                    // a value with a character Build refuses
	ProblemTooLong                      // longer than MaxCadena or MaxSello
	ProblemBase64                       // the sello is not canonical standard Base64 on one line
	ProblemLength                       // the signature is not as long as the key
	ProblemKey                          // the key is not RSA
	ProblemSignature                    // the signature does not match the cadena
)

func problemMessage(p Problem) [2]string {
	switch p {
	case ProblemStart:
		return [2]string{"la cadena original no empieza con ||.", "the cadena original does not start with ||."}
	case ProblemEnd:
		return [2]string{"la cadena original no termina con ||.", "the cadena original does not end with ||."}
	case ProblemEmpty:
		return [2]string{"la cadena original tiene un dato vacío.", "the cadena original has an empty value."}
	case ProblemBlank:
		return [2]string{"la cadena original tiene espacios sin normalizar.", "the cadena original has spaces that are not normalised."}
	case ProblemCharacter:
		return [2]string{"la cadena original tiene un carácter no permitido.", "the cadena original has a character that is not allowed."}
	case ProblemTooLong:
		return [2]string{"el dato es demasiado largo.", "the data is too long."}
	case ProblemBase64:
		return [2]string{"el sello no está en Base64 estándar en una sola línea.", "the sello is not standard Base64 on one line."}
	case ProblemLength:
		return [2]string{"el sello no tiene la longitud de la llave del certificado.", "the sello is not as long as the certificate's key."}
	case ProblemKey:
		return [2]string{"el certificado no tiene una llave RSA.", "the certificate does not hold an RSA key."}
	case ProblemSignature:
		return [2]string{"el sello no corresponde a la cadena original: la cadena o el sello se alteraron, o el certificado no es el del firmante.", "the sello does not match the cadena original: the cadena or the sello was altered, or the certificate is not the signer's."}
	}
	return [2]string{"sello no válido.", "invalid sello."}
}

// ParseError is a cadena original that is not canonical.
type ParseError struct {
	Value   int // 1-based position of the offending value; 0 for the whole string
	Problem Problem
}

func (e *ParseError) Error() string { return "sello: " + e.Message("en") }

// Message is the operator's sentence, in Spanish ("es", the default) or English ("en").
func (e *ParseError) Message(lang string) string {
	m := problemMessage(e.Problem)
	switch {
	case e.Value == 0 && lang == "en":
		return m[1]
	case e.Value == 0:
		return m[0]
	case lang == "en":
		return fmt.Sprintf("value %d: %s", e.Value, m[1])
	}
	return fmt.Sprintf("dato %d: %s", e.Value, m[0])
}

// SelloError is a sello that does not verify.
type SelloError struct {
	Problem Problem
	Err     error // the underlying error, if any
}

func (e *SelloError) Error() string {
	if e.Err != nil {
		return "sello: " + strings.TrimSuffix(e.Message("en"), ".") + ": " + e.Err.Error()
	}
	return "sello: " + e.Message("en")
}

func (e *SelloError) Unwrap() error { return e.Err }

// Message is the operator's sentence, in Spanish ("es", the default) or English ("en").
func (e *SelloError) Message(lang string) string {
	m := problemMessage(e.Problem)
	if lang == "en" {
		return m[1]
	}
	return m[0]
}

// Difference is one field whose value in a cadena is not the record's.
type Difference struct {
	Field string // the record's field name; empty for values the record lacks
	Want  string // the record's normalised value ("" when the cadena has an extra value)
	Got   string // the cadena's value ("" when the cadena lacks it)
}

// MismatchError is a cadena that is not the one the record builds: it lists which
// fields differ.
type MismatchError struct {
	Differences []Difference
	Malformed   *ParseError // the cadena is not even canonical, if so
}

func (e *MismatchError) Error() string { return "sello: " + e.Message("en") }

// Fields names the fields that differ, in the record's order.
func (e *MismatchError) Fields() []string {
	out := []string{}
	for _, d := range e.Differences {
		name := d.Field
		if name == "" {
			name = "?"
		}
		out = append(out, name)
	}
	return out
}

// Message is the operator's sentence, in Spanish ("es", the default) or English ("en").
// It names the fields, not their values: those may be personal data.
func (e *MismatchError) Message(lang string) string {
	names := strings.Join(e.Fields(), ", ")
	var es, en string
	if names != "" {
		es, en = "; campos distintos: "+names, "; fields that differ: "+names
	}
	if e.Malformed != nil {
		es, en = es+"; "+e.Malformed.Message("es"), en+"; "+e.Malformed.Message("en")
	}
	if lang == "en" {
		return "the cadena original does not match the record" + en
	}
	return "la cadena original no corresponde al registro" + es
}
