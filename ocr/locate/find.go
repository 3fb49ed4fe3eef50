// Package locate finds a credential in a photo, straightens it to the layout's size and
// tells its model and side, upside down or not.
package locate

import (
	"errors"
	"image"
	"image/draw"
	"math"

	"cotejo/ocr/geom"
	"cotejo/ocr/layout"
)

// ErrNoCard means no card-shaped region stands out from the background.
var ErrNoCard = errors.New("locate: no credential found in the image")

// ErrTooSmall means the image, or the card in it, is too small to read.
var ErrTooSmall = errors.New("locate: the credential is too small in the image")

// workArea is the number of pixels edges are searched at (about 480 × 360): enough to
// tell a card's edges from its print, cheap to scan. Corners are then refined at full
// resolution.
const workArea = 480 * 360

// Found is a card located in a photo.
type Found struct {
	// Corners in the photo of the card as straightened: its top-left, top-right,
	// bottom-right and bottom-left, the straightened card landscape. Corners[0] to
	// Corners[1] is a long side and they run clockwise on screen, whatever way the card
	// is turned in the photo, portrait included. An outline cannot tell which long side
	// is the top, so the straightened card may be the printed one turned by 180°:
	// Classify tells (Match.Flipped), and Straighten's flip turns it back. A corner may
	// lie outside the image when the card runs past the image's border.
	Corners [4]geom.Point
	// Whole means none of the card's edges shows: the image was taken to be the card
	// itself (a cropped scan, or a photo the card fills), and Corners are the image's.
	Whole bool
}

// rgba returns img as *image.RGBA, converting once if needed.
func rgba(img image.Image) *image.RGBA {
	if r, ok := img.(*image.RGBA); ok && r.Bounds().Min == (image.Point{}) {
		return r
	}
	r := image.NewRGBA(image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy()))
	draw.Draw(r, r.Bounds(), img, img.Bounds().Min, draw.Src)
	return r
}

// shrink box-filters img by an integer factor.
func shrink(img *image.RGBA, f int) *image.RGBA {
	if f == 3 {
		return shrink3(img)
	}
	w, h := img.Bounds().Dx()/f, img.Bounds().Dy()/f
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	n := uint32(f * f)
	for y := range h {
		for x := range w {
			var s [3]uint32
			for dy := range f {
				i := img.PixOffset(x*f, y*f+dy)
				for dx := 0; dx < f; dx++ {
					s[0] += uint32(img.Pix[i])
					s[1] += uint32(img.Pix[i+1])
					s[2] += uint32(img.Pix[i+2])
					i += 4
				}
			}
			o := out.PixOffset(x, y)
			out.Pix[o], out.Pix[o+1], out.Pix[o+2], out.Pix[o+3] = uint8(s[0]/n), uint8(s[1]/n), uint8(s[2]/n), 255
		}
	}
	return out
}

// shrink3 is shrink by 3, spelt out: the factor for the usual 1600 × 1200 photo, and
// reading it the most of Find's time.
func shrink3(img *image.RGBA) *image.RGBA {
	w, h := img.Bounds().Dx()/3, img.Bounds().Dy()/3
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	st := img.Stride
	base := img.PixOffset(img.Bounds().Min.X, img.Bounds().Min.Y)
	for y := range h {
		i := base + 3*y*st
		r0, r1, r2 := img.Pix[i:i+12*w], img.Pix[i+st:i+st+12*w], img.Pix[i+2*st:i+2*st+12*w]
		o := out.Pix[y*out.Stride : y*out.Stride+4*w]
		for x := range w {
			a, b, c := r0[12*x:12*x+12], r1[12*x:12*x+12], r2[12*x:12*x+12]
			for k := range 3 {
				s := uint32(a[k]) + uint32(a[k+4]) + uint32(a[k+8]) +
					uint32(b[k]) + uint32(b[k+4]) + uint32(b[k+8]) +
					uint32(c[k]) + uint32(c[k+4]) + uint32(c[k+8])
				o[4*x+k] = uint8(s / 9)
			}
			o[4*x+3] = 255
		}
	}
	return out
}

// Finder finds credentials in photos. It holds the card designs' thumbnails that
// Find's content check compares candidates with, made once by NewFinder (decoding them
// takes longer than finding a card); it does not change after, so one Finder may serve
// any number of goroutines.
type Finder struct {
	designs *designs
}

// NewFinder makes a Finder of the embedded design thumbnails.
func NewFinder() (*Finder, error) {
	cls, err := NewClassifier()
	if err != nil {
		return nil, err
	}
	d := &designs{}
	for _, r := range cls.refs {
		d.fine = append(d.fine, reduce(r.v, fine))
		d.coarse = append(d.coarse, reduce(r.v, coarse))
	}
	return &Finder{designs: d}, nil
}

