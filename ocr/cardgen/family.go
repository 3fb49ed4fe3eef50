package cardgen

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/image/font"

	"cotejo/ocr/layout"
	"cotejo/verify/credential"
)

// Layout families. The reader crops fields where ocr/layout says they are, and the base
// family prints them exactly there, so tests on base cards cannot tell a reader that
// finds the fields from one that only knows the project's coordinates. The other
// families print the same data as cards from other printers and reprints would: fields
// moved and re-arranged, labels worded and cased otherwise, other typefaces, colours and
// backgrounds. HeldOut is kept out of all tuning, to measure what tuning did not see.

// MixedFamilies, as a Set's Family, prints each card in another of Families().
const MixedFamilies = "mixed"

// Family is one way of printing the cards. The zero Family is base.
type Family struct {
	Name string
	st   *style // nil: the layout's tables
}

// Families returns the tuned families, base (the layout's tables) first.
func Families() []Family {
	return []Family{{Name: "base"}, reprintFamily(), inlineFamily(), gridFamily(), stackedFamily(), modernFamily()}
}

// HeldOut returns the family kept out of all tuning: its own arrangement (labels under
// their values, the header at the foot, the zone at the top of the back), wording,
// typefaces, colours and background.
func HeldOut() Family {
	return Family{Name: "heldout", st: &style{
		front: heldFront, mode: below,
		back:  backStyle{zone: zoneTop, size: [2]int{38, 41}, pitch: [2]float64{1.4, 1.5}, strip: stripBottom},
		words: wordsHeld, label: freeSansOblique, value: narrowBold, title: freeSansBold,
		labelCap: 10, labelC: color.RGBA{72, 62, 96, 255}, valueCap: [2]int{21, 25}, namesUp: 1, spacing: [2]float64{1.35, 1.5},
		hue: 200, tintHue: -25, paper: color.RGBA{252, 248, 236, 255}, ink: color.RGBA{18, 24, 64, 255}, ground: groundMoire,
	}}
}

// Unseen returns a second family kept out of tuning, drawn after the reader's failures
// on HeldOut's cards had been looked at (its names): serif values beside title-case
// labels ending in a colon, the photo at the right, the one-line fields in a grid with
// their labels above, the zone low on a back with a strip at the left.
func Unseen() Family {
	return Family{Name: "unseen", st: &style{
		front: unseenFront, mode: beside,
		back:  backStyle{zone: zoneBottom, size: [2]int{37, 40}, pitch: [2]float64{1.25, 1.4}, codesRight: true, strip: stripLeft},
		words: wordsColon, label: serifItalic, value: serifBold, title: serifBold,
		labelCap: 11, labelC: color.RGBA{90, 60, 40, 255}, valueCap: [2]int{19, 23}, spacing: [2]float64{1.3, 1.5},
		hue: -150, tintHue: 40, paper: color.RGBA{250, 247, 240, 255}, ink: color.RGBA{30, 20, 15, 255}, ground: groundWaves,
	}}
}

// FamilyByName returns the tuned or held-out family of that name; "" is base.
func FamilyByName(name string) (Family, error) {
	if name == "" {
		return Family{Name: "base"}, nil
	}
	for _, f := range append(Families(), HeldOut(), Unseen()) {
		if f.Name == name {
			return f, nil
		}
	}
	return Family{}, fmt.Errorf("cardgen: no layout family %q", name)
}

// reprintFamily: Liberation Sans, labels above in sentence case, a solid band, a
// rosette ground; the back's zone raised under the codes.
func reprintFamily() Family {
	return Family{Name: "reprint", st: &style{
		front: reprintFront, mode: above,
		back:  backStyle{zone: zoneRaised, size: [2]int{38, 42}, pitch: [2]float64{1.3, 1.45}, strip: stripTop},
		words: wordsTitle, label: liberationBold, value: liberation, title: liberationBold,
		labelCap: 11, valueCap: [2]int{20, 24}, spacing: [2]float64{1.4, 1.7},
		hue: 35, tintHue: 10, paper: color.RGBA{250, 250, 247, 255}, ink: color.RGBA{25, 25, 30, 255}, ground: groundRosette,
	}}
}

// inlineFamily: Noto Sans, short upper-case labels in grey left of their values, no
// band, diagonal lines; the back's zone small, tight and flush left.
func inlineFamily() Family {
	return Family{Name: "inline", st: &style{
		front: inlineFront, mode: beside,
		back:  backStyle{zone: zoneBottom, left: true, size: [2]int{36, 39}, pitch: [2]float64{1.2, 1.3}, codesRight: true},
		words: wordsUpperShort, label: notoBold, value: noto, title: notoBold,
		labelCap: 11, labelC: color.RGBA{70, 72, 80, 255}, valueCap: [2]int{19, 23}, spacing: [2]float64{1.4, 1.65},
		hue: -60, tintHue: 20, paper: color.RGBA{248, 250, 250, 255}, ink: color.RGBA{15, 30, 40, 255}, ground: groundDiagonal,
	}}
}

// gridFamily: FreeSans, short sentence-case labels above, names at the foot, the
// base's fading band, waves; the back's zone widely spaced, the strip at the right.
func gridFamily() Family {
	return Family{Name: "grid", st: &style{
		front: gridFront, mode: above,
		back:  backStyle{zone: zoneBottom, size: [2]int{38, 42}, pitch: [2]float64{1.55, 1.75}, strip: stripRight},
		words: wordsTitleShort, label: freeSansBold, value: freeSans, title: freeSansBold,
		labelCap: 12, valueCap: [2]int{20, 24}, namesUp: 2, spacing: [2]float64{1.4, 1.7},
		hue: 150, tintHue: -15, paper: color.RGBA{252, 249, 243, 255}, ink: color.RGBA{40, 28, 20, 255}, ground: groundWaves,
	}}
}

// stackedFamily: DejaVu Sans Bold values under light Noto labels without accents,
// names under the photo, a centred band, a sunburst; the back's zone flush left.
func stackedFamily() Family {
	return Family{Name: "stacked", st: &style{
		front: stackedFront, mode: above,
		back:  backStyle{zone: zoneBottom, left: true, size: [2]int{40, 42}, pitch: [2]float64{1.35, 1.5}, codesRight: true, strip: stripLeftTop},
		words: wordsPlain, label: noto, value: dejavuBold, title: dejavuBold,
		labelCap: 11, valueCap: [2]int{20, 23}, spacing: [2]float64{1.35, 1.55},
		hue: -120, tintHue: 30, paper: color.RGBA{247, 249, 252, 255}, ink: color.RGBA{10, 15, 35, 255}, ground: groundRays,
	}}
}

