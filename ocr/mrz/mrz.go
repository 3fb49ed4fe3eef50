// Package mrz reads the machine-readable zone on the back of INE credentials (models D
// to H): an ICAO 9303 TD1 zone of three lines of 30 characters. OCR misreads it in
// known ways, so the parser repairs what the check digits can confirm and reports every
// repair.
package mrz

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Zone is a parsed machine-readable zone.
type Zone struct {
	Lines                     [3]string // as parsed, after repairs
	CIC                       string    // 9 digits
	OCR                       string    // 13 digits: sección + identificador del ciudadano
	Birth                     time.Time
	Sex                       string // H or M
	Expiry                    time.Time
	Nationality               string // MEX
	Optional2                 string // line 2, positions 19–29, kept verbatim
	Paterno, Materno, Nombres string
	// Checks says, per check digit, whether it verified.
	Checks Checks
	// Partial: the lines' ends were hidden and only the fields whose characters all
	// showed are set (ParsePartial); Checks.Composite is then false.
	Partial  bool
	Repaired []string // what was changed to make the zone parse, in words
	// Candidates holds, per field ("CIC", "OCR", "birth date", "expiry date"), the values
	// that would satisfy the check digits when more than one does: another source (the
	// QR code, the front) must choose.
	Candidates map[string][]string
}

// Checks records each ICAO check digit's outcome.
type Checks struct {
	CIC, Birth, Expiry, Composite bool
}

// AllValid reports whether every check digit verified.
func (c Checks) AllValid() bool { return c.CIC && c.Birth && c.Expiry && c.Composite }

// ErrNotMRZ means the text is not an INE TD1 zone, even after repairs.
var ErrNotMRZ = errors.New("mrz: not an INE machine-readable zone")

// CheckDigit is ICAO 9303's: weights 7, 3, 1; '<' is 0; A is 10 … Z is 35.
func CheckDigit(s string) (byte, error) {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		case c == '<':
			v = 0
		default:
			return 0, fmt.Errorf("mrz: %q cannot appear in a zone", c)
		}
		sum += v * weights[i%3]
	}
	return byte('0' + sum%10), nil
}

func checks(field string, digit byte) bool {
	d, err := CheckDigit(field)
	return err == nil && d == digit
}

// Parse reads a zone from OCR text: three lines (blank lines and spaces ignored).
func Parse(text string) (*Zone, error) {
	lines := splitLines(text)
	if len(lines) != 3 {
		return nil, fmt.Errorf("%w: %d lines, want 3", ErrNotMRZ, len(lines))
	}
	z := &Zone{}
	l1, err := z.repairLine1(lines[0])
	if err != nil {
		return nil, err
	}
	l2, err := z.repairLine2(lines[1], l1)
	if err != nil {
		return nil, err
	}
	l3 := z.repairLine3(lines[2])
	z.Lines = [3]string{l1, l2, l3}
	z.fixDigits()
	z.fill()
	return z, nil
}

