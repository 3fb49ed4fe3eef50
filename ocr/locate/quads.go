package locate

import (
	"cmp"
	"cotejo/ocr/geom"
	"cotejo/ocr/layout"
	"image"
	"math"
	"slices"
)

// quad is a candidate card: four lines, each side on one, and their corners.
type quad struct {
	side   [4]int        // lines, in order round the quad
	corner [4]geom.Point // corner[i] ends side i and starts side i+1
	score  float64
	whole  bool // every side is the image's border
}

func (q *quad) centre(s float64) geom.Point {
	var c geom.Point
	for _, p := range q.corner {
		c.X += p.X * s / 4
		c.Y += p.Y * s / 4
	}
	return c
}

// Quadrilateral scoring: per pixel of side, at work resolution.
const (
	// unseen is the credit for side outside the image: the card may well run on there,
	// but nothing shows it.
	unseen = 0.25
	// uncovered is the cost of side the image shows without an edge on it.
	uncovered = 1.0
	// overrun is the cost of edge running on past a corner: a card's edges stop at its
	// corners, a desk's pattern does not.
	overrun = 1.5
	// crossed is the cost of side another line crosses (see line.cross).
	crossed = 3
	// calmBonus is the credit for side with an even margin inside it (see line.calm).
	calmBonus = 0.5
)

// Weighing quadrilaterals by their content.
const (
	// design weighs resemblance to a card design (a correlation) against the outline's
	// score per pixel of the image's perimeter.
	design = 1.5
	// hiddenResemblance is the least resemblance a quadrilateral needs to have a side on
	// the image's border: a pale square on a dark desk scores 0.47, a card 0.7 to 0.9
	// (a card running past the border, a little less).
	hiddenResemblance = 0.5
	// The topOutline best by outline are weighed coarsely, the topQuads best of them
	// finely. Then nearPeaks lines near each side of the nearSeeds best, turned by up
	// to nearTurn degrees, make quadrilaterals of which the topNear best are weighed
	// too.
	topOutline = 40
	topQuads   = 8
	nearPeaks  = 5
	nearTurn   = 6
	topNear    = 6
	nearSeeds  = 1
	// completeResemblance is the resemblance above which a quadrilateral is taken to
	// have all the card's sides, and not searched for a missing one.
	completeResemblance = 0.6
)