// modernFamily: Liberation Sans Bold values, FreeSans labels, names and address large
// with labels beside, a thin band with titles in two columns, a mesh, a large hologram;
// the back's zone raised and flush left.
func modernFamily() Family {
	return Family{Name: "modern", st: &style{
		front: modernFront, mode: beside,
		back:  backStyle{zone: zoneRaised, left: true, size: [2]int{38, 42}, pitch: [2]float64{1.35, 1.5}, strip: stripWideLeft},
		words: wordsUpper, label: freeSans, value: liberationBold, title: liberationBold,
		labelCap: 11, valueCap: [2]int{20, 24}, namesUp: 2, spacing: [2]float64{1.3, 1.45},
		hue: 90, tintHue: -30, paper: color.RGBA{250, 250, 250, 255}, ink: color.RGBA{0, 0, 0, 255}, ground: groundMesh,
	}}
}

// style is a family's design; each card draws its jitter within it.
type style struct {
	front func(*sheet) // arranges a front
	back  backStyle
	mode  labelMode // where the back's OCR line has its label
	words wording
	// Typefaces of labels, values and the header's title.
	label, value, title typeface
	labelCap            int        // labels' cap height, px
	labelC              color.RGBA // labels' colour; zero: the accent
	valueCap            [2]int     // values' cap height, px, drawn from this range
	namesUp             int        // the names' cap height over the other values'
	spacing             [2]float64 // line pitch over cap height
	hue, tintHue        float64    // degrees added to the model's accent hue, and to that for the tint
	paper, ink          color.RGBA
	ground              ground
}

// backStyle places a back's machine-readable zone (model C: the OCR line), codes and
// fingerprint.
type backStyle struct {
	zone       zonePlace
	left       bool       // the zone flush left, not centred
	size       [2]int     // OCR-B size, px
	pitch      [2]float64 // the zone's line pitch over its size
	codesRight bool       // the fingerprint first, the codes right of it
	strip      stripKind
}

type labelMode int

const (
	above  labelMode = iota
	beside           // the label left of the value, on its first line
	below
)

type headerKind int

const (
	hdrSolid  headerKind = iota // a band, the emblem right
	hdrPlain                    // no band: titles in the accent over a rule
	hdrFade                     // the base's fading band, the emblem left
	hdrCentre                   // a band, titles centred
	hdrThin                     // a thin band, titles in two columns
	hdrFooter                   // the band at the card's foot
)

type ground int

const (
	groundSine ground = iota // the base's crossed sine waves
	groundRosette
	groundDiagonal
	groundWaves
	groundRays
	groundMesh
	groundMoire
)

type zonePlace int

const (
	zoneBottom zonePlace = iota
	zoneRaised           // right under the codes
	zoneTop
)

type stripKind int

const (
	stripNone stripKind = iota
	stripLeft
	stripRight
	stripTop
	stripLeftTop
	stripWideLeft
	stripBottom
)

type wording int

const (
	wordsUpper      wording = iota // CLAVE DE ELECTOR
	wordsTitle                     // Clave de elector
	wordsUpperShort                // CLAVE ELECTOR, SECCION
	wordsTitleShort                // Clave elector
	wordsPlain                     // CLAVE DE ELECTOR, SECCION: no accents
	wordsHeld                      // the held-out family's
	wordsColon                     // Clave de elector:
)

// labelText is how a family words field f's label.
func labelText(w wording, f layout.Field) string {
	var full, short, held string
	switch f {
	case layout.Nombre:
		full, short, held = "NOMBRE", "NOMBRE", "nombre"
	case layout.Domicilio:
		full, short, held = "DOMICILIO", "DOMICILIO", "domicilio"
	case layout.ClaveElector:
		full, short, held = "CLAVE DE ELECTOR", "CLAVE ELECTOR", "clave de elector"
	case layout.CURP:
		full, short, held = "CURP", "CURP", "curp"
	case layout.Registro:
		full, short, held = "AÑO DE REGISTRO", "AÑO REGISTRO", "registro"
	case layout.Nacimiento:
		full, short, held = "FECHA DE NACIMIENTO", "FECHA NACIMIENTO", "nacimiento"
	case layout.Sexo:
		full, short, held = "SEXO", "SEXO", "sexo"
	case layout.Seccion:
		full, short, held = "SECCIÓN", "SECCION", "sección"
	case layout.Emision:
		full, short, held = "EMISIÓN", "EMISION", "emisión"
	case layout.Vigencia:
		full, short, held = "VIGENCIA", "VIGENCIA", "vigencia"
	case layout.OCRLine:
		full, short, held = "OCR", "OCR", "ocr"
	default:
		return ""
	}
	switch w {
	case wordsTitle:
		return sentence(full)
	case wordsUpperShort:
		return short
	case wordsTitleShort:
		return sentence(short)
	case wordsPlain:
		return strings.NewReplacer("Á", "A", "É", "E", "Í", "I", "Ó", "O", "Ú", "U").Replace(full)
	case wordsHeld:
		return held
	case wordsColon:
		return sentence(full) + ":"
	}
	return full
}

// sentence lowers all but the first letter, but for acronyms.
func sentence(s string) string {
	if s == "CURP" || s == "OCR" {
		return s
	}
	_, n := utf8.DecodeRuneInString(s)
	return s[:n] + strings.ToLower(s[n:])
}

// The plan of one card side: everything drawn, where, in what.
type plan struct {
	design     layout.Design // model, side, colours, photo and the regions as printed
	paper, ink color.RGBA
	ground     ground
	centre     image.Point // radial grounds' centre
	bands      []band
	discs      []circle
	holo       circle // r == 0: none
	titles     []run
	items      []item
}

// run is a string printed at a dot (the left end of its baseline).
type run struct {
	tf   typeface
	size float64
	at   image.Point
	s    string
	c    color.RGBA
}

// item is a region and its label; ink and labelInk are where they print (families only).
type item struct {
	reg           layout.Region
	tf            typeface
	label         run
	ink, labelInk image.Rectangle
}

type band struct {
	r    image.Rectangle
	c    color.RGBA
	fade bool // toward white downwards
}

type circle struct {
	at image.Point
	r  int
	c  color.RGBA
}

// RenderFamily draws one side of the holder's card of model m as family fam prints it,
// straightened, at layout size. rnd varies the family's jitter and the decoration; base
// draws nothing from rnd but what Render always did.
func (f *Fonts) RenderFamily(h Holder, m credential.Model, side layout.Side, fam Family, rnd *rand.Rand) (*image.RGBA, error) {
	img, _, err := f.render(h, m, side, fam, rnd)
	return img, err
}

// render also returns the plan, whose regions say where the card printed what.
func (f *Fonts) render(h Holder, m credential.Model, side layout.Side, fam Family, rnd *rand.Rand) (*image.RGBA, *plan, error) {
	fc := newFaceCache(f)
	defer fc.close()
	var p *plan
	if fam.st == nil {
		p = basePlan(m, side)
	} else {
		var err error
		if p, err = fc.familyPlan(h, m, side, fam, rnd); err != nil {
			return nil, nil, err
		}
	}
	img, err := fc.draw(p, h, rnd)
	return img, p, err
}

