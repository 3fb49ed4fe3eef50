package ocr

import (
	"context"
	"errors"
	"image"
	"math"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"cotejo/ocr/geom"
	"cotejo/ocr/labels"
	"cotejo/ocr/layout"
	"cotejo/ocr/locate"
	"cotejo/ocr/zone"
	"cotejo/verify/credential"
)

// How a field's place on the card was found.
const (
	ByLayout = "layout" // the recognised model's table
	ByLabel  = "label"  // its printed label, wherever it stands
	ByZone   = "zone"   // the machine-readable zone's own look
	ByShape  = "shape"  // the value's own shape (a CURP's letters and digits)
)

// look finds, straightens and reads the layout of one image: which side it is, which
// way up, and where each field stands. The model's design, when recognised, is a prior
// that the content confirms or overrules; an unknown design is read by its labels and
// its zone. It fails only when the image leaves nothing to read; Read lists a design it
// did not recognise among the result's problems.
func (r *Reader) look(ctx context.Context, i int, img image.Image) (*SideInfo, error) {
	f, err := r.finder.Find(img)
	unseen := NotACard // the reason when nothing on the card can be read
	if errors.Is(err, locate.ErrNoCard) && cardShaped(img.Bounds()) {
		// Perhaps a scanner's page or a tight photo: the image is the card.
		f, err = wholeImage(img.Bounds()), nil
	} else {
		unseen = UnknownCard
	}
	if err != nil {
		reason := NotACard
		if errors.Is(err, locate.ErrTooSmall) {
			reason = TooSmall
		}
		return nil, &Problem{Image: i, Reason: reason, Err: err}
	}
	s, err := r.lookAt(ctx, i, img, f, unseen)
	if err == nil && (s.zone != nil || s.ocrReg != nil || len(s.labels) >= 2) || ctx.Err() != nil {
		return s, err
	}
	// What the edges gave shows neither a zone nor labels: ask the finder by region,
	// seldom wrong on a plain desk, for a second outline, and keep what it shows if it
	// shows more.
	g, gerr := locate.FindByRegion(img)
	if gerr != nil || sameOutline(f, g) {
		return s, err
	}
	s2, err2 := r.lookAt(ctx, i, img, g, unseen)
	if err2 == nil && (s2.zone != nil || s2.ocrReg != nil || len(s2.labels) >= 2) {
		return s2, nil
	}
	return s, err
}

// sameOutline: two outlines whose corners are all within 2 % of the card's size of
// each other.
func sameOutline(a, b locate.Found) bool {
	size := math.Hypot(a.Corners[0].X-a.Corners[2].X, a.Corners[0].Y-a.Corners[2].Y)
	for k := range 4 {
		if math.Hypot(a.Corners[k].X-b.Corners[k].X, a.Corners[k].Y-b.Corners[k].Y) > 0.02*size {
			return false
		}
	}
	return true
}

