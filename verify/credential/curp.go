package credential

import (
	"fmt"
	"strings"
	"time"
)

// curpAlphabet maps CURP characters to their values for the check digit.
const curpAlphabet = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"

// curpStates are the two-letter state codes a CURP may carry (NE: born abroad).
const curpStates = "AS BC BS CC CL CM CS CH DF DG GT GR HG JC MC MN MS NT NL OC PL QT QR SP SL SR TC TS TL VZ YN ZS NE"

// CURPCheckDigit computes the 18th character from the first 17: values from
// curpAlphabet weighted 18 down to 2, digit = (10 − sum mod 10) mod 10.
func CURPCheckDigit(first17 string) (byte, error) {
	r := []rune(first17)
	if len(r) != 17 {
		return 0, fmt.Errorf("credential: CURP check digit needs 17 characters, got %d", len(r))
	}
	sum := 0
	for i, c := range r {
		v := strings.IndexRune(curpAlphabet, c)
		if v < 0 {
			return 0, fmt.Errorf("credential: %q cannot appear in a CURP", c)
		}
		// IndexRune counts bytes; Ñ is two bytes, so letters after it are one too far.
		if c > 'N' && c <= 'Z' {
			v--
		}
		sum += v * (18 - i)
	}
	return byte('0' + (10-sum%10)%10), nil
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func validDate(yymmdd string) bool {
	_, err := time.Parse("060102", yymmdd)
	return err == nil
}

// ValidateCURP checks a CURP's structure and check digit.
func ValidateCURP(s string) error {
	if len(s) != 18 {
		return &FieldError{"curp", Length}
	}
	for i := 0; i < 4; i++ {
		if !isUpper(s[i]) {
			return &FieldError{"curp", Pattern}
		}
	}
	for i := 4; i < 10; i++ {
		if !isDigit(s[i]) {
			return &FieldError{"curp", Pattern}
		}
	}
	if !validDate(s[4:10]) {
		return &FieldError{"curp", DateInvalid}
	}
	if s[10] != 'H' && s[10] != 'M' && s[10] != 'X' {
		return &FieldError{"curp", Pattern}
	}
	if !strings.Contains(curpStates, s[11:13]) || s[11] == ' ' || s[12] == ' ' {
		return &FieldError{"curp", Pattern}
	}
	for i := 13; i < 16; i++ {
		if !isUpper(s[i]) || strings.IndexByte("AEIOU", s[i]) >= 0 {
			return &FieldError{"curp", Pattern}
		}
	}
	if !isUpper(s[16]) && !isDigit(s[16]) {
		return &FieldError{"curp", Pattern}
	}
	d, err := CURPCheckDigit(s[:17])
	if err != nil || d != s[17] {
		return &FieldError{"curp", CheckDigit}
	}
	return nil
}

// ValidateClaveElector checks the structure: 6 letters, birth YYMMDD, entity 01–32,
// H or M, 3 characters. INE has not published its check rule, so none is applied.
func ValidateClaveElector(s string) error {
	if len(s) != 18 {
		return &FieldError{"claveElector", Length}
	}
	for i := 0; i < 6; i++ {
		if !isUpper(s[i]) {
			return &FieldError{"claveElector", Pattern}
		}
	}
	for i := 6; i < 14; i++ {
		if !isDigit(s[i]) {
			return &FieldError{"claveElector", Pattern}
		}
	}
	if !validDate(s[6:12]) {
		return &FieldError{"claveElector", DateInvalid}
	}
	if e := s[12:14]; e < "01" || e > "32" {
		return &FieldError{"claveElector", Pattern}
	}
	if s[14] != 'H' && s[14] != 'M' {
		return &FieldError{"claveElector", Pattern}
	}
	for i := 15; i < 18; i++ {
		if !isUpper(s[i]) && !isDigit(s[i]) {
			return &FieldError{"claveElector", Pattern}
		}
	}
	return nil
}

// asciiLetters turns a normalised name into A–Z only, as CURPs write them (Ñ → X).
func asciiLetters(s string) string {
	s = strings.ReplaceAll(Normalize(s), "Ñ", "X")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isUpper(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// firstName is the given name the keys take their letters from.
func firstName(nombre string) string {
	parts := strings.Fields(Normalize(nombre))
	if len(parts) == 0 {
		return ""
	}
	return asciiLetters(parts[GivenNameWord(nombre)])
}

// GivenNameWord is which word of nombre (counted in strings.Fields) the CURP and the
// clave de elector take their letters from: MARIA and JOSE are skipped in compound
// given names, and so are the particles after them.
func GivenNameWord(nombre string) int {
	parts := strings.Fields(Normalize(nombre))
	k := 0
	if len(parts) > 1 && (parts[0] == "MARIA" || parts[0] == "JOSE" || parts[0] == "MA." || parts[0] == "J.") {
		k++
	}
	for len(parts)-k > 1 && (parts[k] == "DE" || parts[k] == "DEL" || parts[k] == "LA" || parts[k] == "LOS" || parts[k] == "LAS") {
		k++
	}
	return k
}

func firstInner(s string, vowel bool) byte {
	for i := 1; i < len(s); i++ {
		if (strings.IndexByte("AEIOU", s[i]) >= 0) == vowel {
			return s[i]
		}
	}
	return 'X'
}

func firstOr(s string) byte {
	if s == "" {
		return 'X'
	}
	return s[0]
}

// MakeCURP builds a structurally valid CURP, check digit included, for synthetic
// citizens. sex is 'H' or 'M'; state a two-letter code; homonym a digit (born before
// 2000) or letter.
func MakeCURP(paterno, materno, nombre string, birth time.Time, sex byte, state string, homonym byte) string {
	p, m, n := asciiLetters(paterno), asciiLetters(materno), firstName(nombre)
	b := []byte{firstOr(p), firstInner(p, true), firstOr(m), firstOr(n)}
	b = append(b, birth.Format("060102")...)
	b = append(b, sex)
	b = append(b, state...)
	b = append(b, firstInner(p, false), firstInner(m, false), firstInner(n, false), homonym)
	d, _ := CURPCheckDigit(string(b))
	return string(append(b, d))
}

// MakeClaveElector builds a structurally valid clave de elector: first letter and first
// inner consonant of paterno, materno and nombre (X for a missing surname), birth
// YYMMDD, entity, sex and a 3-character suffix.
func MakeClaveElector(paterno, materno, nombre string, birth time.Time, entity int, sex byte, suffix string) string {
	pair := func(s string) []byte {
		s = asciiLetters(s)
		if s == "" {
			return []byte("XX")
		}
		return []byte{s[0], firstInner(s, false)}
	}
	b := append(append(pair(paterno), pair(materno)...), pair(firstName(nombre))...)
	b = append(b, birth.Format("060102")...)
	b = append(b, fmt.Sprintf("%02d", entity)...)
	b = append(b, sex)
	return string(append(b, suffix...))
}