// basePlan is the layout's design as Render always drew it.
func basePlan(m credential.Model, side layout.Side) *plan {
	d := layout.For(m, side)
	white := color.RGBA{255, 255, 255, 255}
	p := &plan{design: d, paper: color.RGBA{250, 249, 246, 255}, ink: color.RGBA{20, 20, 25, 255}, ground: groundSine}
	switch side {
	case layout.Front:
		p.bands = []band{{r: image.Rect(0, 0, layout.Width, 112), c: d.Accent, fade: true}}
		// An emblem disc at the header's left.
		p.discs = []circle{{image.Pt(150, 56), 44, white}, {image.Pt(150, 56), 34, d.Accent}}
		for i, t := range d.Title {
			size := 22.0
			if i == len(d.Title)-1 {
				size = 26
			}
			p.titles = append(p.titles, run{dejavuBold, size, image.Pt(300, 32+i*32), t, white})
		}
	case layout.Back:
		p.bands = []band{{r: image.Rect(0, 0, 18, layout.Height), c: d.Accent}}
		if m == credential.ModelC || m == credential.ModelD {
			p.bands = append(p.bands, band{r: image.Rect(0, 0, layout.Width, 14), c: d.Accent})
		}
	}
	for _, r := range d.Fields {
		it := item{reg: r, tf: dejavu}
		if r.Mono || r.Field == layout.MRZ {
			it.tf = ocrb
		}
		if r.Label != "" {
			it.label = run{dejavuBold, 15, image.Pt(r.Box.Min.X, r.Box.Min.Y-6), r.Label, d.Accent}
		}
		p.items = append(p.items, it)
	}
	return p
}

// The smallest value cap height a family shrinks to when a card's data does not fit.
const minCap = 16

// familyPlan arranges a card side in fam's design. The jitter is drawn once, first; when
// the holder's data does not fit, the values shrink.
func (c *faceCache) familyPlan(h Holder, m credential.Model, side layout.Side, fam Family, rnd *rand.Rand) (*plan, error) {
	st := fam.st
	d := layout.For(m, side)
	var u [24]float64
	for i := range u {
		u[i] = rnd.Float64()
	}
	accent, tint := colours(d.Accent, st, u[23])
	labelC := st.labelC
	if labelC == (color.RGBA{}) {
		labelC = accent
	}
	var fields []layout.Field
	for _, r := range d.Fields {
		fields = append(fields, r.Field)
	}
	lo, hi := st.valueCap[0], st.valueCap[1]
	step := st.spacing[0] + u[21]*(st.spacing[1]-st.spacing[0])
	for vcap := lo + int(u[22]*float64(hi-lo+1)); ; vcap-- {
		s := &sheet{fc: c, st: st, h: h, m: m, u: u[:], fields: fields, vcap: vcap, step: step, labelC: labelC}
		s.p = &plan{
			design: layout.Design{Model: m, Side: side, Title: d.Title, Accent: accent, Tint: tint},
			paper:  st.paper, ink: st.ink, ground: st.ground,
			centre: image.Pt(int(u[20]*layout.Width), int(u[19]*layout.Height)),
		}
		if side == layout.Front {
			st.front(s)
		} else {
			s.back()
		}
		if s.err == nil {
			for _, it := range s.p.items {
				s.p.design.Fields = append(s.p.design.Fields, it.reg)
			}
			return s.p, nil
		}
		if vcap <= minCap {
			return nil, fmt.Errorf("cardgen: family %s, model %s %s: %w", fam.Name, m, side, s.err)
		}
	}
}

// sheet is a card side being arranged: what is placed, and what must stay clear.
type sheet struct {
	fc     *faceCache
	st     *style
	h      Holder
	m      credential.Model
	u      []float64 // the card's jitter, in [0,1)
	fields []layout.Field
	vcap   int     // values' cap height, px
	step   float64 // line pitch over cap height
	labelC color.RGBA
	p      *plan
	taken  []image.Rectangle // ink, bands, codes: what text keeps clear of
	photo  image.Rectangle
	err    error
}

// j is jitter i as an integer in [lo, hi].
func (s *sheet) j(i, lo, hi int) int { return lo + int(s.u[i]*float64(hi-lo+1)) }

func (s *sheet) has(f layout.Field) bool { return slices.Contains(s.fields, f) }

func (s *sheet) fail(format string, a ...any) {
	if s.err == nil {
		s.err = fmt.Errorf(format, a...)
	}
}

// smalls are the one-line fields besides the two keys, in the model's order.
func (s *sheet) smalls() []layout.Field {
	var out []layout.Field
	for _, f := range s.fields {
		switch f {
		case layout.Nombre, layout.Domicilio, layout.ClaveElector, layout.CURP:
		default:
			out = append(out, f)
		}
	}
	return out
}

// block is a measured value and label, ready to place: rectangles relative to the value
// box's corner.
type block struct {
	reg        layout.Region
	tf         typeface
	label      run
	vink, link image.Rectangle
	ext        image.Rectangle // all its ink
	left       int             // the leftmost dot's x: where the block is anchored
}

func (b *block) w() int { return b.ext.Max.X - b.left }

func bound(f font.Face, s string) image.Rectangle {
	b, _ := font.BoundString(f, s)
	return image.Rect(b.Min.X.Floor(), b.Min.Y.Floor(), b.Max.X.Ceil(), b.Max.Y.Ceil())
}

func capHeight(f font.Face) int {
	c := f.Metrics().CapHeight.Round()
	if c < 0 { // sfnt reports y-up heights for some fonts
		c = -c
	}
	return c
}

// sizeFor is the size at which typeface t has the given cap height.
func (s *sheet) sizeFor(t typeface, capPx int) float64 {
	return math.Round(float64(capPx)/s.fc.f.capRatio[t]*2) / 2
}

func (s *sheet) labelWidth(f layout.Field) int {
	return bound(s.fc.face(s.st.label, s.sizeFor(s.st.label, s.st.labelCap)), labelText(s.st.words, f)).Max.X
}

// field measures field f's value and label; tab, for labels beside values, is the
// label's start left of the value's (0: just clear of the label).
func (s *sheet) field(f layout.Field, mode labelMode, tab int) *block {
	capPx := s.vcap
	switch f {
	case layout.Nombre:
		capPx += s.st.namesUp
	case layout.Domicilio:
		capPx = max(minCap, capPx-4)
	}
	size := s.sizeFor(s.st.value, capPx)
	step := max(int(math.Round(float64(capPx)*s.step)), capHeight(s.fc.face(s.st.value, size))+4)
	return s.text(f, s.h.value(f, s.m), s.st.value, size, step, labelText(s.st.words, f), mode, tab)
}

