package ocr

import (
	"image"
	"slices"
	"strings"
	"unicode"

	"cotejo/ocr/labels"
	"cotejo/ocr/layout"
)

// The words a credential's headers and bands print in capitals, which a name never is.
var headerWords = map[string]bool{
	"INSTITUTO": true, "NACIONAL": true, "FEDERAL": true, "ELECTORAL": true, "CREDENCIAL": true,
	"PARA": true, "VOTAR": true, "MEXICO": true, "MÉXICO": true, "REGISTRO": true, "ELECTORES": true,
	"ESTADOS": true, "UNIDOS": true, "MEXICANOS": true,
}

// wordLine is a row of the page's words, left to right.
type wordLine struct {
	box   image.Rectangle
	words []string
}

// wordLines groups the page's words in capitals into rows: words that share most of
// their height. Words with small letters (captions, fine print) are left out: they
// would join a name's row where a caption stands close under it.
func wordLines(ws []labels.Word) []wordLine {
	var order []labels.Word
	for _, w := range ws {
		if strings.ToUpper(w.Text) == w.Text {
			order = append(order, w)
		}
	}
	slices.SortFunc(order, func(a, b labels.Word) int { return a.Box.Min.X - b.Box.Min.X })
	var out []wordLine
	for _, w := range order {
		placed := false
		for i := range out {
			l := &out[i]
			if 2*overlapY(w.Box, l.box) >= min(w.Box.Dy(), l.box.Dy()) && w.Box.Min.X-l.box.Max.X < 3*max(w.Box.Dy(), 8) {
				l.box = l.box.Union(w.Box)
				l.words = append(l.words, w.Text)
				placed = true
				break
			}
		}
		if !placed {
			out = append(out, wordLine{box: w.Box, words: []string{w.Text}})
		}
	}
	slices.SortFunc(out, func(a, b wordLine) int { return a.box.Min.Y - b.box.Min.Y })
	return out
}

// nameLike: every word is letters only, two or more of them or a particle, and none is
// a header's word.
func (l wordLine) nameLike() bool {
	for _, w := range l.words {
		w = strings.TrimRight(w, ".,")
		if headerWords[strings.ToUpper(w)] {
			return false
		}
		n := 0
		for _, r := range w {
			if !unicode.IsUpper(r) {
				return false
			}
			n++
		}
		if n < 2 && w != "Y" {
			return false
		}
	}
	return len(l.words) > 0
}

// nameBlock finds the front's names where no label says where they are: the topmost
// run of two to four lines of capital letters only, one under the other, starting at
// the same left edge, as every model prints its holder's surnames and given names.
// The page's key, when its words read like one, must begin with the block's initials.
func (s *SideInfo) nameBlock() *layout.Region {
	ls := wordLines(s.words)
	key := ""
	if cs := s.keyCandidates(layout.CURP); len(cs) > 0 && cs[0].fit >= 15 {
		key = cs[0].text
	}
	for i := range ls {
		if !ls[i].nameLike() {
			continue
		}
		run := []wordLine{ls[i]}
		for j := i + 1; j < len(ls) && len(run) < 4; j++ {
			prev, l := run[len(run)-1], ls[j]
			h := max(prev.box.Dy(), 8)
			if l.box.Min.X > run[0].box.Max.X+h || l.box.Max.X < run[0].box.Min.X {
				continue // another column's (the photo, a hologram read as text)
			}
			if !l.nameLike() || l.box.Min.Y-prev.box.Max.Y > h || abs(l.box.Min.X-run[0].box.Min.X) > h ||
				2*l.box.Dy() < prev.box.Dy() || l.box.Dy() > 2*prev.box.Dy() {
				break
			}
			run = append(run, l)
		}
		if len(run) < 2 || !initialsAgree(run, key) {
			continue
		}
		box := run[0].box
		for _, l := range run[1:] {
			box = box.Union(l.box)
		}
		lh := box.Dy() / len(run)
		m := max(8, lh/2)
		box = image.Rect(box.Min.X-m, box.Min.Y-lh/3, box.Max.X+m, box.Max.Y+lh/3).Intersect(s.card.Bounds())
		return &layout.Region{Field: layout.Nombre, Box: box, Lines: len(run), Size: float64(run[0].box.Dy()) / 0.729}
	}
	return nil
}

// initialsAgree: a CURP begins with the first surname's initial and has the second
// surname's (or X) third and the given name's fourth; unknown when no key was read.
func initialsAgree(run []wordLine, curp string) bool {
	if len(curp) < 4 {
		return true
	}
	first := func(l wordLine) byte {
		s := fold(strings.Join(l.words, ""))
		if s == "" {
			return 0
		}
		return s[0]
	}
	return first(run[0]) == curp[0]
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}
