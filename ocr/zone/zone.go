// Package zone finds the machine-readable zone of an INE credential's back (an ICAO TD1
// zone: three lines of 30 OCR-B characters) by its own look, without knowing the model
// or its layout: three parallel, equally spaced, left-aligned rows of about 30 glyphs at
// a constant pitch. It tells which way up the zone reads and where each line is, so the
// reader can crop the lines for OCR wherever a card prints them.
package zone

import (
	"cmp"
	"errors"
	"image"
	"math"
	"slices"
)

// ErrNotFound means no band of three monospaced lines stands out in the image.
var ErrNotFound = errors.New("zone: no machine-readable zone found")

// Band is a machine-readable zone found in an image. Coordinates are the input's.
type Band struct {
	// Lines are the ink boxes of lines 1, 2 and 3 in reading order (when UpsideDown,
	// line 1 is the lowest in the image). They are tight: pad by about a quarter of
	// Height before cropping for OCR. A skewed line's box holds its slant.
	Lines [3]image.Rectangle
	// Pitch is the distance between character centres, Height the glyphs' height.
	Pitch, Height float64
	// Skew is the lines' angle in the image, radians, clockwise (y points down); it
	// leaves out the half turn of UpsideDown.
	Skew       float64
	UpsideDown bool
	// Score, in (0, 1], is how closely the band matched the zone's signature.
	Score float64
}

// Box is the whole band: the union of its lines' boxes.
func (b Band) Box() image.Rectangle { return b.Lines[0].Union(b.Lines[1]).Union(b.Lines[2]) }

// maxPixels bounds the work for shapes no card has; maxGlyphs, the glyph-sized
// components worth linking (a card has a few hundred; noise in the thousands is no
// card, and linking is quadratic where they crowd).
const (
	maxPixels = 2_500_000
	maxGlyphs = 6000
)

// TD1 is 30 characters a line; a few may be lost to glare or merge under blur.
const (
	cells    = 30
	minCells = 25
)

// Find locates the zone in img: a card side, straightened (any width from 500 to 2500
// px), possibly upside down and rotated by a few degrees.
func Find(img image.Image) (Band, error) {
	b := img.Bounds()
	if b.Dx() < 200 || b.Dy() < 60 {
		return Band{}, ErrNotFound
	}
	f := (b.Dx() + maxWork - 1) / maxWork
	for b.Dx()/f*(b.Dy()/f) > maxPixels { // an odd shape, as a fuzzer makes
		f++
	}
	buf, w, h := darkness(img, f)
	// Blocks of about 1/128 of the width: 8 px on a 1012 px card, a fraction of a
	// glyph, so the paper estimate follows shading finely.
	binarise(buf, w, h, max(4, w/128))
	all := components(buf, w, h)

	lines := findLines(all, buf, w)
	band, ok := bestBand(lines, w)
	if !ok {
		return Band{}, ErrNotFound
	}
	orient(&band, buf, w)

	out := Band{Skew: math.Atan(band.lines[1].b), UpsideDown: band.upsideDown, Score: band.score}
	for i, l := range band.lines {
		out.Pitch += l.p * float64(f) / 3
		out.Height += l.h * float64(f) / 3
		r := l.box
		r = image.Rect(r.Min.X*f, r.Min.Y*f, r.Max.X*f, r.Max.Y*f).Add(b.Min).Intersect(b)
		if band.upsideDown {
			out.Lines[2-i] = r
		} else {
			out.Lines[i] = r
		}
	}
	return out, nil
}

// line is a row of glyphs at a constant pitch: centres at x0 + k·p along y = a + b·x.
type line struct {
	a, b    float64 // centre line
	h, p    float64 // median glyph height, pitch
	x0      float64 // centre of the first cell
	n       int     // cells from first to last
	rms     float64 // centres' distance to their cells, in pitches
	members []comp  // glyphs of the run, left to right
	box     image.Rectangle
}

func (l line) y(x float64) float64 { return l.a + l.b*x }

