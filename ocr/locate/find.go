// Package locate finds a credential in a photo, straightens it to the layout's size and
// tells its model and side, upside down or not.
package locate

import (
	"cmp"
	"errors"
	"image"
	"image/draw"
	"math"
	"slices"

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

// A step in the density of edge pixels over a window textureRadius pixels each way
// of textureStep makes an edge of gradient textureMag, a faint one.
const (
	textureRadius = 3
	textureStep   = 0.25
	textureMag    = 6
)

// edgeThreshold is the smallest gradient, in grey levels per work pixel, that counts as
// an edge: above a level-2 photo's noise, below a card's faint rim on white paper.
const edgeThreshold = 4

// edgeMap is the work image's edges, thinned to one pixel, each with the direction its
// gradient points (from dark to light).
type edgeMap struct {
	w, h int
	dir  []int16   // degrees 0–359 for an edge pixel, -1 for none
	mag  []float32 // an edge pixel's gradient
	list []int32   // the edge pixels' indices
	lum  []float32 // the image's luminance, smoothed
	// texture marks the edges between a pattern and plain ground (see textureEdges).
	texture []bool
}

// findEdges takes the gradient of luminance and of the two colour differences, each
// pixel keeping the strongest (a cream desk under a white card differs more in colour
// than in brightness, a coloured band from a brown desk too), and thins it to the
// pixels that are maxima across their edge.
func findEdges(img *image.RGBA) *edgeMap {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	// A [1 2 1] smoothing first, each way (weak edges' directions steady enough to vote
	// together), in integers on the colour channels, then the luminance and colour
	// differences of the result. The outermost pixels stay as they are.
	var planes [3][]float32
	for c := range planes {
		planes[c] = make([]float32, w*h)
	}
	hs := make([]int32, 3*w*h) // smoothed across, channel by channel, interleaved
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		out := hs[3*y*w : 3*(y+1)*w]
		for x := 1; x < w-1; x++ {
			for c := range 3 {
				out[3*x+c] = int32(row[4*x-4+c]) + 2*int32(row[4*x+c]) + int32(row[4*x+4+c])
			}
		}
	}
	for i := range w * h {
		r, g, b := float32(img.Pix[4*i]), float32(img.Pix[4*i+1]), float32(img.Pix[4*i+2])
		y := 0.299*r + 0.587*g + 0.114*b
		planes[0][i], planes[1][i], planes[2][i] = y, b-y, r-y
	}
	for y := 1; y < h-1; y++ {
		u, m, d := hs[3*(y-1)*w:3*y*w], hs[3*y*w:3*(y+1)*w], hs[3*(y+1)*w:3*(y+2)*w]
		p0, p1, p2 := planes[0][y*w:(y+1)*w], planes[1][y*w:(y+1)*w], planes[2][y*w:(y+1)*w]
		for x := 1; x < w-1; x++ {
			k := 3 * x
			r := float32(u[k]+2*m[k]+d[k]) / 16
			g := float32(u[k+1]+2*m[k+1]+d[k+1]) / 16
			b := float32(u[k+2]+2*m[k+2]+d[k+2]) / 16
			l := 0.299*r + 0.587*g + 0.114*b
			p0[x], p1[x], p2[x] = l, b-l, r-l
		}
	}
	gx, gy, mag := make([]float32, w*h), make([]float32, w*h), make([]float32, w*h)
	bs := make([]float32, w) // the strongest gradient so far, squared, along the row
	for y := 1; y < h-1; y++ {
		gxr, gyr, mr := gx[y*w:(y+1)*w], gy[y*w:(y+1)*w], mag[y*w:(y+1)*w]
		clear(bs)
		for _, p := range planes {
			u, m, d := p[(y-1)*w:y*w], p[y*w:(y+1)*w], p[(y+1)*w:(y+2)*w]
			for x := 1; x < w-1; x++ {
				sx := (u[x+1] + 2*m[x+1] + d[x+1]) - (u[x-1] + 2*m[x-1] + d[x-1])
				sy := (d[x-1] + 2*d[x] + d[x+1]) - (u[x-1] + 2*u[x] + u[x+1])
				if q := sx*sx + sy*sy; q > bs[x] {
					bs[x], gxr[x], gyr[x] = q, sx/8, sy/8
				}
			}
		}
		// Squared, ×64: the square root is taken of the edge pixels only.
		copy(mr[1:w-1], bs[1:w-1])
	}
	edge := make([]float32, w*h)
	em := &edgeMap{w: w, h: h, dir: make([]int16, w*h), mag: edge, lum: planes[0], texture: make([]bool, w*h)}
	for i := range em.dir {
		em.dir[i] = -1
	}
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			i := y*w + x
			m := mag[i]
			if m < edgeThreshold*edgeThreshold*64 {
				continue
			}
			ax, ay := abs32(gx[i]), abs32(gy[i])
			var step int
			switch {
			case ax > 2.414*ay:
				step = 1
			case ay > 2.414*ax:
				step = w
			case (gx[i] > 0) == (gy[i] > 0):
				step = w + 1
			default:
				step = w - 1
			}
			if m < mag[i-step] || m <= mag[i+step] {
				continue
			}
			d := int(math.Round(math.Atan2(float64(gy[i]), float64(gx[i])) * 180 / math.Pi))
			em.dir[i] = int16((d + 360) % 360)
			em.list = append(em.list, int32(i))
			edge[i] = float32(math.Sqrt(float64(m))) / 8
		}
	}
	em.textureEdges()
	return em
}

