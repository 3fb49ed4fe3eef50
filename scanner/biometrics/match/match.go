// Package match compares two fingerprints by their minutiae and says how alike they are,
// 0 to 100. It is a Minutia Cylinder-Code matcher (Cappelli, Ferrara and Maltoni, IEEE
// TPAMI 2010), in its binary form: each minutia is described by a cylinder, a grid of
// cells around it in its own frame (so that moving or turning the finger changes
// nothing), each cell set when enough neighbours lie there with that direction relative
// to the minutia's. Two prints are compared by the similarity of their cylinders; the most
// alike pairs of minutiae are then relaxed (LSS-R), each pair's similarity reinforced by
// the pairs that agree with it on distances and angles and worn away otherwise, and the
// pairs that held best give the score. There is no global alignment, which is what lets
// it hold on distorted and partial captures. The minutiae's kind and quality are not used.
package match

import (
	"cmp"
	"encoding/binary"
	"hash/fnv"
	"math"
	"math/bits"
	"slices"

	"cotejo/scanner/biometrics/ridge"
)

// The cylinder's grid: ns × ns cells across, nd in direction.
const (
	ns    = 16
	nd    = 6
	cells = ns * ns * nd
	words = (cells + 63) / 64
)

// maxCylinders bounds a template (raw packs a cylinder's index in 12 bits): far more
// minutiae than any print has, or an ANSI 378 view can hold (255).
const maxCylinders = 1<<12 - 1

// config is the matcher's parameters; the product uses defaults(), tests try others.
type config struct {
	// Cylinders: radius (px), spreads of a neighbour's contribution in space (px) and
	// direction (rad), the sum at which a cell is set, how far beyond the minutiae's convex
	// hull cells still count (px).
	radius, sigmaS, sigmaD float64
	muPsi                  float64
	omega                  float64
	// A cylinder counts if this share of its cells is valid and minM other minutiae lie
	// near; two cylinders compare if this share of cells is valid in both and their
	// minutiae's directions differ by at most maxTurn.
	minVC   float64
	minM    int
	minME   float64
	maxTurn float64
	// LSS-R: pairs averaged (minNP … maxNP, by a sigmoid of the smaller cylinder count),
	// relaxation rounds and the weight of a pair's own similarity in each, and the
	// sigmoids that say how compatible two pairs are by difference of distance (its
	// tolerance growing by mu1Rel of the distance), of turn and of radial angle.
	minNP, maxNP int
	muP, tauP    float64
	rounds       int
	wR           float64
	mu1, tau1    float64
	mu1Rel       float64
	mu2, tau2    float64
	mu3, tau3    float64
	minCylinders int // fewer valid cylinders than this on a side scores 0
}

// defaults are the published parameters (TPAMI 2010, binary cylinders, LSS-R) except the
// distance tolerance of relaxation: 7 px and 3 % of the distance instead of a flat 5 px,
// as skin stretches more over longer distances (it was better on both our minutiae and
// mindtct's, on the FVC2004 sets).
func defaults() *config {
	return &config{
		radius: 70, sigmaS: 28.0 / 3, sigmaD: 2 * math.Pi / 9,
		muPsi: 0.01,
		omega: 50,
		minVC: 0.75, minM: 2, minME: 0.60, maxTurn: math.Pi / 2,
		minNP: 4, maxNP: 12, muP: 20, tauP: 0.4,
		rounds: 5, wR: 0.5,
		mu1: 7, tau1: -8.0 / 5, mu1Rel: 0.03,
		mu2: math.Pi / 12, tau2: -30,
		mu3: math.Pi / 12, tau3: -30,
		minCylinders: 4,
	}
}

// minutia is a minutia in y-up coordinates, where its angle is measured.
type minutia struct{ x, y, a float64 }

// cylinder is one minutia's description: which cells are set and which are valid, cells
// ordered (i, j, k) with k, the direction, varying fastest.
type cylinder struct {
	m          minutia
	bits, mask [words]uint64
}