// findLines chains glyph-sized components into rows and keeps the rows that are
// monospaced runs of about 30 cells.
func findLines(all []comp, mask []uint8, w int) []line {
	// Glyph-sized: from a 500 px card's small print to a 2500 px card's large one
	// (after shrinking), and no wider than two merged glyphs.
	hMin, hMax := max(5, w*9/1000), w*8/100
	var glyphs []comp
	for _, c := range all {
		if c.h() >= hMin && c.h() <= hMax && c.w() <= 4*c.h() && c.area*12 >= c.w()*c.h() {
			glyphs = append(glyphs, c)
		}
	}
	if len(glyphs) > maxGlyphs {
		return nil
	}
	slices.SortFunc(glyphs, func(a, b comp) int { return a.x0 + a.x1 - b.x0 - b.x1 })

	// Each glyph links to its best right neighbour of like height on its row, and
	// each glyph keeps the best of the links that reach it: chains are then rows.
	next := make([]int, len(glyphs))
	cost := make([]float64, len(glyphs))
	prev := make([]int, len(glyphs))
	for i := range prev {
		next[i], prev[i] = -1, -1
	}
	for i, a := range glyphs {
		best, bestCost := -1, math.Inf(1)
		ha := float64(a.h())
		for j := i + 1; j < len(glyphs); j++ {
			c := glyphs[j]
			dx := c.cx() - a.cx()
			if dx > 3.7*ha { // a neighbour may be up to 1/0.7 taller than a
				break
			}
			hb := float64(c.h())
			hm := max(ha, hb)
			if min(ha, hb) < 0.7*hm || dx < 0.3*hm || dx > 2.6*hm {
				continue
			}
			dy := math.Abs(c.cy() - a.cy())
			if dy > 0.25*hm {
				continue
			}
			if k := dx + 3*dy; k < bestCost {
				best, bestCost = j, k
			}
		}
		if best < 0 {
			continue
		}
		if p := prev[best]; p >= 0 {
			if cost[p] <= bestCost {
				continue
			}
			next[p] = -1
		}
		next[i], prev[best], cost[i] = best, i, bestCost
	}

	var out []line
	used := make([]bool, len(glyphs))
	for i := range glyphs {
		if prev[i] >= 0 || next[i] < 0 {
			continue
		}
		var chain []comp
		for j := i; j >= 0; j = next[j] {
			chain = append(chain, glyphs[j])
		}
		if len(chain) < 8 {
			continue
		}
		l, ok := fitRow(chain, glyphs, used)
		if ok && !slices.ContainsFunc(out, func(o line) bool { return overlap(o.box, l.box) > 0.5 }) {
			out = append(out, l)
		}
	}
	return out
}

// overlap is the intersection over union of two rectangles.
func overlap(a, b image.Rectangle) float64 {
	i := a.Intersect(b)
	if i.Empty() {
		return 0
	}
	ia := float64(i.Dx() * i.Dy())
	return ia / (float64(a.Dx()*a.Dy()+b.Dx()*b.Dy()) - ia)
}