// ParsePartial reads what stays whole of a zone whose lines' ends are hidden, when Parse
// refuses it: a finger over the card's corner covers the ends of the lines it reaches
// (the composite check digit with them), while their starts, each field with its own
// check digit, can still be read. The Zone has Partial set and only the fields whose
// characters are all there: the CIC (line 1's first 15 characters, its check digit
// verifying), the OCR (line 1 whole; no check digit of its own, the composite being
// hidden), birth date, sex and expiry (line 2's first 15, each date with its check
// digit verifying, and a date), the nationality, and the names when line 3 shows its
// fillers after them. Lines holds the lines as read. It fails when not even the CIC or
// the birth date can be read.
func ParsePartial(text string) (*Zone, error) {
	lines := splitLines(text)
	if len(lines) != 3 {
		return nil, fmt.Errorf("%w: %d lines, want 3", ErrNotMRZ, len(lines))
	}
	z := &Zone{Partial: true}
	copy(z.Lines[:], lines)
	l1, l2, l3 := lines[0], lines[1], lines[2]
	if len(l1) >= 15 && looksLike(l1[:5], "IDMEX") {
		if d, ok := asDigits(l1[5:15]); ok && checks(d[:9], d[9]) {
			z.CIC, z.Checks.CIC = d[:9], true
		}
		if len(l1) == 30 && z.Checks.CIC && isFiller(l1[15:17]) {
			if d, ok := asDigits(l1[17:30]); ok {
				z.OCR = d
			}
		}
	}
	if len(l2) >= 15 {
		birth, ok1 := asDigits(l2[0:7])
		expiry, ok2 := asDigits(l2[8:15])
		sex := l2[7:8]
		if ok1 && checks(birth[:6], birth[6]) && isDate(birth[:6]) {
			z.Birth, _ = yymmdd(birth[:6], false)
			z.Checks.Birth = true
			if sex == "H" || sex == "M" {
				z.Sex = sex
			}
		}
		if ok2 && checks(expiry[:6], expiry[6]) && isDate(expiry[:6]) {
			z.Expiry, _ = yymmdd(expiry[:6], true)
			z.Checks.Expiry = true
		}
		if len(l2) >= 18 && l2[15:18] == "MEX" {
			z.Nationality = "MEX"
		}
	}
	if !z.Checks.CIC && !z.Checks.Birth {
		return nil, fmt.Errorf("%w: too little of it shows", ErrNotMRZ)
	}
	// The names only when line 3 shows its fillers after them: "<<<" after the given
	// names, so none of them is cut.
	if t := z.repairLine3(l3); strings.Contains(t, "<<") && strings.HasSuffix(t, "<<<") {
		z.Paterno, z.Materno, z.Nombres = Names(t)
	}
	return z, nil
}