// lookAt reads the side whose outline is f (see look).
func (r *Reader) lookAt(ctx context.Context, i int, img image.Image, f locate.Found, unseen Reason) (*SideInfo, error) {
	var err error
	s := &SideInfo{Image: i, Whole: f.Whole, found: f, img: img}
	if s.card, err = locate.Straighten(img, f, false); err != nil {
		return nil, &Problem{Image: i, Reason: NotACard, Err: err}
	}
	m, err := r.cls.Classify(s.card)
	s.nearest = m.Model
	if err == nil {
		s.Model, s.Side, s.Score, s.Known = m.Model, m.Side, m.Score, true
		if m.Flipped {
			if err := s.turn(); err != nil {
				return nil, &Problem{Image: i, Reason: NotACard, Err: err}
			}
		}
	}
	// The zone, by its own look: it makes a back of models D–H whatever the design.
	if b, err := zone.Find(s.card); err == nil {
		if b.UpsideDown {
			if err := s.turn(); err != nil {
				return nil, &Problem{Image: i, Reason: NotACard, Err: err}
			}
			if b, err = zone.Find(s.card); err != nil {
				return nil, &Problem{Image: i, Reason: UnknownCard, Err: err}
			}
		}
		if s.Known && (s.Side != layout.Back || !s.Model.HasCIC()) {
			s.Known = false // the design's look said otherwise: the content wins
		}
		s.Side, s.zone = layout.Back, &b
		return s, nil
	}
	// A front, or model C's back: read the page's layout.
	if err := s.readPage(ctx, r.pool); err != nil {
		return nil, err
	}
	if b := zoneFromWords(s.words); b != nil {
		// The zone's look was lost to a straightening gone slightly wrong (its pitch no
		// longer even), but the page's reading shows its three lines as words.
		if s.Known && (s.Side != layout.Back || !s.Model.HasCIC()) {
			s.Known = false
		}
		s.Side, s.zone = layout.Back, b
		return s, nil
	}
	if s.ocrReg, err = s.findOCRLine(ctx, r.pool); err != nil {
		return nil, err
	}
	if s.Known && s.Side == layout.Back && s.Model.HasCIC() {
		if s.ocrReg == nil {
			return s, nil // a back whose zone is too worn to see: the table's place for it
		}
		s.Known = false // model C's OCR line on a back that resembles a later model's
	}
	if len(s.labels) < 2 {
		// Perhaps upside down, whatever the design's look said.
		turned := *s
		if err := turned.turn(); err == nil && turned.readPage(ctx, r.pool) == nil && (len(turned.labels) >= 2 && len(turned.labels) > len(s.labels) ||
			len(turned.labels) >= len(s.labels) && turned.legible() > 2*s.legible()) {
			*s = turned
			s.Known = false
		}
	}
	switch {
	case len(s.labels) >= 2:
		if s.Known && (s.Side != layout.Front || !s.labelsAgree()) {
			s.Known = false // another design than the one it resembles
		}
		s.Side = layout.Front
	case s.ocrReg != nil:
		s.Side, s.Model, s.Known = layout.Back, credential.ModelC, s.Known && s.Model == credential.ModelC
	case s.byShape(layout.CURP) != nil || s.byShape(layout.ClaveElector) != nil:
		s.Side = layout.Front // its labels unread, but its keys are there
	case s.Known:
		// The design is recognised but its labels could not be read: the table alone.
	default:
		return nil, &Problem{Image: i, Reason: unseen, Err: errors.New("no labels and no machine-readable zone")}
	}
	return s, nil
}

// wholeImage takes the image for the card itself.
func wholeImage(b image.Rectangle) locate.Found {
	x0, y0, x1, y1 := float64(b.Min.X), float64(b.Min.Y), float64(b.Max.X), float64(b.Max.Y)
	if b.Dx() < b.Dy() { // portrait: the card's top edge is the image's left
		return locate.Found{Whole: true, Corners: [4]geom.Point{{X: x0, Y: y1}, {X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}}}
	}
	return locate.Found{Whole: true, Corners: [4]geom.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}}
}

// linesAgree: the zone's lines, found by their look, are the table's.
func linesAgree(found [3]image.Rectangle, table []layout.Region) bool {
	if len(table) != 3 {
		return false
	}
	for k, l := range found {
		// Thin boxes: a line off by half its height still has its centre in the other.
		t := table[k].Box
		in := l.Intersect(t)
		dy := (l.Min.Y + l.Max.Y - t.Min.Y - t.Max.Y) / 2
		if in.Empty() || 2*max(dy, -dy) > l.Dy() || 20*in.Dx() < 19*l.Dx() {
			return false
		}
	}
	return true
}

// labelsAgree: most labels found stand where the recognised design prints them.
func (s *SideInfo) labelsAgree() bool {
	table := layout.For(s.Model, layout.Front)
	agree, disagree := 0, 0
	for _, v := range s.labels {
		if reg, ok := table.Region(v.Field); ok {
			if agrees(v.Box, reg.Box) {
				agree++
			} else {
				disagree++
			}
		}
	}
	return agree > disagree
}

// legible is how much of the page read as confident words: text the right way up
// reads, upside down it does not.
func (s *SideInfo) legible() float64 {
	var sum float64
	for _, w := range s.words {
		if len([]rune(w.Text)) >= 3 {
			sum += w.Conf * float64(len([]rune(w.Text)))
		}
	}
	return sum
}

// cardShaped: an image whose sides are in about the card's ratio, either way round.
func cardShaped(b image.Rectangle) bool {
	r := float64(b.Dx()) / float64(b.Dy())
	if r < 1 {
		r = 1 / r
	}
	return r > 1.35 && r < 1.85
}