// blocks measures the fields the model prints, in the order given.
func (s *sheet) blocks(mode labelMode, tab int, fs ...layout.Field) []*block {
	var out []*block
	for _, f := range fs {
		if s.has(f) {
			out = append(out, s.field(f, mode, tab))
		}
	}
	return out
}

// text measures lines in typeface t at size, step apart, as drawLines prints them, with
// their label.
func (s *sheet) text(f layout.Field, lines []string, t typeface, size float64, step int, lab string, mode labelMode, tab int) *block {
	vf := s.fc.face(t, size)
	w := 0
	for _, l := range lines {
		w = max(w, font.MeasureString(vf, l).Ceil())
	}
	b := &block{tf: t, left: 4}
	b.reg = layout.Region{Field: f, Label: lab, Box: image.Rect(0, 0, w+8, len(lines)*step), Lines: len(lines), Size: size, Mono: t == ocrb}
	for i, l := range lines {
		b.vink = b.vink.Union(bound(vf, l).Add(image.Pt(b.reg.Box.Min.X+4, baseline(vf, b.reg, i))))
	}
	b.ext = b.vink
	if lab == "" {
		return b
	}
	ls := s.sizeFor(s.st.label, s.st.labelCap)
	lb := bound(s.fc.face(s.st.label, ls), lab)
	gap := max(5, s.vcap/4)
	var dot image.Point
	switch mode {
	case above:
		dot = image.Pt(4, b.vink.Min.Y-gap-lb.Max.Y)
	case beside:
		dot = image.Pt(4-max(tab, lb.Max.X+2*gap), baseline(vf, b.reg, 0))
	case below:
		dot = image.Pt(4, b.vink.Max.Y+gap-lb.Min.Y)
	}
	b.label = run{tf: s.st.label, size: ls, at: dot, s: lab, c: s.labelC}
	b.link = lb.Add(dot)
	b.ext = b.ext.Union(b.link)
	b.left = min(4, dot.X)
	return b
}

// put places block b with its anchor at x and its ink's top at y, and returns its ink.
func (s *sheet) put(b *block, x, y int) image.Rectangle {
	d := image.Pt(x-b.left, y-b.ext.Min.Y)
	ext := b.ext.Add(d)
	s.claim(ext, string(b.reg.Field))
	it := item{reg: b.reg, tf: b.tf, label: b.label, ink: b.vink.Add(d)}
	it.reg.Box = it.reg.Box.Add(d)
	if it.label.s != "" {
		it.label.at = it.label.at.Add(d)
		it.labelInk = b.link.Add(d)
	}
	s.p.items = append(s.p.items, it)
	return ext
}

// claim takes r for something printed: it must be on the card and clear of the rest.
func (s *sheet) claim(r image.Rectangle, what string) {
	const margin, clear = 12, 5
	if !r.In(image.Rect(margin, margin, layout.Width-margin, layout.Height-margin)) {
		s.fail("%s at %v is cut off", what, r)
	}
	for _, t := range s.taken {
		if r.Inset(-clear).Overlaps(t) {
			s.fail("%s at %v overlaps %v", what, r, t)
		}
	}
	// Text keeps well clear of the photo, as printers leave it.
	if r.Inset(-3 * clear).Overlaps(s.photo) {
		s.fail("%s at %v overlaps the photo %v", what, r, s.photo)
	}
	s.taken = append(s.taken, r)
}

// cell is a block and the x it is anchored at.
type cell struct {
	b *block
	x int
}

// rows places rows of cells from y0 down, their ink tops aligned, spreading the height
// left above y1 between them up to maxGap, as printers spread a card's fields; it
// returns the last row's bottom.
func (s *sheet) rows(y0, y1, maxGap int, rs [][]cell) int {
	total := 0
	for _, r := range rs {
		h := 0
		for _, c := range r {
			h = max(h, c.b.ext.Dy())
		}
		total += h
	}
	gap := 0
	if len(rs) > 1 {
		gap = min(maxGap, max(6, (y1-y0-total)/(len(rs)-1)))
	}
	y := y0
	for _, r := range rs {
		bottom := y
		for _, c := range r {
			bottom = max(bottom, s.put(c.b, c.x, y).Max.Y)
		}
		y = bottom + gap
	}
	if y-gap > y1 {
		s.fail("rows from %d overflow %d", y0, y1)
	}
	return y - gap
}

// column is one block a row, at x.
func column(x int, bs []*block) [][]cell {
	var out [][]cell
	for _, b := range bs {
		out = append(out, []cell{{b, x}})
	}
	return out
}

// grid is cols blocks a row, colW apart from x.
func (s *sheet) grid(x, colW, cols int, bs []*block) [][]cell {
	var out [][]cell
	for i, b := range bs {
		if i%cols == 0 {
			out = append(out, nil)
		}
		if b.w() > colW-12 {
			s.fail("%s is %d px wide, its column %d", b.reg.Field, b.w(), colW)
		}
		out[len(out)-1] = append(out[len(out)-1], cell{b, x + i%cols*colW})
	}
	return out
}

func (s *sheet) setPhoto(r image.Rectangle) {
	s.claim(r, "photo")
	s.taken = s.taken[:len(s.taken)-1]
	s.photo, s.p.design.Photo = r, r
}

func rectWH(x, y, w, h int) image.Rectangle { return image.Rect(x, y, x+w, y+h) }

// holo places the hologram at the first candidate clear of all printing but the photo
// (which holograms overlap); with none clear, the card shows none, as on worn cards.
func (s *sheet) holo(cands ...circle) {
	for _, c := range cands {
		r := image.Rect(c.at.X-c.r, c.at.Y-c.r, c.at.X+c.r, c.at.Y+c.r)
		ok := r.In(image.Rect(8, 8, layout.Width-8, layout.Height-8))
		for _, t := range s.taken {
			ok = ok && !r.Overlaps(t.Inset(-4))
		}
		if ok {
			s.p.holo = c
			return
		}
	}
}

func (s *sheet) band(r image.Rectangle, c color.RGBA, fade bool) {
	s.p.bands = append(s.p.bands, band{r, c, fade})
	s.taken = append(s.taken, r)
}

// emblem is a disc in a ring.
func (s *sheet) emblem(at image.Point, r int, outer, inner color.RGBA) {
	s.p.discs = append(s.p.discs, circle{at, r, outer}, circle{at, r * 4 / 5, inner})
}

type align int

const (
	alignLeft align = iota
	alignCentre
	alignRight
)

