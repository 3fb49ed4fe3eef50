package receipt

import (
	"sort"
	"strings"
	"unicode"
)

// maskRune replaces hidden characters. An ASCII asterisk is used (rather
// than a bullet) so the masked value reads the same on screen, in the PDF
// and in a copy-paste from it.
const maskRune = '*'

// MaskCURP hides a CURP except its first 4 and last 2 characters
// ("MAMA************35"): enough for the citizen to recognise their own
// record, not enough to reuse it. Whitespace is dropped and letters are
// upper-cased first, so stray spaces from OCR do not shift the window.
//
// An input shorter than 12 characters is not a CURP (those have 18) and
// is masked completely: revealing 6 characters of a 7-character string
// would disclose it. The empty string stays empty.
func MaskCURP(s string) string {
	rs := []rune(strings.ToUpper(compact(s)))
	const head, tail = 4, 2
	if len(rs) < 2*(head+tail) {
		return strings.Repeat(string(maskRune), len(rs))
	}
	return string(rs[:head]) + strings.Repeat(string(maskRune), len(rs)-head-tail) + string(rs[len(rs)-tail:])
}

// MaskCIC hides a CIC or OCR number except its last 4 characters
// ("*****6789"), the usual convention for identifiers printed on paper.
// Whitespace is dropped first. An input of 8 characters or fewer is
// masked completely, so that at least as much is hidden as is shown
// (real CICs have 9 digits and OCRs 13). The empty string stays empty.
func MaskCIC(s string) string {
	rs := []rune(compact(s))
	const tail = 4
	if len(rs) <= 2*tail {
		return strings.Repeat(string(maskRune), len(rs))
	}
	return strings.Repeat(string(maskRune), len(rs)-tail) + string(rs[len(rs)-tail:])
}

// compact removes all whitespace, including inside the value.
func compact(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}

// secret is one identifier to scrub from free text and its masked form.
type secret struct{ full, masked string }

// redact replaces any occurrence of the full identifiers in free text
// (verdict, situation, codes, labels), in any letter case, with their
// masked form. Callers pass INE's messages through verbatim, and some of
// those quote the CURP; the receipt's promise must not depend on every
// caller remembering that.
func redact(text string, secrets []secret) string {
	for _, s := range secrets {
		text = replaceFold(text, s.full, s.masked)
	}
	return text
}

// replaceFold is strings.ReplaceAll with case-insensitive matching,
// comparing rune by rune so that case mapping never shifts byte offsets.
func replaceFold(text, old, repl string) string {
	o := []rune(old)
	t := []rune(text)
	if len(o) == 0 || len(o) > len(t) {
		return text
	}
	var b strings.Builder
	for i := 0; i < len(t); {
		if i+len(o) <= len(t) && foldEqual(t[i:i+len(o)], o) {
			b.WriteString(repl)
			i += len(o)
			continue
		}
		b.WriteRune(t[i])
		i++
	}
	return b.String()
}

func foldEqual(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] && unicode.ToLower(a[i]) != unicode.ToLower(b[i]) && unicode.ToUpper(a[i]) != unicode.ToUpper(b[i]) {
			return false
		}
	}
	return true
}

// secretsOf returns the identifiers to scrub from free text, longest
// first so that a value contained in another cannot leave a partial
// unmasked tail. Values shorter than 6 characters are skipped: replacing
// "12" everywhere would mangle ordinary text while protecting nothing.
func secretsOf(r Receipt) []secret {
	var out []secret
	add := func(raw, masked string) {
		seen := map[string]bool{} // case variants are matched by redact
		for _, v := range []string{strings.TrimSpace(raw), compact(raw)} {
			if len([]rune(v)) >= 6 && !seen[v] {
				seen[v] = true
				out = append(out, secret{v, masked})
			}
		}
	}
	add(r.CURP, MaskCURP(r.CURP))
	add(r.CIC, MaskCIC(r.CIC))
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].full) > len(out[j].full) })
	return out
}