// turn straightens the side the other way up.
func (s *SideInfo) turn() error {
	s.Flipped = !s.Flipped
	card, err := locate.Straighten(s.img, s.found, s.Flipped)
	if err != nil {
		return err
	}
	s.card, s.words, s.labels = card, nil, nil
	return nil
}

// readPage reads every word of the card and finds its labels.
func (s *SideInfo) readPage(ctx context.Context, p *Pool) error {
	ws, err := p.Words(ctx, PageImage(s.card))
	if err != nil {
		return err
	}
	s.words = ws
	s.labels = labels.Find(ws, s.card.Bounds())
	s.captionsUnder()
	return nil
}

var thirteenDigits = regexp.MustCompile(`^[0-9OIlSB]{13}$`)

// zoneWord is a zone's line as the page's reading gives it: about 30 capitals, digits
// and fillers, two fillers at least.
var zoneWord = regexp.MustCompile(`^[A-Z0-9<]{25,32}$`)

// zoneFromWords finds the zone's three lines among the page's words: three words of a
// zone line's look, one under the other, starting together, of one height. Nil when
// there are not exactly three.
func zoneFromWords(ws []labels.Word) *zone.Band {
	var boxes []image.Rectangle
	for _, w := range ws {
		if zoneWord.MatchString(w.Text) && strings.Count(w.Text, "<") >= 2 {
			boxes = append(boxes, w.Box)
		}
	}
	if len(boxes) != 3 {
		return nil
	}
	slices.SortFunc(boxes, func(a, b image.Rectangle) int { return a.Min.Y - b.Min.Y })
	// A slanted line's box is taller than its glyphs: the lowest box is nearest them.
	h := min(boxes[0].Dy(), boxes[1].Dy(), boxes[2].Dy())
	pitch := float64(boxes[0].Dx()) / 30
	for i, b := range boxes {
		if b.Dy() > 2*h || math.Abs(float64(b.Min.X-boxes[0].Min.X)) > 2*pitch {
			return nil
		}
		if i > 0 && (b.Min.Y-boxes[i-1].Min.Y < h || b.Min.Y-boxes[i-1].Min.Y > 4*h) {
			return nil
		}
	}
	return &zone.Band{Lines: [3]image.Rectangle{boxes[0], boxes[1], boxes[2]}, Pitch: pitch, Height: float64(h)}
}

// findOCRLine finds where model C's back prints its 13-digit OCR: a word of 13 digits
// among the page's words, else a word about as wide as thirteen digits that the page's
// reading garbled and that, read again as one line of digits, gives thirteen (on a
// page without a front's labels only).
func (s *SideInfo) findOCRLine(ctx context.Context, p *Pool) (*layout.Region, error) {
	region := func(b image.Rectangle) *layout.Region {
		h := b.Dy()
		box := image.Rect(b.Min.X-h/2, b.Min.Y-h/3, b.Max.X+h/2, b.Max.Y+h/3).Intersect(s.card.Bounds())
		return &layout.Region{Field: layout.OCRLine, Box: box, Lines: 1, Size: float64(h) / 0.729, Mono: true}
	}
	for _, w := range s.words {
		if thirteenDigits.MatchString(w.Text) {
			return region(w.Box), nil
		}
	}
	if len(s.labels) >= 2 {
		return nil, nil // a front's labels: its wide words are its keys and names
	}
	sp, _ := spec(layout.OCRLine)
	for _, b := range append(wordBoxes(s.words), joinedRuns(s.words)...) {
		b.Min.Y, b.Max.Y = tallestBand(s.card, b)
		if h := b.Dy(); h < 8 || b.Dx() < 7*h || b.Dx() > 16*h || wordyLetters(s.words, b) >= 3 {
			continue
		}
		reg := region(b)
		lines, err := p.Recognise(ctx, crop(s.card, *reg), sp.psm, sp.whitelist)
		if err != nil {
			return nil, err
		}
		if len(lines) == 1 && thirteenDigits.MatchString(squeeze(lines[0].Text)) {
			return reg, nil
		}
	}
	return nil, nil
}

