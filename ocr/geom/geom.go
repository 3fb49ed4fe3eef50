// Package geom is the plane geometry of photographed cards: the homography between a
// card's corners in a photo and the straightened card, and warping an image through it.
// The card generator uses it to photograph cards badly, the reader to straighten them,
// so both sides of the accuracy tests share one definition of "where a pixel goes".
package geom

import (
	"errors"
	"image"
	"image/color"
	"image/draw"
	"math"
)

// Point is a point in pixel coordinates (x right, y down). Pixel (i, j) covers the unit
// square from (i, j) to (i+1, j+1), so its centre is (i+0.5, j+0.5).
type Point struct{ X, Y float64 }

// Rotate turns p about center by radians (clockwise on screen, as y points down).
func Rotate(p Point, center Point, radians float64) Point {
	s, k := math.Sincos(radians)
	dx, dy := p.X-center.X, p.Y-center.Y
	return Point{X: center.X + dx*k - dy*s, Y: center.Y + dx*s + dy*k}
}

// Homography is a 3×3 projective transform, row-major. It is defined only up to scale;
// this package keeps h[8] = 1 whenever the transform allows it.
type Homography [9]float64

// ErrDegenerate means the points do not define a transform (three in a line, say), or
// the transform has no inverse.
var ErrDegenerate = errors.New("geom: degenerate quadrilateral")

// collinearTol is the smallest |cross product| three corners may have, in normalised
// coordinates (mean distance √2 from the centroid), before they count as one line.
const collinearTol = 1e-9

// FromQuad returns the homography taking src[i] to dst[i] for i = 0…3.
//
// Both quads are first moved to their centroid and scaled to a mean distance of √2
// (Hartley's normalisation): pixel coordinates in the thousands would otherwise make
// the 8×8 system badly conditioned, and fixing h[8] = 1 at the centroid is safe because
// the centroid of a real card never maps to infinity. The system is then solved by
// Gaussian elimination with partial pivoting. Three collinear points in either quad,
// repeated points and non-finite coordinates give ErrDegenerate.
func FromQuad(src, dst [4]Point) (Homography, error) {
	ts, ns, ok := normalise(src)
	if !ok {
		return Homography{}, ErrDegenerate
	}
	td, nd, ok := normalise(dst)
	if !ok {
		return Homography{}, ErrDegenerate
	}
	// With three corners in a line the system may still be solvable, but the map is
	// singular or sends a corner to infinity: reject it before solving.
	if collinear(ns) || collinear(nd) {
		return Homography{}, ErrDegenerate
	}
	// The eight unknowns h0…h7 (h8 = 1) satisfy two linear equations per point pair:
	// u·(h6·x + h7·y + 1) = h0·x + h1·y + h2 and likewise for v.
	var a [8][9]float64
	for i := range 4 {
		x, y, u, v := ns[i].X, ns[i].Y, nd[i].X, nd[i].Y
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	sol, ok := solve8(&a)
	if !ok {
		return Homography{}, ErrDegenerate
	}
	hn := Homography{sol[0], sol[1], sol[2], sol[3], sol[4], sol[5], sol[6], sol[7], 1}
	// Undo the normalisation: H = Td⁻¹ · Hn · Ts.
	h := mul(mul(invertSimilarity(td), hn), ts)
	h, ok = h.scaled()
	if !ok {
		return Homography{}, ErrDegenerate
	}
	return h, nil
}

// normalise returns the similarity taking p's centroid to the origin and its mean
// distance from it to √2, and the moved points. It fails for coincident or non-finite
// points.
func normalise(p [4]Point) (Homography, [4]Point, bool) {
	var cx, cy float64
	for _, q := range p {
		cx += q.X
		cy += q.Y
	}
	cx, cy = cx/4, cy/4
	var d float64
	for _, q := range p {
		d += math.Hypot(q.X-cx, q.Y-cy)
	}
	d /= 4
	if !(d > 0) || math.IsInf(d, 0) || math.IsNaN(cx) || math.IsNaN(cy) || math.IsInf(cx, 0) || math.IsInf(cy, 0) {
		return Homography{}, p, false
	}
	s := math.Sqrt2 / d
	var out [4]Point
	for i, q := range p {
		out[i] = Point{X: (q.X - cx) * s, Y: (q.Y - cy) * s}
	}
	return Homography{s, 0, -s * cx, 0, s, -s * cy, 0, 0, 1}, out, true
}

// invertSimilarity inverts the scale-and-translate matrix normalise builds.
func invertSimilarity(t Homography) Homography {
	s := t[0]
	return Homography{1 / s, 0, -t[2] / s, 0, 1 / s, -t[5] / s, 0, 0, 1}
}

// collinear reports whether any three of the four (normalised) points lie on a line.
func collinear(p [4]Point) bool {
	for skip := range 4 {
		var t [3]Point
		n := 0
		for i := range 4 {
			if i != skip {
				t[n] = p[i]
				n++
			}
		}
		cross := (t[1].X-t[0].X)*(t[2].Y-t[0].Y) - (t[1].Y-t[0].Y)*(t[2].X-t[0].X)
		if math.Abs(cross) < collinearTol {
			return true
		}
	}
	return false
}

// solve8 solves the 8×8 system whose augmented matrix is a by Gaussian elimination with
// partial pivoting. It reports false when a pivot vanishes (the system is singular).
func solve8(a *[8][9]float64) ([8]float64, bool) {
	var x [8]float64
	for col := range 8 {
		p := col
		for r := col + 1; r < 8; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[p][col]) {
				p = r
			}
		}
		// The inputs are normalised to order 1, so an absolute threshold is meaningful.
		if !(math.Abs(a[p][col]) > 1e-12) {
			return x, false
		}
		a[col], a[p] = a[p], a[col]
		for r := col + 1; r < 8; r++ {
			f := a[r][col] / a[col][col]
			if f == 0 {
				continue
			}
			for c := col; c < 9; c++ {
				a[r][c] -= f * a[col][c]
			}
		}
	}
	for r := 7; r >= 0; r-- {
		s := a[r][8]
		for c := r + 1; c < 8; c++ {
			s -= a[r][c] * x[c]
		}
		x[r] = s / a[r][r]
	}
	return x, true
}

