// Package credential is the voter credential record (Credencial para Votar) that OCR
// produces and the request builder consumes, with its normalisation and validators.
package credential

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Model is the credential's model letter.
type Model string

const (
	ModelC Model = "C" // before 2013: no CIC; searched by OCR + clave + emisión
	ModelD Model = "D" // 2013
	ModelE Model = "E" // from 2014
	ModelF Model = "F" // from 2016, issued abroad
	ModelG Model = "G" // from 2019
	ModelH Model = "H" // from 2019, issued abroad
)

// ParseModel reads a model letter.
func ParseModel(s string) (Model, error) {
	m := Model(strings.ToUpper(strings.TrimSpace(s)))
	switch m {
	case ModelC, ModelD, ModelE, ModelF, ModelG, ModelH:
		return m, nil
	}
	return "", fmt.Errorf("credential: model %q is not one of C to H", s)
}

// HasCIC reports whether the model carries a CIC (every model but C).
func (m Model) HasCIC() bool { return m != ModelC }

// Credential is what is read from (or typed off) a credential, under the names of
// INE's plaintext. Empty means unknown, or not to be verified.
type Credential struct {
	Modelo                  Model  `json:"modelo,omitempty"`
	CIC                     string `json:"cic,omitempty"`
	OCR                     string `json:"ocr,omitempty"`
	Nombre                  string `json:"nombre,omitempty"`
	ApellidoPaterno         string `json:"apellidoPaterno,omitempty"`
	ApellidoMaterno         string `json:"apellidoMaterno,omitempty"`
	AnioRegistro            string `json:"anioRegistro,omitempty"`
	AnioEmision             string `json:"anioEmision,omitempty"`
	NumeroEmisionCredencial string `json:"numeroEmisionCredencial,omitempty"`
	ClaveElector            string `json:"claveElector,omitempty"`
	CURP                    string `json:"curp,omitempty"`
}

// fields is the one table of the credential's fields by the names INE's plaintext gives
// them, in the order forms show them: every mapping between names and the struct goes
// through it.
var fields = []struct {
	name  string
	at    func(c *Credential) *string
	check func(v string) error // INE's rule for a value given
}{
	{"cic", func(c *Credential) *string { return &c.CIC }, ValidateCIC},
	{"ocr", func(c *Credential) *string { return &c.OCR }, ValidateOCR},
	{"claveElector", func(c *Credential) *string { return &c.ClaveElector }, ValidateClaveElector},
	{"numeroEmisionCredencial", func(c *Credential) *string { return &c.NumeroEmisionCredencial }, ValidateNumeroEmision},
	{"curp", func(c *Credential) *string { return &c.CURP }, ValidateCURP},
	{"nombre", func(c *Credential) *string { return &c.Nombre }, func(v string) error { return validateName("nombre", v) }},
	{"apellidoPaterno", func(c *Credential) *string { return &c.ApellidoPaterno }, func(v string) error { return validateName("apellidoPaterno", v) }},
	{"apellidoMaterno", func(c *Credential) *string { return &c.ApellidoMaterno }, func(v string) error { return validateName("apellidoMaterno", v) }},
	{"anioRegistro", func(c *Credential) *string { return &c.AnioRegistro }, func(v string) error { return validateYear("anioRegistro", v) }},
	{"anioEmision", func(c *Credential) *string { return &c.AnioEmision }, func(v string) error { return validateYear("anioEmision", v) }},
}

// ValidateField checks one field's value, by INE's name for the field, as Validate does
// field by field: nil for an empty value or a name it does not know.
func ValidateField(name, value string) error {
	for _, f := range fields {
		if f.name == name && value != "" {
			return f.check(value)
		}
	}
	return nil
}

// FieldNames lists the credential's fields (all but the model) by INE's names, in the
// order forms show them.
func FieldNames() []string {
	out := make([]string, len(fields))
	for i, f := range fields {
		out[i] = f.name
	}
	return out
}

// Fields is c's fields by INE's names (all but the model).
func (c Credential) Fields() map[string]string {
	out := make(map[string]string, len(fields))
	for _, f := range fields {
		out[f.name] = *f.at(&c)
	}
	return out
}

// FromFields makes a credential of model m from fields by INE's names; names it does not
// know are ignored.
func FromFields(m Model, values map[string]string) Credential {
	c := Credential{Modelo: m}
	for _, f := range fields {
		*f.at(&c) = values[f.name]
	}
	return c
}