// wordyLetters counts, in the words read within b, the letters a misread digit does not
// become: a clave de elector or a CURP re-read with only digits allowed can come out as
// thirteen digits, and its letters as read on the page tell it from model C's OCR line.
func wordyLetters(ws []labels.Word, b image.Rectangle) int {
	n := 0
	for _, w := range ws {
		c := w.Box.Min.Add(w.Box.Max).Div(2)
		if !c.In(b) {
			continue
		}
		for _, r := range strings.ToUpper(w.Text) {
			if unicode.IsLetter(r) && !strings.ContainsRune("OILSBZGDQT", r) {
				n++
			}
		}
	}
	return n
}

func wordBoxes(ws []labels.Word) []image.Rectangle {
	out := make([]image.Rectangle, len(ws))
	for i, w := range ws {
		out[i] = w.Box
	}
	return out
}

// joinedRuns are the boxes of runs of two or more words side by side on one line, of
// about one height and close together: a line of digits the page's reading broke into
// pieces ("2-11", "SES", "1") is one box again.
func joinedRuns(ws []labels.Word) []image.Rectangle {
	sorted := slices.Clone(ws)
	slices.SortFunc(sorted, func(a, b labels.Word) int { return a.Box.Min.X - b.Box.Min.X })
	used := make([]bool, len(sorted))
	var out []image.Rectangle
	for i := range sorted {
		if used[i] {
			continue
		}
		run, n := sorted[i].Box, 1
		last := run
		for j := i + 1; j < len(sorted); j++ {
			b := sorted[j].Box
			lo, hi := max(b.Min.Y, last.Min.Y), min(b.Max.Y, last.Max.Y)
			short, tall := min(b.Dy(), last.Dy()), max(b.Dy(), last.Dy())
			if used[j] || hi-lo < short/2 || 3*short < tall || b.Min.X-last.Max.X > 2*short {
				continue
			}
			used[j] = true
			run, last, n = run.Union(b), b, n+1
		}
		if n > 1 {
			out = append(out, run)
		}
	}
	return out
}

// plan lists the regions to read on a side, each with how its place was found.
func (s *SideInfo) plan() []located {
	var table layout.Design
	if s.Known {
		table = layout.For(s.Model, s.Side)
	}
	var out []located
	if s.Side == layout.Back {
		reg, ok := table.Region(layout.MRZ)
		switch {
		case s.zone != nil && (!ok || !linesAgree(s.zone.Lines, split(reg))):
			for k, l := range s.zone.Lines {
				padX, padY := int(s.zone.Pitch/2), int(s.zone.Height/3)
				out = append(out, located{layout.Region{Field: []layout.Field{mrzLine1, mrzLine2, mrzLine3}[k], Box: image.Rect(l.Min.X-padX, l.Min.Y-padY, l.Max.X+padX, l.Max.Y+padY), Lines: 1, Size: s.zone.Height / 0.729, Mono: true}, ByZone})
			}
		case ok:
			for _, l := range split(reg) {
				out = append(out, located{l, ByLayout})
			}
		}
		if reg, ok := table.Region(layout.QR); ok {
			out = append(out, located{reg, ByLayout})
		} else if s.zone != nil {
			// Models G and H carry a QR code somewhere: look over the whole card.
			out = append(out, located{layout.Region{Field: layout.QR, Box: s.card.Bounds()}, ByZone})
		}
		if s.zone == nil {
			// Model C's OCR line: where the page shows 13 digits, else the table's place.
			if s.ocrReg != nil {
				out = append(out, located{*s.ocrReg, ByShape})
			} else if reg, ok := table.Region(layout.OCRLine); ok {
				out = append(out, located{reg, ByLayout})
			}
		}
		return out
	}
	found := map[layout.Field]labels.Value{}
	for _, v := range s.labels {
		if _, ok := spec(v.Field); ok {
			found[v.Field] = v
		}
	}
	seen := map[layout.Field]bool{}
	// The keys are known by their shape first: eighteen characters in their pattern
	// stand for themselves wherever the label is, or whether it was read at all.
	shaped := map[layout.Field]*layout.Region{}
	for _, f := range []layout.Field{layout.CURP, layout.ClaveElector} {
		shaped[f] = s.byShape(f)
	}
	for _, reg := range table.Fields {
		if _, ok := spec(reg.Field); !ok {
			continue
		}
		v, ok := found[reg.Field]
		if ok && !agrees(v.Box, reg.Box) {
			continue // printed elsewhere than the table says: by its label, below
		}
		if sh := shaped[reg.Field]; sh != nil && !agrees(sh.Box, reg.Box) {
			continue // and by its shape
		}
		out = append(out, located{reg, ByLayout})
		seen[reg.Field] = true
	}
	for _, f := range []layout.Field{layout.CURP, layout.ClaveElector} {
		if reg := shaped[f]; reg != nil && !seen[f] {
			out = append(out, located{*reg, ByShape})
			seen[f] = true
		}
	}
	for _, v := range s.labels {
		if _, ok := spec(v.Field); ok && !seen[v.Field] {
			out = append(out, located{v.Region(), ByLabel})
			seen[v.Field] = true
		}
	}
	if !seen[layout.Nombre] {
		if reg := s.nameBlock(); reg != nil {
			out = append(out, located{*reg, ByShape})
		}
	}
	if !seen[layout.Registro] {
		if reg := s.registroByShape(); reg != nil {
			out = append(out, located{*reg, ByShape})
		}
	}
	return out
}