// titles sets the header's lines in area, the last one larger, each shrunk to fit.
func (s *sheet) titles(lines []string, area image.Rectangle, al align, c color.RGBA) {
	if len(lines) == 0 {
		return
	}
	pitch := area.Dy() / len(lines)
	for i, l := range lines {
		capPx := pitch * 55 / 100
		if i == len(lines)-1 && len(lines) > 1 {
			capPx = pitch * 64 / 100
		}
		size := s.sizeFor(s.st.title, capPx)
		fc := s.fc.face(s.st.title, size)
		for font.MeasureString(fc, l).Ceil() > area.Dx() && size > 8 {
			size--
			fc = s.fc.face(s.st.title, size)
		}
		w := font.MeasureString(fc, l).Ceil()
		x := area.Min.X
		switch al {
		case alignCentre:
			x = (area.Min.X + area.Max.X - w) / 2
		case alignRight:
			x = area.Max.X - w
		}
		s.p.titles = append(s.p.titles, run{s.st.title, size, image.Pt(x, area.Min.Y+i*pitch+(pitch+capHeight(fc))/2), l, c})
	}
}

// header draws the front's header band (or rule), emblem and titles.
func (s *sheet) header(kind headerKind, hb int) {
	const W, H = layout.Width, layout.Height
	a := s.p.design.Accent
	white := color.RGBA{255, 255, 255, 255}
	t := s.p.design.Title
	switch kind {
	case hdrSolid:
		s.band(image.Rect(0, 0, W, hb), a, false)
		s.band(image.Rect(0, hb, W, hb+4), lighten(a, 0.5), false)
		r := hb * 36 / 100
		s.emblem(image.Pt(W-34-r, hb/2), r, white, a)
		s.titles(t, image.Rect(36, 6, W-70-2*r, hb-6), alignLeft, white)
	case hdrPlain:
		s.band(image.Rect(0, hb-3, W, hb), a, false)
		r := hb * 30 / 100
		at := image.Pt(W-40-r, hb/2-2)
		s.emblem(at, r, a, s.st.paper)
		s.p.discs = append(s.p.discs, circle{at, r / 2, a})
		s.taken = append(s.taken, image.Rect(at.X-r, at.Y-r, at.X+r, at.Y+r))
		s.titles(t, image.Rect(36, 8, W-80-2*r, hb-12), alignLeft, a)
	case hdrFade:
		s.band(image.Rect(0, 0, W, hb), a, true)
		r := hb * 40 / 100
		s.emblem(image.Pt(44+r, hb/2), r, white, a)
		s.titles(t, image.Rect(84+2*r, 6, W-30, hb-6), alignLeft, white)
	case hdrCentre:
		s.band(image.Rect(0, 0, W, hb), a, false)
		s.band(image.Rect(0, hb, W, hb+3), s.p.design.Tint, false)
		r := hb * 36 / 100
		s.emblem(image.Pt(30+r, hb/2), r, white, a)
		s.titles(t, image.Rect(2*r+60, 6, W-40, hb-6), alignCentre, white)
	case hdrThin:
		s.band(image.Rect(0, 0, W, hb), a, false)
		n := len(t)
		s.titles(t[:n-1], image.Rect(28, 4, W*2/5, hb-4), alignLeft, white)
		s.titles(t[n-1:], image.Rect(W*2/5+20, 8, W-28, hb-8), alignRight, white)
	case hdrFooter:
		s.band(image.Rect(0, H-hb, W, H), a, false)
		s.band(image.Rect(0, H-hb-5, W, H-hb-2), a, false)
		r := hb * 34 / 100
		s.emblem(image.Pt(W-36-r, H-hb/2), r, white, a)
		s.titles(t, image.Rect(36, H-hb+5, W-80-2*r, H-5), alignLeft, white)
	}
}

// The fronts. Each arrangement places the header, photo, fields and hologram from its
// jitter s.j(0..18); the fields' sizes come from the sheet.

// maxGap is the most a family spreads rows apart: between one and two cap heights.
func (s *sheet) maxGap() int { return s.vcap * s.j(18, 10, 20) / 10 }

// reprintFront: photo left, one-line fields in a column at the right, names, address
// and keys between; labels above; the hologram over the photo's foot.
func reprintFront(s *sheet) {
	hb := s.j(0, 96, 116)
	s.header(hdrSolid, hb)
	w := s.j(1, 226, 248)
	ph := rectWH(s.j(2, 28, 50), hb+s.j(3, 22, 36), w, w*127/100)
	s.setPhoto(ph)
	side := s.blocks(above, 0, s.smalls()...)
	sw := 0
	for _, b := range side {
		sw = max(sw, b.w())
	}
	y1 := layout.Height - s.j(4, 22, 44)
	s.rows(hb+s.j(6, 18, 32), y1, s.maxGap(), column(layout.Width-30-sw-s.j(5, 0, 14), side))
	s.rows(hb+s.j(8, 18, 30), y1, s.maxGap(), column(ph.Max.X+s.j(7, 30, 46), s.blocks(above, 0, layout.Nombre, layout.Domicilio, layout.ClaveElector, layout.CURP)))
	r := s.j(9, 44, 58)
	s.holo(circle{image.Pt(ph.Min.X+w*3/10, ph.Max.Y), r, color.RGBA{}}, circle{image.Pt(ph.Max.X-r, ph.Min.Y+r), r, color.RGBA{}})
}

// inlineFront: photo right, no band; labels in one column, values at one tab stop to
// their right, the one-line fields two to a row.
func inlineFront(s *sheet) {
	hb := s.j(0, 98, 112)
	s.header(hdrPlain, hb)
	w := s.j(1, 214, 236)
	ph := rectWH(layout.Width-s.j(2, 30, 54)-w, hb+s.j(3, 18, 34), w, w*13/10)
	s.setPhoto(ph)
	x := s.j(4, 28, 46)
	small := s.smalls()
	tab := 0
	for i, f := range append([]layout.Field{layout.Nombre, layout.Domicilio, layout.ClaveElector, layout.CURP}, small...) {
		if i < 4 || (i-4)%2 == 0 {
			tab = max(tab, s.labelWidth(f))
		}
	}
	tab += s.j(7, 14, 26)
	rs := column(x, s.blocks(beside, tab, layout.Nombre, layout.Domicilio, layout.ClaveElector, layout.CURP))
	var firsts, seconds []*block
	col2 := 0
	for i, f := range small {
		if i%2 == 0 {
			b := s.field(f, beside, tab)
			firsts = append(firsts, b)
			col2 = max(col2, b.w())
		} else {
			seconds = append(seconds, s.field(f, beside, 0))
		}
	}
	col2 += x + s.j(8, 26, 44)
	for i, b := range firsts {
		r := []cell{{b, x}}
		if i < len(seconds) {
			r = append(r, cell{seconds[i], col2})
		}
		rs = append(rs, r)
	}
	s.rows(hb+s.j(5, 16, 28), layout.Height-s.j(6, 24, 50), s.maxGap()*2/3, rs)
	r := s.j(9, 40, 54)
	s.holo(circle{image.Pt(ph.Min.X+w/2, ph.Max.Y), r, color.RGBA{}}, circle{image.Pt(ph.Min.X+r, ph.Min.Y+r), r, color.RGBA{}})
}