// bestQuad scores every card-shaped quadrilateral the lines make, weighs the best by
// their resemblance to a design, and then looks about the winner's sides for better
// lines. It returns the lines too, with those it found.
func (em *edgeMap) bestQuad(lines []line, ds *designs, small *image.RGBA) (quad, []line, bool) {
	w, h := float64(em.w), float64(em.h)
	minSep := em.minSep()
	type pair struct{ a, b int }
	var pairs []pair
	for i := range lines {
		for j := i + 1; j < len(lines); j++ {
			a, b := &lines[i], &lines[j]
			cos := a.nx*b.nx + a.ny*b.ny
			if math.Abs(cos) < 0.88 { // not within 28° of parallel (a card seen at a slant)
				continue
			}
			// Their distance apart, at the image's centre.
			da := a.nx*w/2 + a.ny*h/2 - a.c
			db := b.nx*w/2 + b.ny*h/2 - b.c
			if cos < 0 {
				db = -db
			}
			if math.Abs(da-db) < minSep {
				continue
			}
			pairs = append(pairs, pair{i, j})
		}
	}
	var top []quad
	corners := newCornerTable(em, len(lines))
	for pi, A := range pairs {
		for _, B := range pairs[pi+1:] {
			if A.a == B.a || A.a == B.b || A.b == B.a || A.b == B.b {
				continue
			}
			la, lb := &lines[A.a], &lines[B.a]
			if math.Abs(la.nx*lb.nx+la.ny*lb.ny) > 0.574 { // not within 35° of square
				continue
			}
			if q, ok := em.evaluate(lines, [4]int{A.a, B.a, A.b, B.b}, corners); ok {
				top = keepBest(top, q, topOutline)
			}
		}
	}
	ranked := em.weigh(lines, top, ds, small)
	if len(ranked) == 0 {
		return quad{}, lines, false
	}
	// The outline may have settled on a line of the card's print just inside its edge
	// (the edge of a coloured band, faint against the desk), or on a desk's line just
	// outside: try the lines near each side of the best two, found afresh from the
	// edges there.
	//
	// A side may also be missing altogether, too faint for either search about the
	// side found in its place (a card's lit edge on white paper): look where the card's
	// shape puts it, as far from the opposite side as the other two sides' distance
	// apart times the card's ratio, or divided by it.
	alt := ranked[:min(len(ranked), nearSeeds)]
	for _, seed := range ranked[:min(len(ranked), nearSeeds)] {
		// A quadrilateral that looks like a card lacks no side.
		complete := ds.resemblance(small, seed.corner, false) >= completeResemblance
		var near [4][]int
		for i := range 4 {
			near[i] = append(near[i], seed.side[i])
			a, b := seed.corner[(i+3)%4], seed.corner[i]
			c, d := seed.corner[(i+1)%4], seed.corner[(i+2)%4] // the opposite side, d to c
			across := (dist(b, c) + dist(d, a)) / 2            // from this side to the opposite
			apart := (dist(a, b) + dist(c, d)) / 2             // the other two sides' distance apart
			found := em.nearby(a, b, 0.3*across, []line{lines[seed.side[i]]})
			for _, ratio := range [2]float64{layout.Width / float64(layout.Height), float64(layout.Height) / layout.Width} {
				want := apart * ratio
				if complete || math.Abs(want-across) < 0.15*across {
					continue // about where the search above looked
				}
				// The opposite side moved out to want.
				k := want / across
				pa := geom.Point{X: d.X + (a.X-d.X)*k, Y: d.Y + (a.Y-d.Y)*k}
				pb := geom.Point{X: c.X + (b.X-c.X)*k, Y: c.Y + (b.Y-c.Y)*k}
				if min(pa.X, pb.X) < -0.2*float64(em.w) || min(pa.Y, pb.Y) < -0.2*float64(em.h) || max(pa.X, pb.X) > 1.2*float64(em.w) || max(pa.Y, pb.Y) > 1.2*float64(em.h) {
					continue
				}
				found = append(found, em.nearby(pa, pb, 0.15*want, append(found, lines[seed.side[i]]))...)
			}
			for _, l := range found {
				near[i] = append(near[i], len(lines))
				lines = append(lines, l)
			}
		}
		var more []quad
		for _, a := range near[0] {
			for _, b := range near[1] {
				for _, c := range near[2] {
					for _, d := range near[3] {
						if q, ok := em.evaluate(lines, [4]int{a, b, c, d}, corners); ok {
							more = keepBest(more, q, topNear)
						}
					}
				}
			}
		}
		alt = append(alt, more...)
	}
	if r := em.weigh(lines, alt, ds, small); len(r) > 0 {
		ranked = r
	}
	best := ranked[0]
	best.whole = lines[best.side[0]].border && lines[best.side[1]].border && lines[best.side[2]].border && lines[best.side[3]].border
	if !best.whole {
		best, lines = em.outermost(best, lines, small)
	}
	return best, lines, true
}