// splitLines returns text's non-empty lines, upper-cased, without blanks, guillemets
// read as fillers.
func splitLines(text string) []string {
	var lines []string
	for _, l := range strings.Split(strings.ToUpper(text), "\n") {
		l = strings.Map(func(r rune) rune {
			switch {
			case r == ' ' || r == '\t' || r == '\r':
				return -1
			case r == '«' || r == '‹':
				return '<'
			}
			return r
		}, l)
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines
}

// confusable digits OCR swaps for one another.
func confusable(c byte) string {
	switch c {
	case '0':
		return "869"
	case '1':
		return "74"
	case '2':
		return "7"
	case '3':
		return "8"
	case '4':
		return "1"
	case '5':
		return "6"
	case '6':
		return "5850"
	case '7':
		return "12"
	case '8':
		return "3609"
	case '9':
		return "80"
	}
	return ""
}

// field is a stretch of a line with its own check digit (check < 0: only the composite).
type field struct {
	name             string
	line, start, end int
	check            int
	date             bool // YYMMDD: a repair must leave a real date
}

func fields() []field {
	return []field{
		{"CIC", 0, 5, 14, 14, false},
		{"OCR", 0, 17, 30, -1, false},
		{"birth date", 1, 0, 6, 6, true},
		{"expiry date", 1, 8, 14, 14, true},
	}
}

// isDate: s is a YYMMDD date that exists (a repair giving month 71 is not one; the
// check digits cannot tell, as two places of one weight change them alike).
func isDate(s string) bool {
	_, err := time.Parse("060102", s)
	return err == nil
}

// fixDigits repairs a digit misread as another: when a field's check digit (or, for the
// OCR, the composite) fails, each single substitution of a confusable digit is tried,
// and one is taken only if it is the only one that makes the field and the composite
// check pass.
func (z *Zone) fixDigits() {
	for _, f := range fields() {
		ok := func(l [3]string) bool {
			if f.check >= 0 && !checks(l[f.line][f.start:f.end], l[f.line][f.check]) {
				return false
			}
			return checks(composite(l[0], l[1]), l[1][29])
		}
		if ok(z.Lines) || f.check >= 0 && checks(z.Lines[f.line][f.start:f.end], z.Lines[f.line][f.check]) {
			continue
		}
		var found [][3]string
		for i := f.start; i < f.end; i++ {
			for _, alt := range []byte(confusable(z.Lines[f.line][i])) {
				cand := z.Lines
				b := []byte(cand[f.line])
				b[i] = alt
				cand[f.line] = string(b)
				if ok(cand) && (!f.date || isDate(cand[f.line][f.start:f.end])) {
					found = append(found, cand)
				}
			}
		}
		switch {
		case len(found) == 1:
			z.note("%s: a misread digit corrected by the check digits", f.name)
			z.Lines = found[0]
		case len(found) > 1:
			if z.Candidates == nil {
				z.Candidates = map[string][]string{}
			}
			for _, c := range found {
				z.Candidates[f.name] = append(z.Candidates[f.name], c[f.line][f.start:f.end])
			}
		}
	}
}

// digitFor maps letters OCR confuses with digits.
func digitFor(c byte) (byte, bool) {
	switch c {
	case 'O', 'D', 'Q', 'U':
		return '0', true
	case 'I', 'L', 'T', 'J', '|':
		return '1', true
	case 'Z':
		return '2', true
	case 'S':
		return '5', true
	case 'G':
		return '6', true
	case 'B':
		return '8', true
	case 'A':
		return '4', true
	}
	return 0, false
}

// asDigits turns confusable letters into digits; ok is false if something else remains.
func asDigits(s string) (string, bool) {
	b := []byte(s)
	for i, c := range b {
		if c >= '0' && c <= '9' {
			continue
		}
		d, ok := digitFor(c)
		if !ok {
			return s, false
		}
		b[i] = d
	}
	return string(b), true
}

// fillerForms are what OCR makes of "<<".
var fillerForms = [...]string{"<<", "LS", "K<", "LC", "<K", "KK", "CC", "<C", "C<", "L<", "<L", "SS", "KC"}

func isFiller(s string) bool {
	for _, f := range fillerForms {
		if s == f {
			return true
		}
	}
	return false
}

func (z *Zone) note(format string, args ...any) {
	z.Repaired = append(z.Repaired, fmt.Sprintf(format, args...))
}

// repairLine1: IDMEX + CIC(9) + check + << + OCR(13).
func (z *Zone) repairLine1(l string) (string, error) {
	if len(l) == 31 {
		// A speck read as a character before or after the line.
		if looksLike(l[1:6], "IDMEX") && !looksLike(l[:5], "IDMEX") {
			z.note("line 1: a stray %q before the zone removed", l[:1])
			l = l[1:]
		} else if looksLike(l[:5], "IDMEX") {
			z.note("line 1: a stray %q after the zone removed", l[30:])
			l = l[:30]
		}
	}
	if len(l) == 29 {
		// A dropped '<' in the filler: put it back.
		if i := strings.Index(l[15:], "<"); i >= 0 && 15+i <= 16 {
			l = l[:15] + "<" + l[15:]
			z.note("line 1: a dropped '<' restored")
		}
	}
	if len(l) != 30 {
		return "", fmt.Errorf("%w: line 1 has %d characters, want 30", ErrNotMRZ, len(l))
	}
	if doc := l[:5]; doc != "IDMEX" {
		if !looksLike(doc, "IDMEX") {
			return "", fmt.Errorf("%w: line 1 starts %q", ErrNotMRZ, doc)
		}
		z.note("line 1: %q read as IDMEX", doc)
		l = "IDMEX" + l[5:]
	}
	cic, ok := asDigits(l[5:15])
	if !ok {
		return "", fmt.Errorf("%w: CIC %q is not digits", ErrNotMRZ, l[5:15])
	}
	if cic != l[5:15] {
		z.note("line 1: CIC %q read as %q", l[5:15], cic)
	}
	if f := l[15:17]; f != "<<" {
		// Half a filler read as a letter or digit ("<8", "K<"): the format fixes both.
		if !isFiller(f) && f[0] != '<' && f[1] != '<' {
			return "", fmt.Errorf("%w: %q where line 1 has '<<'", ErrNotMRZ, f)
		}
		z.note("line 1: %q read as '<<'", f)
	}
	ocr, ok := asDigits(l[17:30])
	if !ok {
		return "", fmt.Errorf("%w: OCR %q is not digits", ErrNotMRZ, l[17:30])
	}
	if ocr != l[17:30] {
		z.note("line 1: OCR %q read as %q", l[17:30], ocr)
	}
	return "IDMEX" + cic + "<<" + ocr, nil
}

// looksLike allows one OCR confusion per character of a fixed word (TDMEX, 1DMEX, IOMEX).
func looksLike(got, want string) bool {
	if len(got) != len(want) {
		return false
	}
	bad := 0
	for i := range got {
		if got[i] == want[i] {
			continue
		}
		d1, ok1 := digitFor(got[i])
		d2, ok2 := digitFor(want[i])
		if ok1 && ok2 && d1 == d2 || got[i] == '1' && want[i] == 'I' || got[i] == '0' && (want[i] == 'O' || want[i] == 'D') {
			continue
		}
		bad++
	}
	return bad <= 1
}

// repairLine2: birth(6) check sex expiry(6) check MEX < 2 digits << 5 chars < composite.
func (z *Zone) repairLine2(l, l1 string) (string, error) {
	if len(l) == 29 && strings.Contains(l[15:], "<") {
		// A dropped '<' somewhere in the fillers: try each place, keep one the composite
		// check confirms.
		for i := 18; i <= 29; i++ {
			cand := l[:i] + "<" + l[i:]
			if cand[18] == '<' && checks(composite(l1, cand), cand[29]) {
				z.note("line 2: a dropped '<' restored")
				l = cand
				break
			}
		}
	}
	if len(l) == 31 && len(l1) == 30 {
		// One character too many: keep the only deletion every check digit confirms.
		var found []string
		for i := range l {
			cand := l[:i] + l[i+1:]
			shaped := cand[15:19] == "MEX<" && isDigit(cand[19]) && isDigit(cand[20]) && cand[21:23] == "<<" && cand[28] == '<'
			if shaped && checks(cand[0:6], cand[6]) && checks(cand[8:14], cand[14]) && checks(composite(l1, cand), cand[29]) && !slices.Contains(found, cand) {
				found = append(found, cand)
			}
		}
		if len(found) == 1 {
			z.note("line 2: an extra character removed")
			l = found[0]
		}
	}
	if len(l) != 30 {
		return "", fmt.Errorf("%w: line 2 has %d characters, want 30", ErrNotMRZ, len(l))
	}
	b := []byte(l)
	for _, r := range [][2]int{{0, 7}, {8, 15}, {29, 30}} {
		d, ok := asDigits(string(b[r[0]:r[1]]))
		if !ok {
			return "", fmt.Errorf("%w: line 2 %q is not digits", ErrNotMRZ, string(b[r[0]:r[1]]))
		}
		if d != string(b[r[0]:r[1]]) {
			z.note("line 2: %q read as %q", string(b[r[0]:r[1]]), d)
		}
		copy(b[r[0]:r[1]], d)
	}
	switch b[7] {
	case 'H', 'M', 'X', '<':
	case 'N':
		b[7] = 'M'
		z.note("line 2: sex 'N' read as 'M'")
	default:
		return "", fmt.Errorf("%w: sex %q", ErrNotMRZ, b[7])
	}
	if string(b[15:18]) != "MEX" {
		if !looksLike(string(b[15:18]), "MEX") {
			return "", fmt.Errorf("%w: nationality %q", ErrNotMRZ, string(b[15:18]))
		}
		z.note("line 2: nationality %q read as MEX", string(b[15:18]))
		copy(b[15:18], "MEX")
	}
	return string(b), nil
}

// composite is what the composite check digit covers: line 1 positions 6–30 and line 2
// positions 1–7, 9–15 and 19–29 (1-based).
func composite(l1, l2 string) string {
	return l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29]
}

