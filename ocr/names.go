package ocr

import (
	"slices"
	"strings"
	"time"
	"unicode"

	"cotejo/ocr/labels"
	"cotejo/ocr/layout"
	"cotejo/ocr/mrz"
	"cotejo/verify/credential"
)

// fold is how the zone writes a name: no Ñ, no accents.
func fold(s string) string {
	return strings.Map(func(r rune) rune {
		if r == 'Ñ' {
			return 'N'
		}
		return r
	}, credential.Normalize(s))
}

// cleanName keeps capitals and single spaces.
func cleanName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z' || r == 'Ñ' || r == ' ':
			return r
		case unicode.IsLower(r):
			return unicode.ToUpper(r)
		}
		return -1
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// trimStray drops a short word ending a name line: a letter or two of the background's
// pattern read as text. Particles (DE, LA, Y…) come before a word, never last, unless
// they are the name's end themselves after another particle ("DE LA O").
func trimStray(s string) string {
	ws := strings.Fields(s)
	particle := func(w string) bool {
		switch w {
		case "DE", "LA", "DEL", "LOS", "LAS", "Y", "VAN", "VON", "MC":
			return true
		}
		return false
	}
	if n := len(ws); n > 1 && len(ws[n-1]) <= 2 && !particle(ws[n-2]) {
		ws = ws[:n-1]
	}
	return strings.Join(ws, " ")
}

// readNames takes the front's three lines (two without a second surname) and checks
// each against the zone's line 3, which has no Ñ and may be cut at 30 characters.
func readNames(in map[layout.Field]raw, z *mrz.Zone, zoneConf float64) map[string]Field {
	out := map[string]Field{}
	v := in[layout.Nombre]
	var lines []Line
	for _, l := range v.lines {
		if t := trimStray(cleanName(l.Text)); t != "" {
			lines = append(lines, Line{Text: t, Confidence: l.Confidence})
		}
	}
	if len(lines) > 3 {
		// More lines than a name has: a letter or two of the label or the background
		// read as a line of its own goes first.
		lines = slices.DeleteFunc(lines, func(l Line) bool { return len([]rune(l.Text)) <= 2 })
	}
	keys := []string{"apellidoPaterno", "apellidoMaterno", "nombre"}
	var front [3]Line
	switch len(lines) {
	case 3:
		front = [3]Line{lines[0], lines[1], lines[2]}
	case 2:
		front = [3]Line{lines[0], {Confidence: min(lines[0].Confidence, lines[1].Confidence)}, lines[1]}
	case 0:
	default:
		if len(lines) > 3 {
			rest := lines[2]
			for _, l := range lines[3:] {
				rest.Text += " " + l.Text
				rest.Confidence = min(rest.Confidence, l.Confidence)
			}
			front = [3]Line{lines[0], lines[1], rest}
		} else {
			front = [3]Line{lines[0], {}, {}}
		}
	}
	if z == nil {
		for i, k := range keys {
			f := Field{Value: front[i].Text, Confidence: front[i].Confidence, Source: "front"}
			if len(lines) != 2 && len(lines) != 3 {
				f.Confidence = min(f.Confidence, 0.4)
				f.Note = "the name block did not read as two or three lines"
			}
			out[k] = f
		}
		return out
	}
	// Line 3 fills all 30 places when the names were cut.
	cut := len(z.Lines[2]) == 30 && z.Lines[2][29] != '<'
	zone := [3]string{z.Paterno, z.Materno, z.Nombres}
	// The zone's other readings of line 3, outvoted: a front that reads as one of them
	// has the zone's second opinion on its side.
	var others [][3]string
	for _, t := range in[mrzLine3].others {
		p, m, n := mrz.Names(t)
		others = append(others, [3]string{p, m, n})
	}
	for i, k := range keys {
		fv, fc, mv := front[i].Text, front[i].Confidence, zone[i]
		last := i == 2 || (i == 1 && zone[2] == "")
		switch {
		case fold(fv) == mv:
			out[k] = Field{Value: fv, Confidence: max(fc, 0.98), Source: "front+mrz"}
		case fc >= Review && slices.ContainsFunc(others, func(o [3]string) bool { return o[i] == fold(fv) }):
			// The front and one reading of the zone agree where the zone's readings
			// differ among themselves (a blot of the background makes an I a T in some).
			out[k] = Field{Value: fv, Confidence: doubtful, Source: "front+mrz", Note: sidedNote}
		case cut && last && strings.HasPrefix(fold(fv), mv) && mv != "":
			out[k] = Field{Value: fv, Confidence: max(fc, 0.95), Source: "front+mrz"}
		case zoneConf > 0 && zoneConf <= doubtful && fc >= 0.9 && labels.Distance(fold(fv), mv) <= float64(len(mv))/4:
			// The zone's readings of the names differ among themselves: a sure front
			// that reads nearly the same wins, for the operator to check.
			out[k] = Field{Value: fv, Confidence: min(fc, 0.6), Source: "front", Note: "front and zone disagree"}
		case len([]rune(fv)) == len(mv):
			// Same length: the zone's OCR-B letters win, the front's Ñ stays.
			fr, mr := []rune(fv), []rune(mv)
			f := Field{Confidence: 0.9, Source: "mrz+front", Note: correctedNote}
			for j := range mr {
				// Letters only: a space on the front against a letter in the zone is a
				// filler misread ('<' as K or X), and Ñ is what the zone cannot write.
				if fr[j] == ' ' || mr[j] == ' ' || fr[j] == mr[j] || (fr[j] == 'Ñ' && mr[j] == 'N') {
					continue
				}
				if fc >= Review && fr[j] >= 'A' && fr[j] <= 'Z' {
					// A sure front's letter against the zone's: the zone's, for the
					// operator to check (a blot of the background can make an I a T in
					// every reading of the zone).
					f.Confidence = doubtful
				}
				fr[j] = mr[j]
			}
			f.Value = string(fr)
			out[k] = f
		case fc >= 0.9 && fc > zoneConf && labels.Distance(fold(fv), mv) <= float64(len(mv))/4:
			// The zone's line 3 has no check digit: a surer front wins, if it reads
			// nearly the same name (far from it, the front's crop is of something else).
			out[k] = Field{Value: fv, Confidence: min(fc, 0.85), Source: "front", Note: "front and zone disagree"}
		case !cut || !last:
			// The zone has the whole name: take it, which loses a Ñ if there was one.
			f := Field{Value: mv, Confidence: 0.75, Source: "mrz", Note: "front and zone disagree"}
			if strings.ContainsRune(fv, 'Ñ') {
				f.Confidence = 0.5
			}
			out[k] = f
		default:
			out[k] = Field{Value: fv, Confidence: min(fc, 0.6), Source: "front", Note: "front and zone disagree"}
		}
	}
	return out
}