// outermost moves each side of q out to the card's outer boundary, where card meets
// background. A band or rule printed along a card's edge makes a line parallel to the
// edge a little inside it, often stronger than the edge (a coloured band on a dark
// desk), and the content check cannot tell the two apart: a design without such a band
// (an unknown layout's) looks the more like the quadrilateral that leaves it out. So of
// the lines parallel to a side and outside it within maxStrip of the card, each taken
// with its support along the side, the outermost well supported one is the edge if
// none of the strips between it and the side (cut by the lines between) is background:
// like what lies just beyond it, or that in shadow. A desk's line or a shadow's edge
// just outside the card has background inside it, and so stays outside.
func (em *edgeMap) outermost(q quad, lines []line, small *image.RGBA) (quad, []line) {
	centre := q.centre(1)
	for i := range 4 {
		cur := q.side[i]
		if lines[cur].border {
			continue
		}
		a, b := q.corner[(i+3)%4], q.corner[i]
		c, d := q.corner[(i+1)%4], q.corner[(i+2)%4]
		reach := maxStrip * (dist(b, c) + dist(d, a)) / 2
		// The candidates: the lines found, and lines found afresh about the side (a
		// line found first may fit this stretch of it poorly).
		lines = append(lines, em.nearby(a, b, reach, []line{lines[cur]})...)
		prev, next := &lines[q.side[(i+3)%4]], &lines[q.side[(i+1)%4]]
		L := lines[cur]
		ox, oy := L.nx, L.ny // outward
		if L.nx*centre.X+L.ny*centre.Y > L.c {
			ox, oy = -ox, -oy
		}
		type cand struct {
			j        int
			off, sup float64 // how far out at the side's middle; its support
		}
		var outer []cand
		for j := range lines {
			l := &lines[j]
			den := l.nx*ox + l.ny*oy
			if j == cur || l.border || math.Abs(den) < parallelCos {
				continue
			}
			// How far out it lies at either end of the side: a strip printed along the
			// edge keeps its width, but for perspective.
			offA, offB := (l.c-l.nx*a.X-l.ny*a.Y)/den, (l.c-l.nx*b.X-l.ny*b.Y)/den
			off := (offA + offB) / 2
			if off < minStrip || off > reach || math.Abs(offA-offB) > max(minStrip, stripTaper*off) {
				continue
			}
			// Its support between the adjacent sides, of which most must be in the image.
			pa, ok1 := meet(prev.f(), l.f())
			pb, ok2 := meet(next.f(), l.f())
			if !ok1 || !ok2 {
				continue
			}
			ta, tb := l.at(pa), l.at(pb)
			if ta > tb {
				ta, tb = tb, ta
			}
			v0, v1 := max(ta, 0), min(tb, l.l)
			if vis := v1 - v0; vis <= 0 || vis < 0.5*(tb-ta) {
				continue
			}
			outer = append(outer, cand{j, off, l.supported(v0, v1) / (v1 - v0)})
		}
		slices.SortFunc(outer, func(x, y cand) int { return cmp.Compare(x.off, y.off) })
		// Lines closer than minStrip are one edge, the best supported of them.
		var edges []cand
		for _, o := range outer {
			if n := len(edges); n > 0 && o.off < edges[n-1].off+minStrip {
				if o.sup > edges[n-1].sup {
					edges[n-1] = o
				}
				continue
			}
			edges = append(edges, o)
		}
		// The outermost supported one with no strip of background inside it; the
		// background varies by base from place to place, and a strip must differ by more.
	search:
		for p := len(edges) - 1; p >= 0; p-- {
			if edges[p].sup < stripSupport {
				continue
			}
			beyond := &lines[edges[p].j]
			from := &lines[cur]
			for k := 0; k <= p; k++ {
				to := &lines[edges[k].j]
				res, base, n := stripContrast(small, &lines[cur], from, to, beyond, a, b, centre)
				if n == 0 || res <= max(stripStep, 2*base) {
					continue search
				}
				from = to
			}
			cur = edges[p].j
			break
		}
		q.side[i] = cur
	}
	for i := range 4 {
		p, ok := meet(lines[q.side[i]].f(), lines[q.side[(i+1)%4]].f())
		if !ok {
			return q, lines
		}
		q.corner[i] = p
	}
	return q, lines
}