// registroByShape finds the año de registro where its label was not read (a caption
// too small for the page's reading): the one place on a front where four digits and two
// more stand together ("1995 00": the year and the emission number), as one word or
// two of one line. None, or more than one, gives nil.
func (s *SideInfo) registroByShape() *layout.Region {
	if s.Side != layout.Front {
		return nil
	}
	var found []image.Rectangle
	for i, w := range s.words {
		if regWord.MatchString(w.Text) {
			found = append(found, w.Box)
			continue
		}
		if !yearWord.MatchString(w.Text) {
			continue
		}
		for j, x := range s.words {
			if j != i && twoDigits.MatchString(x.Text) && x.Box.Min.X > w.Box.Max.X && x.Box.Min.X-w.Box.Max.X < w.Box.Dy() && 2*overlapY(w.Box, x.Box) > w.Box.Dy() {
				found = append(found, w.Box.Union(x.Box))
			}
		}
	}
	if len(found) != 1 {
		return nil
	}
	b := found[0]
	h := b.Dy()
	return &layout.Region{Field: layout.Registro, Box: image.Rect(b.Min.X-h/2, b.Min.Y-h/3, b.Max.X+h/2, b.Max.Y+h/3).Intersect(s.card.Bounds()), Lines: 1, Size: float64(h) / 0.729}
}

// The año de registro's look as the page's words read it: one word of six digits, or
// a year and two digits.
var (
	regWord   = regexp.MustCompile(`^[0-9OIl]{6}$`)
	yearWord  = regexp.MustCompile(`^[0-9OIl]{4}$`)
	twoDigits = regexp.MustCompile(`^[0-9OIl]{2}$`)
)

// byShape finds a word shaped like a CURP or a clave de elector (18 characters, the
// birth date's digits where they belong, H or M for the sex) and not the other one.
func (s *SideInfo) byShape(f layout.Field) *layout.Region {
	cs := s.keyCandidates(f)
	if len(cs) == 0 || cs[0].fit < 15 { // at least 15 of 18 positions of the right kind
		return nil
	}
	return &cs[0].Region
}

// keyCandidate is a place a key may stand and how many of its 18 positions hold the
// right kind of character as the page read them.
type keyCandidate struct {
	layout.Region
	fit  int
	text string // as the page read it
}