// repairLine3: PATERNO<MATERNO<<NOMBRES, letters and '<' only.
func (z *Zone) repairLine3(l string) string {
	b := []byte(l)
	for i, c := range b {
		switch c {
		case '0':
			b[i] = 'O'
		case '1':
			b[i] = 'I'
		case '5':
			b[i] = 'S'
		case '8':
			b[i] = 'B'
		case '2':
			b[i] = 'Z'
		}
	}
	if string(b) != l {
		z.note("line 3: digits read as letters")
	}
	return string(b)
}

func yymmdd(s string, future bool) (time.Time, bool) {
	t, err := time.Parse("060102", s)
	if err != nil {
		return time.Time{}, false
	}
	// Go puts 69–99 in the 1900s; a birth date is never in the future.
	if !future && t.After(time.Now()) {
		t = t.AddDate(-100, 0, 0)
	}
	return t, true
}

func (z *Zone) fill() {
	l1, l2, l3 := z.Lines[0], z.Lines[1], z.Lines[2]
	z.CIC, z.OCR = l1[5:14], l1[17:30]
	z.Checks.CIC = checks(l1[5:14], l1[14])
	z.Birth, _ = yymmdd(l2[0:6], false)
	z.Checks.Birth = checks(l2[0:6], l2[6])
	z.Sex = string(l2[7])
	z.Expiry, _ = yymmdd(l2[8:14], true)
	z.Checks.Expiry = checks(l2[8:14], l2[14])
	z.Nationality = l2[15:18]
	z.Optional2 = l2[18:29]
	z.Checks.Composite = checks(composite(l1, l2), l2[29])
	z.Paterno, z.Materno, z.Nombres = Names(l3)
}