// stripContrast measures how unlike background the strip between lines from and to
// is, background being what lies just beyond the line beyond: at points along the side
// from a to b (on side), the colour across the middle of the strip less the most of the
// background's that it could be in shadow (a shadow darkens, it neither lightens nor
// changes the hue), the median over the points; base is the same of the background a
// little further out, how much the background varies. n is how many points had their
// samples in the image.
func stripContrast(small *image.RGBA, side, from, to, beyond *line, a, b, centre geom.Point) (res, base float64, n int) {
	L := dist(a, b)
	if L < 8 {
		return 0, 0, 0
	}
	dx, dy := (b.X-a.X)/L, (b.Y-a.Y)/L
	nx, ny := -dy, dx // outward
	if (centre.X-a.X)*nx+(centre.Y-a.Y)*ny > 0 {
		nx, ny = -nx, -ny
	}
	// mean is the colour between o0 and o1 out from p, over the part in the image.
	mean := func(p geom.Point, o0, o1 float64) ([3]float64, bool) {
		var s [3]float64
		k := 0
		for o := o0; o <= o1+1e-9; o++ {
			for _, al := range [3]float64{-1, 0, 1} {
				c, ok := sample(small, p.X+o*nx+al*dx, p.Y+o*ny+al*dy)
				if !ok {
					continue
				}
				for i := range 3 {
					s[i] += c[i]
				}
				k++
			}
		}
		if k == 0 {
			return s, false
		}
		for i := range 3 {
			s[i] /= float64(k)
		}
		return s, true
	}
	shadowed := func(s, o [3]float64) float64 {
		oo, so := 0.0, 0.0
		for i := range 3 {
			oo += o[i] * o[i]
			so += s[i] * o[i]
		}
		k := 0.0
		if oo > 0 {
			k = min(max(so/oo, 0), 1)
		}
		r := 0.0
		for i := range 3 {
			r += (s[i] - k*o[i]) * (s[i] - k*o[i])
		}
		return math.Sqrt(r)
	}
	// offset is how far out from p along the normal l lies.
	offset := func(l *line, p geom.Point) float64 {
		return (l.c - l.nx*p.X - l.ny*p.Y) / (l.nx*nx + l.ny*ny)
	}
	var rs, bs []float64
	const m = 16
	for j := range m {
		t := L * (0.1 + 0.8*(float64(j)+0.5)/m)
		p := geom.Point{X: a.X + t*dx, Y: a.Y + t*dy}
		off := side.nx*p.X + side.ny*p.Y - side.c
		p = geom.Point{X: p.X - off*side.nx, Y: p.Y - off*side.ny}
		w0, w1, wb := offset(from, p), offset(to, p), offset(beyond, p)
		if from == side {
			w0 = 0
		}
		if w1-w0 < minStrip {
			continue
		}
		g := min(1.5, (w1-w0)/3)
		s, ok1 := mean(p, w0+g, max(w0+g, w1-g))
		o, ok2 := mean(p, wb+1.5, wb+4.5)
		if !ok1 || !ok2 {
			continue
		}
		rs = append(rs, shadowed(s, o))
		if o2, ok := mean(p, wb+4.5, wb+7.5); ok {
			bs = append(bs, shadowed(o2, o))
		}
	}
	if len(rs) == 0 {
		return 0, 0, 0
	}
	slices.Sort(rs)
	slices.Sort(bs)
	if len(bs) > 0 {
		base = bs[len(bs)/2]
	}
	return rs[len(rs)/2], base, len(rs)
}

// Moving a side out to the card's outer boundary (see outermost).
const (
	// maxStrip is the widest strip printed along an edge, as a fraction of the card's
	// width across it: bands and rules along an edge are narrower than a tenth of the
	// card, its fields starting inside them.
	maxStrip = 0.1
	// minStrip is the least distance apart, in work pixels, of lines taken for two
	// edges rather than one: the edge operator reaches two pixels either way, so
	// nearer lines are the two flanks of one blurred step.
	minStrip = 3
	// parallelCos is how parallel a line must be to a side to be its outer edge (3°):
	// a band runs along the edge.
	parallelCos = 0.9986
	// stripTaper is how much narrower a strip may look at one end than at the other,
	// as a share of its width: perspective changes it by a fraction of that.
	stripTaper = 0.5
	// stripSupport is the share of its length an outer edge must have edges along.
	stripSupport = 0.5
	// stripStep is the least colour difference, in grey levels, that tells a strip of
	// the card from background.
	stripStep = 12
)

// cornerTable holds where lines meet, computed once per pair.
type cornerTable struct {
	w, h float64
	n    int
	done []bool
	ok   []bool
	p    []geom.Point
}

func newCornerTable(em *edgeMap, n int) *cornerTable {
	return &cornerTable{w: float64(em.w), h: float64(em.h), n: n, done: make([]bool, n*n), ok: make([]bool, n*n), p: make([]geom.Point, n*n)}
}

// at is where lines a and b meet, false if nowhere a card's corner could be: past the
// image's border by more than a fifth of it.
func (t *cornerTable) at(lines []line, a, b int) (geom.Point, bool) {
	const margin = 0.2
	if a >= t.n || b >= t.n { // a line found after the table was made
		p, ok := meet(lines[a].f(), lines[b].f())
		return p, ok && p.X >= -margin*t.w && p.Y >= -margin*t.h && p.X <= (1+margin)*t.w && p.Y <= (1+margin)*t.h
	}
	k := a*t.n + b
	if !t.done[k] {
		p, ok := meet(lines[a].f(), lines[b].f())
		t.p[k], t.ok[k], t.done[k] = p, ok && p.X >= -margin*t.w && p.Y >= -margin*t.h && p.X <= (1+margin)*t.w && p.Y <= (1+margin)*t.h, true
	}
	return t.p[k], t.ok[k]
}