// Template is a print's minutiae described as cylinders, ready to compare many times (an
// enrolled finger, say).
type Template struct {
	cfg  *config
	cyl  []cylinder
	key  uint64 // orders two templates, so that comparing them is symmetric to the bit
	maxV int    // cells of a cylinder within its radius
	// Between every two cylinders' minutiae, row-major: the distance, the difference of
	// directions and the radial angle of the row's minutia seen from the column's.
	dist, turn, rad []float64
}

// Prepare describes a print's minutiae once.
func Prepare(mins []ridge.Minutia) *Template { return prepare(defaults(), mins) }

// Similarity is how alike two fingerprints' minutiae are, 0 (different fingers) to 100.
func Similarity(a, b []ridge.Minutia) float64 { return Prepare(a).Similarity(Prepare(b)) }

// Similarity compares two prepared templates: 0 (different fingers) to 100. It is
// symmetric: t.Similarity(o) == o.Similarity(t).
func (t *Template) Similarity(o *Template) float64 { return scale(t.raw(o)) }

func prepare(c *config, mins []ridge.Minutia) *Template {
	ms := make([]minutia, len(mins))
	h := fnv.New64a()
	var b []byte
	for i, m := range mins {
		ms[i] = minutia{m.X, -m.Y, m.Angle}
		b = binary.LittleEndian.AppendUint64(b[:0], math.Float64bits(m.X))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(m.Y))
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(m.Angle))
		h.Write(b)
	}
	t := &Template{cfg: c, key: h.Sum64()}
	hull := convexHull(ms)
	ds := 2 * c.radius / ns
	dd := 2 * math.Pi / nd
	// Cell centres in the cylinder's own frame; cells beyond its radius never count.
	type offset struct {
		ij   int
		u, v float64
	}
	var offs []offset
	for i := range ns {
		for j := range ns {
			u, v := (float64(i)-(ns-1)/2.0)*ds, (float64(j)-(ns-1)/2.0)*ds
			if u*u+v*v <= c.radius*c.radius {
				offs = append(offs, offset{i*ns + j, u, v})
			}
		}
	}
	t.maxV = len(offs) * nd
	reach := 3 * c.sigmaS
	normS := 1 / (c.sigmaS * math.Sqrt(2*math.Pi))
	type near struct {
		x, y float64
		w    [nd]float64 // its weight in each direction cell
	}
	var nb []near
	for mi, m := range ms {
		nb = nb[:0]
		for ti, o := range ms {
			if ti == mi || math.Hypot(o.x-m.x, o.y-m.y) > c.radius+reach {
				continue
			}
			// The share of a Gaussian, centred on the neighbour's direction relative to the
			// minutia's, that falls within each direction cell.
			dth := normPi(o.a - m.a)
			n := near{x: o.x, y: o.y}
			for k := range nd {
				alpha := normPi(-math.Pi + (float64(k)+0.5)*dd - dth)
				n.w[k] = 0.5 * (math.Erf((alpha+dd/2)/(c.sigmaD*math.Sqrt2)) - math.Erf((alpha-dd/2)/(c.sigmaD*math.Sqrt2)))
			}
			nb = append(nb, n)
		}
		if len(nb) < c.minM {
			continue
		}
		cy := cylinder{m: m}
		sn, cs := math.Sincos(m.a)
		valid := 0
		for _, off := range offs {
			px, py := m.x+off.u*cs-off.v*sn, m.y+off.u*sn+off.v*cs
			if !hull.near(px, py, c.omega) {
				continue // no ridges there to say anything
			}
			valid += nd
			var sum [nd]float64
			for _, o := range nb {
				d2 := (o.x-px)*(o.x-px) + (o.y-py)*(o.y-py)
				if d2 > reach*reach {
					continue
				}
				s := normS * math.Exp(-d2/(2*c.sigmaS*c.sigmaS))
				for k, w := range o.w {
					sum[k] += s * w
				}
			}
			for k, v := range sum {
				idx := off.ij*nd + k
				cy.mask[idx/64] |= 1 << (idx % 64)
				if v >= c.muPsi {
					cy.bits[idx/64] |= 1 << (idx % 64)
				}
			}
		}
		if float64(valid) >= c.minVC*float64(t.maxV) {
			t.cyl = append(t.cyl, cy)
		}
		if len(t.cyl) == maxCylinders {
			break
		}
	}
	n := len(t.cyl)
	t.dist, t.turn, t.rad = make([]float64, n*n), make([]float64, n*n), make([]float64, n*n)
	for x, a := range t.cyl {
		for y, b := range t.cyl {
			t.dist[x*n+y] = math.Hypot(a.m.x-b.m.x, a.m.y-b.m.y)
			t.turn[x*n+y] = normPi(a.m.a - b.m.a)
			t.rad[x*n+y] = normPi(a.m.a - math.Atan2(a.m.y-b.m.y, a.m.x-b.m.x))
		}
	}
	return t
}