// Names splits a line 3 (PATERNO<MATERNO<<NOMBRES<<<) into the surnames and given names,
// fillers inside a name read as spaces.
func Names(line3 string) (paterno, materno, nombres string) {
	names := strings.SplitN(strings.TrimRight(line3, "<"), "<<", 2)
	surnames := strings.SplitN(names[0], "<", 2)
	paterno = surnames[0]
	if len(surnames) > 1 {
		materno = strings.ReplaceAll(surnames[1], "<", " ")
	}
	if len(names) > 1 {
		nombres = strings.TrimSpace(strings.ReplaceAll(names[1], "<", " "))
	}
	return paterno, materno, nombres
}

// Format writes the zone's three lines from its fields (CIC, OCR, Birth, Sex, Expiry,
// Optional2 and the names), check digits computed; names are transliterated to A–Z
// (Ñ → N) and cut at 30 characters. It is how a card printer writes the zone.
func (z *Zone) Format() ([3]string, error) {
	if len(z.CIC) != 9 || len(z.OCR) != 13 {
		return [3]string{}, fmt.Errorf("mrz: CIC %q and OCR %q must have 9 and 13 digits", z.CIC, z.OCR)
	}
	opt := z.Optional2
	if len(opt) != 11 {
		return [3]string{}, fmt.Errorf("mrz: optional data %q must have 11 characters", opt)
	}
	digit := func(s string) (string, error) {
		d, err := CheckDigit(s)
		return string(d), err
	}
	cicCheck, err := digit(z.CIC)
	if err != nil {
		return [3]string{}, err
	}
	l1 := "IDMEX" + z.CIC + cicCheck + "<<" + z.OCR
	birth, expiry := z.Birth.Format("060102"), z.Expiry.Format("060102")
	bc, err := digit(birth)
	if err != nil {
		return [3]string{}, err
	}
	ec, _ := digit(expiry)
	sex := z.Sex
	if len(sex) != 1 {
		sex = "<"
	}
	l2 := birth + bc + sex + expiry + ec + "MEX" + opt
	cc, err := digit(composite(l1, l2+"0"))
	if err != nil {
		return [3]string{}, err
	}
	l2 += cc
	name := transliterate(z.Paterno) + "<" + transliterate(z.Materno) + "<<" + transliterate(z.Nombres)
	name = (name + strings.Repeat("<", 30))[:30]
	return [3]string{l1, l2, name}, nil
}

// transliterate maps a printed name to the zone's alphabet: letters A–Z, '<' for spaces.
func transliterate(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r == ' ' || r == '-':
			b.WriteByte('<')
		case strings.ContainsRune("ÁÀÄÂ", r):
			b.WriteByte('A')
		case strings.ContainsRune("ÉÈËÊ", r):
			b.WriteByte('E')
		case strings.ContainsRune("ÍÌÏÎ", r):
			b.WriteByte('I')
		case strings.ContainsRune("ÓÒÖÔ", r):
			b.WriteByte('O')
		case strings.ContainsRune("ÚÙÜÛ", r):
			b.WriteByte('U')
		case r == 'Ñ':
			b.WriteByte('N')
		}
	}
	return b.String()
}
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