// minSep is the least a card's sides may be apart at work resolution.
func (em *edgeMap) minSep() float64 { return max(12, 0.1*float64(min(em.w, em.h))) }

// keepBest inserts q into top, sorted best first and at most n long.
func keepBest(top []quad, q quad, n int) []quad {
	if len(top) == n && q.score <= top[len(top)-1].score {
		return top
	}
	k, _ := slices.BinarySearchFunc(top, q.score, func(a quad, s float64) int {
		if a.score > s {
			return -1
		}
		return 1
	})
	top = slices.Insert(top, k, q)
	return top[:min(len(top), n)]
}

// evaluate makes the quadrilateral whose sides lie on the four lines, in order round it,
// and scores its outline; false if no card would make it.
func (em *edgeMap) evaluate(lines []line, sides [4]int, corners *cornerTable) (quad, bool) {
	q := quad{side: sides}
	for i := range 4 {
		var good bool
		if q.corner[i], good = corners.at(lines, q.side[i], q.side[(i+1)%4]); !good {
			return q, false
		}
	}
	// Convex, corners in order.
	for i := range 4 {
		if cross(q.corner[i], q.corner[(i+1)%4], q.corner[(i+2)%4])*cross(q.corner[0], q.corner[1], q.corner[2]) <= 0 {
			return q, false
		}
	}
	var side [4]float64
	for i := range 4 {
		side[i] = dist(q.corner[(i+3)%4], q.corner[i])
	}
	long, short := side[0]+side[2], side[1]+side[3]
	if short > long {
		long, short = short, long
	}
	if r := long / short; r < minAspect || r > maxAspect || short/2 < em.minSep() {
		return q, false
	}
	var ok bool
	q.score, ok = score(lines, &q, side)
	return q, ok
}

func cross(o, a, b geom.Point) float64 { return (a.X-o.X)*(b.Y-o.Y) - (a.Y-o.Y)*(b.X-o.X) }

// weigh ranks the candidates by outline and resemblance to a design: the resemblance
// first coarse, for all, then in full for the best few by that, which it returns best
// first.
func (em *edgeMap) weigh(lines []line, cands []quad, d *designs, small *image.RGBA) []quad {
	perim := 2 * float64(em.w+em.h)
	type weighed struct {
		q     quad
		score float64
	}
	var ws []weighed
	for _, q := range cands {
		r := d.resemblance(small, q.corner, true)
		if hidden(lines, &q) && (r < hiddenResemblance-0.1 || !runsPast(small, lines, &q)) {
			continue
		}
		ws = append(ws, weighed{q, q.score/perim + design*r - misshapen(lines, &q)})
	}
	slices.SortStableFunc(ws, func(a, b weighed) int { return cmpDesc(a.score, b.score) })
	ws = ws[:min(len(ws), topQuads)]
	fine := ws[:0]
	for _, w := range ws {
		r := d.resemblance(small, w.q.corner, false)
		// A side on the border is a guess that the card runs past it: believe it only
		// of something that looks like a card.
		if hidden(lines, &w.q) && r < hiddenResemblance {
			continue
		}
		fine = append(fine, weighed{w.q, w.q.score/perim + design*r - misshapen(lines, &w.q)})
	}
	slices.SortStableFunc(fine, func(a, b weighed) int { return cmpDesc(a.score, b.score) })
	out := make([]quad, len(fine))
	for k, w := range fine {
		out[k] = w.q
	}
	return out
}

// Every credential is an ID-1 card, 85.60 × 53.98 mm, whatever its design: a
// quadrilateral whose sides are far from that ratio is not one, however well its edges
// and content score (a line of the card's print taken for its edge cuts off a strip; a
// desk's line beyond it adds one). Perspective moves each corner a little: ratioSlack
// is how far (as a log ratio, about ±10 %) the sides' ratio may stray at no cost, and
// shapeCost what each unit beyond costs, against a resemblance weighed by design.
const (
	ratioSlack = 0.1
	shapeCost  = 4.0
	// taperSlack is how much longer (as a log ratio, about 35 %) a side may be than the
	// one opposite at no cost; turnSlack, how far from parallel they may be. Both allow
	// a photo taken well off square (and level 3's corners moved by 8 % each way).
	taperSlack = 0.3
	turnSlack  = 18 * math.Pi / 180
)