// gridFront: a short fading band; photo left; keys and the one-line fields in three
// columns right of it; names and address across the foot.
func gridFront(s *sheet) {
	hb := s.j(0, 84, 96)
	s.header(hdrFade, hb)
	w := s.j(1, 194, 212)
	ph := rectWH(s.j(2, 30, 44), hb+s.j(3, 16, 28), w, w*5/4)
	s.setPhoto(ph)
	x0, x1 := ph.Max.X+s.j(4, 30, 44), layout.Width-26
	rs := append(column(x0, s.blocks(above, 0, layout.ClaveElector, layout.CURP)), s.grid(x0, (x1-x0)/3, 3, s.blocks(above, 0, s.smalls()...))...)
	y := s.rows(hb+s.j(6, 16, 26), ph.Max.Y, s.maxGap(), rs)
	// The foot's row low on the card, clear of what is above.
	foot := s.blocks(above, 0, layout.Nombre, layout.Domicilio)
	fh := 0
	for _, b := range foot {
		fh = max(fh, b.ext.Dy())
	}
	y = max(max(y, ph.Max.Y)+s.j(7, 18, 34), layout.Height-fh-s.j(10, 26, 70))
	x := ph.Min.X
	for _, b := range foot {
		x = max(s.put(b, x, y).Max.X+s.j(8, 36, 60), layout.Width*9/20)
	}
	r := s.j(9, 34, 44)
	s.holo(circle{image.Pt(ph.Max.X-r-8, ph.Max.Y-r-8), r, color.RGBA{}})
}

// stackedFront: a centred band; photo left with the names under it; keys, address and
// the one-line fields in two columns to the right.
func stackedFront(s *sheet) {
	hb := s.j(0, 100, 112)
	s.header(hdrCentre, hb)
	w := s.j(1, 196, 216)
	ph := rectWH(s.j(2, 30, 46), hb+s.j(3, 16, 26), w, w*6/5)
	s.setPhoto(ph)
	right, yb := ph.Max.X, ph.Max.Y+s.j(5, 16, 30)
	if s.has(layout.Nombre) {
		e := s.put(s.field(layout.Nombre, above, 0), ph.Min.X, yb)
		right, yb = max(right, e.Max.X), e.Max.Y+10
	}
	x0 := right + s.j(6, 30, 44)
	rs := append(column(x0, s.blocks(above, 0, layout.ClaveElector, layout.CURP, layout.Domicilio)), s.grid(x0, (layout.Width-26-x0)/2, 2, s.blocks(above, 0, s.smalls()...))...)
	s.rows(hb+s.j(7, 16, 26), layout.Height-s.j(4, 22, 40), s.maxGap(), rs)
	r := s.j(8, 38, 50)
	s.holo(circle{image.Pt(ph.Min.X+r+s.j(9, 0, 40), yb+r), r, color.RGBA{}}, circle{image.Pt(ph.Max.X-8, ph.Min.Y+r), r, color.RGBA{}})
}

// modernFront: a thin band; a large photo left; names and address with their labels
// beside them, large; keys and the one-line fields in three columns; a large hologram
// wherever there is room.
func modernFront(s *sheet) {
	hb := s.j(0, 64, 76)
	s.header(hdrThin, hb)
	w := s.j(1, 246, 268)
	ph := rectWH(s.j(2, 24, 40), hb+s.j(3, 22, 36), w, w*13/10)
	s.setPhoto(ph)
	x0 := ph.Max.X + s.j(4, 28, 40)
	tab := max(s.labelWidth(layout.Nombre), s.labelWidth(layout.Domicilio)) + s.j(6, 14, 24)
	rs := column(x0, s.blocks(beside, tab, layout.Nombre, layout.Domicilio))
	rs = append(rs, column(x0, s.blocks(above, 0, layout.ClaveElector, layout.CURP))...)
	rs = append(rs, s.grid(x0, (layout.Width-26-x0)/3, 3, s.blocks(above, 0, s.smalls()...))...)
	s.rows(hb+s.j(7, 18, 30), layout.Height-s.j(5, 24, 44), s.maxGap()*3/4, rs)
	r := s.j(8, 58, 76)
	const W, H = layout.Width, layout.Height
	s.holo(circle{image.Pt(W-r-26, H-r-22), r, color.RGBA{}}, circle{image.Pt(ph.Max.X, ph.Max.Y+r/2), r, color.RGBA{}},
		circle{image.Pt(ph.Min.X+w/2, ph.Max.Y), r * 2 / 3, color.RGBA{}})
}

// heldFront: the header at the foot; photo top right; every label under its value, in
// lower case; the keys side by side.
func heldFront(s *sheet) {
	fb := s.j(0, 70, 84)
	s.header(hdrFooter, fb)
	w := s.j(1, 206, 228)
	ph := rectWH(layout.Width-s.j(2, 30, 50)-w, s.j(3, 26, 40), w, w*4/3)
	s.setPhoto(ph)
	x0 := s.j(4, 32, 50)
	rs := column(x0, s.blocks(below, 0, layout.Nombre, layout.Domicilio))
	var keys []cell
	x := x0
	for _, b := range s.blocks(below, 0, layout.ClaveElector, layout.CURP) {
		keys = append(keys, cell{b, x})
		x += b.w() + s.j(7, 30, 50)
	}
	rs = append(rs, keys)
	rs = append(rs, s.grid(x0, (ph.Min.X-24-x0)/3, 3, s.blocks(below, 0, s.smalls()...))...)
	s.rows(s.j(6, 24, 36), layout.Height-fb-s.j(5, 24, 44), s.maxGap(), rs)
	r := s.j(8, 40, 52)
	s.holo(circle{image.Pt(ph.Min.X+w/2, ph.Max.Y+r+s.j(9, 10, 30)), r, color.RGBA{}}, circle{image.Pt(ph.Min.X, ph.Max.Y), r * 2 / 3, color.RGBA{}})
}

// unseenFront: a solid band; photo right, low; names, address and keys down the left
// with their labels beside them at one tab stop; the one-line fields in three columns
// under them, labels above.
func unseenFront(s *sheet) {
	hb := s.j(0, 88, 104)
	s.header(hdrSolid, hb)
	w := s.j(1, 200, 222)
	ph := rectWH(layout.Width-s.j(2, 28, 48)-w, hb+s.j(3, 40, 64), w, w*5/4)
	s.setPhoto(ph)
	x := s.j(4, 30, 48)
	tab := 0
	for _, f := range []layout.Field{layout.Nombre, layout.Domicilio, layout.ClaveElector, layout.CURP} {
		tab = max(tab, s.labelWidth(f))
	}
	tab += s.j(5, 12, 24)
	rs := column(x, s.blocks(beside, tab, layout.Nombre, layout.Domicilio, layout.ClaveElector, layout.CURP))
	rs = append(rs, s.grid(x, (ph.Min.X-20-x)/3, 3, s.blocks(above, 0, s.smalls()...))...)
	s.rows(hb+s.j(6, 14, 26), layout.Height-s.j(7, 20, 40), s.maxGap()*3/4, rs)
	r := s.j(8, 40, 52)
	s.holo(circle{image.Pt(ph.Max.X-r/2, ph.Max.Y-r/2), r, color.RGBA{}}, circle{image.Pt(ph.Min.X+w/2, hb+r+6), r * 2 / 3, color.RGBA{}})
}