// fitRow fits a chain's centre line and pitch, gathers every glyph along that line
// (a chain may have stopped at a lost or merged glyph), and returns its longest run of
// evenly spaced cells if that run looks like a zone line.
func fitRow(chain, glyphs []comp, used []bool) (line, bool) {
	var l line
	hs := make([]float64, len(chain))
	ds := make([]float64, 0, len(chain))
	for i, c := range chain {
		hs[i] = float64(c.h())
		if i > 0 {
			ds = append(ds, c.cx()-chain[i-1].cx())
		}
	}
	l.h, l.p = median(hs), median(ds)
	if l.p < 0.55*l.h || l.p > 1.9*l.h {
		return l, false
	}
	l.a, l.b = fitLine(chain)

	// Gather: glyphs centred on the line, of the line's height or, as some cuts of
	// OCR-B draw '<', a little shorter.
	var row []comp
	var idx []int
	for i, c := range glyphs {
		hc := float64(c.h())
		if hc < 0.5*l.h || hc > 1.4*l.h || float64(c.w()) > 3.5*l.p {
			continue
		}
		if math.Abs(c.cy()-l.y(c.cx())) <= 0.3*l.h {
			row = append(row, c)
			idx = append(idx, i)
		}
	}
	// Another chain of this row already produced it.
	fresh := 0
	for _, i := range idx {
		if !used[i] {
			fresh++
		}
	}
	if fresh < len(row)/2 {
		return l, false
	}
	row = mergeCells(row, l.p)

	// Cells: number the single glyphs by their distance to the previous in pitches,
	// then fit centre = x0 + k·p by least squares, twice.
	ks := make([]int, len(row))
	single := func(c comp) bool { return float64(c.w()) <= 1.3*l.p }
	last, lastK := -1, 0
	for i, c := range row {
		if !single(c) {
			continue
		}
		if last >= 0 {
			lastK += max(1, int(math.Round((c.cx()-row[last].cx())/l.p)))
		}
		ks[i], last = lastK, i
	}
	if last < 0 {
		return l, false
	}
	x0, p := 0.0, l.p
	for range 2 {
		var sk, sx, skk, skx, n float64
		for i, c := range row {
			if single(c) {
				k := float64(ks[i])
				sk, sx, skk, skx, n = sk+k, sx+c.cx(), skk+k*k, skx+k*c.cx(), n+1
			}
		}
		d := n*skk - sk*sk
		if n < minCells/2 || d == 0 {
			return l, false
		}
		p = (n*skx - sk*sx) / d
		x0 = (sx - p*sk) / n
		if p < 0.55*l.h || p > 1.9*l.h {
			return l, false
		}
		for i, c := range row {
			ks[i] = int(math.Round((c.cx() - x0) / p))
		}
	}

	// Occupied cells: a glyph's centre cell, or every cell centre a merged blob covers.
	// Each weighs how glyph-like it is: 1 for a glyph of the line's height centred in
	// its cell, less off centre, ½ for a blob or a shorter piece. Where a run is too
	// long, the weights tell the line from a fragment of something beside it.
	occ := map[int]float64{}
	for i, c := range row {
		wt := 0.5
		if single(c) && float64(c.h()) >= 0.8*l.h {
			wt = max(0.1, 1-2*math.Abs((c.cx()-x0)/p-float64(ks[i])))
		}
		lo, hi := cellSpan(c, ks[i], x0, p, single(c))
		for k := lo; k <= hi; k++ {
			occ[k] = max(occ[k], wt)
		}
	}
	keys := make([]int, 0, len(occ))
	for k := range occ {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	// The longest run with gaps of at most two missing cells.
	bestLo, bestHi, bestN := 0, -1, 0
	for lo := 0; lo < len(keys); {
		hi := lo
		for hi+1 < len(keys) && keys[hi+1]-keys[hi] <= 3 {
			hi++
		}
		if hi-lo+1 > bestN {
			bestLo, bestHi, bestN = lo, hi, hi-lo+1
		}
		lo = hi + 1
	}
	if bestN == 0 {
		return l, false
	}
	kLo, kHi := keys[bestLo], keys[bestHi]
	// A TD1 line is 30 cells: of a longer run keep the heaviest 30, unless it holds
	// well over 30 glyphs (another kind of monospaced line).
	heavy := 0
	for k := kLo; k <= kHi; k++ {
		if occ[k] >= 0.8 {
			heavy++
		}
	}
	if heavy > cells+2 {
		return l, false
	}
	if kHi-kLo+1 > cells {
		best := -1.0
		for s := kLo; s+cells-1 <= kHi; s++ {
			sum := 0.0
			for k := s; k < s+cells; k++ {
				sum += occ[k]
			}
			if sum > best {
				best, kLo = sum, s
			}
		}
		kHi = kLo + cells - 1
	}
	l.n = kHi - kLo + 1
	filled := 0
	for k := kLo; k <= kHi; k++ {
		if occ[k] > 0 {
			filled++
		}
	}
	if l.n < minCells || filled*100 < l.n*85 {
		return l, false
	}

	// The run's glyphs: refit the centre line on them and measure their regularity.
	var cellK, centre []float64
	l.box = image.Rectangle{}
	for i, c := range row {
		lo, hi := cellSpan(c, ks[i], x0, p, single(c))
		if lo < kLo || hi > kHi {
			continue
		}
		l.members = append(l.members, c)
		l.box = l.box.Union(c.rect())
		if single(c) {
			cellK, centre = append(cellK, float64(ks[i])), append(centre, c.cx())
		}
	}
	// OCR-B's centres sit within 0.04 pitch of their cells; capitals set in a
	// proportional face stray 0.09 and more.
	l.rms = cellRMS(cellK, centre, p)
	if l.rms > 0.08 {
		return l, false
	}
	hs = hs[:0]
	for _, c := range l.members {
		hs = append(hs, float64(c.h()))
	}
	l.h, l.p, l.x0 = median(hs), p, x0+float64(kLo)*p
	l.a, l.b = fitLine(l.members)
	for _, i := range idx {
		used[i] = true
	}
	return l, true
}

// maxStretch is how much the pitch may change from one end of a line to the other: a
// card straightened from slightly wrong corners, or photographed at an angle and
// straightened by its outline alone, is stretched unevenly along the line.
const maxStretch = 0.12

// cellRMS is how far, in pitches, the glyphs' centres lie from evenly growing cells:
// centre = x0 + p·k + q·k², with the pitch's change q allowed up to maxStretch over
// the line. An even pitch is the case q = 0.
func cellRMS(k, x []float64, p float64) float64 {
	n := len(k)
	if n < 3 {
		return math.Inf(1)
	}
	// Least squares on 1, k, k² (k centred for conditioning), by the normal equations.
	var km float64
	for _, v := range k {
		km += v
	}
	km /= float64(n)
	var m [3][4]float64
	for i := range n {
		d := k[i] - km
		row := [3]float64{1, d, d * d}
		for r := range 3 {
			for c := range 3 {
				m[r][c] += row[r] * row[c]
			}
			m[r][3] += row[r] * x[i]
		}
	}
	coef, ok := solve3(m)
	if !ok {
		return math.Inf(1)
	}
	span := k[n-1] - k[0]
	if q := coef[2]; math.Abs(2*q*span) > maxStretch*p {
		coef[2] = math.Copysign(maxStretch*p/(2*math.Max(span, 1)), q) // the most stretch allowed
		// Refit the other two with the stretch held.
		var s0, s1, s11, t0, t1 float64
		for i := range n {
			d := k[i] - km
			y := x[i] - coef[2]*d*d
			s0, s1, s11, t0, t1 = s0+1, s1+d, s11+d*d, t0+y, t1+d*y
		}
		det := s0*s11 - s1*s1
		if det == 0 {
			return math.Inf(1)
		}
		coef[0], coef[1] = (t0*s11-t1*s1)/det, (s0*t1-s1*t0)/det
	}
	var ss float64
	for i := range n {
		d := k[i] - km
		r := (x[i] - coef[0] - coef[1]*d - coef[2]*d*d) / p
		ss += r * r
	}
	return math.Sqrt(ss / float64(n))
}

// solve3 solves a 3×3 system given as an augmented matrix, by Gaussian elimination
// with partial pivoting.
func solve3(m [3][4]float64) ([3]float64, bool) {
	for c := range 3 {
		piv := c
		for r := c + 1; r < 3; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[piv][c]) {
				piv = r
			}
		}
		if math.Abs(m[piv][c]) < 1e-12 {
			return [3]float64{}, false
		}
		m[c], m[piv] = m[piv], m[c]
		for r := c + 1; r < 3; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k < 4; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	var x [3]float64
	for r := 2; r >= 0; r-- {
		s := m[r][3]
		for k := r + 1; k < 3; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x, true
}

// cellSpan is the cells a component fills: its own, or, for a blob of merged glyphs,
// every cell whose centre it covers.
func cellSpan(c comp, k int, x0, p float64, single bool) (lo, hi int) {
	if single {
		return k, k
	}
	return int(math.Ceil((float64(c.x0) - 0.15*p - x0) / p)), int(math.Floor((float64(c.x1) + 0.15*p - x0) / p))
}

// mergeCells joins components whose centres fall in one cell (a glyph broken in two
// by glare or thresholding) so that each cell holds one.
func mergeCells(row []comp, p float64) []comp {
	slices.SortFunc(row, func(a, b comp) int { return a.x0 + a.x1 - b.x0 - b.x1 })
	out := row[:0]
	for _, c := range row {
		if n := len(out); n > 0 && c.cx()-out[n-1].cx() < 0.35*p {
			out[n-1].add(c)
			continue
		}
		out = append(out, c)
	}
	return out
}

// fitLine fits y = a + b·x through the components' centres by least squares, once
// more without those far from the first fit.
func fitLine(cs []comp) (a, b float64) {
	fit := func(keep func(comp) bool) (float64, float64) {
		var sx, sy, sxx, sxy, n float64
		for _, c := range cs {
			if keep(c) {
				x, y := c.cx(), c.cy()
				sx, sy, sxx, sxy, n = sx+x, sy+y, sxx+x*x, sxy+x*y, n+1
			}
		}
		d := n*sxx - sx*sx
		if n == 0 {
			return 0, 0
		}
		if d == 0 {
			return sy / n, 0
		}
		b := (n*sxy - sx*sy) / d
		return (sy - b*sx) / n, b
	}
	a, b = fit(func(comp) bool { return true })
	hs := make([]float64, len(cs))
	for i, c := range cs {
		hs[i] = float64(c.h())
	}
	tol := 0.15 * median(hs)
	a2, b2 := fit(func(c comp) bool { return math.Abs(c.cy()-a-b*c.cx()) <= tol })
	if a2 == 0 && b2 == 0 {
		return a, b
	}
	return a2, b2
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// band is three lines taken for the zone, top to bottom in the image.
type band struct {
	lines      [3]line
	score      float64
	upsideDown bool
}

// bestBand picks the three lines that best form a zone: like pitch, height and slope,
// equally spaced, their ends aligned.
func bestBand(lines []line, w int) (band, bool) {
	mid := float64(w) / 2
	slices.SortFunc(lines, func(a, b line) int {
		return cmp.Compare(a.y(mid), b.y(mid))
	})
	var best band
	for i := range lines {
		for j := i + 1; j < len(lines); j++ {
			for k := j + 1; k < len(lines); k++ {
				t := [3]line{lines[i], lines[j], lines[k]}
				// The zone spans most of a card's width (about 0.9 of it on INE's
				// cards): a small monospaced block is something else.
				if float64(t[0].n)*t[0].p < 0.3*float64(w) {
					continue
				}
				if s := tripleScore(t); s > best.score {
					best = band{lines: t, score: s}
				}
			}
		}
	}
	return best, best.score > 0
}

// tripleScore is 0 for three lines that cannot be one zone, else how well they fit.
func tripleScore(t [3]line) float64 {
	var pMin, pMax, hMin, hMax, bMin, bMax = math.Inf(1), 0.0, math.Inf(1), 0.0, math.Inf(1), math.Inf(-1)
	for _, l := range t {
		pMin, pMax = min(pMin, l.p), max(pMax, l.p)
		hMin, hMax = min(hMin, l.h), max(hMax, l.h)
		bMin, bMax = min(bMin, l.b), max(bMax, l.b)
	}
	if pMax > 1.08*pMin || hMax > 1.25*hMin || bMax-bMin > 0.02 {
		return 0
	}
	p, h := (pMin+pMax)/2, (hMin+hMax)/2
	// Spacing, measured where the lines start.
	x := t[0].x0
	d1, d2 := t[1].y(x)-t[0].y(x), t[2].y(x)-t[1].y(x)
	if min(d1, d2) < 1.05*h || max(d1, d2) > 4*h || math.Abs(d1-d2) > 0.15*(d1+d2)/2 {
		return 0
	}
	// The lines' starts and ends line up, allowing for the skew (a column of the
	// rotated card leans by the slope) and for an end glyph lost in one line.
	slope := (bMin + bMax) / 2
	var startOff, endOff float64
	for _, l := range t[1:] {
		dy := l.y(t[0].x0) - t[0].y(t[0].x0)
		shift := -dy * slope // where t[0]'s column crosses this line
		startOff = max(startOff, math.Abs(l.x0-t[0].x0-shift)/p)
		endOff = max(endOff, math.Abs(l.x0+float64(l.n-1)*p-(t[0].x0+float64(t[0].n-1)*p)-shift)/p)
	}
	// One end lines up; the other may fall short by as many cells as a line may lose
	// (a finger or glare over a corner hides the ends of the lines it covers).
	if min(startOff, endOff) > 0.6 || max(startOff, endOff) > float64(cells-minCells)+1 {
		return 0
	}
	// Closeness to the TD1 signature, each factor in (0, 1].
	s := 1.0
	for _, l := range t {
		s *= 1 - math.Abs(float64(l.n-cells))/float64(2*cells)
		s *= 1 - l.rms*2
	}
	s *= 1 - math.Abs(d1-d2)/(d1+d2)
	s *= 1 - min(startOff, endOff)/2
	return s
}

// orient decides whether the band reads upside down, from the '<' fillers, two ways:
// each chevron points left when upright and right when turned; and the fillers bunch
// at the lines' ends (line 3 nearly always ends in them), so upright they end the
// lowest line and upside down they start the highest. For the second, a filler is a
// chevron or, where blur hides the shape, a cell of thin ink: two strokes across a box
// as wide as a letter's fill a third of it, letters and digits more.
func orient(b *band, mask []uint8, w int) {
	vote := 0
	for li, l := range b.lines {
		for _, c := range l.members {
			d := chevron(c, mask, w)
			vote += d
			if d == 0 && c.area*100 >= 34*c.w()*c.h() {
				continue
			}
			k := int(math.Round((c.cx() - l.x0) / l.p))
			switch {
			case li == 2 && k >= l.n-5:
				vote++
			case li == 0 && k < 5:
				vote--
			}
		}
	}
	b.upsideDown = vote < 0
}

// chevron is +1 for a component shaped like '<', -1 for '>', else 0: its pointed side
// holds ink only round the middle row, its open side only at top and bottom.
func chevron(c comp, mask []uint8, w int) int {
	cw, ch := c.w(), c.h()
	if cw < 4 || ch < 6 {
		return 0
	}
	// rows reports the extent of ink in the columns [x0,x1) and whether the middle
	// fifth of the rows is free of it.
	rows := func(x0, x1 int) (top, bot int, midFree bool) {
		top, bot, midFree = ch, -1, true
		for y := range ch {
			inkRow := false
			for x := x0; x < x1; x++ {
				if mask[(c.y0+y)*w+c.x0+x] != 0 {
					inkRow = true
					break
				}
			}
			if inkRow {
				top, bot = min(top, y), max(bot, y)
				if y*5 >= ch*2 && y*5 < ch*3 {
					midFree = false
				}
			}
		}
		return top, bot, midFree
	}
	edge := max(1, cw/5)
	pointed := func(x0, x1 int) bool {
		top, bot, _ := rows(x0, x1)
		return bot >= 0 && (bot-top+1)*2 <= ch && top*4 >= ch && (bot+1)*4 <= ch*3
	}
	open := func(x0, x1 int) bool {
		top, bot, free := rows(x0, x1)
		return bot >= 0 && free && top*4 <= ch && (bot+1)*4 >= ch*3
	}
	switch {
	case pointed(0, edge) && open(cw-edge, cw):
		return 1
	case pointed(cw-edge, cw) && open(0, edge):
		return -1
	}
	return 0
}