// mul returns the product a·b (apply b first, then a).
func mul(a, b Homography) Homography {
	var c Homography
	for r := range 3 {
		for k := range 3 {
			c[3*r+k] = a[3*r]*b[k] + a[3*r+1]*b[3+k] + a[3*r+2]*b[6+k]
		}
	}
	return c
}

// scaled rescales h so that h[8] = 1, or, when h[8] is (nearly) zero because the origin
// maps to infinity, so that its largest entry is 1. It fails on non-finite or zero h.
func (h Homography) scaled() (Homography, bool) {
	var m float64
	for _, v := range h {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return h, false
		}
		m = max(m, math.Abs(v))
	}
	if m == 0 {
		return h, false
	}
	d := h[8]
	if math.Abs(d) <= 1e-12*m {
		d = m
	}
	for i := range h {
		h[i] /= d
	}
	return h, true
}

// Apply maps p. Points on the transform's horizon map to ±Inf or NaN.
func (h Homography) Apply(p Point) Point {
	w := h[6]*p.X + h[7]*p.Y + h[8]
	return Point{X: (h[0]*p.X + h[1]*p.Y + h[2]) / w, Y: (h[3]*p.X + h[4]*p.Y + h[5]) / w}
}

// Inverse returns the inverse transform, or ErrDegenerate if h is singular. Singularity
// is judged relative to the rows' lengths (Hadamard's bound), so that a transform between
// pixel and unit coordinates is not mistaken for a singular one merely for its scale.
func (h Homography) Inverse() (Homography, error) {
	adj := Homography{
		h[4]*h[8] - h[5]*h[7], h[2]*h[7] - h[1]*h[8], h[1]*h[5] - h[2]*h[4],
		h[5]*h[6] - h[3]*h[8], h[0]*h[8] - h[2]*h[6], h[2]*h[3] - h[0]*h[5],
		h[3]*h[7] - h[4]*h[6], h[1]*h[6] - h[0]*h[7], h[0]*h[4] - h[1]*h[3],
	}
	det := h[0]*adj[0] + h[1]*adj[3] + h[2]*adj[6]
	bound := math.Hypot(math.Hypot(h[0], h[1]), h[2]) *
		math.Hypot(math.Hypot(h[3], h[4]), h[5]) *
		math.Hypot(math.Hypot(h[6], h[7]), h[8])
	if !(math.Abs(det) > 1e-12*bound) || math.IsInf(bound, 0) {
		return Homography{}, ErrDegenerate
	}
	// The adjugate is the inverse up to scale, which is all a homography needs.
	inv, ok := adj.scaled()
	if !ok {
		return Homography{}, ErrDegenerate
	}
	return inv, nil
}