// correctedNote marks a name whose letters the zone corrected; sidedNote, a front's
// name that one of the zone's outvoted readings agrees with.
const (
	correctedNote = "letters corrected from the zone"
	sidedNote     = "the front agrees with one of the zone's readings"
)

// readCURP shapes the front's CURP by position, checks its check digit and its birth
// date and sex against the zone's, and repairs one misread the check digit confirms.
func readCURP(in map[layout.Field]raw, names map[string]Field, birth time.Time, sex, birthSrc string) Field {
	// The letters a CURP takes from the names, when the names are sure.
	fromNames := func(string) bool { return false }
	namesKnown := false
	p, m, n := names["apellidoPaterno"], names["apellidoMaterno"], names["nombre"]
	// A filter among candidates the check digit already passed, so a lower bar than the
	// clave's, whose letters it would overwrite.
	// A name whose letters the zone corrected, left for the operator, still has the
	// length and nearly all the letters both readings agree on: enough for a filter.
	usable := func(f Field) bool {
		return f.Confidence >= Review || f.Confidence >= doubtful && (f.Note == correctedNote || f.Note == sidedNote)
	}
	// A lost character is restored only with the names' letters to confirm it; names
	// read with little confidence still confirm it, for the operator to check (seven
	// letters and the check digit agreeing by chance is unlikely).
	weak := func(f Field) bool { return f.Confidence >= 0.5 && f.Value != "" }
	restoreSure := false
	fromWeakNames := func(string) bool { return false }
	if weak(p) && weak(n) && (weak(m) || m.Value == "") && !birth.IsZero() && sex != "" {
		want := credential.MakeCURP(p.Value, m.Value, n.Value, birth, sex[0], "XX", '0')
		fromWeakNames = func(c string) bool { return c[0:4] == want[0:4] && c[13:16] == want[13:16] }
		if usable(p) && usable(n) && (usable(m) || m.Value == "") {
			fromNames, namesKnown, restoreSure = fromWeakNames, true, true
		}
	}
	both := "front"
	if birthSrc != "front" {
		both = "front+" + birthSrc
	}
	// The homonym character is a digit for those born before 2000, a letter after.
	pattern := "LLLLDDDDDDSLLLLLAD"
	if !birth.IsZero() {
		pattern = pattern[:16] + map[bool]string{true: "D", false: "L"}[birth.Year() < 2000] + "D"
	}
	v := in[layout.CURP]
	s := shape(squeeze(v.text()), pattern)
	if yy := atoi(shape(s, pattern)[min(4, len(s)):min(6, len(s))]); birth.IsZero() && len(s) == 18 && yy > time.Now().Year()%100 {
		// Born in a year ending above this one's: in the 1900s, so the homonym
		// character is a digit (the check digit cannot tell O from 0 there).
		pattern = pattern[:16] + "DD"
		s = shape(s, pattern)
	}
	f := Field{Value: s, Confidence: v.conf(), Source: "front"}
	agrees := func(c string) bool {
		return !birth.IsZero() && c[4:10] == birth.Format("060102") && (sex == "" || c[10:11] == sex)
	}
	if len(s) == 17 {
		// A character lost (a thin I at the start, often): insert the one character the
		// check digit, the birth date and the letters the names give all confirm.
		var found []string
		for i := range 18 {
			for _, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" {
				cand := shape(s[:i]+string(c)+s[i:], pattern)
				if credential.ValidateCURP(cand) == nil && agrees(cand) && fromWeakNames(cand) && !slices.Contains(found, cand) {
					found = append(found, cand)
				}
			}
		}
		if len(found) == 1 {
			f := Field{Value: found[0], Confidence: 0.9, Source: both, Note: "a lost character restored with the check digit and the names"}
			if !restoreSure {
				f.Confidence = doubtful
			}
			return f
		}
	}
	if len(s) == 19 || len(s) == 20 {
		// Characters read twice (tesseract reads a 0 as "0O") or specks: keep the one
		// deletion the check digit (and the birth date, when known) confirms.
		var found []string
		for _, cand := range deletions(s, len(s)-18) {
			cand = shape(cand, pattern)
			if credential.ValidateCURP(cand) == nil && (birth.IsZero() || agrees(cand)) && !slices.Contains(found, cand) {
				found = append(found, cand)
			}
		}
		if len(found) == 1 {
			return Field{Value: found[0], Confidence: 0.9, Source: "front", Note: "an extra character removed with the check digit"}
		}
	}
	if len(s) != 18 {
		f.Confidence, f.Note = min(f.Confidence, 0.3), "not 18 characters"
		return f
	}
	if credential.ValidateCURP(s) == nil {
		f.Confidence = max(f.Confidence, 0.95)
		if agrees(s) {
			f.Confidence, f.Source = 0.99, both
		}
		return f
	}
	// Known birth date and sex first, then one confusable character at a time.
	b := []byte(s)
	if !birth.IsZero() {
		copy(b[4:10], birth.Format("060102"))
		if sex != "" {
			b[10] = sex[0]
		}
		if credential.ValidateCURP(string(b)) == nil {
			return Field{Value: string(b), Confidence: 0.9, Source: both, Note: "birth date or sex corrected"}
		}
	}
	var found []string
	for i := range b {
		orig := b[i]
		alt := alternatives(orig)
		for j := range len(alt) {
			b[i] = alt[j]
			if cand := string(b); credential.ValidateCURP(cand) == nil && (birth.IsZero() || agrees(cand)) && (!namesKnown || fromNames(cand)) {
				found = append(found, cand)
			}
		}
		b[i] = orig
	}
	if len(found) == 1 {
		return Field{Value: found[0], Confidence: 0.85, Source: "front", Note: "one character repaired with the check digit"}
	}
	f.Confidence, f.Note = min(f.Confidence, 0.4), "check digit does not match"
	return f
}

