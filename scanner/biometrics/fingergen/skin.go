package fingergen

import (
	"image"
	"math"
	"math/rand/v2"
)

// relief is the master's ridges softened (Gaussian, σ 1.5 px) into a graded profile: about
// 1 on a ridge's crest, 0 in a valley. Thresholding it lower or higher thickens or thins the
// ridges as a hard press, a wet finger or a dry one does; the master itself is nearly
// binary and would only ever move its edges by a pixel.
func relief(img *image.Gray) []float32 {
	const sigma, r = 1.5, 4
	var k [2*r + 1]float32
	var sum float32
	for i := range k {
		d := float64(i - r)
		k[i] = float32(math.Exp(-d * d / (2 * sigma * sigma)))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	src := make([]float32, Width*Height)
	for i, v := range img.Pix {
		src[i] = 1 - float32(v)/255
	}
	tmp := make([]float32, Width*Height)
	for y := range Height {
		for x := range Width {
			var s float32
			for i, w := range k {
				s += w * src[y*Width+min(max(x+i-r, 0), Width-1)]
			}
			tmp[y*Width+x] = s
		}
	}
	for y := range Height {
		for x := range Width {
			var s float32
			for i, w := range k {
				s += w * tmp[min(max(y+i-r, 0), Height-1)*Width+x]
			}
			src[y*Width+x] = s
		}
	}
	return src
}

// A mark is a crease or a scar: a white curve across the ridges, fixed in the skin.
type mark struct {
	// A quadratic Bézier curve in master coordinates: ends 0 and 2, control point 1.
	x0, y0, x1, y1, x2, y2 float64
	width                  float64 // full width, pixels
	wobble                 float64 // how much the width varies along the curve (scars' ragged edges)
	prominence             float64 // creases: 0 … 1, how readily it shows
	draw                   float64 // scars: shown when Options.Scars exceeds it
}

// skinMarks are the finger's creases and scars, drawn from the master's own seed so that
// every impression of a finger has the same ones; options only choose which show.
func (m *Master) skinMarks() (creases, scars []mark) {
	rnd := rand.New(rand.NewPCG(m.skin, 0x736b696e))
	u := func(a, b float64) float64 { return a + rnd.Float64()*(b-a) }
	curve := func(x, y, angle, length, bend float64) mark {
		dx, dy := math.Cos(angle)*length/2, math.Sin(angle)*length/2
		return mark{x0: x - dx, y0: y - dy, x2: x + dx, y2: y + dy,
			x1: x - dy/length*2*bend, y1: y + dx/length*2*bend}
	}
	// A point on the finger, at least 10 px inside its outline (the master's own edge
	// is seldom inside a contact patch anyway).
	inside := func(x, y float64) bool {
		for _, d := range [][2]float64{{0, 0}, {-10, 0}, {10, 0}, {0, -10}, {0, 10}} {
			i, j := int(x+d[0]), int(y+d[1])
			if i < 0 || j < 0 || i >= Width || j >= Height || !m.Mask[j*Width+i] {
				return false
			}
		}
		return true
	}
	n := 2 + rnd.IntN(16) // some fingers are smooth, some much creased
	for range n {
		// Most creases run across the lower half, towards the flexion crease; some lie
		// anywhere and at any slant.
		flexion := rnd.Float64() < 0.6
		var x, y, angle, length, prom float64
		for range 30 {
			if flexion {
				x, y, angle, length = u(100, 400), u(290, 480), u(-0.35, 0.35), u(50, 220)
				prom = u(0.3, 1)
			} else {
				x, y, angle, length = u(80, 420), u(60, 460), u(-1.1, 1.1), u(25, 120)
				prom = u(0, 1)
			}
			if inside(x, y) {
				break
			}
		}
		c := curve(x, y, angle, length, u(-0.12, 0.12)*length)
		c.width, c.prominence = u(1.5, 3.5), prom
		creases = append(creases, c)
	}
	for range 2 {
		var x, y float64
		for range 30 {
			if x, y = u(120, 380), u(100, 400); inside(x, y) {
				break
			}
		}
		length := u(60, 240)
		c := curve(x, y, u(0, math.Pi), length, u(-0.25, 0.25)*length)
		c.width, c.wobble, c.draw = u(3, 8), 0.35, rnd.Float64()
		scars = append(scars, c)
	}
	return creases, scars
}

// paint draws the mark into a master-sized map (1 = white, the ridges wiped) at the given
// depth, keeping the larger value where marks cross.
func (c mark) paint(dst []float32, depth float64, seed uint64) {
	const step = 3.0
	length := math.Hypot(c.x1-c.x0, c.y1-c.y0) + math.Hypot(c.x2-c.x1, c.y2-c.y1)
	n := max(2, int(length/step))
	at := func(t float64) (float64, float64) {
		a, b, e := (1-t)*(1-t), 2*t*(1-t), t*t
		return a*c.x0 + b*c.x1 + e*c.x2, a*c.y0 + b*c.y1 + e*c.y2
	}
	ax, ay := at(0)
	for s := 1; s <= n; s++ {
		t := float64(s) / float64(n)
		bx, by := at(t)
		// Width along the curve: a scar's edges wander; every mark tapers at its ends.
		half := c.width / 2 * (1 + c.wobble*(2*noise(seed, t*length, 0, 12)-1))
		half *= min(1, 4*min(t, 1-t)+0.35)
		pad := half + 1.5
		x0, x1 := max(0, int(math.Floor(min(ax, bx)-pad))), min(Width-1, int(math.Ceil(max(ax, bx)+pad)))
		y0, y1 := max(0, int(math.Floor(min(ay, by)-pad))), min(Height-1, int(math.Ceil(max(ay, by)+pad)))
		sx, sy := bx-ax, by-ay
		l2 := sx*sx + sy*sy
		for y := y0; y <= y1; y++ {
			for x := x0; x <= x1; x++ {
				px, py := float64(x)+0.5-ax, float64(y)+0.5-ay
				k := clamp01((px*sx + py*sy) / l2)
				d := math.Hypot(px-k*sx, py-k*sy)
				v := float32(depth * clamp01(half+0.5-d)) // a pixel's soft edge
				if i := y*Width + x; v > dst[i] {
					dst[i] = v
				}
			}
		}
		ax, ay = bx, by
	}
}
