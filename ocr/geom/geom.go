// Package geom is the plane geometry of photographed cards: the homography between a
// card's corners in a photo and the straightened card, and warping an image through it.
// The card generator uses it to photograph cards badly; the reader to straighten them.
package geom

import (
	"errors"
	"image"
	"image/color"
	"image/draw"
	"math"
)

// Point is a point in pixel coordinates (x right, y down).
type Point struct{ X, Y float64 }

// Rotate turns p about c by radians (clockwise on screen, as y points down).
func Rotate(p, c Point, radians float64) Point {
	s, k := math.Sincos(radians)
	dx, dy := p.X-c.X, p.Y-c.Y
	return Point{X: c.X + dx*k - dy*s, Y: c.Y + dx*s + dy*k}
}

// Homography is a 3×3 projective transform, row-major, h[8] normalised to 1.
type Homography [9]float64

// ErrDegenerate means the points do not define a transform (three in a line, say).
var ErrDegenerate = errors.New("geom: degenerate quadrilateral")

// FromQuad returns the homography taking src[i] to dst[i].
func FromQuad(src, dst [4]Point) (Homography, error) {
	// The eight unknowns h0…h7 (h8 = 1) satisfy two linear equations per point pair.
	var a [8][9]float64
	for i := range 4 {
		x, y, u, v := src[i].X, src[i].Y, dst[i].X, dst[i].Y
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	// Scale for conditioning: pixel coordinates reach thousands.
	for col := range 8 {
		p := col
		for r := col + 1; r < 8; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[p][col]) {
				p = r
			}
		}
		if math.Abs(a[p][col]) < 1e-12 {
			return Homography{}, ErrDegenerate
		}
		a[col], a[p] = a[p], a[col]
		for r := range 8 {
			if r == col {
				continue
			}
			f := a[r][col] / a[col][col]
			for c := col; c < 9; c++ {
				a[r][c] -= f * a[col][c]
			}
		}
	}
	var h Homography
	for i := range 8 {
		h[i] = a[i][8] / a[i][i]
	}
	h[8] = 1
	// Three collinear corners leave the system solvable yet the map singular.
	if math.Abs(h.det()) < 1e-12 {
		return Homography{}, ErrDegenerate
	}
	return h, nil
}

func (h Homography) det() float64 {
	return h[0]*(h[4]*h[8]-h[5]*h[7]) - h[1]*(h[3]*h[8]-h[5]*h[6]) + h[2]*(h[3]*h[7]-h[4]*h[6])
}

// Apply maps p.
func (h Homography) Apply(p Point) Point {
	w := h[6]*p.X + h[7]*p.Y + h[8]
	return Point{X: (h[0]*p.X + h[1]*p.Y + h[2]) / w, Y: (h[3]*p.X + h[4]*p.Y + h[5]) / w}
}

// Inverse returns the inverse transform.
func (h Homography) Inverse() (Homography, error) {
	d := h.det()
	if math.Abs(d) < 1e-15 {
		return Homography{}, ErrDegenerate
	}
	inv := Homography{
		h[4]*h[8] - h[5]*h[7], h[2]*h[7] - h[1]*h[8], h[1]*h[5] - h[2]*h[4],
		h[5]*h[6] - h[3]*h[8], h[0]*h[8] - h[2]*h[6], h[2]*h[3] - h[0]*h[5],
		h[3]*h[7] - h[4]*h[6], h[1]*h[6] - h[0]*h[7], h[0]*h[4] - h[1]*h[3],
	}
	for i := range inv {
		inv[i] /= inv[8]
	}
	return inv, nil
}

// Warp makes a dstW × dstH image whose pixel centres map through dstToSrc into src,
// sampled bilinearly; what falls outside src is fill.
func Warp(src image.Image, dstW, dstH int, dstToSrc Homography, fill color.Color) *image.RGBA {
	s, ok := src.(*image.RGBA)
	if !ok {
		s = image.NewRGBA(src.Bounds())
		draw.Draw(s, s.Bounds(), src, src.Bounds().Min, draw.Src)
	}
	f := color.RGBAModel.Convert(fill).(color.RGBA)
	out := image.NewRGBA(image.Rect(0, 0, dstW, dstH))
	b := s.Bounds()
	for y := range dstH {
		for x := range dstW {
			p := dstToSrc.Apply(Point{X: float64(x) + 0.5, Y: float64(y) + 0.5})
			o := out.PixOffset(x, y)
			// Pixel centres sit at +0.5.
			fx, fy := p.X-0.5, p.Y-0.5
			x0, y0 := int(math.Floor(fx)), int(math.Floor(fy))
			if x0 < b.Min.X-1 || y0 < b.Min.Y-1 || x0 >= b.Max.X || y0 >= b.Max.Y || math.IsNaN(fx) || math.IsNaN(fy) {
				out.Pix[o], out.Pix[o+1], out.Pix[o+2], out.Pix[o+3] = f.R, f.G, f.B, f.A
				continue
			}
			ax, ay := fx-float64(x0), fy-float64(y0)
			var acc [4]float64
			for _, t := range [4]struct {
				dx, dy int
				w      float64
			}{{0, 0, (1 - ax) * (1 - ay)}, {1, 0, ax * (1 - ay)}, {0, 1, (1 - ax) * ay}, {1, 1, ax * ay}} {
				sx, sy := x0+t.dx, y0+t.dy
				var px [4]uint8
				if sx < b.Min.X || sy < b.Min.Y || sx >= b.Max.X || sy >= b.Max.Y {
					px = [4]uint8{f.R, f.G, f.B, f.A}
				} else {
					i := s.PixOffset(sx, sy)
					px = [4]uint8{s.Pix[i], s.Pix[i+1], s.Pix[i+2], s.Pix[i+3]}
				}
				for c := range 4 {
					acc[c] += t.w * float64(px[c])
				}
			}
			for c := range 4 {
				out.Pix[o+c] = uint8(acc[c] + 0.5)
			}
		}
	}
	return out
}

// WarpGray is Warp for grey images.
func WarpGray(src *image.Gray, dstW, dstH int, dstToSrc Homography, fill uint8) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, dstW, dstH))
	b := src.Bounds()
	at := func(x, y int) float64 {
		if x < b.Min.X || y < b.Min.Y || x >= b.Max.X || y >= b.Max.Y {
			return float64(fill)
		}
		return float64(src.Pix[src.PixOffset(x, y)])
	}
	for y := range dstH {
		for x := range dstW {
			p := dstToSrc.Apply(Point{X: float64(x) + 0.5, Y: float64(y) + 0.5})
			fx, fy := p.X-0.5, p.Y-0.5
			x0, y0 := int(math.Floor(fx)), int(math.Floor(fy))
			if x0 < b.Min.X-1 || y0 < b.Min.Y-1 || x0 >= b.Max.X || y0 >= b.Max.Y || math.IsNaN(fx) || math.IsNaN(fy) {
				out.Pix[out.PixOffset(x, y)] = fill
				continue
			}
			ax, ay := fx-float64(x0), fy-float64(y0)
			v := at(x0, y0)*(1-ax)*(1-ay) + at(x0+1, y0)*ax*(1-ay) + at(x0, y0+1)*(1-ax)*ay + at(x0+1, y0+1)*ax*ay
			out.Pix[out.PixOffset(x, y)] = uint8(v + 0.5)
		}
	}
	return out
}