// textureEdges adds the edges between a patterned region and a plain one: against a
// fine pattern (a tablecloth's check, small print) a card's edge may show little but
// where the pattern stops, its margin being plain. They are the steps of the density of
// edge pixels over a window textureRadius each way, counted as faint edges.
func (em *edgeMap) textureEdges() {
	w, h := em.w, em.h
	r := textureRadius
	// The density, by an integral image of the edge pixels.
	integ := make([]int32, (w+1)*(h+1))
	for y := range h {
		run := int32(0)
		row, above, here := em.dir[y*w:(y+1)*w], integ[y*(w+1):(y+1)*(w+1)], integ[(y+1)*(w+1):(y+2)*(w+1)]
		for x := range w {
			if row[x] >= 0 {
				run++
			}
			here[x+1] = above[x+1] + run
		}
	}
	// The density is smooth: take it, its gradient and its steps on a grid of every
	// other pixel, W × H.
	W, H := w/2, h/2
	dens := make([]float32, W*H)
	for Y := range H {
		y := 2*Y + 1
		y0, y1 := max(y-r, 0), min(y+r+1, h)
		a, b := integ[y0*(w+1):(y0+1)*(w+1)], integ[y1*(w+1):(y1+1)*(w+1)]
		for X := range W {
			x := 2*X + 1
			x0, x1 := max(x-r, 0), min(x+r+1, w)
			n := b[x1] - a[x1] - b[x0] + a[x0]
			dens[Y*W+X] = float32(n) / float32((y1-y0)*(x1-x0))
		}
	}
	// Its gradient, thinned as the image's is; then the step a window's width either
	// way must be textureStep: a pattern against a plain margin, not a lone line's
	// surroundings, nor a pattern's unevenness.
	gx, gy, mag := make([]float32, W*H), make([]float32, W*H), make([]float32, W*H)
	for Y := 1; Y < H-1; Y++ {
		for X := 1; X < W-1; X++ {
			i := Y*W + X
			sx, sy := dens[i+1]-dens[i-1], dens[i+W]-dens[i-W]
			gx[i], gy[i] = sx, sy
			mag[i] = float32(math.Sqrt(float64(sx*sx + sy*sy)))
		}
	}
	reach := float64(r+1) / 2
	added := false
	for Y := 1; Y < H-1; Y++ {
		for X := 1; X < W-1; X++ {
			i := Y*W + X
			m := mag[i]
			k := (2*Y+1)*w + 2*X + 1 // the pixel it stands for
			if m < textureStep/4 || em.dir[k] >= 0 {
				continue
			}
			ax, ay := abs32(gx[i]), abs32(gy[i])
			var step int
			switch {
			case ax > 2.414*ay:
				step = 1
			case ay > 2.414*ax:
				step = W
			case (gx[i] > 0) == (gy[i] > 0):
				step = W + 1
			default:
				step = W - 1
			}
			if m < mag[i-step] || m <= mag[i+step] {
				continue
			}
			ux, uy := float64(gx[i]/m)*reach, float64(gy[i]/m)*reach
			xa, ya := X+int(math.Round(ux)), Y+int(math.Round(uy))
			xb, yb := X-int(math.Round(ux)), Y-int(math.Round(uy))
			if xa < 0 || ya < 0 || xb < 0 || yb < 0 || xa >= W || xb >= W || ya >= H || yb >= H || dens[ya*W+xa]-dens[yb*W+xb] < textureStep {
				continue
			}
			d := int(math.Round(math.Atan2(float64(gy[i]), float64(gx[i])) * 180 / math.Pi))
			// It stands for two pixels along the edge, so that an edge is as continuous
			// as the image's.
			other := k - 1
			if ax > ay {
				other = k - w
			}
			for _, j := range [2]int{k, other} {
				if em.dir[j] < 0 {
					em.dir[j] = int16((d + 360) % 360)
					em.mag[j] = textureMag
					em.texture[j] = true
				}
			}
			added = true
		}
	}
	if added { // the list in raster order again
		em.list = em.list[:0]
		for i, d := range em.dir {
			if d >= 0 {
				em.list = append(em.list, int32(i))
			}
		}
	}
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

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
	// Edges lying along the line (across another line) either side of it: a line that
	// crosses it.
	along := func(x, y int) bool {
		if x < 0 || y < 0 || x >= em.w || y >= em.h {
			return false
		}
		d := em.dir[y*em.w+x]
		diff := (int(d) - l.deg + 360) % 180 // 90 when along the line
		return d >= 0 && diff >= 90-crossAngle && diff <= 90+crossAngle
	}
	crossed := func(bx, by, side float64) bool {
		for _, a := range [3]float64{-1, 0, 1} {
			if along(int(math.Floor(bx+side*2.5*l.nx+a*dx)), int(math.Floor(by+side*2.5*l.ny+a*dy))) {
				return true
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
		if crossed(bx, by, 1) && crossed(bx, by, -1) {
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
	return shapeCost * max(0, r-ratioSlack)
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

// designs are the card designs' thumbnails as vectors (see vector), averaged down by
// fine each way and, to sift many quadrilaterals quickly, by coarse.
type designs struct {
	fine, coarse [][]float64
}

const (
	fine   = 2
	coarse = 4
)

// reduce averages a thumbnail's vector down by k each way.
func reduce(t []float64, k int) []float64 {
	w, h := ThumbW/k, ThumbH/k
	v := make([]float64, 3*w*h)
	for c := range 3 {
		for y := range ThumbH {
			for x := range ThumbW {
				v[c*w*h+(y/k)*w+x/k] += t[c*ThumbW*ThumbH+y*ThumbW+x]
			}
		}
	}
	normalise(v, w*h)
	return v
}

// normalise makes each of v's three channels, n long, zero-mean and of length 1/√3, as
// vector does.
func normalise(v []float64, n int) {
	for c := range 3 {
		ch := v[c*n : (c+1)*n]
		mean := 0.0
		for _, x := range ch {
			mean += x
		}
		mean /= float64(n)
		norm := 0.0
		for i := range ch {
			ch[i] -= mean
			norm += ch[i] * ch[i]
		}
		if norm = math.Sqrt(norm); norm > 0 {
			for i := range ch {
				ch[i] /= norm * math.Sqrt(3)
			}
		}
	}
}

// resemblance is how much the quadrilateral's content in img looks like the design it
// looks most like, either way up: Classify's correlation, on thumbnails half the size
// each way or, if coarser, a quarter, each pixel four samples of img.
func (d *designs) resemblance(img *image.RGBA, q [4]geom.Point, coarser bool) float64 {
	w, h, refs := ThumbW/fine, ThumbH/fine, d.fine
	if coarser {
		w, h, refs = ThumbW/coarse, ThumbH/coarse, d.coarse
	}
	dst := [4]geom.Point{{X: 0, Y: 0}, {X: float64(w), Y: 0}, {X: float64(w), Y: float64(h)}, {X: 0, Y: float64(h)}}
	hm, err := geom.FromQuad(dst, order(q))
	if err != nil {
		return 0
	}
	n := w * h
	v := make([]float64, 3*n)
	W, H := img.Bounds().Dx(), img.Bounds().Dy()
	for ty := range h {
		for tx := range w {
			var sum [3]int
			for sy := range 2 {
				for sx := range 2 {
					p := hm.Apply(geom.Point{X: float64(tx) + (float64(sx)+0.5)/2, Y: float64(ty) + (float64(sy)+0.5)/2})
					if !(p.X >= 0 && p.Y >= 0 && p.X < float64(W) && p.Y < float64(H)) {
						sum[0], sum[1], sum[2] = sum[0]+255, sum[1]+255, sum[2]+255 // as Straighten fills
						continue
					}
					i := img.PixOffset(int(p.X), int(p.Y))
					sum[0] += int(img.Pix[i])
					sum[1] += int(img.Pix[i+1])
					sum[2] += int(img.Pix[i+2])
				}
			}
			for c := range 3 {
				v[c*n+ty*w+tx] = float64(sum[c])
			}
		}
	}
	normalise(v, n)
	best := -1.0
	for _, r := range refs {
		var s, f float64
		for c := range 3 {
			vc, rc := v[c*n:(c+1)*n], r[c*n:(c+1)*n]
			for i, x := range rc {
				s += vc[i] * x
				f += vc[n-1-i] * x // the card turned by 180°
			}
		}
		best = max(best, s, f)
	}
	return best
}

// refineSide refits a side at full resolution: at points along it, the few strongest
// steps across it in the colour that tells desk from card, then the line most of the
// points share, the rest (a finger, a shadow's edge, print beside the edge) dropped.
// a and b are the side's ends, centre the card's.
func refineSide(full, small *image.RGBA, l fline, a, b, centre geom.Point, f int) (fline, bool) {
	L := dist(a, b)
	if L < 8 {
		return l, false
	}
	dx, dy := (b.X-a.X)/L, (b.Y-a.Y)/L
	// Inward normal.
	nx, ny := -dy, dx
	if (centre.X-a.X)*nx+(centre.Y-a.Y)*ny < 0 {
		nx, ny = -nx, -ny
	}
	// The colour direction from outside to inside, from the work image.
	fs := float64(f)
	var in, out [3]float64
	cnt := 0
	for k := 1; k < 20; k++ {
		t := L * float64(k) / 20
		px, py := a.X+t*dx, a.Y+t*dy
		ci, ok1 := sample(small, (px+nx*4*fs)/fs, (py+ny*4*fs)/fs)
		co, ok2 := sample(small, (px-nx*4*fs)/fs, (py-ny*4*fs)/fs)
		if !ok1 || !ok2 {
			continue
		}
		for c := range 3 {
			in[c] += ci[c]
			out[c] += co[c]
		}
		cnt++
	}
	var v [3]float64
	norm := 0.0
	for c := range 3 {
		v[c] = in[c] - out[c]
		norm += v[c] * v[c]
	}
	norm = math.Sqrt(norm)
	// Steps are looked for either way: against a checkerboard the card is lighter than
	// some squares and darker than others.
	if cnt == 0 || norm/float64(cnt) < 6 {
		v = [3]float64{0.299, 0.587, 0.114}
	} else {
		for c := range v {
			v[c] /= norm
		}
	}
	S := int(2.5*fs) + 3
	prof := make([]float64, 2*S+3)
	// Each sample keeps its few strongest steps: the card's edge need not be the
	// strongest where print or a desk's pattern lies next to it, but it is the one the
	// samples share.
	type step struct {
		p geom.Point
		d float64
	}
	var samples [][]step
	n := min(max(int(L/8), 12), 80)
	for k := range n {
		t := L * (0.05 + 0.9*(float64(k)+0.5)/float64(n))
		px, py := a.X+t*dx, a.Y+t*dy
		// Start from where the current line is, not the corner chord.
		off := l.nx*px + l.ny*py - l.c
		px, py = px-off*l.nx, py-off*l.ny
		// Near the image's border, the part of the profile inside it.
		lo, hi := len(prof), -1
		for s := range prof {
			o := float64(s - S - 1)
			acc := 0.0
			good := true
			for _, along := range [3]float64{-1, 0, 1} {
				c, in := sample(full, px+o*nx+along*dx, py+o*ny+along*dy)
				good = good && in
				acc += v[0]*c[0] + v[1]*c[1] + v[2]*c[2]
			}
			if good {
				prof[s] = acc / 3
				lo, hi = min(lo, s), max(hi, s)
			}
		}
		var steps []step
		for s := max(2, lo+2); s < min(len(prof)-2, hi-1); s++ {
			d0, d1, d2 := math.Abs(prof[s]-prof[s-2]), math.Abs(prof[s+1]-prof[s-1]), math.Abs(prof[s+2]-prof[s])
			if d1 < 4 || d1 < d0 || d1 <= d2 {
				continue
			}
			delta := 0.0
			if den := d0 - 2*d1 + d2; den < 0 {
				delta = min(max(0.5*(d0-d2)/den, -0.5), 0.5)
			}
			o := float64(s-S-1) + delta
			steps = append(steps, step{geom.Point{X: px + o*nx, Y: py + o*ny}, d1})
		}
		slices.SortFunc(steps, func(a, b step) int { return cmpDesc(a.d, b.d) })
		if len(steps) > 0 {
			samples = append(samples, steps[:min(len(steps), 3)])
		}
	}
	if len(samples) < 8 {
		return l, false
	}
	// support is how many samples have a step within tol of the line, each counted for
	// how clear a step it is (a desk's grain beside a card's edge makes fainter ones),
	// and their points.
	support := func(cand fline, tol float64, in []geom.Point) (float64, []geom.Point) {
		w := 0.0
		for _, st := range samples {
			for _, c := range st {
				if math.Abs(cand.nx*c.p.X+cand.ny*c.p.Y-cand.c) <= tol {
					if in != nil {
						in = append(in, c.p)
					}
					w += min(c.d, clearStep) / clearStep
					break
				}
			}
		}
		return w, in
	}
	// The line through two steps, far apart, that most samples share; of lines shared
	// as widely, the one nearest the line found.
	best, bestN, bestOff := l, 0.0, math.Inf(1)
	h := len(samples) / 2
	for k := range h {
		for _, p := range samples[k] {
			for _, q := range samples[k+h] {
				d := dist(p.p, q.p)
				if d < 1 {
					continue
				}
				cand := fline{nx: -(q.p.Y - p.p.Y) / d, ny: (q.p.X - p.p.X) / d}
				if cand.nx*l.nx+cand.ny*l.ny < 0 {
					cand.nx, cand.ny = -cand.nx, -cand.ny
				}
				if cand.nx*l.nx+cand.ny*l.ny < 0.99 {
					continue
				}
				cand.c = cand.nx*p.p.X + cand.ny*p.p.Y
				in, _ := support(cand, 1.5, nil)
				off := math.Abs(cand.nx*(a.X+b.X)/2 + cand.ny*(a.Y+b.Y)/2 - cand.c)
				if in > bestN || (in == bestN && off < bestOff) {
					best, bestN, bestOff = cand, in, off
				}
			}
		}
	}
	if _, sel := support(best, 1.5, make([]geom.Point, 0, len(samples))); len(sel) < max(6, len(samples)/4) {
		return l, false
	}
	cur := best
	for _, tol := range []float64{1.5, 1.0} {
		_, sel := support(cur, tol, make([]geom.Point, 0, len(samples)))
		if len(sel) < max(6, len(samples)/4) {
			break
		}
		next, ok := tls(sel, cur)
		if !ok {
			break
		}
		cur = next
	}
	return cur, true
}

// tls fits a line to points by total least squares, its normal the sense of ref's.
func tls(pts []geom.Point, ref fline) (fline, bool) {
	var mx, my float64
	for _, p := range pts {
		mx += p.X
		my += p.Y
	}
	n := float64(len(pts))
	mx, my = mx/n, my/n
	var sxx, sxy, syy float64
	for _, p := range pts {
		sxx += (p.X - mx) * (p.X - mx)
		sxy += (p.X - mx) * (p.Y - my)
		syy += (p.Y - my) * (p.Y - my)
	}
	th := 0.5*math.Atan2(2*sxy, sxx-syy) + math.Pi/2
	nx, ny := math.Cos(th), math.Sin(th)
	if nx*ref.nx+ny*ref.ny < 0 {
		nx, ny = -nx, -ny
	}
	if nx*ref.nx+ny*ref.ny < 0.99 {
		return ref, false
	}
	return fline{nx, ny, nx*mx + ny*my}, true
}

// sample is img's colour at (x, y), bilinearly; false outside it.
func sample(img *image.RGBA, x, y float64) ([3]float64, bool) {
	x, y = x-0.5, y-0.5
	W, H := img.Bounds().Dx(), img.Bounds().Dy()
	if !(x >= 0 && y >= 0 && x < float64(W-1) && y < float64(H-1)) {
		return [3]float64{}, false
	}
	x0, y0 := int(x), int(y)
	fx, fy := x-float64(x0), y-float64(y0)
	i := img.PixOffset(x0, y0)
	j := i + img.Stride
	var c [3]float64
	for k := range 3 {
		top := float64(img.Pix[i+k])*(1-fx) + float64(img.Pix[i+4+k])*fx
		bot := float64(img.Pix[j+k])*(1-fx) + float64(img.Pix[j+4+k])*fx
		c[k] = top*(1-fy) + bot*fy
	}
	return c, true
}

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
