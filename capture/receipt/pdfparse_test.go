package receipt

import (
	"bytes"
	"compress/zlib"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// This file is a minimal reader for the PDFs gopdf writes, so the tests
// can check what a receipt says without poppler. gopdf draws text as
// glyph ids of subset fonts, but it also writes a ToUnicode CMap per font;
// decoding through that CMap is what a PDF viewer's copy-paste does.

// run is one text-showing operation: one drawn line.
type run struct {
	page   int
	x, y   float64 // baseline origin, points from the bottom-left corner
	font   string  // BaseFont of the font, as registered ("regular"/"bold")
	size   float64 // points
	glyphs []uint16
	text   string
}

type parsedPDF struct {
	runs  []run
	pages int
}

// countPages counts page objects; "/Type /Pages" does not match.
func countPages(pdf []byte) int {
	return len(regexp.MustCompile(`/Type\s*/Page\b`).FindAll(pdf, -1))
}

func parsePDF(t *testing.T, pdf []byte) parsedPDF {
	t.Helper()
	reObj := regexp.MustCompile(`(?m)^(\d+) 0 obj\r?\n`)
	reFontRes := regexp.MustCompile(`/F(\d+) (\d+) 0 R`)
	reToUnicode := regexp.MustCompile(`/ToUnicode (\d+) 0 R`)
	reBaseFont := regexp.MustCompile(`/BaseFont /(\S+)`)
	reBfrange := regexp.MustCompile(`<([0-9A-Fa-f]{4})><([0-9A-Fa-f]{4})><([0-9A-Fa-f]{4,8})>`)
	reKids := regexp.MustCompile(`/Kids \[([^\]]*)\]`)
	reRef := regexp.MustCompile(`(\d+) 0 R`)
	reContents := regexp.MustCompile(`/Contents\s+(\d+) 0 R`)
	reTD := regexp.MustCompile(`^(-?[\d.]+) (-?[\d.]+) TD$`)
	reTf := regexp.MustCompile(`^/F(\d+) ([\d.]+) Tf`)
	reHex := regexp.MustCompile(`<([0-9A-Fa-f]*)>`)
	objs := map[int][]byte{}
	locs := reObj.FindAllSubmatchIndex(pdf, -1)
	for i, l := range locs {
		n, _ := strconv.Atoi(string(pdf[l[2]:l[3]]))
		end := len(pdf)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		objs[n] = pdf[l[1]:end]
	}
	ref := func(b []byte, re *regexp.Regexp) int {
		m := re.FindSubmatch(b)
		if m == nil {
			return -1
		}
		n, _ := strconv.Atoi(string(m[1]))
		return n
	}
	stream := func(n int) []byte {
		b := objs[n]
		start := bytes.Index(b, []byte("stream\n"))
		end := bytes.LastIndex(b, []byte("endstream"))
		if start < 0 || end < start {
			t.Fatalf("object %d has no stream", n)
		}
		data := b[start+len("stream\n") : end]
		if bytes.Contains(b[:start], []byte("/FlateDecode")) {
			zr, err := zlib.NewReader(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("object %d: %v", n, err)
			}
			if data, err = io.ReadAll(zr); err != nil {
				t.Fatalf("object %d: %v", n, err)
			}
		}
		return data
	}

	// Font resources: /F<n> -> (BaseFont, glyph id -> rune).
	type font struct {
		name  string
		toUni map[uint16]rune
	}
	fonts := map[string]font{}
	for _, n := range slices.Sorted(maps.Keys(objs)) {
		b := objs[n]
		if !bytes.Contains(b, []byte("/ProcSet")) {
			continue
		}
		for _, m := range reFontRes.FindAllSubmatch(b, -1) {
			fobj, _ := strconv.Atoi(string(m[2]))
			f := font{name: string(reBaseFont.FindSubmatch(objs[fobj])[1]), toUni: map[uint16]rune{}}
			for _, r := range reBfrange.FindAllSubmatch(stream(ref(objs[fobj], reToUnicode)), -1) {
				lo, _ := strconv.ParseUint(string(r[1]), 16, 16)
				hi, _ := strconv.ParseUint(string(r[2]), 16, 16)
				dst, _ := strconv.ParseUint(string(r[3]), 16, 32)
				for g := lo; g <= hi; g++ {
					f.toUni[uint16(g)] = rune(dst + g - lo)
				}
			}
			fonts[string(m[1])] = f
		}
	}

	var out parsedPDF
	var pagesObj []byte
	for _, b := range objs {
		if bytes.Contains(b, []byte("/Type /Pages")) {
			pagesObj = b
		}
	}
	for _, k := range reRef.FindAllSubmatch(reKids.FindSubmatch(pagesObj)[1], -1) {
		pn, _ := strconv.Atoi(string(k[1]))
		out.pages++
		var cur run
		cur.page = out.pages
		for line := range strings.SplitSeq(string(stream(ref(objs[pn], reContents))), "\n") {
			if m := reTD.FindStringSubmatch(line); m != nil {
				cur.x, _ = strconv.ParseFloat(m[1], 64)
				cur.y, _ = strconv.ParseFloat(m[2], 64)
			}
			if m := reTf.FindStringSubmatch(line); m != nil {
				f, ok := fonts[m[1]]
				if !ok {
					t.Fatalf("content uses unknown font /F%s", m[1])
				}
				cur.font = f.name
				cur.size, _ = strconv.ParseFloat(m[2], 64)
			}
			if strings.HasSuffix(line, "TJ") {
				var f font
				for _, ff := range fonts {
					if ff.name == cur.font {
						f = ff
					}
				}
				r := cur
				r.glyphs = nil
				var sb strings.Builder
				for _, h := range reHex.FindAllStringSubmatch(line, -1) {
					for i := 0; i+4 <= len(h[1]); i += 4 {
						g, _ := strconv.ParseUint(h[1][i:i+4], 16, 16)
						c, ok := f.toUni[uint16(g)]
						if !ok {
							t.Fatalf("glyph %04X of font %s has no ToUnicode entry", g, f.name)
						}
						r.glyphs = append(r.glyphs, uint16(g))
						sb.WriteRune(c)
					}
				}
				r.text = sb.String()
				out.runs = append(out.runs, r)
			}
		}
	}
	return out
}

// text returns all drawn lines, one per line, in drawing order.
func (p parsedPDF) text() string {
	var sb strings.Builder
	for _, r := range p.runs {
		sb.WriteString(r.text)
		sb.WriteByte('\n')
	}
	return sb.String()
}

// flat is text with every run of whitespace, line breaks included, turned
// into one space: phrases are found even when wrapped across lines.
func (p parsedPDF) flat() string { return strings.Join(strings.Fields(p.text()), " ") }

// squeezed is text with all whitespace removed, to catch an identifier
// even if it was wrapped or spaced out.
func (p parsedPDF) squeezed() string { return strings.Join(strings.Fields(p.text()), "") }

// checkBounds fails if any drawn line starts or ends outside the margins.
// Widths are computed from the TTF files with x/image/font/sfnt, not with
// gopdf, so the wrapping code is checked against an independent measure.
func checkBounds(t *testing.T, p parsedPDF) {
	t.Helper()
	metrics := map[string]*sfnt.Font{}
	for name, path := range map[string]string{famRegular: DefaultRegular, famBold: DefaultBold} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := sfnt.Parse(data)
		if err != nil {
			t.Fatal(err)
		}
		metrics[name] = f
	}
	const mm = 72 / 25.4
	minX, maxX := margin*mm-0.5, (pageW-margin)*mm+0.5
	minY, maxY := margin*mm-0.5, (pageH-margin)*mm+0.5
	var buf sfnt.Buffer
	for _, r := range p.runs {
		f := metrics[r.font]
		if f == nil {
			t.Fatalf("unknown font %q", r.font)
		}
		upem := f.UnitsPerEm()
		var adv fixed.Int26_6
		for _, g := range r.glyphs {
			a, err := f.GlyphAdvance(&buf, sfnt.GlyphIndex(g), fixed.I(int(upem)), 0)
			if err != nil {
				t.Fatal(err)
			}
			adv += a
		}
		width := float64(adv) / 64 / float64(upem) * r.size
		if r.x < minX || r.x+width > maxX || r.y < minY || r.y > maxY {
			t.Errorf("page %d: line %q at (%.1f, %.1f) width %.1f pt leaves the margins [%.1f..%.1f]x[%.1f..%.1f]",
				r.page, r.text, r.x, r.y, width, minX, maxX, minY, maxY)
		}
	}
}