// back arranges a back: the zone (model C: the OCR line), and a row of the codes and
// the fingerprint, as the family's back style says.
func (s *sheet) back() {
	const W, H = layout.Width, layout.Height
	bs := s.st.back
	a := s.p.design.Accent
	room := image.Rect(26, 26, W-26, H-26)
	switch bs.strip {
	case stripLeft, stripLeftTop:
		s.band(image.Rect(0, 0, 18, H), a, false)
		room.Min.X = 40
		if bs.strip == stripLeftTop {
			s.band(image.Rect(0, 0, W, 14), a, false)
			room.Min.Y = 34
		}
	case stripWideLeft:
		s.band(image.Rect(0, 0, 32, H), a, false)
		s.band(image.Rect(36, 0, 40, H), lighten(a, 0.5), false)
		room.Min.X = 60
	case stripRight:
		s.band(image.Rect(W-18, 0, W, H), a, false)
		room.Max.X = W - 40
	case stripTop:
		s.band(image.Rect(0, 0, W, 16), a, false)
		room.Min.Y = 36
	case stripBottom:
		s.band(image.Rect(0, H-14, W, H), a, false)
		room.Max.Y = H - 34
	}
	var zone *block
	size := s.j(0, bs.size[0], bs.size[1])
	pitch := bs.pitch[0] + s.u[1]*(bs.pitch[1]-bs.pitch[0])
	switch {
	case s.has(layout.MRZ):
		lines, err := s.h.MRZ()
		if err != nil {
			s.fail("%w", err)
			return
		}
		for ; ; size-- {
			zone = s.text(layout.MRZ, lines[:], ocrb, float64(size), int(math.Round(float64(size)*pitch)), "", above, 0)
			if zone.w() <= room.Dx() || size <= 30 {
				break
			}
		}
	case s.has(layout.OCRLine):
		zone = s.text(layout.OCRLine, s.h.value(layout.OCRLine, s.m), ocrb, float64(size), int(math.Round(float64(size)*pitch)), labelText(s.st.words, layout.OCRLine), s.st.mode, 0)
	}
	// The row: the large codes at natural size (scaled a little), the small QR, the
	// fingerprint.
	type thing struct {
		f    layout.Field // "": the fingerprint
		w, h int
	}
	sc := 0.86 + 0.14*s.u[2]
	var row []thing
	switch s.m {
	case credential.ModelC, credential.ModelD:
		row = []thing{{layout.Barcode, int(600 * sc), 110}, {"", 220, 260}}
	case credential.ModelE, credential.ModelF:
		row = []thing{{layout.Barcode, int(560 * sc), int(180 * sc)}, {"", 190, 230}}
	default:
		pw := int(470 * sc)
		row = []thing{{layout.QR, 170, 170}, {layout.Barcode, pw, pw/2 - 10}, {"", 170, 210}}
	}
	if bs.codesRight {
		row = append(row[len(row)-1:], row[:len(row)-1]...)
	}
	zh := 0
	if zone != nil {
		zh = zone.ext.Dy()
	}
	total, rowH := 0, 0
	for _, t := range row {
		total += t.w
		rowH = max(rowH, t.h)
	}
	// Shrink the row if the zone leaves it too little height or the card too little width.
	k := min(1, float64(room.Dy()-zh-36)/float64(rowH), float64(room.Dx()-24*(len(row)-1))/float64(total))
	if k < 1 {
		total, rowH = 0, 0
		for i := range row {
			row[i].w, row[i].h = int(float64(row[i].w)*k), int(float64(row[i].h)*k)
			total += row[i].w
			rowH = max(rowH, row[i].h)
		}
	}
	var rowY, zoneY int
	switch bs.zone {
	case zoneBottom:
		zoneY, rowY = room.Max.Y-zh-s.j(3, 0, 10), room.Min.Y+s.j(4, 0, 16)
	case zoneRaised:
		rowY = room.Min.Y + s.j(4, 0, 10)
		zoneY = rowY + rowH + s.j(3, 26, 48)
	case zoneTop:
		zoneY = room.Min.Y + s.j(3, 0, 10)
		rowY = zoneY + zh + s.j(4, 26, 44)
	}
	if zone != nil {
		zx := room.Min.X + s.j(5, 0, 16)
		if !bs.left {
			zx = (room.Min.X+room.Max.X-zone.w())/2 + s.j(5, -10, 10)
		}
		s.put(zone, zx, zoneY)
	}
	rowTop := rowY
	gapX := min(70, (room.Dx()-total)/max(len(row)-1, 1))
	x := room.Min.X + s.j(6, 0, max(room.Dx()-total-gapX*(len(row)-1), 0))
	centred := s.u[7] < 0.5
	for _, t := range row {
		y := rowY
		if centred {
			y += (rowH - t.h) / 2
		}
		r := rectWH(x, y, t.w, t.h)
		x += t.w + gapX
		if t.f == "" {
			s.setPhoto(r)
			continue
		}
		s.claim(r, string(t.f))
		s.p.items = append(s.p.items, item{reg: layout.Region{Field: t.f, Box: r}, ink: r})
	}
	// Fine print in the widest free band, as real backs have: text a reader must not
	// take for a field.
	free := image.Rect(room.Min.X, rowTop+rowH, room.Max.X, zoneY)
	if bs.zone != zoneBottom {
		free.Min.Y, free.Max.Y = max(rowTop+rowH, zoneY+zh), room.Max.Y
	}
	s.finePrint(free.Inset(14))
}