// Normalized applies INE's rules to every field: capitals, no accents (Ñ kept), single
// spaces, trimmed.
func (c Credential) Normalized() Credential {
	c.Modelo = Model(Normalize(string(c.Modelo)))
	for _, f := range []*string{&c.CIC, &c.OCR, &c.Nombre, &c.ApellidoPaterno, &c.ApellidoMaterno,
		&c.AnioRegistro, &c.AnioEmision, &c.NumeroEmisionCredencial, &c.ClaveElector, &c.CURP} {
		*f = Normalize(*f)
	}
	return c
}

// Normalize upper-cases s, removes accents and diaeresis but keeps Ñ, collapses white
// space and trims. Decomposed input (a letter then a combining mark) is handled too.
func Normalize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\u00a0':
			space = b.Len() > 0
			continue
		case r == '\u0303': // combining tilde: N + ~ is Ñ
			out := b.String()
			if strings.HasSuffix(out, "N") {
				b.Reset()
				b.WriteString(strings.TrimSuffix(out, "N") + "Ñ")
			}
			continue
		case r >= '\u0300' && r <= '\u036f': // other combining marks: dropped
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteString(fold(r))
	}
	return b.String()
}

// fold maps one rune to upper case without accents.
func fold(r rune) string {
	switch r {
	case 'ñ', 'Ñ':
		return "Ñ"
	case 'á', 'à', 'â', 'ä', 'ã', 'å', 'Á', 'À', 'Â', 'Ä', 'Ã', 'Å':
		return "A"
	case 'é', 'è', 'ê', 'ë', 'É', 'È', 'Ê', 'Ë':
		return "E"
	case 'í', 'ì', 'î', 'ï', 'Í', 'Ì', 'Î', 'Ï':
		return "I"
	case 'ó', 'ò', 'ô', 'ö', 'õ', 'Ó', 'Ò', 'Ô', 'Ö', 'Õ':
		return "O"
	case 'ú', 'ù', 'û', 'ü', 'Ú', 'Ù', 'Û', 'Ü':
		return "U"
	case 'ç', 'Ç':
		return "C"
	case 'ý', 'ÿ', 'Ý':
		return "Y"
	}
	return strings.ToUpper(string(r))
}

// Reason says what is wrong with a field.
type Reason int

const (
	Missing Reason = iota + 1
	Length
	NotDigits
	Pattern
	CheckDigit
	Range
	DateInvalid
)

// FieldError is a problem with one field, named by its JSON name, that the GUI can mark.
type FieldError struct {
	Field  string
	Reason Reason
}

func (e *FieldError) Error() string {
	return "credential: " + e.Field + ": " + e.Message("en")
}

// Message is the operator's sentence in Spanish ("es", the default) or English.
func (e *FieldError) Message(lang string) string {
	return sentence(e.message(lang))
}

func (e *FieldError) message(lang string) string {
	name := fieldName(e.Field, lang)
	en := lang == "en"
	switch e.Reason {
	case Missing:
		if en {
			return name + " is required"
		}
		return "Falta " + name
	case Length:
		if en {
			return name + " has the wrong length" + lengthHint(e.Field, en)
		}
		return name + " no tiene la longitud correcta" + lengthHint(e.Field, en)
	case NotDigits:
		if en {
			return name + " must contain digits only"
		}
		return name + " debe tener solo dígitos"
	case CheckDigit:
		if en {
			return "The check digit of " + name + " does not match"
		}
		return "El dígito verificador de " + name + " no coincide"
	case Range:
		if en {
			return name + " is out of range"
		}
		return name + " está fuera de rango"
	case DateInvalid:
		if en {
			return name + " contains an impossible date"
		}
		return name + " contiene una fecha imposible"
	}
	if en {
		return name + " is not well formed"
	}
	return name + " no tiene el formato correcto"
}

func lengthHint(field string, en bool) string {
	n := map[string]string{"cic": "9", "ocr": "13", "numeroEmisionCredencial": "2", "claveElector": "18", "curp": "18", "anioRegistro": "4", "anioEmision": "4"}[field]
	if n == "" {
		return ""
	}
	if en {
		return " (" + n + " characters)"
	}
	return " (" + n + " caracteres)"
}

// labels are the fields' names as an operator reads them; art is the Spanish article.
func labels(field string) (es, en, art string) {
	switch field {
	case "cic":
		return "CIC", "CIC", "el"
	case "ocr":
		return "OCR", "OCR", "el"
	case "nombre":
		return "Nombre", "Given names", "el"
	case "apellidoPaterno":
		return "Apellido paterno", "First surname", "el"
	case "apellidoMaterno":
		return "Apellido materno", "Second surname", "el"
	case "anioRegistro":
		return "Año de registro", "Registration year", "el"
	case "anioEmision":
		return "Año de emisión", "Issue year", "el"
	case "numeroEmisionCredencial":
		return "Número de emisión", "Issue number", "el"
	case "claveElector":
		return "Clave de elector", "Elector key", "la"
	case "curp":
		return "CURP", "CURP", "la"
	case "modelo":
		return "Modelo", "Model", "el"
	}
	return field, field, "el"
}