// Sub-pixel positions are quantised to 1/256 pixel: far below what bilinear sampling can
// resolve, and it lets the inner loops blend in integers.
const (
	fracBits = 8
	fracOne  = 1 << fracBits
	fracMask = fracOne - 1
	// outside marks a destination pixel none of whose four neighbours is in the source.
	outside = math.MinInt
)

// mapRow maps the centres of destination row y through h into src coordinates, shifted
// by -0.5 so that whole numbers fall on source pixel centres, in 1/256 pixel, two ints
// per pixel in q. Pixels whose bilinear neighbourhood misses b entirely get outside.
// Checking the range in floating point first keeps huge and NaN values away from the
// integer conversion.
func mapRow(h *Homography, y int, b image.Rectangle, q []int) {
	cy := float64(y) + 0.5
	nx, ny, nw := h[1]*cy+h[2], h[4]*cy+h[5], h[7]*cy+h[8]
	lox, hix := float64(b.Min.X-1), float64(b.Max.X)
	loy, hiy := float64(b.Min.Y-1), float64(b.Max.Y)
	for i := 0; i+1 < len(q); i += 2 {
		cx := float64(i/2) + 0.5
		w := h[6]*cx + nw
		fx := (h[0]*cx+nx)/w - 0.5
		fy := (h[3]*cx+ny)/w - 0.5
		if !(fx >= lox && fx < hix && fy >= loy && fy < hiy) {
			q[i] = outside
			continue
		}
		q[i] = int(math.Floor(fx*fracOne + 0.5))
		q[i+1] = int(math.Floor(fy*fracOne + 0.5))
	}
}

// lerp blends a and b by w/256 and c and d likewise, then the two by v/256, rounding once.
func lerp(a, b, c, d uint8, w, v int) uint8 {
	top := int(a)*(fracOne-w) + int(b)*w
	bot := int(c)*(fracOne-w) + int(d)*w
	return uint8((top*(fracOne-v) + bot*v + 1<<(2*fracBits-1)) >> (2 * fracBits))
}