// finePrint sets the backs' small print in r, if it has room.
func (s *sheet) finePrint(r image.Rectangle) {
	lines := []string{
		"ESTA CREDENCIAL ES UN DOCUMENTO OFICIAL, PERSONAL E INTRANSFERIBLE.",
		"EN CASO DE PÉRDIDA O ROBO, REPÓRTELA AL 800 433 2000.",
		"CUALQUIER ALTERACIÓN LA INVALIDA.",
	}
	capPx := s.j(10, 8, 10)
	pitch := capPx * 2
	if r.Dy() < pitch*len(lines) {
		return
	}
	size := s.sizeFor(s.st.label, capPx)
	fc := s.fc.face(s.st.label, size)
	y, x := r.Min.Y+s.j(11, 0, r.Dy()-pitch*len(lines)), r.Min.X+s.j(12, 0, 20)
	var runs []run
	var ink image.Rectangle
	for _, l := range lines {
		if s.st.words == wordsTitle || s.st.words == wordsTitleShort || s.st.words == wordsHeld {
			l = sentence(l)
		}
		y += pitch
		ink = ink.Union(bound(fc, l).Add(image.Pt(x, y)))
		runs = append(runs, run{s.st.label, size, image.Pt(x, y), l, color.RGBA{85, 85, 95, 255}})
	}
	if ink.In(r) {
		s.claim(ink, "fine print")
		s.p.titles = append(s.p.titles, runs...)
	}
}

// colours are a family's accent and background tint for a model: the model's accent
// turned by the family's hue, dark enough for white titles and coloured labels.
func colours(model color.RGBA, st *style, u float64) (accent, tint color.RGBA) {
	h, sat, _ := toHSL(model)
	h += st.hue + (u-0.5)*16
	sat = min(max(sat, 0.5), 0.75)
	// Yellows and greens are light at any lightness: darker, until white on them reads.
	for l := 0.32; ; l -= 0.02 {
		if accent = fromHSL(h, sat, l); luma(accent) <= 100 {
			break
		}
	}
	tint = fromHSL(h+st.tintHue, 0.4, 0.88)
	return accent, tint
}

func luma(c color.RGBA) float64 {
	return 0.299*float64(c.R) + 0.587*float64(c.G) + 0.114*float64(c.B)
}

func lighten(c color.RGBA, k float64) color.RGBA {
	return color.RGBA{mix(c.R, 255, k), mix(c.G, 255, k), mix(c.B, 255, k), 255}
}

func toHSL(c color.RGBA) (h, s, l float64) {
	r, g, b := float64(c.R)/255, float64(c.G)/255, float64(c.B)/255
	hi, lo := max(r, g, b), min(r, g, b)
	l = (hi + lo) / 2
	if hi == lo {
		return 0, 0, l
	}
	d := hi - lo
	s = d / (1 - math.Abs(2*l-1))
	switch hi {
	case r:
		h = math.Mod((g-b)/d+6, 6)
	case g:
		h = (b-r)/d + 2
	default:
		h = (r-g)/d + 4
	}
	return h * 60, s, l
}

func fromHSL(h, s, l float64) color.RGBA {
	h = math.Mod(math.Mod(h, 360)+360, 360) / 60
	c := (1 - math.Abs(2*l-1)) * s
	x := c * (1 - math.Abs(math.Mod(h, 2)-1))
	var r, g, b float64
	switch int(h) {
	case 0:
		r, g = c, x
	case 1:
		r, g = x, c
	case 2:
		g, b = c, x
	case 3:
		g, b = x, c
	case 4:
		r, b = x, c
	default:
		r, b = c, x
	}
	m := l - c/2
	to := func(v float64) uint8 { return uint8(math.Round((v + m) * 255)) }
	return color.RGBA{to(r), to(g), to(b), 255}
}

// drawPattern draws the families' guilloches: fine tinted lines, thin enough that text
// over them stays legible.
func drawPattern(img *image.RGBA, p *plan, phase float64) {
	cx, cy := float64(p.centre.X), float64(p.centre.Y)
	// math.Sin of large arguments is slow; a table is fine for drawing.
	var tab sineTable
	for i := range tab {
		tab[i] = math.Sin(float64(i) * 2 * math.Pi / sineSteps)
	}
	sin := tab.at
	var on func(x, y float64) bool
	switch p.ground {
	case groundRosette: // rings whose radius waves with the angle
		on = func(x, y float64) bool {
			dx, dy := x-cx, y-cy
			return sin(math.Sqrt(dx*dx+dy*dy)/4.5+2.4*sin(9*math.Atan2(dy, dx)+phase)) > 0.86
		}
	case groundDiagonal: // two crossing families of wavy diagonals
		on = func(x, y float64) bool {
			return sin((x+y)/6+2.5*sin((x-y)/60+phase)) > 0.88 || sin((x-y)/7+2*sin((x+y)/80)) > 0.9
		}
	case groundWaves: // horizontal waves
		on = func(x, y float64) bool { return sin(y/4+6*sin(x/90+phase)+1.5*sin(x/23)) > 0.84 }
	case groundRays: // a sunburst of wavy rays
		on = func(x, y float64) bool {
			dx, dy := x-cx, y-cy
			return sin(72*math.Atan2(dy, dx)+3*sin(math.Sqrt(dx*dx+dy*dy)/28+phase)) > 0.8
		}
	case groundMesh: // a mesh of thin wavy lines
		on = func(x, y float64) bool {
			return math.Abs(sin(x/8+2*sin(y/45+phase))) < 0.14 || math.Abs(sin(y/8+2*sin(x/55))) < 0.14
		}
	case groundMoire: // two sets of rings interfering
		on = func(x, y float64) bool {
			dx, dy := x-cx, y-cy
			ex, ey := dx-170, dy-70
			return sin(math.Sqrt(dx*dx+dy*dy)/4.2)+sin(math.Sqrt(ex*ex+ey*ey)/4.2) > 1.5
		}
	default:
		return
	}
	t := p.design.Tint
	for y := range layout.Height {
		for x := range layout.Width {
			if on(float64(x), float64(y)) {
				img.SetRGBA(x, y, t)
			}
		}
	}
}

const sineSteps = 4096

// sineTable tabulates a period of the sine.
type sineTable [sineSteps]float64

func (t *sineTable) at(x float64) float64 {
	i := int(math.Floor(x*(sineSteps/(2*math.Pi)))) % sineSteps
	if i < 0 {
		i += sineSteps
	}
	return t[i]
}

// hologram blends a translucent iridescent disc with fine rings, as the cards' printed
// holograms look in a photo: light enough that what is under it shows through.
func hologram(img *image.RGBA, c circle) {
	for y := c.at.Y - c.r; y <= c.at.Y+c.r; y++ {
		for x := c.at.X - c.r; x <= c.at.X+c.r; x++ {
			dx, dy := float64(x-c.at.X), float64(y-c.at.Y)
			d := math.Hypot(dx, dy) / float64(c.r)
			if d > 1 || !image.Pt(x, y).In(img.Bounds()) {
				continue
			}
			col := fromHSL(math.Atan2(dy, dx)*180/math.Pi*2+d*240, 0.55, 0.72)
			a := 0.45 * (0.7 + 0.3*math.Sin(d*float64(c.r)/2.2)) * (1 - d*d*d*d)
			o := img.RGBAAt(x, y)
			img.SetRGBA(x, y, color.RGBA{mix(o.R, col.R, a), mix(o.G, col.G, a), mix(o.B, col.B, a), 255})
		}
	}
}