// misshapen is what q's shape costs. A quadrilateral with a side on the image's border
// shows only the part of the card inside the image, of any ratio: it costs nothing.
func misshapen(lines []line, q *quad) float64 {
	if hidden(lines, q) {
		return 0
	}
	a := dist(q.corner[0], q.corner[1]) + dist(q.corner[2], q.corner[3])
	b := dist(q.corner[1], q.corner[2]) + dist(q.corner[3], q.corner[0])
	if a == 0 || b == 0 {
		return math.Inf(1)
	}
	r := math.Abs(math.Log(max(a, b) / min(a, b) / (float64(layout.Width) / layout.Height)))
	cost := shapeCost * max(0, r-ratioSlack)
	// Opposite sides of a card about as long as each other: a photo from an angle
	// shortens the far side, but a desk's line across a corner makes a trapezoid no
	// camera held over a counter does.
	for i := range 2 {
		s, t := dist(q.corner[i], q.corner[(i+1)%4]), dist(q.corner[(i+2)%4], q.corner[(i+3)%4])
		if s == 0 || t == 0 {
			return math.Inf(1)
		}
		cost += shapeCost * max(0, math.Abs(math.Log(s/t))-taperSlack)
		// And about parallel: the angle between them, beyond turnSlack, in radians.
		u := geom.Point{X: q.corner[(i+1)%4].X - q.corner[i].X, Y: q.corner[(i+1)%4].Y - q.corner[i].Y}
		v := geom.Point{X: q.corner[(i+2)%4].X - q.corner[(i+3)%4].X, Y: q.corner[(i+2)%4].Y - q.corner[(i+3)%4].Y}
		turn := math.Abs(math.Atan2(u.X*v.Y-u.Y*v.X, u.X*v.X+u.Y*v.Y))
		cost += 2 * shapeCost * max(0, turn-turnSlack)
	}
	return cost
}

// runsPast says whether what q shows along its sides on the image's border looks like
// the card running on past it rather than like what lies outside its other sides: a
// side of desk between a card and the border makes a quadrilateral that takes in the
// desk, and as its content can resemble a design as well as the card alone does, the
// colours tell. Each strip is sampled a little inside its side, the desk a little
// outside the real sides, the card over its middle; a border strip most of whose
// samples are nearer the desk's median colour than the card's is desk. Without enough
// desk to compare with (a card filling the image), it cannot tell and says yes.
func runsPast(img *image.RGBA, lines []line, q *quad) bool {
	b := img.Bounds()
	at := func(p geom.Point) ([3]float64, bool) {
		x, y := int(p.X), int(p.Y)
		if x < b.Min.X || y < b.Min.Y || x >= b.Max.X || y >= b.Max.Y {
			return [3]float64{}, false
		}
		i := img.PixOffset(x, y)
		return [3]float64{float64(img.Pix[i]), float64(img.Pix[i+1]), float64(img.Pix[i+2])}, true
	}
	c := q.centre(1)
	size := min(dist(q.corner[0], q.corner[1]), dist(q.corner[1], q.corner[2]))
	off := 0.04*size + 2
	// along side i at t, moved by d towards the centre (d > 0) or away from it.
	along := func(i int, t, d float64) geom.Point {
		a, e := q.corner[(i+3)%4], q.corner[i]
		p := geom.Point{X: a.X + (e.X-a.X)*t, Y: a.Y + (e.Y-a.Y)*t}
		L := dist(p, c)
		if L == 0 {
			return p
		}
		return geom.Point{X: p.X + (c.X-p.X)*d/L, Y: p.Y + (c.Y-p.Y)*d/L}
	}
	var desk, card, strip [][3]float64
	for i, k := range q.side {
		for t := 0.15; t < 0.9; t += 0.05 {
			if lines[k].border {
				if v, ok := at(along(i, t, off)); ok {
					strip = append(strip, v)
				}
			} else if v, ok := at(along(i, t, -off)); ok {
				desk = append(desk, v)
			}
		}
	}
	for u := 0.2; u < 0.85; u += 0.1 {
		for v := 0.2; v < 0.85; v += 0.1 {
			top := geom.Point{X: q.corner[3].X + (q.corner[0].X-q.corner[3].X)*u, Y: q.corner[3].Y + (q.corner[0].Y-q.corner[3].Y)*u}
			bot := geom.Point{X: q.corner[2].X + (q.corner[1].X-q.corner[2].X)*u, Y: q.corner[2].Y + (q.corner[1].Y-q.corner[2].Y)*u}
			if px, ok := at(geom.Point{X: top.X + (bot.X-top.X)*v, Y: top.Y + (bot.Y-top.Y)*v}); ok {
				card = append(card, px)
			}
		}
	}
	if len(desk) < 8 || len(strip) < 4 {
		return true
	}
	dm, cm := medianColour(desk), medianColour(card)
	near := 0
	for _, v := range strip {
		if colourDist(v, dm) < colourDist(v, cm) {
			near++
		}
	}
	return near*5 < len(strip)*3
}

