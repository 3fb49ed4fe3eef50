// Package labels finds a card's printed labels (NOMBRE, CURP, FECHA DE NACIMIENTO…) among
// the words of a page read by tesseract's layout analysis, and the region where each
// label's value stands: below it or right of it. It lets the reader crop fields from
// where they are printed on a card whose layout is not in ocr/layout's tables. It is
// pure geometry and string matching; the words come from the caller.
package labels

import (
	"cmp"
	"image"
	"slices"
	"strings"

	"cotejo/ocr/layout"
)

// Word is one word of a page as tesseract's layout gives it.
type Word struct {
	Text string
	Box  image.Rectangle
	Conf float64 // 0–1
	// Tesseract's block, paragraph and line numbers (0 when unknown). Kept for callers;
	// matching uses the boxes only, since sparse-text segmentation makes nearly every
	// word its own block.
	Block, Par, Line int
}

// Placement is where a value stands relative to its label.
type Placement int

const (
	Below Placement = iota
	Right
)

func (p Placement) String() string {
	if p == Right {
		return "right"
	}
	return "below"
}

// Fields model C may print that have no layout constant: found so that they bound
// the other values, and reported for callers that want them.
const (
	Edad      layout.Field = "edad"
	Estado    layout.Field = "estado"
	Municipio layout.Field = "municipio"
	Localidad layout.Field = "localidad"
	Folio     layout.Field = "folio"
)

// Value is a label found on the page and the region of its value.
type Value struct {
	Field layout.Field
	Label image.Rectangle // the label's words
	Box   image.Rectangle // the value's words with a margin, clipped to the page: a crop
	Lines int             // text lines in Box
	// Height is the value's letter height in pixels: the median height of its words'
	// boxes, which for capitals and digits is the cap height.
	Height int
	Where  Placement
	Score  float64 // how well the label matched, 0–1 (1: a known spelling exactly)
	// Text is the value's words as the page read them, lines joined by "\n". Empty when
	// no word stood there: Box is then estimated from the other values.
	Text string
}

// Region returns the value as ocr/layout describes a field, for the reader's crop code.
// Size is the font size that prints Height-pixel capitals in DejaVu Sans.
func (v Value) Region() layout.Region {
	name := ""
	for _, l := range table() {
		if l.field == v.Field {
			name = l.name
			break
		}
	}
	return layout.Region{Field: v.Field, Label: name, Box: v.Box, Lines: v.Lines, Size: float64(v.Height) / capRatio}
}

// DejaVu Sans's cap height over its font size.
const capRatio = 0.729

// label is one field's label: its printed name and the spellings it is known by.
type label struct {
	field    layout.Field
	name     string   // as the C–H designs print it
	variants []string // folded (see fold): upper case, no accents, letters and digits only
	lines    int      // most lines its value takes
	chars    int      // characters its value usually has, to widen a short reading
}

// table lists the labels of a front. Abbreviations are spelt out as variants rather
// than matched as prefixes: a prefix of a label ("FECHA DE") must not count.
func table() []label {
	return []label{
		{layout.Nombre, "NOMBRE", []string{"NOMBRE", "NOMBRES"}, 3, 8},
		{layout.Domicilio, "DOMICILIO", []string{"DOMICILIO"}, 3, 20},
		{layout.ClaveElector, "CLAVE DE ELECTOR", []string{"CLAVEDEELECTOR", "CLAVEELECTOR", "CLAVEDEELEC", "CVEDEELECTOR", "CVEELECTOR"}, 1, 18},
		{layout.CURP, "CURP", []string{"CURP"}, 1, 18},
		{layout.Registro, "AÑO DE REGISTRO", []string{"ANODEREGISTRO", "ANOREGISTRO", "ANODEREG", "ANOREG"}, 1, 7},
		{layout.Nacimiento, "FECHA DE NACIMIENTO", []string{"FECHADENACIMIENTO", "FECHANACIMIENTO", "FECHADENAC", "FECHANAC"}, 1, 10},
		{layout.Sexo, "SEXO", []string{"SEXO"}, 1, 1},
		{layout.Seccion, "SECCIÓN", []string{"SECCION"}, 1, 4},
		{layout.Emision, "EMISIÓN", []string{"EMISION", "ANODEEMISION"}, 1, 4},
		{layout.Vigencia, "VIGENCIA", []string{"VIGENCIA", "VIGENTEHASTA"}, 1, 4},
		{Edad, "EDAD", []string{"EDAD"}, 1, 2},
		{Estado, "ESTADO", []string{"ESTADO"}, 1, 2},
		{Municipio, "MUNICIPIO", []string{"MUNICIPIO"}, 1, 3},
		{Localidad, "LOCALIDAD", []string{"LOCALIDAD"}, 1, 4},
		{Folio, "FOLIO", []string{"FOLIO"}, 1, 10},
	}
}