// local is the similarity of two cylinders, 0 to 1: one minus the distance of their bit
// vectors over the cells valid in both, relative to their lengths; 0 when the minutiae's
// directions differ too much or too few cells are valid in both.
func (c *config) local(a, b *cylinder, maxV int) float64 {
	if math.Abs(normPi(a.m.a-b.m.a)) > c.maxTurn {
		return 0
	}
	common, na, nb, nx := 0, 0, 0, 0
	for w := range words {
		m := a.mask[w] & b.mask[w]
		x, y := a.bits[w]&m, b.bits[w]&m
		common += bits.OnesCount64(m)
		na += bits.OnesCount64(x)
		nb += bits.OnesCount64(y)
		nx += bits.OnesCount64(x ^ y)
	}
	if float64(common) < c.minME*float64(maxV) || na+nb == 0 {
		return 0
	}
	return 1 - math.Sqrt(float64(nx))/(math.Sqrt(float64(na))+math.Sqrt(float64(nb)))
}

// raw is the similarity of two templates, 0 to 1.
func (t *Template) raw(o *Template) float64 {
	if o.key < t.key { // the same order either way round, so the same sums
		t, o = o, t
	}
	c := t.cfg
	na, nb := len(t.cyl), len(o.cyl)
	if na < c.minCylinders || nb < c.minCylinders {
		return 0
	}
	// Every pair of alike cylinders as one sortable word: the similarity above (40 bits, so
	// that 1 itself fits), the indices below (12 bits each).
	ps := make([]uint64, 0, na*nb/2)
	for i := range t.cyl {
		for j := range o.cyl {
			if s := c.local(&t.cyl[i], &o.cyl[j], t.maxV); s > 1e-9 {
				ps = append(ps, uint64(s*(1<<39))<<24|uint64(i)<<12|uint64(j))
			}
		}
	}
	slices.Sort(ps)
	slices.Reverse(ps)
	// The pairs to relax: the most alike, each minutia in at most one (the paper allows
	// more, but a minutia paired twice props itself up, and impostors gain most by it).
	nr := min(na, nb)
	ai, bi := make([]int, 0, nr), make([]int, 0, nr)
	lam := make([]float64, 0, nr)
	ua, ub := make([]bool, na), make([]bool, nb)
	for _, k := range ps {
		if len(lam) == nr {
			break
		}
		i, j := int(k>>12&0xfff), int(k&0xfff)
		if ua[i] || ub[j] {
			continue
		}
		ua[i], ub[j] = true, true
		ai, bi, lam = append(ai, i), append(bi, j), append(lam, float64(k>>24)/(1<<39))
	}
	n := len(lam)
	if n == 0 {
		return 0
	}
	// Compatibility of every two pairs: both prints must agree on the distance between the
	// two minutiae, on the difference of their directions and on where one lies seen from
	// the other.
	rho := make([]float64, n*n)
	for x := range n {
		i1, j1 := ai[x], bi[x]
		for y := x + 1; y < n; y++ {
			i2, j2 := ai[y], bi[y]
			da, db := t.dist[i1*na+i2], o.dist[j1*nb+j2]
			d1 := math.Abs(da-db) - c.mu1Rel*(da+db)/2
			d2 := math.Abs(normPi(t.turn[i1*na+i2] - o.turn[j1*nb+j2]))
			d3 := math.Abs(normPi(t.rad[i1*na+i2] - o.rad[j1*nb+j2]))
			r := sigmoid(d1, c.mu1, c.tau1) * sigmoid(d2, c.mu2, c.tau2) * sigmoid(d3, c.mu3, c.tau3)
			rho[x*n+y], rho[y*n+x] = r, r
		}
	}
	lam0 := slices.Clone(lam)
	next := make([]float64, n)
	for range c.rounds {
		for x := range n {
			var s float64
			for y, r := range rho[x*n : x*n+n] {
				s += r * lam[y]
			}
			next[x] = c.wR*lam[x] + (1-c.wR)*s/float64(max(1, n-1))
		}
		lam, next = next, lam
	}
	// The pairs that kept most of their similarity through relaxation are the score.
	idx := make([]int, n)
	for k := range idx {
		idx[k] = k
	}
	eff := func(k int) float64 { return lam[k] / lam0[k] }
	slices.SortFunc(idx, func(x, y int) int { return cmp.Or(cmp.Compare(eff(y), eff(x)), cmp.Compare(x, y)) })
	np := c.minNP + int(math.Round(sigmoid(float64(nr), c.muP, c.tauP)*float64(c.maxNP-c.minNP)))
	var s float64
	for _, k := range idx[:min(np, n)] {
		s += lam[k]
	}
	return s / float64(np)
}