// Find locates the card in img.
//
// A card is a quadrilateral of straight edges in the ratio 1.586, more or less
// foreshortened, and its outline is the only such thing whose edges stop at its
// corners and that nothing crosses; what it lies on may be anything, patterned or about
// its own colour. So Find looks for straight edges (a Hough transform over thinned
// edge pixels, of brightness, colour and where a pattern gives way to plain ground),
// fits each, and scores every card-shaped quadrilateral four of them make by how much of
// its sides the edges cover, less what they leave uncovered, how far they run on past
// its corners and how often other lines cross them: a finger over a corner costs a
// little, a desk's pattern a lot. The image's own border stands in for an edge the card
// runs past. The best are weighed by how much their content looks like a card design,
// which settles what the outline alone cannot (a card on a printed desk, a line of the
// card's own print mistaken for its edge); lines found afresh near the winner's sides,
// or where the card's shape says a missing side must be, may replace them. A side is
// then moved out to a line parallel to it just outside when what lies between is not
// background (a band printed along the card's edge), and the winner's sides are
// refitted at full resolution.
func (fr *Finder) Find(img image.Image) (Found, error) {
	b := img.Bounds()
	if max(b.Dx(), b.Dy()) < layout.Width/3 || min(b.Dx(), b.Dy()) < layout.Height/3 {
		return Found{}, ErrTooSmall
	}
	full := rgba(img)
	f := max(1, int(math.Sqrt(float64(b.Dx())*float64(b.Dy())/workArea)))
	small := shrink(full, f)
	em := findEdges(small)
	lines := em.lines()
	best, lines, ok := em.bestQuad(lines, fr.designs, small)
	if !ok {
		return Found{}, ErrNoCard
	}
	s := float64(f)
	var quad [4]geom.Point
	if best.whole {
		W, H := float64(b.Dx()), float64(b.Dy())
		quad = [4]geom.Point{{X: 0, Y: 0}, {X: W, Y: 0}, {X: W, Y: H}, {X: 0, Y: H}}
	} else {
		var fl [4]fline
		for i, k := range best.side {
			l := lines[k]
			fl[i] = fline{nx: l.nx, ny: l.ny, c: l.c * s}
			if l.border {
				// The image's border, at full resolution.
				fl[i].c = borderC(l, b.Dx(), b.Dy())
				continue
			}
			a, c := best.corner[(i+3)%4], best.corner[i]
			if r, ok := refineSide(full, small, fl[i], geom.Point{X: a.X * s, Y: a.Y * s}, geom.Point{X: c.X * s, Y: c.Y * s}, best.centre(s), f); ok {
				fl[i] = r
			}
		}
		for i := range 4 {
			p, ok := meet(fl[(i+3)%4], fl[i])
			if !ok {
				return Found{}, ErrNoCard
			}
			quad[i] = p
		}
	}
	long := math.Max(dist(quad[0], quad[1])+dist(quad[2], quad[3]), dist(quad[1], quad[2])+dist(quad[3], quad[0]))
	short := math.Min(dist(quad[0], quad[1])+dist(quad[2], quad[3]), dist(quad[1], quad[2])+dist(quad[3], quad[0]))
	if r := long / short; !(r >= minAspect && r <= maxAspect) {
		return Found{}, ErrNoCard
	}
	if short/2 < float64(layout.Height)/3 {
		return Found{}, ErrTooSmall
	}
	return Found{Corners: order(quad), Whole: best.whole}, nil
}

func dist(a, b geom.Point) float64 { return math.Hypot(a.X-b.X, a.Y-b.Y) }

// The card's long over short side, allowing for perspective.
const (
	minAspect = 1.25
	maxAspect = 2.0
)

// order starts the quad (clockwise on screen) at the top-left end of a long side, so the
// straightened card is landscape; which long side is the top is Classify's to settle.
func order(q [4]geom.Point) [4]geom.Point {
	// Make it clockwise on screen (positive shoelace sum with y down).
	s := 0.0
	for i := range 4 {
		j := (i + 1) % 4
		s += q[i].X*q[j].Y - q[j].X*q[i].Y
	}
	if s < 0 {
		q[1], q[3] = q[3], q[1]
	}
	start := 0
	if dist(q[0], q[1])+dist(q[2], q[3]) < dist(q[1], q[2])+dist(q[3], q[0]) {
		start = 1
	}
	// Of the two long sides, the top is the one higher in the photo.
	top := func(i int) float64 { return q[i].Y + q[(i+1)%4].Y }
	if top((start+2)%4) < top(start) {
		start += 2
	}
	var out [4]geom.Point
	for i := range 4 {
		out[i] = q[(start+i)%4]
	}
	return out
}

// Straighten warps the located card to the layout's size; flip turns it by 180°.
func Straighten(img image.Image, f Found, flip bool) (*image.RGBA, error) {
	c := f.Corners
	if flip {
		c = [4]geom.Point{c[2], c[3], c[0], c[1]}
	}
	dst := [4]geom.Point{{X: 0, Y: 0}, {X: layout.Width, Y: 0}, {X: layout.Width, Y: layout.Height}, {X: 0, Y: layout.Height}}
	h, err := geom.FromQuad(dst, c)
	if err != nil {
		return nil, err
	}
	return geom.Warp(rgba(img), layout.Width, layout.Height, h, image.White.C), nil
}
