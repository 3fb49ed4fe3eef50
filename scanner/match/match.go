// Package match compares two fingerprints by their minutiae and says how alike they are,
// 0 to 100. Each minutia is described by its nearest neighbours as they lie relative to
// it (distances, directions, turns), which does not change when the finger moves or
// turns; the most alike pairs of descriptions propose alignments; the alignment that
// pairs the most minutiae, one to one, gives the score.
package match

import (
	"cmp"
	"math"
	"slices"

	"cotejo/scanner/ridge"
)

// Tolerances, in pixels at 500 ppi and radians.
const (
	neighbours    = 5
	maxReach      = 110.0
	localDist     = 10.0
	prefilterDist = 4.0
	localAngle    = 22 * math.Pi / 180
	pairDist      = 14.0
	pairAngle     = 28 * math.Pi / 180
	seeds         = 12
	minMinutiae   = 4
	scoreMatched  = 12 // pairs at which a match is certain enough to score 100 by count
)

type neighbour struct {
	d, phi, delta float64 // distance; direction to it seen from the minutia; its turn
}

type local struct {
	m  ridge.Minutia
	nb []neighbour
}

// diffAngle is the difference of two angles in [0, 2π), in [0, π].
func diffAngle(a, b float64) float64 {
	d := math.Abs(a - b)
	if d > math.Pi {
		d = 2*math.Pi - d
	}
	return d
}

func describe(ms []ridge.Minutia) []local {
	out := make([]local, len(ms))
	type cand struct {
		j int
		d float64
	}
	cs := make([]cand, 0, len(ms))
	for i, m := range ms {
		cs = cs[:0]
		for j, o := range ms {
			if i == j {
				continue
			}
			if d := math.Hypot(o.X-m.X, o.Y-m.Y); d <= maxReach {
				cs = append(cs, cand{j, d})
			}
		}
		slices.SortFunc(cs, func(a, b cand) int { return cmp.Compare(a.d, b.d) })
		out[i].m = m
		for _, c := range cs[:min(len(cs), neighbours)] {
			o := ms[c.j]
			dir := math.Atan2(-(o.Y - m.Y), o.X-m.X) // y up, as the angles
			out[i].nb = append(out[i].nb, neighbour{d: c.d, phi: ridge.Norm(dir - m.Angle), delta: ridge.Norm(o.Angle - m.Angle)})
		}
	}
	return out
}

// localSimilarity: the share of neighbours that find a partner in the other description
// within tolerance, weighted by how close. It gives up, returning 0, as soon as the
// share can no longer reach floor.
func localSimilarity(a, b local, floor float64) float64 {
	if len(a.nb) == 0 || len(b.nb) == 0 {
		return 0
	}
	// Cheap test first: neighbour distances (sorted in both) that agree, by a merge.
	agree := 0
	for i, j := 0, 0; i < len(a.nb) && j < len(b.nb); {
		switch d := a.nb[i].d - b.nb[j].d; {
		case d < -prefilterDist:
			i++
		case d > prefilterDist:
			j++
		default:
			agree++
			i++
			j++
		}
	}
	if agree < 3 {
		return 0
	}
	var used uint16 // at most `neighbours` bits
	var s float64
	need := floor * float64(max(len(a.nb), len(b.nb)))
	for k, x := range a.nb {
		if s+float64(len(a.nb)-k) <= need {
			return 0
		}
		best, bestE := -1, 1.0
		for j, y := range b.nb {
			// Neighbours are sorted by distance: skip the nearer, stop at the farther.
			if y.d < x.d-localDist || used&(1<<j) != 0 {
				continue
			}
			if y.d > x.d+localDist {
				break
			}
			dp := diffAngle(x.phi, y.phi)
			if dp > localAngle {
				continue
			}
			dl := diffAngle(x.delta, y.delta)
			if dl > localAngle {
				continue
			}
			dd := math.Abs(x.d - y.d)
			e := (dd/localDist + dp/localAngle + dl/localAngle) / 3
			if e < bestE {
				best, bestE = j, e
			}
		}
		if best >= 0 {
			used |= 1 << best
			s += 1 - bestE
		}
	}
	return s / float64(max(len(a.nb), len(b.nb)))
}

// Template is a print's minutiae with their neighbourhoods described, ready to compare
// many times (an enrolled finger, say).
type Template struct {
	mins []ridge.Minutia
	loc  []local
	grid map[[2]int][]int // minutiae by pairDist-sized cell, to find partners fast
}