// keyCandidates lists the words (or two words of one line: the page's reading may split
// a key) of about a key's length, the best fitting first, each as a region to read.
func (s *SideInfo) keyCandidates(f layout.Field) []keyCandidate {
	pattern := map[layout.Field]string{layout.CURP: "LLLLDDDDDDSLLLLLAD", layout.ClaveElector: "LLLLLLDDDDDDDDSDDD"}[f]
	type cand struct {
		text string
		box  image.Rectangle
	}
	var cs []cand
	for i, w := range s.words {
		cs = append(cs, cand{keyText(w.Text), w.Box})
		for j, x := range s.words {
			if j != i && x.Box.Min.X > w.Box.Max.X && x.Box.Min.X-w.Box.Max.X < w.Box.Dy() && 2*overlapY(w.Box, x.Box) > w.Box.Dy() {
				cs = append(cs, cand{keyText(w.Text + x.Text), w.Box.Union(x.Box)})
			}
		}
	}
	var out []keyCandidate
	for _, c := range cs {
		t := c.text
		if len(t) < 14 || len(t) > 22 {
			continue
		}
		n := 0
		for k := range min(18, len(t)) {
			ch := t[k]
			switch pattern[k] {
			case 'L':
				if ch >= 'A' && ch <= 'Z' {
					n++
				}
			case 'D':
				if ch >= '0' && ch <= '9' {
					n++
				}
			case 'S':
				if ch == 'H' || ch == 'M' {
					n++
				}
			default:
				n++
			}
		}
		if len(t) < 17 || len(t) > 19 {
			n -= 3 // a key's length, give or take one, first
		}
		b := c.box
		if est := b.Dx() / 17; b.Dy() > 3*est/2 {
			// Taller than eighteen characters that wide: the page's reading took a label
			// with the value. The value is the tallest band of ink in the box.
			b.Min.Y, b.Max.Y = tallestBand(s.card, b)
		}
		h := b.Dy()
		reg := layout.Region{Field: f, Box: image.Rect(b.Min.X-h/2, b.Min.Y-h/3, b.Max.X+h/2, b.Max.Y+h/3).Intersect(s.card.Bounds()), Lines: 1, Size: float64(h) / 0.729}
		out = append(out, keyCandidate{reg, n, t})
	}
	slices.SortStableFunc(out, func(a, b keyCandidate) int { return b.fit - a.fit })
	return out
}

// keyText is a word as a key's characters: capitals and digits, the strokes tesseract
// reads as ¡ or | taken for I, anything else dropped.
func keyText(w string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			return r
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r == '¡' || r == '|' || r == '!':
			return 'I'
		}
		return -1
	}, w)
}

// located is a region to read and how it was found.
type located struct {
	layout.Region
	by string
}

// agrees: two boxes for one field are the same place, give or take a straightening's
// error (each one's centre lies in the other, widened).
func agrees(a, b image.Rectangle) bool {
	in := func(p image.Point, r image.Rectangle) bool { return p.In(r.Inset(-12)) }
	centre := func(r image.Rectangle) image.Point { return r.Min.Add(r.Max).Div(2) }
	if !in(centre(a), b) || !in(centre(b), a) {
		return false
	}
	// And of about one size: a three-line box is not the one line at its middle.
	i := a.Intersect(b)
	u := a.Union(b)
	return 3*i.Dx()*i.Dy() >= u.Dx()*u.Dy() || a.In(b.Inset(-12)) || b.In(a.Inset(-12))
}

// decideModel: the model a recognised design says, if the card's content allows it
// (the back's first: it tells C from D–H); else the latest model that fits most of what
// the content says, sure only when it alone fits all of it.
func decideModel(res *Result, hasQR bool) (credential.Model, bool) {
	// Recognised designs stand unless the zone or the QR code deny them: the title's
	// words, in white on a coloured band, are often misread. A side of a new design
	// makes the other's resemblance suspect too (one printer printed both).
	allKnown := true
	for _, s := range []*SideInfo{res.Back, res.Front} {
		allKnown = allKnown && (s == nil || s.Known)
	}
	strong, nStrong := modelClues(res, hasQR, false)
	for _, s := range []*SideInfo{res.Back, res.Front} {
		if allKnown && s != nil && s.Known && strong[s.Model] == nStrong && !titleDenies(res.Front, s.Model) {
			return s.Model, true
		}
	}
	score, clues := modelClues(res, hasQR, true)
	// Among equals: a design recognised, else the design a side resembles most, else
	// the latest model.
	rank := func(m credential.Model) int {
		r := 0
		for _, s := range []*SideInfo{res.Back, res.Front} {
			switch {
			case s != nil && s.Known && s.Model == m:
				r = max(r, 2)
			case s != nil && s.nearest == m:
				r = max(r, 1)
			}
		}
		return r
	}
	var best credential.Model
	n := 0
	for _, m := range layout.Models() {
		switch {
		case best == "" || score[m] > score[best]:
			best, n = m, 1
		case score[m] == score[best]:
			n++
			if rank(m) >= rank(best) {
				best = m
			}
		}
	}
	return best, n == 1 && score[best] == clues
}

