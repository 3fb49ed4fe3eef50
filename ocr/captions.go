package ocr

import (
	"image"
	"regexp"
	"strings"

	"cotejo/ocr/labels"
	"cotejo/ocr/layout"
)

// Some documents print the caption under its value rather than over or beside it.
// labels.Find looks right and below; when most values it finds there do not look like
// their fields while the lines just above the labels do, the page is of that kind.

// Each value's look as the page's words read it, loosely; compiled once, never changed.
var (
	keyShape     = regexp.MustCompile(`^[A-Z0-9]{16,19}$`)
	dateShape    = regexp.MustCompile(`^[0-9OIl]{1,2}/[0-9OIl]{1,2}/[0-9OIl]{4}$`)
	regShape     = regexp.MustCompile(`^[0-9OIl]{4} ?[0-9OIl]{2}$`)
	yearShape    = regexp.MustCompile(`^[0-9OIl]{4}$`)
	validShape   = regexp.MustCompile(`^[0-9OIl]{4}( ?- ?[0-9OIl]{4})?$`)
	sexShape     = regexp.MustCompile(`^[HM]$`)
	nameShape    = regexp.MustCompile(`^[A-ZÑÁÉÍÓÚÜ .,0-9#\n-]{3,}$`)
	claveReading = regexp.MustCompile(`^[A-Z]{6}[0-9]{8}[HM][0-9]{3}$`)
)

// fieldShape is what field f's value looks like, nil for a field of no set look.
func fieldShape(f layout.Field) *regexp.Regexp {
	switch f {
	case layout.CURP, layout.ClaveElector:
		return keyShape
	case layout.Nacimiento:
		return dateShape
	case layout.Registro:
		return regShape
	case layout.Seccion, layout.Emision:
		return yearShape
	case layout.Vigencia:
		return validShape
	case layout.Sexo:
		return sexShape
	case layout.Nombre, layout.Domicilio:
		return nameShape
	}
	return nil
}

// looksLike: text (a value's words) has field f's shape.
func looksLike(f layout.Field, text string) bool {
	re := fieldShape(f)
	if re == nil {
		return false
	}
	t := strings.TrimSpace(text)
	if f != layout.Nombre && f != layout.Domicilio {
		t = strings.Join(strings.Fields(t), " ")
		if f == layout.CURP || f == layout.ClaveElector {
			t = squeeze(t)
		}
	}
	return re.MatchString(t)
}

// captionsUnder re-places the values of a page whose captions stand under them, and
// reports whether it did.
func (s *SideInfo) captionsUnder() bool {
	near, above := 0, 0
	alt := make([]labels.Value, len(s.labels))
	for i, v := range s.labels {
		alt[i] = v
		if fieldShape(v.Field) == nil {
			continue
		}
		if looksLike(v.Field, v.Text) {
			near++
		}
		lines := 1
		if v.Field == layout.Nombre || v.Field == layout.Domicilio {
			lines = 3
		}
		if box, text, n := s.above(v, lines); n > 0 {
			alt[i].Box, alt[i].Text, alt[i].Lines, alt[i].Where = box, text, n, labels.Below
			if looksLike(v.Field, text) {
				above++
			}
		}
	}
	if above <= near || above < 2 {
		// Too few labels read to tell the page's kind; the names can still tell
		// themselves: letters only, where the address under them has numbers.
		for i, v := range s.labels {
			if v.Field == layout.Nombre && !namesText(v.Text) && namesText(alt[i].Text) {
				s.labels[i] = alt[i]
				return true
			}
		}
		return false
	}
	s.labels = alt
	return true
}

// namesText: every line of text is capital letters only, as names are.
func namesText(text string) bool {
	if strings.TrimSpace(text) == "" {
		return false
	}
	for _, l := range strings.Split(text, "\n") {
		if !(wordLine{words: strings.Fields(l)}).nameLike() {
			return false
		}
	}
	return true
}

// above gathers up to maxLines lines of words standing just over a label and starting
// about where it starts: the value's box (with a margin), its text and its line count.
func (s *SideInfo) above(v labels.Value, maxLines int) (image.Rectangle, string, int) {
	h := max(v.Label.Dy(), 8)
	top := v.Label.Min.Y
	var box image.Rectangle
	var lines []string
	for range maxLines {
		// The nearest word over the label's left end, not far above.
		best := -1
		for i, w := range s.words {
			if w.Box.Max.Y > top+h/3 || w.Box.Max.Y < top-3*h || w.Box.Min.X > v.Label.Min.X+3*h || w.Box.Max.X < v.Label.Min.X-h {
				continue
			}
			if s.isLabel(w.Box) {
				continue
			}
			if best < 0 || w.Box.Max.Y > s.words[best].Box.Max.Y {
				best = i
			}
		}
		if best < 0 {
			break
		}
		// Its line: words on the same row, chained rightwards with word-sized gaps.
		seed := s.words[best].Box
		line := seed
		var text []string
		for {
			grown := false
			for _, w := range s.words {
				if w.Box.In(line) || 2*overlapY(w.Box, seed) < min(w.Box.Dy(), seed.Dy()) || s.isLabel(w.Box) {
					continue
				}
				gap := seed.Dy() * 3 / 2
				if w.Box.Min.X <= line.Max.X+gap && w.Box.Max.X >= line.Min.X-gap {
					line = line.Union(w.Box)
					grown = true
				}
			}
			if !grown {
				break
			}
		}
		for _, w := range s.words {
			if w.Box.In(line) {
				text = append(text, w.Text)
			}
		}
		lines = append([]string{strings.Join(text, " ")}, lines...)
		if box.Empty() {
			box = line
		} else {
			box = box.Union(line)
		}
		top = line.Min.Y
	}
	if len(lines) == 0 {
		return image.Rectangle{}, "", 0
	}
	lh := box.Dy() / len(lines)
	m := max(8, lh/2)
	return image.Rect(box.Min.X-m, box.Min.Y-lh/3, box.Max.X+m, box.Max.Y+lh/3).Intersect(s.card.Bounds()), strings.Join(lines, "\n"), len(lines)
}

// isLabel: the box is one of the page's labels.
func (s *SideInfo) isLabel(b image.Rectangle) bool {
	for _, v := range s.labels {
		if b.Overlaps(v.Label) {
			return true
		}
	}
	return false
}

func overlapY(a, b image.Rectangle) int { return min(a.Max.Y, b.Max.Y) - max(a.Min.Y, b.Min.Y) }
