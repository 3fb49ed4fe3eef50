package fingergen

import (
	"hash/fnv"
	"image"
	"math"
	"math/rand/v2"

	"cotejo/scanner/ridge"
)

// Options shape one impression.
type Options struct {
	Rotate   float64 // degrees, ±
	Shift    float64 // pixels, ±, each axis
	Distort  float64 // elastic distortion, pixels of the largest bump
	Pressure float64 // −1 light touch (thin ridges) … +1 hard press (thick ridges)
	Dryness  float64 // 0 … 1: broken, faint ridges in patches
	Noise    float64 // sensor noise, grey levels
	Contact  float64 // 0 … 1: how much of the finger touches (1 = all)
}

// Quality presets: good, fair and poor impressions, the spread a branch's scanner sees.
type Quality int

const (
	Good Quality = iota
	Fair
	Poor
)

func (q Quality) String() string { return [...]string{"good", "fair", "poor"}[q] }

// Preset draws impression options of quality q.
func Preset(q Quality, rnd *rand.Rand) Options {
	u := func(a, b float64) float64 { return a + rnd.Float64()*(b-a) }
	switch q {
	case Good:
		return Options{Rotate: 10, Shift: 20, Distort: u(1, 3), Pressure: u(-0.2, 0.2), Dryness: u(0, 0.1), Noise: u(2, 5), Contact: u(0.85, 1)}
	case Fair:
		return Options{Rotate: 20, Shift: 35, Distort: u(3, 6), Pressure: u(-0.5, 0.5), Dryness: u(0.1, 0.35), Noise: u(5, 10), Contact: u(0.7, 0.9)}
	}
	return Options{Rotate: 30, Shift: 50, Distort: u(5, 9), Pressure: u(-0.8, 0.8), Dryness: u(0.35, 0.7), Noise: u(10, 18), Contact: u(0.5, 0.75)}
}

// Impression is one capture of a master: the scanner's image and the minutiae it shows.
type Impression struct {
	Image    *image.Gray
	Minutiae []Minutia
}

// bump is one Gaussian of the elastic distortion.
type bump struct{ x, y, dx, dy, s float64 }

// Impress takes an impression of m with options o, drawn from seed.
func (m *Master) Impress(seed uint64, o Options) Impression {
	rnd := rand.New(rand.NewPCG(seed, 0x696d70))
	theta := (rnd.Float64()*2 - 1) * o.Rotate * math.Pi / 180
	tx, ty := (rnd.Float64()*2-1)*o.Shift, (rnd.Float64()*2-1)*o.Shift
	var bumps []bump
	for range 4 {
		a := rnd.Float64() * 2 * math.Pi
		bumps = append(bumps, bump{x: rnd.Float64() * Width, y: rnd.Float64() * Height,
			dx: math.Cos(a) * o.Distort, dy: math.Sin(a) * o.Distort, s: 80 + rnd.Float64()*80})
	}
	disp := func(x, y float64) (float64, float64) {
		var dx, dy float64
		for _, b := range bumps {
			w := math.Exp(-((x-b.x)*(x-b.x) + (y-b.y)*(y-b.y)) / (2 * b.s * b.s))
			dx += w * b.dx
			dy += w * b.dy
		}
		return dx, dy
	}
	cx, cy := Width/2.0, Height/2.0
	sin, cos := math.Sincos(theta)
	// Rendering maps each output pixel q back to the master: p = R⁻¹(q − t − d(q)).
	toMaster := func(qx, qy float64) (float64, float64) {
		dx, dy := disp(qx, qy)
		x, y := qx-tx-dx-cx, qy-ty-dy-cy
		return cos*x + sin*y + cx, -sin*x + cos*y + cy
	}
	// Minutiae go forward: q = R p + t + d(q), solved by a few fixed-point steps.
	toImpression := func(px, py float64) (float64, float64) {
		x, y := px-cx, py-cy
		rx, ry := cos*x-sin*y+cx+tx, sin*x+cos*y+cy+ty
		qx, qy := rx, ry
		for range 5 {
			dx, dy := disp(qx, qy)
			qx, qy = rx+dx, ry+dy
		}
		return qx, qy
	}
	// Contact: an ellipse the finger's pressure leaves, smaller with less contact.
	ex, ey := cx+(rnd.Float64()*2-1)*40*(1-o.Contact), cy+(rnd.Float64()*2-1)*60*(1-o.Contact)
	erx, ery := 200*(0.55+0.45*o.Contact), 240*(0.55+0.45*o.Contact)
	contact := func(x, y float64) float64 {
		dx, dy := (x-ex)/erx, (y-ey)/ery
		return dx*dx + dy*dy
	}
	// Dry patches: a low-frequency field that fades ridges where it is high.
	dp1, dp2 := rnd.Float64()*6, rnd.Float64()*6
	dry := func(x, y float64) float64 {
		v := 0.5 + 0.25*math.Sin(x/23+dp1)*math.Sin(y/19+dp2) + 0.25*math.Sin((x+y)/31+dp2)
		return o.Dryness * v
	}
	img := image.NewGray(image.Rect(0, 0, Width, Height))
	thr := 128 + 45*o.Pressure // a harder press darkens more of each ridge's profile
	for y := range Height {
		for x := range Width {
			qx, qy := float64(x)+0.5, float64(y)+0.5
			bg := 235.0
			v := bg
			if c := contact(qx, qy); c <= 1 {
				px, py := toMaster(qx, qy)
				g := sample(m, px, py)
				if g >= 0 {
					// Re-threshold the ridge profile for pressure, then fade for dryness
					// and towards the contact's edge.
					ink := 1 / (1 + math.Exp((g-thr)/14))
					ink *= 1 - dry(qx, qy)*(0.6+0.8*rnd.Float64())
					ink *= math.Min(1, (1-c)*6)
					v = bg - (bg-25)*ink
				}
			}
			v += rnd.NormFloat64() * o.Noise
			img.Pix[y*Width+x] = uint8(math.Max(0, math.Min(255, v)))
		}
	}
	var mins []Minutia
	for _, mn := range m.Minutiae {
		qx, qy := toImpression(mn.X+0.5, mn.Y+0.5)
		// Keep what the image shows: well inside the contact and the frame.
		if contact(qx, qy) > 0.8 || qx < 8 || qy < 8 || qx > Width-8 || qy > Height-8 {
			continue
		}
		mins = append(mins, Minutia{X: qx - 0.5, Y: qy - 0.5, Kind: mn.Kind, Angle: ridge.Norm(mn.Angle - theta)})
	}
	return Impression{Image: img, Minutiae: mins}
}

// sample reads the master's grey at a real position (bilinear), or −1 off the finger.
func sample(m *Master, x, y float64) float64 {
	x, y = x-0.5, y-0.5
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	if x0 < 0 || y0 < 0 || x0+1 >= Width || y0+1 >= Height || !m.Mask[y0*Width+x0] {
		return -1
	}
	ax, ay := x-float64(x0), y-float64(y0)
	p := func(i, j int) float64 { return float64(m.Ridges.Pix[j*Width+i]) }
	return p(x0, y0)*(1-ax)*(1-ay) + p(x0+1, y0)*ax*(1-ay) + p(x0, y0+1)*(1-ax)*ay + p(x0+1, y0+1)*ax*ay
}

// SeedFor turns a citizen's register identifier into a finger seed.
func SeedFor(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}