// modelClues weighs what a card's content says of its model: the zone (D–H) or its
// absence (C), a QR code (G, H) or none (D–F), the title (federal: C, D; nacional: E–H;
// extranjero: F, H), an address (C–E), a year of issue (C–F); weak says whether to
// count the clues that can mislead (all but the zone and a QR code). It returns, per model, how many clues it fits, and how many
// there were.
// titleWords says which issuer and kind of card the front's title names, where it was
// read: the IFE (INSTITUTO FEDERAL ELECTORAL, REGISTRO FEDERAL DE ELECTORES: models C
// and D), the INE (INSTITUTO NACIONAL ELECTORAL: E to H), for citizens abroad
// (EXTRANJERO: F and H). Phrases, not words: an address may say DISTRITO FEDERAL.
func titleWords(front *SideInfo) (ife, ine, abroad bool) {
	if front == nil {
		return
	}
	var b strings.Builder
	for _, w := range front.words {
		b.WriteString(strings.ToUpper(w.Text) + " ")
	}
	all := b.String()
	has := func(phrases ...string) bool {
		return slices.ContainsFunc(phrases, func(p string) bool { return strings.Contains(all, p) })
	}
	return has("INSTITUTO FEDERAL", "FEDERAL ELECTORAL", "FEDERAL DE ELECTORES"), has("INSTITUTO NACIONAL", "NACIONAL ELECTORAL"), has("EXTRANJERO")
}

// titleDenies: the front's title names another issuer or kind of card than model m's.
// A phrase read is evidence; one missed is not, the title being white on a band and often
// misread.
func titleDenies(front *SideInfo, m credential.Model) bool {
	ife, ine, abroad := titleWords(front)
	byIFE := m == credential.ModelC || m == credential.ModelD
	forAbroad := m == credential.ModelF || m == credential.ModelH
	return ife && !byIFE || ine && byIFE || abroad && !forAbroad
}

func modelClues(res *Result, hasQR, weak bool) (map[credential.Model]int, int) {
	C, D, E, F, G, H := credential.ModelC, credential.ModelD, credential.ModelE, credential.ModelF, credential.ModelG, credential.ModelH
	score := map[credential.Model]int{}
	clues := 0
	clue := func(ms ...credential.Model) {
		clues++
		for _, m := range ms {
			score[m]++
		}
	}
	if res.Back != nil {
		switch {
		case res.Back.zone != nil:
			clue(D, E, F, G, H)
		case !res.Back.Known || !res.Back.Model.HasCIC():
			clue(C)
		}
		switch {
		case hasQR:
			clue(G, H)
		case res.Back.zone != nil && weak:
			clue(D, E, F) // a worn QR code may not read
		}
	}
	if weak && res.Front != nil && len(res.Front.words) > 0 {
		switch ife, ine, abroad := titleWords(res.Front); {
		case ife:
			clue(C, D)
		case ine:
			clue(E, F, G, H)
			if abroad {
				clue(F, H)
			} else {
				clue(E, G)
			}
		}
		for _, v := range res.Front.labels {
			switch v.Field {
			case layout.Domicilio:
				clue(C, D, E)
			case layout.Emision: // G and H print the validity's years instead
				clue(C, D, E, F)
			}
		}
	}
	return score, clues
}

// tallestBand is the tallest run of rows with ink in box of card (rows apart by a blank
// row or more): in a box holding a small label and its value, the value's line.
func tallestBand(card *image.RGBA, box image.Rectangle) (int, int) {
	box = box.Intersect(card.Bounds())
	ink := make([]bool, box.Dy())
	for y := range box.Dy() {
		n := 0
		for x := box.Min.X; x < box.Max.X; x++ {
			i := card.PixOffset(x, box.Min.Y+y)
			if int(card.Pix[i])+int(card.Pix[i+1])+int(card.Pix[i+2]) < 3*110 {
				n++
			}
		}
		ink[y] = n*50 > box.Dx() // more than 2 % of the row
	}
	best0, best1 := box.Min.Y, box.Max.Y
	bestH := 0
	for y := 0; y < len(ink); {
		if !ink[y] {
			y++
			continue
		}
		start := y
		for y < len(ink) && ink[y] {
			y++
		}
		if y-start > bestH {
			best0, best1, bestH = box.Min.Y+start, box.Min.Y+y, y-start
		}
	}
	return best0, best1
}