func medianColour(vs [][3]float64) [3]float64 {
	var m [3]float64
	ch := make([]float64, len(vs))
	for c := range 3 {
		for i, v := range vs {
			ch[i] = v[c]
		}
		slices.Sort(ch)
		m[c] = ch[len(ch)/2]
	}
	return m
}

func colourDist(a, b [3]float64) float64 {
	return math.Abs(a[0]-b[0]) + math.Abs(a[1]-b[1]) + math.Abs(a[2]-b[2])
}

// hidden says whether a side of q is the image's border.
func hidden(lines []line, q *quad) bool {
	for _, i := range q.side {
		if lines[i].border {
			return true
		}
	}
	return false
}

// score is the outline's evidence for a quadrilateral: edge covering its sides and an
// even margin inside them, less sides the image shows bare, edges overrunning its
// corners and lines crossing its sides, plus a little for sides outside the image. ok
// is false for a quadrilateral no card would make.
func score(lines []line, q *quad, side [4]float64) (float64, bool) {
	total, seen, covered := 0.0, 0.0, 0.0
	for i, k := range q.side {
		l := &lines[k]
		a, b := q.corner[(i+3)%4], q.corner[i]
		if l.border {
			total += unseen * side[i]
			continue
		}
		ta, tb := l.at(a), l.at(b)
		if ta > tb {
			ta, tb = tb, ta
		}
		v0, v1 := max(ta, 0), min(tb, l.l)
		vis := max(v1-v0, 0)
		hits := l.supported(v0, v1)
		e := 0.08*side[i] + 2
		over := l.weighed(max(ta-e, 0), min(ta, l.l)) + l.weighed(max(tb, 0), min(tb+e, l.l))
		total += l.weighed(v0, v1) - uncovered*(vis-hits) - overrun*over + unseen*(side[i]-vis) - crossed*span(l.cross, v0, v1)
		// The side's inside is the way to the quadrilateral's middle.
		in := 0
		if mid := q.centre(1); l.nx*mid.X+l.ny*mid.Y < l.c {
			in = 1
		}
		total += calmBonus * span(l.calm[in], v0, v1)
		seen += vis
		covered += hits
	}
	// Most of what shows of the outline must be edge.
	if seen > 0 && covered < 0.45*seen {
		return 0, false
	}
	// A side on the border says the card runs on past it, so the edges either side of
	// it must run into the border, not stop short (a card with a margin of desk).
	for i, k := range q.side {
		if !lines[k].border {
			continue
		}
		for _, adj := range [2][3]int{{(i + 3) % 4, (i + 3) % 4, (i + 2) % 4}, {(i + 1) % 4, i, (i + 1) % 4}} {
			l := &lines[q.side[adj[0]]]
			if l.border {
				continue
			}
			c, o := q.corner[adj[1]], q.corner[adj[2]] // the corner on the border, the other end
			e := max(6, 0.1*dist(c, o))
			tc, to := l.at(c), l.at(o)
			t0, t1 := tc-e, tc
			if to > tc {
				t0, t1 = tc, tc+e
			}
			t0, t1 = max(t0, 0), min(t1, l.l)
			if t1-t0 > 3 && l.supported(t0, t1) < 0.5*(t1-t0) {
				return 0, false
			}
		}
	}
	return total, true
}
