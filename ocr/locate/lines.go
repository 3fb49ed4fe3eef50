package locate

import (
	"cotejo/ocr/geom"
	"math"
	"slices"
)

// line is a straight edge at work resolution: n·p = c, n a unit normal.
type line struct {
	nx, ny, c float64
	deg       int // n's direction in whole degrees, 0–179 (either sense)
	// The stretch of the line inside the image: from (x0, y0) along (-ny, nx) for l
	// pixels; hits[t] counts the pixels of its first t with an edge pixel next to them
	// lying across the line, and sup[t] weighs each of them by how sharp that edge is,
	// from 1/2 for a faint one to 1: of two lines as long, a card's edge is sharper
	// than the soft edge of its shadow.
	x0, y0, l float64
	hits, sup []float32
	// cross[t] counts the pixels of the first t where another line crosses this one:
	// edges lying along it on both sides. A desk's pattern is a web of crossing lines
	// (a checkerboard's, text's strokes across its lines); a card's edge is crossed by
	// none, those of the desk stopping at it.
	cross []float32
	// calm[s][t] sums over the first t pixels how even the image is calmDepth pixels
	// to side s of the line (0 the way n points, 1 the other): 1 where it does not
	// change from the pixel before, 0 where it changes by calmStep or more. Inside its
	// edges a card has a margin of even ground or colour; a desk's pattern, or a line of
	// the card's print taken for an edge, has none.
	calm [2][]float32
	// strength is the supporting edges' contrast summed over the strongest window of
	// the stretch about a short side of the smallest card long: a card's edges are long,
	// straight and mostly strong, where its print (a barcode's bars, a line of text, a
	// column of the machine-readable zone) is short and a desk's pattern faint.
	strength float64
	border   bool // one of the image's sides, standing in for an edge beyond it
}

// supported is the number of pixels between t0 and t1 along the stretch with an edge
// next to them; weighed, their weight.
func (l *line) supported(t0, t1 float64) float64 { return span(l.hits, t0, t1) }

func (l *line) weighed(t0, t1 float64) float64 { return span(l.sup, t0, t1) }

func span(prefix []float32, t0, t1 float64) float64 {
	n := len(prefix) - 1
	i0, i1 := min(max(int(t0), 0), n), min(max(int(t1), 0), n)
	if i1 <= i0 {
		return 0
	}
	return float64(prefix[i1] - prefix[i0])
}

// at is the position along the stretch of p's projection on the line.
func (l *line) at(p geom.Point) float64 { return (p.X-l.x0)*-l.ny + (p.Y-l.y0)*l.nx }

// Hough transform and line fitting.
const (
	nTheta     = 180 // one-degree bins over a half turn
	maxPeaks   = 56  // Hough peaks refitted
	maxLines   = 40  // lines kept for quadrilaterals
	angleMatch = 22  // degrees an edge pixel's gradient may differ from its line's normal
	// A line's place among the kept is by its edges' contrast, each counted up to
	// strongEdge (a card on a dark desk); lines whose directions fall in one classWidth
	// degrees (either way) take at most perClassMax places.
	strongEdge = 40
	// crossAngle is how far from along a line an edge may lie to be part of a line
	// crossing it; each pixel crossed costs its line crossStrength of its strength.
	crossAngle    = 25
	crossTurn     = 20 // degrees the two halves of a crossing line may differ by
	crossStrength = 40
	calmDepth     = 3  // pixels
	calmStep      = 8  // grey levels
	sharpEdge     = 16 // the gradient of an edge that supports its line fully
	clearStep     = 40 // grey levels over two pixels: a step that supports a fit fully
	classWidth    = 10
	perClassMax   = 12
)

