package receipt

import (
	"strings"

	"github.com/signintech/gopdf"
)

// wrap breaks s into lines no wider than w (mm) in pdf's current font,
// measured with gopdf itself so that what is measured is what is drawn.
// Lines break at spaces; a word wider than w (a long id, a URL) is split
// between characters rather than allowed to run off the page. A newline
// in s forces a break. Runs of spaces collapse to one.
func wrap(pdf *gopdf.GoPdf, s string, w float64) ([]string, error) {
	fits := func(t string) (bool, error) {
		tw, err := pdf.MeasureTextWidth(t)
		return tw <= w+1e-6, err
	}
	var lines []string
	for para := range strings.SplitSeq(s, "\n") {
		words := strings.Fields(para)
		if len(words) == 0 {
			lines = append(lines, "")
			continue
		}
		cur := ""
		for _, word := range words {
			cand := word
			if cur != "" {
				cand = cur + " " + word
			}
			ok, err := fits(cand)
			if err != nil {
				return nil, err
			}
			if ok {
				cur = cand
				continue
			}
			if cur != "" {
				lines = append(lines, cur)
				cur = ""
			}
			if ok, err = fits(word); err != nil {
				return nil, err
			} else if ok {
				cur = word
				continue
			}
			pieces, err := breakWord(pdf, word, w)
			if err != nil {
				return nil, err
			}
			lines = append(lines, pieces[:len(pieces)-1]...)
			cur = pieces[len(pieces)-1]
		}
		lines = append(lines, cur)
	}
	return lines, nil
}

// breakWord splits a word that is wider than w into pieces that are not,
// at least one character each (so a glyph wider than w cannot loop).
func breakWord(pdf *gopdf.GoPdf, word string, w float64) ([]string, error) {
	var pieces []string
	var cur []rune
	for _, c := range word {
		tw, err := pdf.MeasureTextWidth(string(append(cur, c)))
		if err != nil {
			return nil, err
		}
		if tw > w+1e-6 && len(cur) > 0 {
			pieces = append(pieces, string(cur))
			cur = cur[:0]
		}
		cur = append(cur, c)
	}
	return append(pieces, string(cur)), nil
}

// ellipsize shortens s with a trailing "…" until it fits in w, for the
// one-line footer copy of a value that is printed in full elsewhere.
func ellipsize(pdf *gopdf.GoPdf, s string, w float64) (string, error) {
	tw, err := pdf.MeasureTextWidth(s)
	if err != nil || tw <= w {
		return s, err
	}
	rs := []rune(s)
	lo, hi := 0, len(rs) // longest prefix that fits is in [lo, hi)
	for lo+1 < hi {
		mid := (lo + hi) / 2
		tw, err := pdf.MeasureTextWidth(string(rs[:mid]) + "…")
		if err != nil {
			return "", err
		}
		if tw <= w {
			lo = mid
		} else {
			hi = mid
		}
	}
	return string(rs[:lo]) + "…", nil
}
