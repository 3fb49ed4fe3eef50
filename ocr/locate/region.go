package locate

import (
	"image"
	"math"
	"slices"

	"cotejo/ocr/geom"
	"cotejo/ocr/layout"
)

// regionWork is the width FindByRegion works at.
const regionWork = 480

// FindByRegion locates the card as the largest region that stands out from the
// background's colour, taken from a strip round the image's border: the finder before
// the one by straight edges, kept as a second opinion. On a plain desk it is seldom
// wrong, where Find, weighing lines and designs, can take a desk's stripe or a line of
// an unknown design's print for an edge; on a patterned or card-coloured desk, or a
// card filling the frame, it fails. The reader asks it when what Find gave shows
// neither a zone nor labels.
func FindByRegion(img image.Image) (Found, error) {
	b := img.Bounds()
	if b.Dx() < layout.Width/3 || b.Dy() < layout.Height/3 {
		return Found{}, ErrTooSmall
	}
	full := rgba(img)
	f := max(1, b.Dx()/regionWork)
	small := shrink(full, f)
	w, h := small.Bounds().Dx(), small.Bounds().Dy()
	whole := Found{Whole: true, Corners: [4]geom.Point{{X: 0, Y: 0}, {X: float64(b.Dx()), Y: 0}, {X: float64(b.Dx()), Y: float64(b.Dy())}, {X: 0, Y: float64(b.Dy())}}}

	// The background's colour, from a strip round the border, split into luminance and
	// chroma: a desk's grain and shading vary its luminance, hardly its chroma, while a
	// card differs from it in one or the other.
	lc := func(i int) [3]float64 {
		r, g, b := float64(small.Pix[i]), float64(small.Pix[i+1]), float64(small.Pix[i+2])
		y := 0.299*r + 0.587*g + 0.114*b
		return [3]float64{y, r - y, b - y}
	}
	var border [3][]float64
	strip := max(2, min(w, h)/25)
	for y := range h {
		for x := range w {
			if x >= strip && x < w-strip && y >= strip && y < h-strip {
				continue
			}
			v := lc(small.PixOffset(x, y))
			for c := range 3 {
				border[c] = append(border[c], v[c])
			}
		}
	}
	var med, mad [3]float64
	for c := range 3 {
		slices.Sort(border[c])
		med[c] = border[c][len(border[c])/2]
		dev := make([]float64, len(border[c]))
		for i, v := range border[c] {
			dev[i] = math.Abs(v - med[c])
		}
		slices.Sort(dev)
		mad[c] = dev[len(dev)/2] * 1.48
	}
	// A light, even border: the image is the card itself, cropped by a scanner.
	if med[0] > 170 && mad[0] < 20 {
		return whole, nil
	}
	lumThr := max(35, 3*mad[0])
	chromaThr := max(14, 3*math.Hypot(mad[1], mad[2]))
	mask := make([]bool, w*h)
	for y := range h {
		for x := range w {
			v := lc(small.PixOffset(x, y))
			mask[y*w+x] = math.Abs(v[0]-med[0]) > lumThr || math.Hypot(v[1]-med[1], v[2]-med[2]) > chromaThr
		}
	}
	comp, size := largest(mask, w, h)
	if size < w*h/20 {
		return Found{}, ErrNoCard
	}
	pts := boundary(comp, w, h)
	hull := convexHull(pts)
	if len(hull) < 4 {
		return Found{}, ErrNoCard
	}
	quad := maxQuad(hull)
	quad = refine(quad, pts)
	area := polyArea(quad[:])
	if area < float64(w*h)/20 {
		return Found{}, ErrNoCard
	}
	// Shape check: a card's sides are in ratio 1.586; allow for perspective.
	long := math.Max(dist(quad[0], quad[1])+dist(quad[2], quad[3]), dist(quad[1], quad[2])+dist(quad[3], quad[0]))
	short := math.Min(dist(quad[0], quad[1])+dist(quad[2], quad[3]), dist(quad[1], quad[2])+dist(quad[3], quad[0]))
	if r := long / short; r < 1.2 || r > 2.1 {
		return Found{}, ErrNoCard
	}
	var out Found
	s := float64(f)
	for i, p := range order(quad) {
		out.Corners[i] = geom.Point{X: p.X * s, Y: p.Y * s}
	}
	if short*s/2 < float64(layout.Height)/3 {
		return Found{}, ErrTooSmall
	}
	return out, nil
}

// largest keeps the largest 4-connected component of mask.
func largest(mask []bool, w, h int) ([]bool, int) {
	label := make([]int32, len(mask))
	var best, bestSize int32
	stack := []int{}
	next := int32(0)
	for start := range mask {
		if !mask[start] || label[start] != 0 {
			continue
		}
		next++
		size := int32(0)
		stack = append(stack[:0], start)
		label[start] = next
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			size++
			x, y := p%w, p/w
			for _, q := range [4]int{p - 1, p + 1, p - w, p + w} {
				if (q == p-1 && x == 0) || (q == p+1 && x == w-1) || (q == p-w && y == 0) || (q == p+w && y == h-1) {
					continue
				}
				if mask[q] && label[q] == 0 {
					label[q] = next
					stack = append(stack, q)
				}
			}
		}
		if size > bestSize {
			best, bestSize = next, size
		}
	}
	out := make([]bool, len(mask))
	for i, l := range label {
		out[i] = l == best && best != 0
	}
	return out, int(bestSize)
}