// fold upper-cases s, drops Spanish accents (Ñ becomes N: OCR often loses the tilde)
// and keeps only letters and digits, so spacing and punctuation ("NAC.", "CURP:")
// do not count.
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch r {
		case 'Á', 'À', 'Â', 'Ä':
			r = 'A'
		case 'É', 'È', 'Ê', 'Ë':
			r = 'E'
		case 'Í', 'Ì', 'Î', 'Ï':
			r = 'I'
		case 'Ó', 'Ò', 'Ô', 'Ö':
			r = 'O'
		case 'Ú', 'Ù', 'Û', 'Ü':
			r = 'U'
		case 'Ñ':
			r = 'N'
		}
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// confusable: characters OCR mistakes for one another, whose substitution costs half.
func confusable(a, b byte) bool {
	ca := group(a)
	return ca != 0 && ca == group(b)
}

// group numbers the groups of characters OCR confuses; 0 for none.
func group(c byte) int {
	switch c {
	case 'O', '0', 'D', 'Q':
		return 1
	case 'I', '1', 'L', 'J':
		return 2
	case 'S', '5':
		return 3
	case 'B', '8':
		return 4
	case 'G', '6', 'C':
		return 5
	case 'Z', '2':
		return 6
	case 'A', '4':
		return 7
	case 'U', 'V':
		return 8
	case 'E', 'F':
		return 9
	case 'M', 'N':
		return 10
	}
	return 0
}