// Label is a field's name, by its JSON name, in Spanish ("es") or English ("en").
func Label(field, lang string) string {
	es, en, _ := labels(field)
	if lang == "en" {
		return en
	}
	return es
}

// fieldName is the label as it reads inside a sentence: "la clave de elector".
func fieldName(field, lang string) string {
	es, en, art := labels(field)
	lower := func(s string) string {
		if strings.ToUpper(s) == s {
			return s // an acronym
		}
		r, n := utf8.DecodeRuneInString(s)
		return strings.ToLower(string(r)) + s[n:]
	}
	if lang == "en" {
		return "the " + lower(en)
	}
	return art + " " + lower(es)
}

// sentence capitalises the first letter.
func sentence(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[n:]
}

// Validate checks every field that is present, and the fields the model's search key
// needs. It returns all problems joined; each is a *FieldError.
func (c Credential) Validate() error {
	var errs []error
	add := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if c.Modelo != "" {
		if _, err := ParseModel(string(c.Modelo)); err != nil {
			add(&FieldError{"modelo", Pattern})
		}
	}
	for _, f := range fields {
		add(ValidateField(f.name, *f.at(&c)))
	}
	if c.Modelo.HasCIC() && c.Modelo != "" && c.CIC == "" {
		add(&FieldError{"cic", Missing})
	}
	if c.Modelo == ModelC {
		for _, f := range []struct{ field, v string }{{"ocr", c.OCR}, {"claveElector", c.ClaveElector}, {"numeroEmisionCredencial", c.NumeroEmisionCredencial}} {
			if f.v == "" {
				add(&FieldError{f.field, Missing})
			}
		}
	}
	return errors.Join(errs...)
}

// SearchKey is how INE will find the citizen.
type SearchKey int

const (
	KeyCIC SearchKey = iota + 1 // by CIC
	KeyOCR                      // by OCR + clave de elector + número de emisión
)

// SearchKey says which key INE will search by: the CIC when there is one, else the
// OCR triple, with an error naming what is missing.
func (c Credential) SearchKey() (SearchKey, error) {
	if c.CIC != "" {
		return KeyCIC, nil
	}
	var errs []error
	for _, f := range []struct{ field, v string }{{"ocr", c.OCR}, {"claveElector", c.ClaveElector}, {"numeroEmisionCredencial", c.NumeroEmisionCredencial}} {
		if f.v == "" {
			errs = append(errs, &FieldError{f.field, Missing})
		}
	}
	if len(errs) > 0 {
		return 0, errors.Join(append([]error{&FieldError{"cic", Missing}}, errs...)...)
	}
	return KeyOCR, nil
}

func digitsOnly(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func validateDigits(field, s string, lengths ...int) error {
	if !digitsOnly(s) {
		return &FieldError{field, NotDigits}
	}
	for _, n := range lengths {
		if len(s) == n {
			return nil
		}
	}
	return &FieldError{field, Length}
}

// ValidateCIC: 9 digits (the seed allows 10).
func ValidateCIC(s string) error { return validateDigits("cic", s, 9, 10) }

// ValidateOCR: 13 digits, sección (4) + identificador (9).
func ValidateOCR(s string) error { return validateDigits("ocr", s, 13) }

// ValidateNumeroEmision: 2 digits.
func ValidateNumeroEmision(s string) error { return validateDigits("numeroEmisionCredencial", s, 2) }

// ValidateYear: 4 digits between 1900 and 2100.
func ValidateYear(s string) error { return validateYear("anioEmision", s) }

func validateYear(field, s string) error {
	if err := validateDigits(field, s, 4); err != nil {
		return err
	}
	if s < "1900" || s > "2100" {
		return &FieldError{field, Range}
	}
	return nil
}

// validateName: at most 32 characters of letters, Ñ, spaces, apostrophes, hyphens, dots.
func validateName(field, s string) error {
	if utf8.RuneCountInString(s) > 32 {
		return &FieldError{field, Length}
	}
	for _, r := range s {
		if !(r >= 'A' && r <= 'Z' || r == 'Ñ' || r == ' ' || r == '\'' || r == '-' || r == '.') {
			return &FieldError{field, Pattern}
		}
	}
	return nil
}
