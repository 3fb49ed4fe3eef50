// Package sello builds SAT's "cadena original" (a record's fields as one canonical
// string, ||a|b|c||) and its "sello" (an RSA PKCS#1 v1.5 signature over the SHA-256 of
// the string, in standard Base64), and checks them. Cotejo seals its verification
// evidence this way so that an auditor holding the certificate can recompute both; the
// rules are those of docs/cadena-original.md.
package sello

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field is one value of a cadena original. Only the value is written; the name is for
// errors and for saying which field differs.
type Field struct {
	Name     string
	Value    string
	Optional bool // left out, with its delimiter, when empty after normalising
}

// Record is anything sealed as a cadena original: a fixed sequence of fields.
// Evidence is one; an audit entry can be another.
type Record interface {
	Fields() []Field
}

// Normalize applies the whitespace rule to one value: tabs, carriage returns and line
// feeds become spaces, spaces at both ends go, and runs of spaces become one. Only
// U+0020 counts as blank; other Unicode spaces are refused by Build rather than
// guessed at.
func Normalize(v string) string {
	// Byte by byte: tab, CR, LF and space never occur inside a multi-byte UTF-8
	// sequence, and invalid bytes must reach the UTF-8 check unchanged.
	var b strings.Builder
	b.Grow(len(v))
	pending := false // a blank seen since the last other byte
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch c {
		case ' ', '\t', '\r', '\n':
			pending = b.Len() > 0
			continue
		}
		if pending {
			b.WriteByte(' ')
			pending = false
		}
		b.WriteByte(c)
	}
	return b.String()
}

// check says what is wrong with a normalised value, if anything.
func check(v string) Reason {
	if !utf8.ValidString(v) {
		return ReasonUTF8
	}
	for _, r := range v {
		switch {
		case r == '|':
			return ReasonPipe
		case r == ' ':
		case unicode.IsSpace(r):
			return ReasonSpace
		case unicode.IsControl(r):
			return ReasonControl
		}
	}
	return 0
}

// Build returns the cadena original of fields, in their order: "||", the normalised
// values joined by "|", "||". An optional field that is empty is left out; a required
// one that is empty, or a value holding "|", invalid UTF-8, a control character or a
// space other than U+0020, is a *FieldError naming the field (never its value).
func Build(fields []Field) (string, error) {
	var b strings.Builder
	b.WriteString("||")
	n := 0
	for _, f := range fields {
		if !utf8.ValidString(f.Value) {
			return "", &FieldError{Field: f.Name, Reason: ReasonUTF8}
		}
		v := Normalize(f.Value)
		if v == "" {
			if f.Optional {
				continue
			}
			return "", &FieldError{Field: f.Name, Reason: ReasonEmpty}
		}
		if r := check(v); r != 0 {
			return "", &FieldError{Field: f.Name, Reason: r}
		}
		if n > 0 {
			b.WriteByte('|')
		}
		b.WriteString(v)
		n++
	}
	if n == 0 {
		return "", &FieldError{Reason: ReasonEmpty}
	}
	b.WriteString("||")
	return b.String(), nil
}

// MaxCadena bounds what Parse reads: a cadena comes from outside (a PDF, a QR code).
const MaxCadena = 64 << 10

// Parse splits a cadena original into its values and checks that it is canonical: it
// is what Build writes for those values, so Build(Parse(c)) == c.
func Parse(cadena string) ([]string, error) {
	if len(cadena) > MaxCadena {
		return nil, &ParseError{Problem: ProblemTooLong}
	}
	if !strings.HasPrefix(cadena, "||") || len(cadena) < 4 {
		return nil, &ParseError{Problem: ProblemStart}
	}
	if !strings.HasSuffix(cadena, "||") {
		return nil, &ParseError{Problem: ProblemEnd}
	}
	values := strings.Split(cadena[2:len(cadena)-2], "|")
	for i, v := range values {
		if v == "" {
			return nil, &ParseError{Value: i + 1, Problem: ProblemEmpty}
		}
		if !utf8.ValidString(v) {
			return nil, &ParseError{Value: i + 1, Problem: ProblemCharacter}
		}
		if Normalize(v) != v {
			return nil, &ParseError{Value: i + 1, Problem: ProblemBlank}
		}
		if r := check(v); r != 0 {
			return nil, &ParseError{Value: i + 1, Problem: ProblemCharacter}
		}
	}
	return values, nil
}