// alternatives are the characters OCR confuses c with.
func alternatives(c byte) string {
	switch c {
	case '0':
		return "ODQ8"
	case 'O', 'D', 'Q':
		return "0ODQ"
	case '1':
		return "I7L"
	case 'I', 'L':
		return "1IL"
	case '5', 'S':
		return "5S"
	case '8', 'B':
		return "8B3"
	case '2', 'Z':
		return "2Z"
	case '6', 'G':
		return "6GC"
	case 'C':
		return "GC"
	case 'E':
		return "FE"
	case 'F':
		return "EP"
	case 'P':
		return "FR"
	case 'R':
		return "PB"
	case 'M':
		return "HN"
	case 'H':
		return "MN"
	case 'N':
		return "MH"
	case 'V':
		return "Y"
	case 'Y':
		return "V"
	case '3':
		return "8"
	case '7':
		return "1"
	}
	return ""
}

// readClave shapes the clave de elector by position and checks what it shares with the
// names (its six letters), the birth date and the sex.
func readClave(in map[layout.Field]raw, names map[string]Field, curp Field, birth time.Time, sex string) Field {
	v := in[layout.ClaveElector]
	s := squeeze(v.text())
	f := Field{Value: shape(s, "LLLLLLDDDDDDDDSDDA"), Confidence: v.conf(), Source: "front"}
	if birth.IsZero() && curp.Confidence >= 0.95 && len(curp.Value) == 18 {
		if t, err := time.Parse("060102", curp.Value[4:10]); err == nil {
			birth = t
			sex = curp.Value[10:11]
		}
	}
	p, m, n := names["apellidoPaterno"], names["apellidoMaterno"], names["nombre"]
	derivable := p.Confidence >= 0.9 && n.Confidence >= 0.9 && (m.Confidence >= 0.9 || m.Value == "") && !birth.IsZero() && sex != ""
	if len(s) != 18 {
		if !derivable || len(s) < 15 {
			f.Confidence, f.Note = min(f.Confidence, 0.3), "not 18 characters"
			return f
		}
		// The first twelve characters follow from the names and the birth date: keep
		// only the read entity, sex and suffix, from the end.
		s = "XXXXXXXXXXXX" + s[len(s)-6:]
		f.Note = "length repaired from the names and birth date"
	}
	s = shape(s, "LLLLLLDDDDDDDDSDDA")
	b := []byte(s)
	fixed := []string{}
	doubt := ""
	if derivable {
		want := credential.MakeClaveElector(p.Value, m.Value, n.Value, birth, 1, sex[0], "000")
		if string(b[6:12]) != want[6:12] {
			copy(b[6:12], want[6:12])
			fixed = append(fixed, "birth date")
		}
		if b[14] != want[14] {
			b[14] = want[14]
			fixed = append(fixed, "sex")
		}
		// The letters follow from the names by a rule with exceptions (compound and
		// common first names): one misread letter is corrected, more is doubted.
		// An X read where the names give an inner consonant N is no misread: the names'
		// reading may have lost a Ñ's tilde, which the clave writes as X.
		enye := func(i int) bool { return i%2 == 1 && b[i] == 'X' && want[i] == 'N' }
		diff := 0
		for i := range 6 {
			if b[i] != want[i] && !enye(i) {
				diff++
			}
		}
		switch {
		case diff == 0:
		case string(b[:6]) == "XXXXXX":
			copy(b[:6], want[:6])
			fixed = append(fixed, "letters")
		case diff == 1:
			for i := range 6 {
				if !enye(i) {
					b[i] = want[i]
				}
			}
			fixed = append(fixed, "letters")
		default:
			doubt = "its letters do not follow from the names"
		}
	}
	f.Value = string(b)
	if err := credential.ValidateClaveElector(f.Value); err != nil {
		f.Confidence, f.Note = min(f.Confidence, 0.3), "not a valid clave de elector"
		return f
	}
	if doubt != "" {
		f.Confidence, f.Note = min(f.Confidence, 0.7), doubt
		return f
	}
	if len(fixed) > 0 {
		f.Confidence = min(max(f.Confidence, 0.8), 0.9)
		f.Source = "front+names"
		f.Note = "corrected from the names and birth date: " + strings.Join(fixed, ", ")
		return f
	}
	if !birth.IsZero() {
		f.Confidence = max(f.Confidence, 0.97)
	}
	return f
}