// sigmoid is 1/(1+e^(−τ(v−μ))): with τ < 0, near 1 below μ and near 0 above.
func sigmoid(v, mu, tau float64) float64 { return 1 / (1 + math.Exp(-tau*(v-mu))) }

// normPi puts an angle in [−π, π); it is meant for sums and differences of a few angles
// that are already in range.
func normPi(a float64) float64 {
	for a >= math.Pi {
		a -= 2 * math.Pi
	}
	for a < -math.Pi {
		a += 2 * math.Pi
	}
	return a
}

// hull is a convex polygon, counter-clockwise (y up).
type hull []minutia

// convexHull is the convex hull of the minutiae's positions (Andrew's monotone chain).
func convexHull(ms []minutia) hull {
	if len(ms) < 2 {
		return slices.Clone(ms)
	}
	ps := slices.Clone(ms)
	slices.SortFunc(ps, func(a, b minutia) int { return cmp.Or(cmp.Compare(a.x, b.x), cmp.Compare(a.y, b.y)) })
	cross := func(o, a, b minutia) float64 { return (a.x-o.x)*(b.y-o.y) - (a.y-o.y)*(b.x-o.x) }
	var h hull
	for _, upper := range [2]bool{false, true} {
		start := len(h)
		for k := range ps {
			p := ps[k]
			if upper {
				p = ps[len(ps)-1-k]
			}
			for len(h) >= start+2 && cross(h[len(h)-2], h[len(h)-1], p) <= 0 {
				h = h[:len(h)-1]
			}
			h = append(h, p)
		}
		h = h[:len(h)-1] // the chain's last point starts the other chain
	}
	return h
}

// near: (x, y) lies inside the hull or within d of it.
func (h hull) near(x, y, d float64) bool {
	inside := len(h) >= 3
	for k := range h {
		a, b := h[k], h[(k+1)%len(h)]
		if (b.x-a.x)*(y-a.y)-(b.y-a.y)*(x-a.x) < 0 {
			inside = false
			break
		}
	}
	if inside {
		return true
	}
	for k := range h {
		a, b := h[k], h[(k+1)%len(h)]
		ex, ey := b.x-a.x, b.y-a.y
		// The nearest point of the edge a–b.
		s, l2 := 0.0, ex*ex+ey*ey
		if l2 > 0 {
			s = max(0, min(1, ((x-a.x)*ex+(y-a.y)*ey)/l2))
		}
		if dx, dy := x-a.x-s*ex, y-a.y-s*ey; dx*dx+dy*dy <= d*d {
			return true
		}
	}
	return false
}