// Distance is the edit distance from a to b (bytes), with substitutions OCR commonly
// makes (O and 0, M and N…) at half cost.
func Distance(a, b string) float64 {
	prev := make([]float64, len(b)+1)
	cur := make([]float64, len(b)+1)
	for j := range prev {
		prev[j] = float64(j)
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = float64(i)
		for j := 1; j <= len(b); j++ {
			sub := 1.0
			if a[i-1] == b[j-1] {
				sub = 0
			} else if confusable(a[i-1], b[j-1]) {
				sub = 0.5
			}
			cur[j] = min(prev[j-1]+sub, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// tolerance is the edit distance a label of n characters may be read with: a quarter,
// so a 4-letter label survives a faint first letter ("EXO"), a 14-letter one three
// slips. Value words this close to a label are told apart by their size and place.
func tolerance(n int) float64 { return float64(n) / 4 }

// word is a page word prepared for matching.
type word struct {
	Word
	fold    string
	alnum   bool // has a letter or digit
	garbage bool // far taller than text: a photo or emblem read as letters
}

func (w word) h() int { return w.Box.Dy() }

// vOverlap is how far two boxes overlap vertically, negative when apart.
func vOverlap(a, b image.Rectangle) int { return min(a.Max.Y, b.Max.Y) - max(a.Min.Y, b.Min.Y) }

// hOverlap is how far a box overlaps the columns [x0, x1), negative when apart.
func hOverlap(a image.Rectangle, x0, x1 int) int { return min(a.Max.X, x1) - max(a.Min.X, x0) }

// sameLine: two boxes share at least half the smaller one's height. Labels printed
// smaller than their values on one baseline still qualify.
func sameLine(a, b image.Rectangle) bool { return 2*vOverlap(a, b) >= min(a.Dy(), b.Dy()) }

// cand is a possible label: a run of adjacent words matching a spelling.
type cand struct {
	label int   // index in table()
	words []int // indices in the page's words
	box   image.Rectangle
	score float64
	h     int // smallest word height: accents and descenders make some words taller
}

// page is the state of one Find.
type page struct {
	bounds image.Rectangle
	words  []word
	table  []label
	labels []cand // the chosen labels
	// isLabel marks label words; claimed marks words given to a value.
	isLabel, claimed []bool
}

// Find returns the labels found among the words of a page and the regions of their
// values, in reading order (top to bottom, then left to right). page bounds the value
// boxes; when empty, the words' extent is used.
func Find(words []Word, page image.Rectangle) []Value {
	p := prepare(words, page)
	p.labels = assign(p.dropMidPhrase(p.dropOddSizes(p.candidates())))
	slices.SortFunc(p.labels, func(a, b cand) int {
		if a.box.Min.Y != b.box.Min.Y {
			return a.box.Min.Y - b.box.Min.Y
		}
		return a.box.Min.X - b.box.Min.X
	})
	p.isLabel = make([]bool, len(p.words))
	p.claimed = make([]bool, len(p.words))
	for _, c := range p.labels {
		for _, i := range c.words {
			p.isLabel[i] = true
		}
	}
	return p.values()
}

func prepare(in []Word, bounds image.Rectangle) *page {
	p := &page{table: table()}
	var hs []int
	for _, w := range in {
		w.Box = w.Box.Canon()
		if strings.TrimSpace(w.Text) == "" || w.Box.Empty() {
			continue
		}
		x := word{Word: w, fold: fold(w.Text)}
		x.alnum = x.fold != ""
		if x.alnum {
			hs = append(hs, w.Box.Dy())
		}
		p.words = append(p.words, x)
	}
	if bounds.Empty() {
		for _, w := range p.words {
			bounds = bounds.Union(w.Box)
		}
	}
	p.bounds = bounds
	if len(hs) > 0 {
		med := median(hs)
		for i := range p.words {
			p.words[i].garbage = p.words[i].h() > med*5/2
		}
	}
	return p
}

func median(v []int) int {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// next returns, for each word, the nearest word right of it on its line close enough to
// belong to the same phrase, or -1.
func (p *page) next() []int {
	out := make([]int, len(p.words))
	for i, a := range p.words {
		out[i] = -1
		best := 0
		for j, b := range p.words {
			if i == j || !b.alnum || b.garbage || !sameLine(a.Box, b.Box) {
				continue
			}
			h := max(a.h(), b.h())
			gap := b.Box.Min.X - a.Box.Max.X
			if gap < -h/3 || 2*gap > 3*h || b.h() > 2*a.h() || a.h() > 2*b.h() {
				continue
			}
			if out[i] < 0 || gap < best {
				out[i], best = j, gap
			}
		}
	}
	return out
}

// candidates matches every run of adjacent words on a line against every spelling.
func (p *page) candidates() []cand {
	longest := 0
	for _, l := range p.table {
		for _, v := range l.variants {
			longest = max(longest, len(v))
		}
	}
	next := p.next()
	var out []cand
	for i, w := range p.words {
		if !w.alnum || w.garbage {
			continue
		}
		text, run, box, h := "", []int(nil), image.Rectangle{}, w.h()
		// A run never revisits a word (next could, in principle, cycle on odd boxes).
		for j := i; j >= 0 && len(run) < 6 && !slices.Contains(run, j); j = next[j] {
			text += p.words[j].fold
			if len(text) > longest+3 {
				break
			}
			run = append(run, j)
			box = box.Union(p.words[j].Box)
			h = min(h, p.words[j].h())
			if len(text) < 3 {
				continue // "H", "DE": too short to tell from a value
			}
			for li, l := range p.table {
				best := -1.0
				for _, v := range l.variants {
					if n := len(text) - len(v); float64(max(n, -n)) > tolerance(len(v)) {
						continue // the length alone is too far off
					}
					d := Distance(text, v)
					if d <= tolerance(len(v)) {
						best = max(best, 1-d/float64(len(v)))
					}
				}
				if best >= 0 {
					out = append(out, cand{label: li, words: slices.Clone(run), box: box, score: best, h: h})
				}
			}
		}
	}
	return out
}

// dropOddSizes drops candidates printed much taller than the page's labels: a card
// prints its labels in one style, no larger than its values, so a much taller match is
// a value (a surname like "SEXO"), even when such values outnumber the labels. The
// label style is the smallest height that two different labels share.
func (p *page) dropOddSizes(cs []cand) []cand {
	byH := slices.Clone(cs)
	slices.SortFunc(byH, func(a, b cand) int { return a.h - b.h })
	for i, lo := range byH {
		fields := map[int]bool{}
		for _, c := range byH[i:] {
			if 10*c.h <= 17*lo.h {
				fields[c.label] = true
			}
		}
		if len(fields) >= 2 {
			return slices.DeleteFunc(cs, func(c cand) bool { return 10*c.h > 17*lo.h })
		}
	}
	return cs
}

// dropMidPhrase drops candidates that continue a phrase: a label starts its line or
// follows a column gap, while a street or a name that spells a label ("PRIV. SECCION")
// follows another word at a word space.
func (p *page) dropMidPhrase(cs []cand) []cand {
	inCand := make([]bool, len(p.words))
	for _, c := range cs {
		for _, i := range c.words {
			inCand[i] = true
		}
	}
	return slices.DeleteFunc(cs, func(c cand) bool {
		first := p.words[c.words[0]].Box
		for i, w := range p.words {
			if inCand[i] || !w.alnum || w.garbage || !sameLine(first, w.Box) || w.h() > 3*first.Dy()/2 || first.Dy() > 3*w.h()/2 {
				continue
			}
			if gap := first.Min.X - w.Box.Max.X; gap >= -first.Dy()/3 && 5*gap <= 4*max(first.Dy(), w.h()) {
				return true
			}
		}
		return false
	})
}

// assign chooses at most one candidate per label, no two sharing a word, with the
// largest total score: a branch and bound over the labels, best first, each limited to
// its few best candidates.
func assign(cs []cand) []cand {
	byLabel := map[int][]cand{}
	for _, c := range cs {
		byLabel[c.label] = append(byLabel[c.label], c)
	}
	type choice struct {
		cs   []cand
		best float64
	}
	var groups []choice
	for _, g := range byLabel {
		// Equal scores: the smaller print is likelier the label.
		slices.SortStableFunc(g, func(a, b cand) int {
			if c := cmp.Compare(b.score, a.score); c != 0 {
				return c
			}
			return a.h - b.h
		})
		groups = append(groups, choice{g[:min(len(g), 4)], g[0].score})
	}
	// Map iteration is random: order fully so the result is deterministic.
	slices.SortFunc(groups, func(a, b choice) int {
		if c := cmp.Compare(b.best, a.best); c != 0 {
			return c
		}
		return a.cs[0].label - b.cs[0].label
	})
	rest := make([]float64, len(groups)+1) // the most the groups from k on can add
	for k := len(groups) - 1; k >= 0; k-- {
		rest[k] = rest[k+1] + groups[k].best
	}
	var best, cur []cand
	bestScore := -1.0
	used := map[int]bool{}
	var walk func(k int, score float64)
	walk = func(k int, score float64) {
		if score+rest[k] <= bestScore {
			return
		}
		if k == len(groups) {
			best, bestScore = slices.Clone(cur), score
			return
		}
	next:
		for _, c := range groups[k].cs {
			for _, i := range c.words {
				if used[i] {
					continue next
				}
			}
			for _, i := range c.words {
				used[i] = true
			}
			cur = append(cur, c)
			walk(k+1, score+c.score)
			cur = cur[:len(cur)-1]
			for _, i := range c.words {
				used[i] = false
			}
		}
		walk(k+1, score)
	}
	walk(0, 0)
	return best
}

// row is one line of a value.
type row struct {
	words []int
	box   image.Rectangle
}

// usable: a word that may be part of a value.
func (p *page) usable(i int) bool {
	return !p.isLabel[i] && !p.claimed[i] && !p.words[i].garbage
}

// chain grows a row from seed along its line, both ways, while the gaps between words
// are word spaces rather than column gaps, stopping at labels, claimed words and the
// column left; and, for a value below label under, at a word under another label.
func (p *page) chain(seed, left int, under *cand) row {
	s := p.words[seed].Box
	var line []int
	for i, w := range p.words {
		if i == seed || sameLine(s, w.Box) {
			line = append(line, i)
		}
	}
	slices.SortFunc(line, func(a, b int) int { return p.words[a].Box.Min.X - p.words[b].Box.Min.X })
	at := slices.Index(line, seed)
	// Word spaces are about a third of the letter height; a dash between spaces
	// ("2019 - 2029") is its own word and bridges them.
	maxGap := s.Dy() * 3 / 2
	ok := func(i int, gap int) bool {
		w := p.words[i]
		return p.usable(i) && gap <= maxGap && w.Box.Min.X >= left && w.h() <= 2*s.Dy() && (under == nil || !p.underOther(w.Box, *under))
	}
	r := row{words: []int{seed}, box: s}
	for k, edge := at+1, s.Max.X; k < len(line); k++ {
		i := line[k]
		if !ok(i, p.words[i].Box.Min.X-edge) {
			break
		}
		r.words = append(r.words, i)
		edge = max(edge, p.words[i].Box.Max.X)
	}
	for k, edge := at-1, s.Min.X; k >= 0; k-- {
		i := line[k]
		if !ok(i, edge-p.words[i].Box.Max.X) {
			break
		}
		r.words = append(r.words, i)
		edge = min(edge, p.words[i].Box.Min.X)
	}
	slices.SortFunc(r.words, func(a, b int) int { return p.words[a].Box.Min.X - p.words[b].Box.Min.X })
	for _, i := range r.words {
		r.box = r.box.Union(p.words[i].Box)
	}
	return r
}

// underOther reports whether a word outside label l's columns stands just under
// another label: it is that label's value, however close to l's.
func (p *page) underOther(b image.Rectangle, l cand) bool {
	if hOverlap(b, l.box.Min.X, l.box.Max.X) > 0 {
		return false
	}
	for _, m := range p.labels {
		if m.box != l.box && m.box.Max.Y <= b.Min.Y+m.h/3 && b.Min.Y-m.box.Max.Y <= 5*m.h/2 && hOverlap(b, m.box.Min.X, m.box.Max.X) > 0 {
			return true
		}
	}
	return false
}

// seedable: a word that can start a value's line.
func (p *page) seedable(i int) bool { return p.usable(i) && p.words[i].alnum }

// rightSeed returns the first word right of label l on its line, if it is near enough
// and no other label comes first, with the gap in pixels.
func (p *page) rightSeed(l cand) (int, int) {
	lb := l.box
	best, gap := -1, 0
	for i, w := range p.words {
		// Punctuation between a label and its value (a lone ":") does not count.
		if slices.Contains(l.words, i) || !sameLine(lb, w.Box) || w.Box.Min.X < lb.Max.X-l.h/3 || w.garbage || !w.alnum {
			continue
		}
		if g := w.Box.Min.X - lb.Max.X; best < 0 || g < gap {
			best, gap = i, g
		}
	}
	// Values tab-aligned after labels of different lengths stand well apart; a column
	// farther than a third of the page is another field.
	if best < 0 || !p.seedable(best) || gap > max(8*l.h, p.bounds.Dx()/6) || gap > p.bounds.Dx()/3 {
		return -1, 0
	}
	return best, gap
}

// blocked reports whether a label other than l, or a claimed word, lies in the band
// of rows [top, bottom) across the columns [x0, x1): a value below a label stops
// where the next field starts.
func (p *page) blocked(l cand, top, bottom, x0, x1 int) bool {
	for i, w := range p.words {
		if slices.Contains(l.words, i) || !(p.isLabel[i] || p.claimed[i]) {
			continue
		}
		if w.Box.Min.Y < bottom && w.Box.Max.Y > top && hOverlap(w.Box, x0, x1) > 0 {
			return true
		}
	}
	return false
}

// belowSeed returns the topmost word under label l that overlaps its columns, if it is
// near enough and no other field starts between them, with the drop in pixels.
func (p *page) belowSeed(l cand) (int, int) {
	lb := l.box
	x0, x1 := lb.Min.X-l.h, lb.Max.X+l.h
	best := -1
	for i, w := range p.words {
		if !p.seedable(i) || w.Box.Min.Y < lb.Max.Y-l.h/3 || w.Box.Min.Y > lb.Max.Y+5*l.h/2 || hOverlap(w.Box, x0, x1) <= 0 {
			continue
		}
		if best < 0 || w.Box.Min.Y < p.words[best].Box.Min.Y || w.Box.Min.Y == p.words[best].Box.Min.Y && w.Box.Min.X < p.words[best].Box.Min.X {
			best = i
		}
	}
	if best < 0 {
		return -1, 0
	}
	b := p.words[best].Box
	if p.blocked(l, lb.Max.Y, (b.Min.Y+b.Max.Y)/2, min(x0, b.Min.X), max(x1, b.Max.X)) {
		return -1, 0
	}
	return best, b.Min.Y - lb.Max.Y
}

// rightBound is the left edge of the nearest thing right of x in the rows [top,
// bottom) that is not part of the value: another label or word. Unless all, only
// labels and words that look like text of letter height h count: a smudge or a glare
// read as letters does not stop a short value's box.
func (p *page) rightBound(l cand, own []int, x, top, bottom, h int, all bool) int {
	bound := p.bounds.Max.X
	for i, w := range p.words {
		if slices.Contains(l.words, i) || slices.Contains(own, i) || w.Box.Min.X <= x {
			continue
		}
		if !all && !p.isLabel[i] && (w.Conf < 0.5 || w.h() > 2*h) {
			continue
		}
		if w.Box.Min.Y < bottom && w.Box.Max.Y > top {
			bound = min(bound, w.Box.Min.X)
		}
	}
	return bound
}

// found is a value under construction.
type found struct {
	l     cand
	where Placement
	rows  []row
}

func (f *found) words() []int {
	var out []int
	for _, r := range f.rows {
		out = append(out, r.words...)
	}
	return out
}

func (f *found) box() image.Rectangle {
	var b image.Rectangle
	for _, r := range f.rows {
		b = b.Union(r.box)
	}
	return b
}

func (p *page) claim(r row) {
	for _, i := range r.words {
		p.claimed[i] = true
	}
}

// values places every chosen label's value. Values right of their labels are taken
// first: a word on a label's line is that label's before it is any other's; then
// first lines below labels, top to bottom; then the further lines of multi-line
// values, so a short name cannot swallow the next field's first line.
func (p *page) values() []Value {
	fs := make([]found, len(p.labels))
	type seed struct{ word, gap int }
	rights, belows := make([]seed, len(p.labels)), make([]seed, len(p.labels))
	for k, l := range p.labels {
		fs[k].l = l
		rights[k].word, rights[k].gap = p.rightSeed(l)
		belows[k].word, belows[k].gap = p.belowSeed(l)
	}
	for k, l := range p.labels {
		r, b := rights[k], belows[k]
		// Both possible: the nearer wins, horizontal gaps counting half since word
		// spaces and tab stops are wider than line spacing.
		if r.word < 0 || b.word >= 0 && 2*b.gap < r.gap {
			continue
		}
		if !p.seedable(r.word) {
			continue
		}
		fs[k].where = Right
		row := p.chain(r.word, l.box.Max.X, nil)
		fs[k].rows = append(fs[k].rows, row)
		p.claim(row)
	}
	for k, l := range p.labels {
		if fs[k].rows != nil {
			continue
		}
		s, _ := p.belowSeed(l) // again: earlier values may have claimed the first choice
		if s < 0 {
			continue
		}
		row := p.chain(s, p.bounds.Min.X, &l)
		fs[k].rows = append(fs[k].rows, row)
		p.claim(row)
	}
	for k := range fs {
		f := &fs[k]
		for len(f.rows) > 0 && len(f.rows) < p.table[f.l.label].lines {
			r, ok := p.nextRow(f)
			if !ok {
				break
			}
			f.rows = append(f.rows, r)
			p.claim(r)
		}
	}
	return p.boxes(fs)
}

// nextRow finds the line under a multi-line value's last line: close below it,
// overlapping the value's columns, with no other field in between.
func (p *page) nextRow(f *found) (row, bool) {
	last := f.rows[len(f.rows)-1].box
	span := f.box()
	if f.where == Below {
		span = span.Union(f.l.box)
	}
	h := last.Dy()
	best := -1
	for i, w := range p.words {
		if !p.seedable(i) || w.Box.Min.Y < last.Max.Y-h/4 || w.Box.Min.Y > last.Max.Y+3*h/2 ||
			hOverlap(w.Box, span.Min.X, span.Max.X) <= 0 || w.h() < h/2 || w.h() > 2*h {
			continue
		}
		if best < 0 || w.Box.Min.Y < p.words[best].Box.Min.Y || w.Box.Min.Y == p.words[best].Box.Min.Y && w.Box.Min.X < p.words[best].Box.Min.X {
			best = i
		}
	}
	if best < 0 {
		return row{}, false
	}
	b := p.words[best].Box
	if p.blocked(f.l, last.Max.Y, (b.Min.Y+b.Max.Y)/2, span.Min.X, span.Max.X) {
		return row{}, false
	}
	left, under := p.bounds.Min.X, &f.l
	if f.where == Right {
		left, under = f.l.box.Max.X, nil
	}
	r := p.chain(best, left, under)
	// A line that another label on its left introduces is that label's value.
	for i, w := range p.words {
		if p.isLabel[i] && !slices.Contains(f.l.words, i) && sameLine(w.Box, r.box) && w.Box.Max.X <= r.box.Min.X && w.Box.Min.X >= span.Min.X-span.Dx() {
			return row{}, false
		}
	}
	return r, true
}

// boxes turns the values found into crops: each value's words with a margin, widened
// to the field's usual width (a multi-line value to its column's free width), never
// over its label or the next thing on the right; labels without a value get a box
// estimated from the other values.
func (p *page) boxes(fs []found) []Value {
	var heights, drops []int
	var rights, belows int
	for _, f := range fs {
		if f.rows == nil {
			continue
		}
		for _, r := range f.rows {
			heights = append(heights, p.rowHeight(r))
		}
		if f.where == Right {
			rights++
		} else {
			belows++
			drops = append(drops, f.rows[0].box.Min.Y-f.l.box.Max.Y)
		}
	}
	out := make([]Value, 0, len(fs))
	for _, f := range fs {
		l := p.table[f.l.label]
		v := Value{Field: l.field, Label: f.l.box, Score: f.l.score, Where: f.where, Lines: len(f.rows)}
		if f.rows == nil {
			v = p.estimate(v, f.l, l, heights, drops, rights > belows)
			out = append(out, v)
			continue
		}
		var hs []int
		var lines []string
		for _, r := range f.rows {
			hs = append(hs, p.rowHeight(r))
			var ws []string
			for _, i := range r.words {
				ws = append(ws, p.words[i].Text)
			}
			lines = append(lines, strings.Join(ws, " "))
		}
		v.Height = median(hs)
		if page := median(heights); 2*v.Height > 3*page {
			// A smudge or glare joined to the value's letters: the page's values
			// tell its height better.
			v.Height = page
		}
		v.Text = strings.Join(lines, "\n")
		mx, my := margins(v.Height)
		wb := f.box()
		b := image.Rect(wb.Min.X-mx, wb.Min.Y-my, wb.Max.X+mx, wb.Max.Y+my)
		bound := p.rightBound(f.l, f.words(), wb.Max.X, wb.Min.Y, wb.Max.Y, v.Height, l.lines > 1) - mx/2
		if l.lines > 1 {
			// The column's free width: a word the page read missed, or a longer line
			// on a re-read, still falls inside.
			b.Max.X = max(b.Max.X, min(bound, b.Min.X+p.bounds.Dx()*3/5))
		} else {
			b.Max.X = max(b.Max.X, min(bound, wb.Min.X+max(expected(l, v.Height), 5*v.Height/2)+mx))
		}
		if f.where == Right {
			b.Min.X = max(b.Min.X, f.l.box.Max.X+1)
		} else {
			b.Min.Y = max(b.Min.Y, f.l.box.Max.Y+1)
		}
		v.Box = p.clear(b, wb, f.words()).Intersect(p.bounds)
		out = append(out, v)
	}
	return out
}

// clear shrinks b, a box round the words in wb, off every label and every other
// value's word its margins reach: a crop must not take in part of the next field.
func (p *page) clear(b, wb image.Rectangle, own []int) image.Rectangle {
	for i, w := range p.words {
		if !(p.isLabel[i] || p.claimed[i]) || slices.Contains(own, i) || !w.Box.Overlaps(b) {
			continue
		}
		switch {
		case w.Box.Min.Y >= wb.Max.Y:
			b.Max.Y = w.Box.Min.Y
		case w.Box.Max.Y <= wb.Min.Y:
			b.Min.Y = w.Box.Max.Y
		case w.Box.Min.X >= wb.Max.X:
			b.Max.X = w.Box.Min.X
		case w.Box.Max.X <= wb.Min.X:
			b.Min.X = w.Box.Max.X
		}
	}
	return b
}

// rowHeight is a line's letter height: its median word height, ignoring punctuation.
func (p *page) rowHeight(r row) int {
	var hs []int
	for _, i := range r.words {
		if p.words[i].alnum {
			hs = append(hs, p.words[i].h())
		}
	}
	if hs == nil {
		return r.box.Dy()
	}
	return median(hs)
}

// margins round a value's words: enough for thin letters at the edges and for the
// words' boxes being a pixel or two off, not enough to reach the next line.
func margins(h int) (int, int) { return max(8, h/2), max(5, h*7/20) }

// expected is the width a value of l usually takes at letter height h: DejaVu Sans
// capitals and digits advance about 0.85 of their height.
func expected(l label, h int) int { return l.chars * h * 17 / 20 }

// estimate places a value no word was read for where the page's other values suggest:
// right of the label or below it, as most are; as tall as they are.
func (p *page) estimate(v Value, c cand, l label, heights, drops []int, right bool) Value {
	h := 2 * c.h
	if heights != nil {
		h = median(heights)
	}
	drop := c.h
	if drops != nil {
		drop = median(drops)
	}
	mx, my := margins(h)
	v.Height, v.Lines = h, 1
	w := max(expected(l, h), 5*h/2) + 2*mx
	var b image.Rectangle
	if right {
		v.Where = Right
		mid := (c.box.Min.Y + c.box.Max.Y) / 2
		b = image.Rect(c.box.Max.X+1, mid-h/2-my, c.box.Max.X+1+w, mid+h/2+my)
	} else {
		v.Where = Below
		v.Lines = l.lines
		// Lines about 1.75 letter heights apart, as printed values usually are.
		tall := h + (l.lines-1)*h*7/4
		b = image.Rect(c.box.Min.X-mx, c.box.Max.Y+1, c.box.Min.X-mx+w, c.box.Max.Y+drop+tall+my)
	}
	bound := p.rightBound(c, nil, b.Min.X, b.Min.Y, b.Max.Y, h, l.lines > 1) - mx/2
	if bound > b.Min.X+h {
		b.Max.X = min(b.Max.X, bound)
	}
	v.Box = p.clear(b, image.Rect(b.Min.X+mx, b.Min.Y+my, b.Max.X-mx, b.Max.Y-my), nil).Intersect(p.bounds)
	return v
}