// boundary returns the component's outer edge points: the first and last pixel of each
// row and column, placed on the pixel's outer edge.
func boundary(comp []bool, w, h int) []geom.Point {
	var pts []geom.Point
	for y := range h {
		first, last := -1, -1
		for x := range w {
			if comp[y*w+x] {
				if first < 0 {
					first = x
				}
				last = x
			}
		}
		if first >= 0 {
			pts = append(pts, geom.Point{X: float64(first), Y: float64(y) + 0.5}, geom.Point{X: float64(last + 1), Y: float64(y) + 0.5})
		}
	}
	for x := range w {
		first, last := -1, -1
		for y := range h {
			if comp[y*w+x] {
				if first < 0 {
					first = y
				}
				last = y
			}
		}
		if first >= 0 {
			pts = append(pts, geom.Point{X: float64(x) + 0.5, Y: float64(first)}, geom.Point{X: float64(x) + 0.5, Y: float64(last + 1)})
		}
	}
	return pts
}

// convexHull is Andrew's monotone chain; the hull comes out counter-clockwise in y-up
// terms, which is clockwise on screen.
func convexHull(pts []geom.Point) []geom.Point {
	p := slices.Clone(pts)
	slices.SortFunc(p, func(a, b geom.Point) int {
		if a.X != b.X {
			if a.X < b.X {
				return -1
			}
			return 1
		}
		if a.Y < b.Y {
			return -1
		}
		if a.Y > b.Y {
			return 1
		}
		return 0
	})
	var hull []geom.Point
	for pass := range 2 {
		start := len(hull)
		for _, q := range p {
			for len(hull) >= start+2 && cross(hull[len(hull)-2], hull[len(hull)-1], q) <= 0 {
				hull = hull[:len(hull)-1]
			}
			hull = append(hull, q)
		}
		hull = hull[:len(hull)-1]
		if pass == 0 {
			slices.Reverse(p)
		}
	}
	return hull
}

func polyArea(p []geom.Point) float64 {
	a := 0.0
	for i := range p {
		j := (i + 1) % len(p)
		a += p[i].X*p[j].Y - p[j].X*p[i].Y
	}
	return math.Abs(a) / 2
}

// maxQuad picks the four hull vertices enclosing the most area, by coordinate ascent
// from the extreme points along the diagonals.
func maxQuad(hull []geom.Point) [4]geom.Point {
	n := len(hull)
	idx := [4]int{}
	score := [4]func(geom.Point) float64{
		func(p geom.Point) float64 { return -p.X - p.Y },
		func(p geom.Point) float64 { return p.X - p.Y },
		func(p geom.Point) float64 { return p.X + p.Y },
		func(p geom.Point) float64 { return -p.X + p.Y },
	}
	for k := range 4 {
		for i, p := range hull {
			if score[k](p) > score[k](hull[idx[k]]) {
				idx[k] = i
			}
		}
	}
	slices.Sort(idx[:])
	area := func(ix [4]int) float64 {
		return polyArea([]geom.Point{hull[ix[0]], hull[ix[1]], hull[ix[2]], hull[ix[3]]})
	}
	for improved := true; improved; {
		improved = false
		for k := range 4 {
			best := area(idx)
			prev, next := idx[(k+3)%4], idx[(k+1)%4]
			for i := (prev + 1) % n; i != next; i = (i + 1) % n {
				c := idx
				c[k] = i
				if a := area(c); a > best+1e-9 {
					best, idx[k], improved = a, i, true
				}
			}
		}
	}
	return [4]geom.Point{hull[idx[0]], hull[idx[1]], hull[idx[2]], hull[idx[3]]}
}

// refine fits a line to the boundary points along each side of the quad and takes the
// corners where the lines meet: sub-pixel corners, and rounded corners ignored.
func refine(q [4]geom.Point, pts []geom.Point) [4]geom.Point {
	type line struct{ px, py, dx, dy float64 } // point and unit direction
	var lines [4]line
	for i := range 4 {
		a, b := q[i], q[(i+1)%4]
		l := dist(a, b)
		if l == 0 {
			return q
		}
		ux, uy := (b.X-a.X)/l, (b.Y-a.Y)/l
		var sel []geom.Point
		for _, p := range pts {
			t := (p.X-a.X)*ux + (p.Y-a.Y)*uy
			d := math.Abs(-(p.X-a.X)*uy + (p.Y-a.Y)*ux)
			if t > l*0.1 && t < l*0.9 && d < 3 {
				sel = append(sel, p)
			}
		}
		if len(sel) < 5 {
			lines[i] = line{a.X, a.Y, ux, uy}
			continue
		}
		// Total least squares: the principal axis of the points.
		var mx, my float64
		for _, p := range sel {
			mx += p.X
			my += p.Y
		}
		mx /= float64(len(sel))
		my /= float64(len(sel))
		var sxx, sxy, syy float64
		for _, p := range sel {
			sxx += (p.X - mx) * (p.X - mx)
			sxy += (p.X - mx) * (p.Y - my)
			syy += (p.Y - my) * (p.Y - my)
		}
		th := 0.5 * math.Atan2(2*sxy, sxx-syy)
		lines[i] = line{mx, my, math.Cos(th), math.Sin(th)}
	}
	var out [4]geom.Point
	for i := range 4 {
		l1, l2 := lines[(i+3)%4], lines[i]
		den := l1.dx*l2.dy - l1.dy*l2.dx
		if math.Abs(den) < 1e-9 {
			return q
		}
		t := ((l2.px-l1.px)*l2.dy - (l2.py-l1.py)*l2.dx) / den
		out[i] = geom.Point{X: l1.px + t*l1.dx, Y: l1.py + t*l1.dy}
	}
	return out
}