// deletions lists s with n characters removed, every way.
func deletions(s string, n int) []string {
	if n == 0 {
		return []string{s}
	}
	var out []string
	for i := range s {
		out = append(out, deletions(s[:i]+s[i+1:], n-1)...)
	}
	return out
}

// namesAgainstCURP flags, for the operator, a name that gives other letters than a sure
// CURP takes from it (a given name read as the second surname when a name line was lost,
// a misread initial): the CURP's check digit vouches for its letters, which come from the
// names (positions 1–4 and 14–16). The names are left as read.
func namesAgainstCURP(fields map[string]Field) {
	c := fields["curp"]
	if c.Confidence < Review || credential.ValidateCURP(c.Value) != nil {
		return
	}
	p, m, n := fields["apellidoPaterno"], fields["apellidoMaterno"], fields["nombre"]
	if p.Value == "" || n.Value == "" {
		return
	}
	want := credential.MakeCURP(p.Value, m.Value, n.Value, time.Time{}, 'H', "XX", '0')
	for k, at := range map[string][]int{"apellidoPaterno": {0, 1, 13}, "apellidoMaterno": {2, 14}, "nombre": {3, 15}} {
		f := fields[k]
		for _, i := range at {
			if want[i] != c.Value[i] && f.Confidence > doubtful {
				f.Confidence, f.Note = doubtful, "its letters differ from the CURP's"
				fields[k] = f
				break
			}
		}
	}
}