// Prepare describes a print's minutiae once.
func Prepare(mins []ridge.Minutia) *Template {
	t := &Template{mins: mins, loc: describe(mins), grid: map[[2]int][]int{}}
	for i, m := range mins {
		c := cell(m.X, m.Y)
		t.grid[c] = append(t.grid[c], i)
	}
	return t
}

func cell(x, y float64) [2]int {
	return [2]int{int(math.Floor(x / pairDist)), int(math.Floor(y / pairDist))}
}

// Similarity is how alike two fingerprints' minutiae are, 0 (different fingers) to 100.
func Similarity(a, b []ridge.Minutia) float64 { return Prepare(a).Similarity(Prepare(b)) }

// Similarity compares two prepared templates: 0 (different fingers) to 100.
func (t *Template) Similarity(o *Template) float64 {
	a, b := t.mins, o.mins
	if len(a) < minMinutiae || len(b) < minMinutiae {
		return 0
	}
	la, lb := t.loc, o.loc
	type seed struct {
		i, j int
		s    float64
	}
	// The best `seeds` pairs, kept sorted best first; a pair must beat the worst kept.
	ss := make([]seed, 0, seeds+1)
	floor := 0.2
	for i := range la {
		for j := range lb {
			s := localSimilarity(la[i], lb[j], floor)
			if s <= floor {
				continue
			}
			k, _ := slices.BinarySearchFunc(ss, s, func(x seed, t float64) int {
				if x.s > t {
					return -1
				}
				return 1
			})
			ss = slices.Insert(ss, k, seed{i, j, s})
			if len(ss) > seeds {
				ss = ss[:seeds]
			}
			if len(ss) == seeds {
				floor = ss[seeds-1].s
			}
		}
	}
	best := 0.0
	for _, sd := range ss {
		if s := aligned(a, o, a[sd.i], b[sd.j]); s > best {
			best = s
		}
	}
	return best
}

// aligned turns and moves a so that pa lies on pb, pairs minutiae one to one, nearest
// first, and scores the pairing by how many of the minutiae in the shared area paired.
func aligned(a []ridge.Minutia, o *Template, pa, pb ridge.Minutia) float64 {
	b := o.mins
	rot := pb.Angle - pa.Angle
	s, c := math.Sincos(rot)
	// In y-up coordinates a turn by rot is (x c − y s, x s + y c); image y is down.
	moved := make([]ridge.Minutia, len(a))
	for i, m := range a {
		dx, dy := m.X-pa.X, -(m.Y - pa.Y)
		rx, ry := dx*c-dy*s, dx*s+dy*c
		moved[i] = ridge.Minutia{X: pb.X + rx, Y: pb.Y - ry, Angle: ridge.Norm(m.Angle + rot), Kind: m.Kind}
	}
	type pair struct {
		i, j int
		d    float64
	}
	var ps []pair
	for i, m := range moved {
		c := cell(m.X, m.Y)
		for dy := -1; dy <= 1; dy++ {
			for dx := -1; dx <= 1; dx++ {
				for _, j := range o.grid[[2]int{c[0] + dx, c[1] + dy}] {
					q := b[j]
					ex, ey := m.X-q.X, m.Y-q.Y
					if d2 := ex*ex + ey*ey; d2 <= pairDist*pairDist && diffAngle(m.Angle, q.Angle) <= pairAngle {
						ps = append(ps, pair{i, j, d2})
					}
				}
			}
		}
	}
	slices.SortFunc(ps, func(x, y pair) int { return cmp.Compare(x.d, y.d) })
	ua, ub := make([]bool, len(a)), make([]bool, len(b))
	n := 0
	for _, p := range ps {
		if !ua[p.i] && !ub[p.j] {
			ua[p.i], ub[p.j] = true, true
			n++
		}
	}
	// Only minutiae where both prints have ridges can pair: count those in the other's
	// bounding box.
	na := inside(moved, b)
	nb := inside(b, moved)
	if na < minMinutiae || nb < minMinutiae {
		return 0
	}
	share := float64(n*n) / float64(na*nb)
	count := math.Min(1, float64(n)/scoreMatched)
	return 100 * math.Sqrt(share) * count
}

// inside counts the minutiae of a within the bounding box of b, shrunk a little.
func inside(a, b []ridge.Minutia) int {
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, m := range b {
		minX, minY, maxX, maxY = math.Min(minX, m.X), math.Min(minY, m.Y), math.Max(maxX, m.X), math.Max(maxY, m.Y)
	}
	n := 0
	for _, m := range a {
		if m.X >= minX-5 && m.X <= maxX+5 && m.Y >= minY-5 && m.Y <= maxY+5 {
			n++
		}
	}
	return n
}

// Threshold is the default similarity at which two prints are taken as one finger.
const Threshold = 70.0