// Warp makes a dstW × dstH image whose pixel centres map through dstToSrc into src,
// sampled bilinearly; what falls outside src is fill. Near src's border the missing
// neighbours count as fill too, so a warped card's edge is anti-aliased against it (with
// a transparent fill the result can be drawn over a background with draw.Over).
//
// Sources other than *image.RGBA are converted to one first, once: image/draw has fast
// paths for *image.Gray and *image.YCbCr (decoded JPEGs), and it keeps the per-pixel
// loop free of interface calls. A negative size counts as zero.
func Warp(src image.Image, dstW, dstH int, dstToSrc Homography, fill color.Color) *image.RGBA {
	s := toRGBA(src)
	f := color.RGBAModel.Convert(fill).(color.RGBA)
	fp := [4]uint8{f.R, f.G, f.B, f.A}
	dstW, dstH = max(dstW, 0), max(dstH, 0)
	out := image.NewRGBA(image.Rect(0, 0, dstW, dstH))
	b := s.Rect
	// at returns the four samples of source pixel (x, y), or the fill outside it.
	at := func(x, y int) []uint8 {
		if x < b.Min.X || y < b.Min.Y || x >= b.Max.X || y >= b.Max.Y {
			return fp[:]
		}
		i := s.PixOffset(x, y)
		return s.Pix[i : i+4 : i+4]
	}
	q := make([]int, 2*dstW)
	for y := range dstH {
		mapRow(&dstToSrc, y, b, q)
		row := out.Pix[y*out.Stride : y*out.Stride+4*dstW]
		for x := range dstW {
			o := row[4*x : 4*x+4 : 4*x+4]
			qx, qy := q[2*x], q[2*x+1]
			if qx == outside {
				copy(o, fp[:])
				continue
			}
			x0, y0, wx, wy := qx>>fracBits, qy>>fracBits, qx&fracMask, qy&fracMask
			if x0 >= b.Min.X && y0 >= b.Min.Y && x0+1 < b.Max.X && y0+1 < b.Max.Y {
				i := (y0-b.Min.Y)*s.Stride + (x0-b.Min.X)*4
				p0 := s.Pix[i : i+8 : i+8]
				p1 := s.Pix[i+s.Stride : i+s.Stride+8 : i+s.Stride+8]
				o[0] = lerp(p0[0], p0[4], p1[0], p1[4], wx, wy)
				o[1] = lerp(p0[1], p0[5], p1[1], p1[5], wx, wy)
				o[2] = lerp(p0[2], p0[6], p1[2], p1[6], wx, wy)
				o[3] = lerp(p0[3], p0[7], p1[3], p1[7], wx, wy)
				continue
			}
			a, c, d, e := at(x0, y0), at(x0+1, y0), at(x0, y0+1), at(x0+1, y0+1)
			for k := range 4 {
				o[k] = lerp(a[k], c[k], d[k], e[k], wx, wy)
			}
		}
	}
	return out
}

// toRGBA returns img as *image.RGBA with the same bounds, converting once if needed.
func toRGBA(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok {
		return r
	}
	r := image.NewRGBA(img.Bounds())
	draw.Draw(r, r.Bounds(), img, r.Bounds().Min, draw.Src)
	return r
}

// WarpGray is Warp for grey images, for steps that work on luminance alone: a quarter of
// the memory traffic of RGBA.
func WarpGray(src *image.Gray, dstW, dstH int, dstToSrc Homography, fill uint8) *image.Gray {
	dstW, dstH = max(dstW, 0), max(dstH, 0)
	out := image.NewGray(image.Rect(0, 0, dstW, dstH))
	b := src.Rect
	at := func(x, y int) uint8 {
		if x < b.Min.X || y < b.Min.Y || x >= b.Max.X || y >= b.Max.Y {
			return fill
		}
		return src.Pix[src.PixOffset(x, y)]
	}
	q := make([]int, 2*dstW)
	for y := range dstH {
		mapRow(&dstToSrc, y, b, q)
		row := out.Pix[y*out.Stride : y*out.Stride+dstW]
		for x := range row {
			qx, qy := q[2*x], q[2*x+1]
			if qx == outside {
				row[x] = fill
				continue
			}
			x0, y0, wx, wy := qx>>fracBits, qy>>fracBits, qx&fracMask, qy&fracMask
			if x0 >= b.Min.X && y0 >= b.Min.Y && x0+1 < b.Max.X && y0+1 < b.Max.Y {
				i := (y0-b.Min.Y)*src.Stride + (x0 - b.Min.X)
				p0 := src.Pix[i : i+2 : i+2]
				p1 := src.Pix[i+src.Stride : i+src.Stride+2 : i+src.Stride+2]
				row[x] = lerp(p0[0], p0[1], p1[0], p1[1], wx, wy)
				continue
			}
			row[x] = lerp(at(x0, y0), at(x0+1, y0), at(x0, y0+1), at(x0+1, y0+1), wx, wy)
		}
	}
	return out
}