// restoreEnye puts back a Ñ that the front's reading lost (NUNEZ for NUÑEZ). The CURP
// and the clave de elector write each name's first inner consonant, and an X where that
// is a Ñ: a name whose first inner consonant reads N where the key has X had a Ñ
// there. The CURP counts when its check digit holds; otherwise a clave of the right
// pattern.
func restoreEnye(fields map[string]Field) {
	var key string
	var at [3]int // paterno, materno, nombre
	if c := fields["curp"].Value; credential.ValidateCURP(c) == nil {
		key, at = c, [3]int{13, 14, 15}
	} else if c := fields["claveElector"].Value; claveReading.MatchString(c) {
		key, at = c, [3]int{1, 3, 5}
	} else {
		return
	}
	for i, k := range []string{"apellidoPaterno", "apellidoMaterno", "nombre"} {
		f, ok := fields[k]
		if !ok || key[at[i]] != 'X' {
			continue
		}
		rs := []rune(f.Value)
		// The runes the key's letters come from: the whole surname, or the given name's
		// word the keys use.
		from, to := 0, len(rs)
		if k == "nombre" {
			if from, to = wordSpan(rs, credential.GivenNameWord(f.Value)); from < 0 {
				continue
			}
		}
		letters := 0
		for j := from; j < to; j++ {
			r := rs[j]
			if r == ' ' {
				continue
			}
			letters++
			if letters == 1 || strings.ContainsRune("AEIOU", r) {
				continue
			}
			// The first inner consonant.
			if r == 'N' {
				rs[j] = 'Ñ'
				f.Value, f.Note = string(rs), strings.TrimPrefix(f.Note+"; Ñ from the keys", "; ")
				fields[k] = f
			}
			break
		}
	}
}

// wordSpan is where the n-th space-separated word of rs starts and ends; -1, -1 when
// there is none.
func wordSpan(rs []rune, n int) (int, int) {
	w := -1
	for j, r := range rs {
		if r == ' ' || j > 0 && rs[j-1] != ' ' {
			continue
		}
		if w++; w == n {
			end := j
			for end < len(rs) && rs[end] != ' ' {
				end++
			}
			return j, end
		}
	}
	return -1, -1
}