// orientation is the direction of (nx, ny) in whole degrees, 0–179.
func orientation(nx, ny float64) int {
	return (int(math.Round(math.Atan2(ny, nx)*180/math.Pi)) + 360) % 180
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// lines finds the image's straight edges, strongest first, then appends the image's
// four sides.
func (em *edgeMap) lines() []line {
	w, h := em.w, em.h
	R := int(math.Hypot(float64(w), float64(h))/2) + 2
	nRho := 2*R + 1
	acc := make([]float32, nTheta*nRho)
	var cs, sn [nTheta]float64
	for t := range nTheta {
		sn[t], cs[t] = math.Sincos(float64(t) * math.Pi / 180)
	}
	cx, cy := float64(w)/2, float64(h)/2
	for _, i := range em.list {
		px, py := float64(int(i)%w)+0.5-cx, float64(int(i)/w)+0.5-cy
		d := int(em.dir[i]) % nTheta
		// A weak edge's direction is uncertain: let it vote over a wider fan (a texture's
		// edge, from a smooth density, less so).
		win := min(max(int(120/em.mag[i]), 2), 16)
		if em.texture[i] {
			win = 6
		}
		// Contrast counts, a little: a card's edge is usually stronger than the desk's
		// pattern, but may be only a faint rim.
		wt := 0.3 + 0.7*min(em.mag[i], strongEdge)/strongEdge
		for k := -win; k <= win; k++ {
			t, sign := d+k, 1.0
			if t < 0 {
				t, sign = t+nTheta, -1 // the same line, its normal turned round
			} else if t >= nTheta {
				t, sign = t-nTheta, -1
			}
			r := int(sign*(px*cs[t]+py*sn[t]) + float64(R) + 0.5)
			acc[t*nRho+r] += wt
		}
	}
	minVotes := float32(0.03 * float64(min(w, h)))
	type peak struct {
		t, r int
		v    float32
	}
	var peaks []peak
	for t := range nTheta {
		for r := 2; r < nRho-2; r++ {
			v := acc[t*nRho+r]
			if v < minVotes {
				continue
			}
			isMax := true
			for dt := -1; dt <= 1 && isMax; dt++ {
				for dr := -2; dr <= 2; dr++ {
					tt, rr := t+dt, r+dr
					if tt < 0 || tt >= nTheta { // across 0°: (θ, ρ) is (θ ± 180°, -ρ)
						tt, rr = (tt+nTheta)%nTheta, nRho-1-rr
					}
					u := acc[tt*nRho+rr]
					if u > v || (u == v && (dt < 0 || (dt == 0 && dr < 0))) {
						isMax = false
						break
					}
				}
			}
			if isMax {
				peaks = append(peaks, peak{t, r, v})
			}
		}
	}
	slices.SortFunc(peaks, func(a, b peak) int {
		if a.v != b.v {
			if a.v > b.v {
				return -1
			}
			return 1
		}
		return (a.t*nRho + a.r) - (b.t*nRho + b.r)
	})
	// As for lines below, a striped desk's peaks may take only so many places.
	var peakClass [nTheta / classWidth]int
	kept := peaks[:0]
	for _, p := range peaks {
		if cl := p.t / classWidth; peakClass[cl] < perClassMax && len(kept) < maxPeaks {
			peakClass[cl]++
			kept = append(kept, p)
		}
	}
	peaks = kept
	var out []line
	for _, p := range peaks {
		l := line{nx: cs[p.t], ny: sn[p.t], deg: p.t}
		l.c = float64(p.r-R) + l.nx*cx + l.ny*cy
		if l, ok := em.refit(l); ok && l.hits[len(l.hits)-1] >= minVotes {
			out = append(out, l)
		}
	}
	// Strongest first: a card's edges are mostly its photo's strongest, where a desk's
	// pattern makes many fainter ones.
	slices.SortStableFunc(out, func(a, b line) int { return cmpDesc(a.strength, b.strength) })
	var lines []line
	var perClass [nTheta / classWidth]int
	for _, l := range out {
		// A striped desk has many lines one way: let them take only so many places.
		if cl := l.deg / classWidth; !l.among(lines) && perClass[cl] < perClassMax {
			perClass[cl]++
			em.measureCalm(&l)
			lines = append(lines, l)
		}
		if len(lines) == maxLines {
			break
		}
	}
	W, H := float64(w), float64(h)
	return append(lines,
		line{nx: 1, ny: 0, c: 0, border: true}, line{nx: -1, ny: 0, c: -W, border: true},
		line{nx: 0, ny: 1, c: 0, border: true}, line{nx: 0, ny: -1, c: -H, border: true})
}

// refit fits the line to the edges near it, twice, closer the second time, and
// measures its support.
func (em *edgeMap) refit(l line) (line, bool) {
	ok := true
	for _, tol := range []float64{2.5, 1.6} {
		if l, ok = em.fit(l, tol); !ok {
			return l, false
		}
	}
	em.support(&l)
	return l, true
}

// among says whether the line is already in lines: peaks of one edge may converge on
// one line.
func (l *line) among(lines []line) bool {
	for _, k := range lines {
		if d := l.nx*k.nx + l.ny*k.ny; math.Abs(d) > 0.9986 && math.Abs(l.c-math.Copysign(k.c, d)) < 1.5 {
			return true
		}
	}
	return false
}

// borderC is a border line's c at full resolution.
func borderC(l line, W, H int) float64 {
	switch {
	case l.nx < 0:
		return -float64(W)
	case l.ny < 0:
		return -float64(H)
	}
	return 0
}

// stretch sets where the line crosses the image: the part of it evidence can lie on.
func (l *line) stretch(w, h int) bool {
	dx, dy := -l.ny, l.nx
	// A point on the line, then clip the parameter range to the image (Liang–Barsky).
	px, py := l.nx*l.c, l.ny*l.c
	t0, t1 := math.Inf(-1), math.Inf(1)
	for _, b := range [4][2]float64{{-dx, px}, {dx, float64(w) - px}, {-dy, py}, {dy, float64(h) - py}} {
		p, q := b[0], b[1]
		if p == 0 {
			if q < 0 {
				return false
			}
			continue
		}
		r := q / p
		if p < 0 {
			t0 = math.Max(t0, r)
		} else {
			t1 = math.Min(t1, r)
		}
	}
	if !(t1 > t0+1) {
		return false
	}
	l.x0, l.y0, l.l = px+t0*dx, py+t0*dy, t1-t0
	return true
}

// walk calls visit for each pixel within tol of the line (its centre, that is), going
// along the line column by column or row by row, whichever is more across it.
func (em *edgeMap) walk(l *line, tol float64, visit func(i int)) {
	steep := math.Abs(l.ny) < math.Abs(l.nx) // more up and down than across: go by rows
	n, m, a, b := em.w, em.h, l.nx, l.ny     // columns u of length m; across is v
	if steep {
		n, m, a, b = em.h, em.w, l.ny, l.nx
	}
	// a(u+½) + b(v+½) = c ± tol, solved for v.
	for u := range n {
		mid := (l.c-a*(float64(u)+0.5))/b - 0.5
		half := tol / math.Abs(b)
		v0, v1 := max(int(math.Ceil(mid-half)), 0), min(int(math.Floor(mid+half)), m-1)
		for v := v0; v <= v1; v++ {
			if steep {
				visit(u*em.w + v)
			} else {
				visit(v*em.w + u)
			}
		}
	}
}

// matches says whether edge pixel i's gradient lies across the line, either way: an
// edge may be light on one side in places and dark in others (a card on a
// checkerboard).
func (em *edgeMap) matches(l *line, i int) bool {
	d := em.dir[i]
	if d < 0 {
		return false
	}
	diff := (int(d) - l.deg + 360) % 180
	return diff <= angleMatch || diff >= 180-angleMatch
}

// fit refits the line to the edge pixels within tol of it that point its way: total
// least squares, the normal keeping its sense.
func (em *edgeMap) fit(l line, tol float64) (line, bool) {
	if !l.stretch(em.w, em.h) {
		return l, false
	}
	var n, sx, sy, sxx, sxy, syy float64
	em.walk(&l, tol, func(i int) {
		if !em.matches(&l, i) {
			return
		}
		x, y := float64(i%em.w)+0.5, float64(i/em.w)+0.5
		n++
		sx += x
		sy += y
		sxx += x * x
		sxy += x * y
		syy += y * y
	})
	if n < 8 {
		return l, false
	}
	mx, my := sx/n, sy/n
	cxx, cxy, cyy := sxx/n-mx*mx, sxy/n-mx*my, syy/n-my*my
	// The direction of least spread is the normal.
	th := 0.5*math.Atan2(2*cxy, cxx-cyy) + math.Pi/2
	nx, ny := math.Cos(th), math.Sin(th)
	if nx*l.nx+ny*l.ny < 0 {
		nx, ny = -nx, -ny
	}
	if nx*l.nx+ny*l.ny < 0.97 { // the fit swung away: some other structure
		return l, false
	}
	out := line{nx: nx, ny: ny, c: nx*mx + ny*my}
	out.deg = orientation(nx, ny)
	if !out.stretch(em.w, em.h) {
		return l, false
	}
	return out, true
}

// support counts, step by step along the stretch, the edge pixels next to the line
// that point its way.
func (em *edgeMap) support(l *line) {
	n := int(l.l) + 1
	l.sup, l.hits = make([]float32, n+1), make([]float32, n+1)
	dx, dy := -l.ny, l.nx
	// Across the line, the pixels at the nearest offsets along the axis most across it.
	ox, oy := 0, 1
	if math.Abs(l.nx) > math.Abs(l.ny) {
		ox, oy = 1, 0
	}
	l.cross = make([]float32, n+1)
	// Edges lying across the line either side of it, in one direction: a line that
	// crosses it. A card's edge has the desk's pattern stopping at it on one side and
	// its own print stopping short on the other; the two seldom line up, and a pattern
	// that merely touches the edge from both sides at other angles is no crossing.
	across := func(x, y int) int {
		if x < 0 || y < 0 || x >= em.w || y >= em.h {
			return -1
		}
		d := em.dir[y*em.w+x]
		diff := (int(d) - l.deg + 360) % 180 // 90 when along the line
		if d < 0 || diff < 90-crossAngle || diff > 90+crossAngle {
			return -1
		}
		return int(d)
	}
	dirs := func(bx, by, side float64) (out [3]int) {
		for k, a := range [3]float64{-1, 0, 1} {
			out[k] = across(int(math.Floor(bx+side*2.5*l.nx+a*dx)), int(math.Floor(by+side*2.5*l.ny+a*dy)))
		}
		return out
	}
	crossedAt := func(bx, by float64) bool {
		for _, p := range dirs(bx, by, 1) {
			for _, q := range dirs(bx, by, -1) {
				if d := ((p-q)%180 + 180) % 180; p >= 0 && q >= 0 && min(d, 180-d) <= crossTurn {
					return true
				}
			}
		}
		return false
	}
	con := make([]float32, n+1) // prefix sums of the supporting edges' contrast
	for t := range n {
		var hit, wt, c float32
		bx, by := l.x0+(float64(t)+0.5)*dx, l.y0+(float64(t)+0.5)*dy
		x, y := int(math.Floor(bx)), int(math.Floor(by))
		for o := -1; o <= 1; o++ {
			xx, yy := x+o*ox, y+o*oy
			if xx < 0 || yy < 0 || xx >= em.w || yy >= em.h {
				continue
			}
			if i := yy*em.w + xx; em.matches(l, i) {
				hit = 1
				wt = max(wt, 0.5+0.5*min(em.mag[i]/sharpEdge, 1))
				c = max(c, min(em.mag[i], strongEdge))
			}
		}
		l.hits[t+1] = l.hits[t] + hit
		l.sup[t+1] = l.sup[t] + wt
		con[t+1] = con[t] + c
		l.cross[t+1] = l.cross[t]
		if crossedAt(bx, by) {
			l.cross[t+1]++
		}
	}
	win := min(n, int(0.3*float64(min(em.w, em.h)))+1)
	for t := win; t <= n; t++ {
		l.strength = max(l.strength, float64(con[t]-con[t-win]-crossStrength*(l.cross[t]-l.cross[t-win])))
	}
}

// measureCalm fills in l.calm, needed only of the lines kept.
func (em *edgeMap) measureCalm(l *line) {
	n := len(l.hits) - 1
	dx, dy := -l.ny, l.nx
	for s, sign := range [2]float64{calmDepth, -calmDepth} {
		calm := make([]float32, n+1)
		var prev float32
		had := false
		for t := range n {
			x := int(math.Floor(l.x0 + (float64(t)+0.5)*dx + sign*l.nx))
			y := int(math.Floor(l.y0 + (float64(t)+0.5)*dy + sign*l.ny))
			c := float32(0)
			ok := x >= 0 && y >= 0 && x < em.w && y < em.h
			if ok {
				v := em.lum[y*em.w+x]
				if had {
					c = max(0, 1-abs32(v-prev)/calmStep)
				}
				prev = v
			}
			had = ok
			calm[t+1] = calm[t] + c
		}
		l.calm[s] = calm
	}
}

// meet is where two lines cross.
func meet(a, b fline) (geom.Point, bool) {
	det := a.nx*b.ny - a.ny*b.nx
	if math.Abs(det) < 1e-6 {
		return geom.Point{}, false
	}
	p := geom.Point{X: (a.c*b.ny - a.ny*b.c) / det, Y: (a.nx*b.c - a.c*b.nx) / det}
	if math.IsNaN(p.X) || math.IsNaN(p.Y) || math.IsInf(p.X, 0) || math.IsInf(p.Y, 0) {
		return geom.Point{}, false
	}
	return p, true
}

// fline is a line n·p = c at full resolution.
type fline struct{ nx, ny, c float64 }

func (l line) f() fline { return fline{l.nx, l.ny, l.c} }

// nearby finds lines near the segment from a to b, afresh from the edge pixels there:
// within band of it either way, turned by up to nearTurn degrees, either polarity. It
// is a small Hough transform of its own, so a line too faint or too crowded to make the
// global list is found.
func (em *edgeMap) nearby(a, b geom.Point, band float64, known []line) []line {
	L := dist(a, b)
	if L < 8 || band < 2 {
		return nil
	}
	dx, dy := (b.X-a.X)/L, (b.Y-a.Y)/L
	mx, my := (a.X+b.X)/2, (a.Y+b.Y)/2
	base := math.Atan2(dx, -dy)    // the normal (-dy, dx)'s direction, radians
	const steps = 2 * nearTurn * 2 // half-degree steps
	nr := int(2*band) + 3
	var cs, sn [steps + 1]float64
	for j := range cs {
		sn[j], cs[j] = math.Sincos(base + (float64(j)-steps/2)*math.Pi/360)
	}
	acc := make([]int32, (steps+1)*nr)
	baseDeg := int(math.Round(base * 180 / math.Pi))
	// Only the rows the band crosses: the edge pixels are listed row by row.
	ext := math.Abs(0.6*L*dy) + math.Abs((band+2)*dx)
	y0, y1 := max(int(my-ext), 0), min(int(my+ext)+1, em.h)
	from, _ := slices.BinarySearch(em.list, int32(y0*em.w))
	to, _ := slices.BinarySearch(em.list, int32(y1*em.w))
	for _, k := range em.list[from:to] {
		px, py := float64(int(k)%em.w)+0.5-mx, float64(int(k)/em.w)+0.5-my
		along := px*dx + py*dy
		off := -px*dy + py*dx
		if math.Abs(along) > 0.6*L || math.Abs(off) > band+2 {
			continue
		}
		dev := ((int(em.dir[k])-baseDeg)%180+270)%180 - 90 // degrees off the normal, either way
		win := min(max(int(120/em.mag[k]), 2), 16)
		if dev < -nearTurn-win || dev > nearTurn+win {
			continue
		}
		for j := max(0, 2*(dev-win)+steps/2); j <= min(steps, 2*(dev+win)+steps/2); j++ {
			if r := int(px*cs[j] + py*sn[j] + band + 1.5); r >= 0 && r < nr {
				acc[j*nr+r]++
			}
		}
	}
	type peak struct{ j, r, v int }
	var peaks []peak
	for j := range steps + 1 {
		for r := range nr {
			v := int(acc[j*nr+r])
			if float64(v) < 0.3*L {
				continue
			}
			isMax := true
			for dj := -1; dj <= 1 && isMax; dj++ {
				for dr := -1; dr <= 1; dr++ {
					jj, rr := j+dj, r+dr
					if (dj == 0 && dr == 0) || jj < 0 || jj > steps || rr < 0 || rr >= nr {
						continue
					}
					u := int(acc[jj*nr+rr])
					if u > v || (u == v && (dj < 0 || (dj == 0 && dr < 0))) {
						isMax = false
						break
					}
				}
			}
			if isMax {
				peaks = append(peaks, peak{j, r, v})
			}
		}
	}
	slices.SortFunc(peaks, func(a, b peak) int { return b.v - a.v })
	var out []line
	for _, p := range peaks[:min(len(peaks), nearPeaks)] {
		nx, ny := cs[p.j], sn[p.j]
		c := float64(p.r) - band - 1 + nx*mx + ny*my
		l, ok := em.refit(line{nx: nx, ny: ny, c: c, deg: orientation(nx, ny)})
		if ok && !l.among(append(out, known...)) {
			em.measureCalm(&l)
			out = append(out, l)
		}
	}
	return out
}
