package fingergen

import (
	"hash/fnv"
	"image"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"cotejo/scanner/biometrics/ridge"
)

// Options shape one impression. Each defect's zero value is its absence: Options{Contact: 1}
// is the master, flat and clean, as far as the contact patch reaches.
type Options struct {
	Rotate  float64 // degrees, ±
	Shift   float64 // pixels, ±, each axis: where the finger lands in the frame
	Distort float64 // elastic distortion, pixels of the largest of four smooth bumps
	// Plastic is the plastic distortion of Cappelli, Maio and Maltoni: the core where the
	// finger first touches stays put, and beyond a transition band the skin is dragged by a
	// rotation and a translation as the finger twists or slides on the platen. Plastic is
	// how far, in pixels, that drags the skin 180 px from the core's centre; FVC2004's
	// hard captures show 10–25.
	Plastic  float64
	Pressure float64 // −1 light touch (thin ridges) … +1 hard press (thick ridges)
	Dryness  float64 // 0 … 1: in dry patches ridges thin, pale, speckle and break into fragments and dots
	Wetness  float64 // 0 … 1: in wet patches ridges swell and merge, valleys fill, ink blotches
	Creases  float64 // 0 … 1: how many of the finger's creases show as thin white lines, and how wide
	// Scars is the chance that each scar a finger could have shows, a white curve a few
	// pixels wide. The chances are drawn per finger, not per impression: a finger shows
	// the same scars in every impression taken with the same Scars.
	Scars        float64
	Residue      float64 // 0 … 1: a previous finger's latent print and smudges left on the platen
	Illumination float64 // 0 … 1: uneven lighting: background and contrast drift across the frame
	Noise        float64 // sensor noise, grey levels
	Contact      float64 // 0 … 1: how much of the finger touches (1 = all)
	// Offset is how far, 0 … 1, the contact patch sits off the pad's centre: towards the
	// tip, a side or (seldom) the base, so that impressions show different parts of the
	// finger and overlap only partly.
	Offset float64
}

// Quality presets: good, fair and poor impressions, the spread a branch's scanner sees.
type Quality int

const (
	Good Quality = iota // a careful capture: a little distortion, light defects
	Fair                // an ordinary capture, like FVC2004's easier prints
	Poor                // a hard capture, like FVC2004's dry, wet, distorted and partial prints
)

func (q Quality) String() string { return [...]string{"good", "fair", "poor"}[q] }

// Preset draws impression options of quality q.
func Preset(q Quality, rnd *rand.Rand) Options {
	type span [2]float64
	type preset struct {
		rotate, shift, scars                         float64
		distort, plastic, offset, pressure, moisture span
		creases, residue, light, noise, contact      span
	}
	// Moisture runs from dry (−1) to wet (+1): one finger is seldom both. Skin a little
	// on the dry side of the middle already shows grain, as most captures do. A poor
	// capture's moisture is far from the middle, on either side.
	p := [...]preset{
		Good: {rotate: 10, shift: 20, scars: 0.04, distort: span{0.5, 2}, plastic: span{2, 7}, offset: span{0, 0.2},
			pressure: span{-0.2, 0.2}, moisture: span{-0.3, 0.25}, creases: span{0, 0.3}, residue: span{0, 0.15},
			light: span{0, 0.3}, noise: span{1, 3}, contact: span{0.6, 0.8}},
		Fair: {rotate: 20, shift: 35, scars: 0.08, distort: span{1, 3}, plastic: span{6, 15}, offset: span{0.15, 0.55},
			pressure: span{-0.5, 0.5}, moisture: span{-0.55, 0.6}, creases: span{0.2, 0.6}, residue: span{0, 0.4},
			light: span{0.2, 0.6}, noise: span{2, 6}, contact: span{0.45, 0.7}},
		Poor: {rotate: 30, shift: 50, scars: 0.15, distort: span{2, 4}, plastic: span{10, 25}, offset: span{0.25, 0.75},
			pressure: span{-0.8, 0.8}, moisture: span{0.4, 0.95}, creases: span{0.4, 1}, residue: span{0.2, 0.8},
			light: span{0.3, 1}, noise: span{3, 9}, contact: span{0.4, 0.7}},
	}[min(max(q, Good), Poor)]
	u := func(s span) float64 { return s[0] + rnd.Float64()*(s[1]-s[0]) }
	const grain = 0.15
	moist := u(p.moisture)
	if q >= Poor && rnd.Float64() < 0.5 {
		moist = -moist // a hard capture is hard for being dry or wet, about as often
	}
	return Options{Rotate: p.rotate, Shift: p.shift, Distort: u(p.distort), Plastic: u(p.plastic),
		Pressure: u(p.pressure), Dryness: clamp01(grain - moist), Wetness: clamp01(moist - grain), Creases: u(p.creases),
		Scars: p.scars, Residue: u(p.residue), Illumination: u(p.light), Noise: u(p.noise),
		Contact: u(p.contact), Offset: u(p.offset)}
}

// Impression is one capture of a master: the scanner's image and the minutiae it shows.
type Impression struct {
	Image    *image.Gray
	Minutiae []Minutia
}

// Impress takes an impression of m with options o, drawn from seed.
func (m *Master) Impress(seed uint64, o Options) Impression {
	s, rnd := m.scene(seed, o)
	return Impression{Image: s.render(rnd), Minutiae: s.minutiae()}
}

// scene lays out the impression of m from seed, and returns the generator, which goes on
// to draw the sensor's noise.
func (m *Master) scene(seed uint64, o Options) (*scene, *rand.Rand) {
	if m.relief == nil {
		// A Master not made by NewMaster: soften its ridges for this impression.
		c := *m
		c.relief = relief(m.Ridges)
		m = &c
	}
	rnd := rand.New(rand.NewPCG(seed, 0x696d70))
	return newScene(m, o, rnd), rnd
}

// midX, midY is the frame's centre, about which the finger turns.
const midX, midY = Width / 2.0, Height / 2.0

// warp maps between the master and an impression: a turn about the frame's centre and a
// shift, then a displacement the impression adds, q = R(p − mid) + mid + t + d(q).
type warp struct {
	sin, cos, tx, ty float64
	dx, dy           grid // d; zero grids when the finger is not distorted
}

// toMaster maps an impression point, located on the grid, back to the master:
// rendering reads it per pixel.
func (w *warp) toMaster(qx, qy float64, at spot) (float64, float64) {
	x, y := qx-w.tx-w.dx.read(at)-midX, qy-w.ty-w.dy.read(at)-midY
	return w.cos*x + w.sin*y + midX, -w.sin*x + w.cos*y + midY
}

// toImpression maps a master point forward, solving q = r + d(q) by fixed-point steps:
// the displacement changes slowly (its slope stays well under 1), so they converge.
func (w *warp) toImpression(px, py float64) (float64, float64) {
	x, y := px-midX, py-midY
	rx, ry := w.cos*x-w.sin*y+midX+w.tx, w.sin*x+w.cos*y+midY+w.ty
	qx, qy := rx, ry
	if w.dx.v == nil {
		return qx, qy
	}
	for range 100 {
		at := locate(qx, qy)
		nx, ny := rx+w.dx.read(at), ry+w.dy.read(at)
		done := math.Abs(nx-qx)+math.Abs(ny-qy) < 1e-9
		qx, qy = nx, ny
		if done {
			break
		}
	}
	return qx, qy
}

// scene is everything one impression is drawn from.
type scene struct {
	m *Master
	o Options
	w warp
	// The contact patch: centre and half-axes in the frame, turned with the finger, and
	// the wander of its outline.
	ex, ey, erx, ery float64
	rag              grid
	seed             uint64 // of the per-pixel noise
	// Slow fields, zero when their option is: local dryness, wetness and ink blotches;
	// the background's shift and the contrast's loss; smudges and the latent print's extent.
	dry, wet, blot, bg, fade, smudge, latent grid
	// The latent print is the master mirrored, turned and moved: another finger, for the
	// matcher.
	lsin, lcos, ltx, lty float64
	dust                 []blob    // specks on the platen
	marks                []float32 // creases and scars shown, in master coordinates; nil when none
}

// bump is one Gaussian of the elastic distortion.
type bump struct{ x, y, dx, dy, s float64 }

// blob is a smudge or a speck of dust: centre, radius and darkness.
type blob struct{ x, y, r, v float64 }

func newScene(m *Master, o Options, rnd *rand.Rand) *scene {
	s := &scene{m: m, o: o}
	// Every number is drawn whatever the options, so that changing one option leaves the
	// rest of the impression as it was.
	theta := (rnd.Float64()*2 - 1) * o.Rotate * math.Pi / 180
	s.w.sin, s.w.cos = math.Sincos(theta)
	s.w.tx, s.w.ty = (rnd.Float64()*2-1)*o.Shift, (rnd.Float64()*2-1)*o.Shift

	// The contact patch is part of the finger: it turns and moves with it. Less contact
	// shrinks it, and an offset slides it off the pad's centre.
	size := 0.25 + 0.75*clamp01(o.Contact)
	s.erx, s.ery = 200*size, 260*size
	ox, oy := (rnd.Float64()*2-1)*40*(1-o.Contact), (rnd.Float64()*2-1)*60*(1-o.Contact)
	dir := rnd.Float64()
	switch { // y grows downwards: −π/2 is the tip
	case dir < 0.4:
		dir = -math.Pi / 2
	case dir < 0.65:
		dir = math.Pi
	case dir < 0.9:
		dir = 0
	default:
		dir = math.Pi / 2
	}
	dir += (rnd.Float64()*2 - 1) * 0.5
	reach := o.Offset * (60 + 60*rnd.Float64())
	ox, oy = ox+math.Cos(dir)*reach, oy+math.Sin(dir)*reach
	s.ex, s.ey = s.w.cos*ox-s.w.sin*oy+midX+s.w.tx, s.w.sin*ox+s.w.cos*oy+midY+s.w.ty

	var bumps [4]bump
	for i := range bumps {
		a := rnd.Float64() * 2 * math.Pi
		bumps[i] = bump{x: rnd.Float64() * Width, y: rnd.Float64() * Height,
			dx: math.Cos(a) * o.Distort, dy: math.Sin(a) * o.Distort, s: 80 + rnd.Float64()*80}
	}
	// Plastic distortion (Cappelli, Maio and Maltoni): the core, an ellipse about the
	// patch's centre, is held by friction; outside it the skin follows a rigid move T,
	// braked across the transition by 1 − exp(−d²/2k²), d the distance beyond the core.
	pex, pey := s.ex+(rnd.Float64()*2-1)*15, s.ey+(rnd.Float64()*2-1)*15
	pa, pb := s.erx*(0.25+0.15*rnd.Float64()), s.ery*(0.25+0.15*rnd.Float64())
	k := 50 + 40*rnd.Float64()
	slide := 0.3 + 0.7*rnd.Float64() // the share of the drag that is translation
	ta := rnd.Float64() * 2 * math.Pi
	// The rigid move is larger than Plastic by as much as the brake still holds back
	// 180 px out.
	dref := max(180-(pa+pb)/2, k)
	drag := o.Plastic / (1 - math.Exp(-dref*dref/(2*k*k)))
	tx, ty := math.Cos(ta)*drag*slide, math.Sin(ta)*drag*slide
	alpha := drag * (1 - slide) / 180
	if rnd.Float64() < 0.5 {
		alpha = -alpha
	}
	asin, acos := math.Sincos(alpha)
	disp := func(x, y float64) (float64, float64) {
		var dx, dy float64
		for _, b := range bumps {
			if b.s == 0 {
				break
			}
			w := math.Exp(-((x-b.x)*(x-b.x) + (y-b.y)*(y-b.y)) / (2 * b.s * b.s))
			dx += w * b.dx
			dy += w * b.dy
		}
		vx, vy := x-pex, y-pey
		fx, fy := (s.w.cos*vx+s.w.sin*vy)/pa, (-s.w.sin*vx+s.w.cos*vy)/pb
		if r := math.Hypot(fx, fy); r > 1 {
			d := math.Hypot(vx, vy) * (1 - 1/r)
			brake := 1 - math.Exp(-d*d/(2*k*k))
			dx += brake * (acos*vx - asin*vy + tx - vx)
			dy += brake * (asin*vx + acos*vy + ty - vy)
		}
		return dx, dy
	}
	if o.Distort == 0 {
		bumps = [4]bump{} // their weights cost more than the rest of the displacement
	}
	if o.Distort != 0 || o.Plastic != 0 {
		s.w.dx, s.w.dy = newGrids(disp)
	}

	// The patch's outline is an ellipse with a few gentle lobes.
	var lobes [4]struct{ a, phase float64 }
	for i := range lobes {
		lobes[i].a, lobes[i].phase = 0.06*rnd.Float64()/float64(i+1), rnd.Float64()*2*math.Pi
	}
	s.rag = newGrid(func(x, y float64) float64 {
		vx, vy := x-s.ex, y-s.ey
		phi := math.Atan2(-s.w.sin*vx+s.w.cos*vy, s.w.cos*vx+s.w.sin*vy)
		var r float64
		for i, l := range lobes {
			r += l.a * math.Cos(float64(i+2)*phi+l.phase)
		}
		return r
	})
	s.seed = rnd.Uint64()
	drySeed, wetSeed, blotSeed := rnd.Uint64(), rnd.Uint64(), rnd.Uint64()
	if o.Dryness > 0 {
		s.dry = newGrid(func(x, y float64) float64 { return o.Dryness * (0.3 + 0.7*patches(drySeed, x, y, 55)) })
	}
	if o.Wetness > 0 {
		s.wet = newGrid(func(x, y float64) float64 { return o.Wetness * (0.25 + 0.75*patches(wetSeed, x, y, 60)) })
		s.blot = newGrid(func(x, y float64) float64 {
			return o.Wetness * smoothstep(0.6, 0.75, noise(blotSeed, x, y, 26))
		})
	}

	// Uneven light: a ramp across the frame, darker corners and blotchy contrast.
	la, lightSeed := rnd.Float64()*2*math.Pi, rnd.Uint64()
	if o.Illumination > 0 {
		lsin, lcos := math.Sincos(la)
		s.bg = newGrid(func(x, y float64) float64 {
			x, y = x-midX, y-midY
			ramp := (x*lcos + y*lsin) / midX
			corner := (x*x + y*y) / (2 * midX * midY)
			return o.Illumination * (18*ramp - 22*corner)
		})
		s.fade = newGrid(func(x, y float64) float64 { return o.Illumination * 0.5 * patches(lightSeed, x, y, 80) })
	}

	// Residue: the latent print of whoever touched before, patchy, and a few smudges.
	ga := rnd.Float64() * 2 * math.Pi
	s.lsin, s.lcos = math.Sincos(ga)
	s.ltx, s.lty = (rnd.Float64()*2-1)*150, (rnd.Float64()*2-1)*150
	var smudges [3]blob
	for i := range smudges {
		smudges[i] = blob{x: rnd.Float64() * Width, y: rnd.Float64() * Height, r: 20 + 50*rnd.Float64(), v: rnd.Float64()}
	}
	latentSeed, lr, dustSeed := rnd.Uint64(), 0.6+0.4*rnd.Float64(), rnd.Uint64()
	if o.Residue > 0 {
		s.smudge = newGrid(func(x, y float64) float64 {
			var v float64
			for _, b := range smudges[:1+int(2.99*o.Residue)] { // more residue, more smudges
				v += b.v * math.Exp(-((x-b.x)*(x-b.x)+(y-b.y)*(y-b.y))/(2*b.r*b.r))
			}
			return o.Residue * 0.12 * min(1, v)
		})
		// Dust has a generator of its own: how many specks there are must not shift the
		// draws that follow.
		dust := rand.New(rand.NewPCG(dustSeed, 0x64757374))
		s.dust = make([]blob, int(60*o.Residue))
		for i := range s.dust {
			s.dust[i] = blob{x: dust.Float64() * Width, y: dust.Float64() * Height, r: 0.5 + 1.2*dust.Float64(), v: 0.2 + 0.6*dust.Float64()}
		}
		s.latent = newGrid(func(x, y float64) float64 {
			dx, dy := (x-midX-s.ltx)/(200*lr), (y-midY-s.lty)/(240*lr)
			return o.Residue * 0.4 * smoothstep(0, 0.3, 1-math.Hypot(dx, dy)) * patches(latentSeed, x, y, 35)
		})
	}

	if o.Creases > 0 || o.Scars > 0 {
		s.marks = s.paintMarks()
	}
	return s
}

// paintMarks draws the creases and scars the options show into a master-sized map.
func (s *scene) paintMarks() []float32 {
	marks := make([]float32, Width*Height)
	creases, scars := s.m.skinMarks()
	press := 1 - 0.3*max(0, s.o.Pressure) // a hard press closes them a little
	shown := false
	for i, c := range creases {
		st := s.o.Creases * c.prominence
		if st < 0.1 {
			continue
		}
		c.width *= (0.5 + 0.5*min(1, 1.5*st)) * press
		c.paint(marks, min(1, 0.5+st), s.m.skin+uint64(i))
		shown = true
	}
	for i, c := range scars {
		if s.o.Scars > c.draw {
			c.width *= press
			c.paint(marks, 1, s.m.skin+uint64(100+i))
			shown = true
		}
	}
	if !shown {
		return nil
	}
	return marks
}

// contact is the distance of a located point from the patch's centre relative to its
// outline: below 1 the finger touches.
func (s *scene) contact(qx, qy float64, at spot) float64 {
	vx, vy := qx-s.ex, qy-s.ey
	fx, fy := (s.w.cos*vx+s.w.sin*vy)/s.erx, (-s.w.sin*vx+s.w.cos*vy)/s.ery
	return math.Sqrt(fx*fx+fy*fy) * (1 + s.rag.read(at))
}

// ink is how dark the finger leaves the impression point, 0 … 1.
func (s *scene) ink(qx, qy float64) float64 {
	at := locate(qx, qy)
	c := s.contact(qx, qy, at)
	if c >= 1 {
		return 0
	}
	px, py := s.w.toMaster(qx, qy, at)
	r := s.m.reliefAt(px, py)
	if r < 0 {
		return 0
	}
	edge := clamp01((1 - c) * 12) // 0 at the outline, 1 well inside
	dry, wet := s.dry.read(at), s.wet.read(at)
	// A harder press, or sweat, spreads each ridge; dryness and the light touch towards the
	// outline narrow it.
	thr := 0.45 - 0.2*s.o.Pressure + 0.22*dry - 0.3*wet + 0.1*(1-edge)
	var grain float64
	if dry > 0 {
		// Dry skin's ridges have ragged edges: their width wanders pixel by pixel.
		grain = noise(s.seed^1, qx, qy, 2.2)
		thr += 0.25 * math.Sqrt(dry) * (grain - 0.5)
	}
	v := smoothstep(thr-0.12, thr+0.12, r)
	if dry > 0 {
		// Dry skin touches the platen only in places: blobs about a ridge's width cut the
		// ridges into dashes and dots, and what remains is pale, pitted with pores.
		f := 0.7*noise(s.seed, qx, qy, 5.5) + 0.3*grain
		v *= smoothstep(0.75*dry-0.1, 0.75*dry+0.06, f)
		// Grain shows at the first hint of dryness, so its strength grows as a square root.
		v *= (1 - 0.35*dry) * (1 - min(1, 0.9*math.Sqrt(dry))*(0.1+0.6*noise(s.seed^6, qx, qy, 1.6)))
	}
	if wet > 0 {
		// Sweat fills valleys in places, bridging neighbouring ridges, and pools in blotches.
		f := noise(s.seed^2, qx, qy, 4.5)
		fill := max(0.9*smoothstep(0.75, 0.95, 0.5*wet+0.55*f), 0.95*s.blot.read(at))
		v += (1 - v) * fill
	}
	if edge < 1 {
		// Towards the outline the ridges fade, breaking up as they go.
		v *= smoothstep(0.2, 0.6, edge*(0.5+noise(s.seed^3, qx, qy, 4)))
	}
	if s.marks != nil {
		v *= 1 - s.markAt(px, py)
	}
	return v
}

// render draws the impression: the finger's ink over the platen's residue, under the
// scanner's light and noise.
func (s *scene) render(rnd *rand.Rand) *image.Gray {
	ink := make([]float64, Width*Height)
	rows(func(y int) {
		for x := range Width {
			ink[y*Width+x] = s.ink(float64(x)+0.5, float64(y)+0.5)
		}
	})
	if s.wet.v != nil {
		// Wet ink bleeds: a 3 × 3 mean, mixed in where the finger is wet.
		blurred := make([]float64, len(ink))
		rows(func(y int) {
			for x := range Width {
				i := y*Width + x
				w := min(1, 1.5*s.wet.at(float64(x)+0.5, float64(y)+0.5))
				if w <= 0 {
					blurred[i] = ink[i]
					continue
				}
				var sum, n float64
				for j := max(y-1, 0); j <= min(y+1, Height-1); j++ {
					for k := max(x-1, 0); k <= min(x+1, Width-1); k++ {
						sum += ink[j*Width+k]
						n++
					}
				}
				blurred[i] = ink[i] + w*(sum/n-ink[i])
			}
		})
		ink = blurred
	}
	for _, d := range s.dust {
		for y := max(0, int(d.y-d.r-1)); y <= min(Height-1, int(d.y+d.r+1)); y++ {
			for x := max(0, int(d.x-d.r-1)); x <= min(Width-1, int(d.x+d.r+1)); x++ {
				r := math.Hypot(float64(x)+0.5-d.x, float64(y)+0.5-d.y)
				i := y*Width + x
				ink[i] = 1 - (1-ink[i])*(1-d.v*clamp01(d.r+0.5-r))
			}
		}
	}
	soften(ink)
	grey := ink // each pixel's grey replaces its ink
	rows(func(y int) {
		for x := range Width {
			qx, qy := float64(x)+0.5, float64(y)+0.5
			at := locate(qx, qy)
			v := ink[y*Width+x]
			if s.smudge.v != nil {
				v = 1 - (1-v)*(1-s.residue(qx, qy, at))
			}
			bg := min(255, 235+s.bg.read(at))
			grey[y*Width+x] = bg - (bg-25)*v*(1-s.fade.read(at))
		}
	})
	// The sensor's noise is drawn in order, from the impression's own generator.
	img := image.NewGray(image.Rect(0, 0, Width, Height))
	for i, g := range grey {
		g += rnd.NormFloat64() * s.o.Noise
		img.Pix[i] = uint8(max(0, min(255, g)))
	}
	return img
}

// rows runs f for every row of the frame, the rows shared among the processors. Every
// pixel's value depends on its place alone, so the order does not matter.
func rows(f func(y int)) {
	n := min(runtime.GOMAXPROCS(0), 8)
	var wg sync.WaitGroup
	for k := range n {
		wg.Go(func() {
			for y := k; y < Height; y += n {
				f(y)
			}
		})
	}
	wg.Wait()
}

// soften blurs the ink by [1 2 1]/4 each way, as the scanner's optics do: no edge in a
// capture is sharper than a pixel or two.
func soften(v []float64) {
	row := make([]float64, max(Width, Height))
	for y := range Height {
		line := v[y*Width : (y+1)*Width]
		copy(row, line)
		for x := 1; x < Width-1; x++ {
			line[x] = (row[x-1] + 2*row[x] + row[x+1]) / 4
		}
	}
	for x := range Width {
		for y := range Height {
			row[y] = v[y*Width+x]
		}
		for y := 1; y < Height-1; y++ {
			v[y*Width+x] = (row[y-1] + 2*row[y] + row[y+1]) / 4
		}
	}
}

// residue is the platen's own ink at an impression point: smudges and the latent print.
func (s *scene) residue(qx, qy float64, at spot) float64 {
	v := s.smudge.read(at)
	if l := s.latent.read(at); l > 0.01 {
		// The previous finger: the master mirrored, turned and moved, in broken ridges.
		x, y := qx-midX-s.ltx, qy-midY-s.lty
		px, py := -(s.lcos*x+s.lsin*y)+midX, -s.lsin*x+s.lcos*y+midY
		if r := s.m.reliefAt(px, py); r > 0 {
			ridge := smoothstep(0.45, 0.65, r) * smoothstep(0.35, 0.6, noise(s.seed^4, qx, qy, 3))
			v = 1 - (1-v)*(1-l*ridge)
		}
	}
	return v
}

// minutiae are the master's minutiae where the impression shows them: moved by the same
// map as the ridges, and dropped outside the contact, near the frame's edge and under a
// crease or scar.
func (s *scene) minutiae() []Minutia {
	var mins []Minutia
	for _, mn := range s.m.Minutiae {
		px, py := mn.X+0.5, mn.Y+0.5
		qx, qy := s.w.toImpression(px, py)
		if s.contact(qx, qy, locate(qx, qy)) > 0.9 || qx < 8 || qy < 8 || qx > Width-8 || qy > Height-8 || s.marked(px, py) {
			continue
		}
		// The direction turns with the map where the minutia is: follow a point a few
		// pixels along it (the angle is counted with y up).
		const h = 3
		ax, ay := s.w.toImpression(px+h*math.Cos(mn.Angle), py-h*math.Sin(mn.Angle))
		angle := math.Atan2(-(ay - qy), ax-qx)
		mins = append(mins, Minutia{X: qx - 0.5, Y: qy - 0.5, Kind: mn.Kind, Angle: ridge.Norm(angle)})
	}
	return mins
}

// marked tells whether a crease or scar runs within 3 px of a master point: the ridges
// there are wiped or cut, and the minutia with them.
func (s *scene) marked(px, py float64) bool {
	if s.marks == nil {
		return false
	}
	for a := range 8 {
		sin, cos := math.Sincos(float64(a) * math.Pi / 4)
		if s.markAt(px, py) > 0.3 || s.markAt(px+3*cos, py+3*sin) > 0.3 {
			return true
		}
	}
	return false
}

// markAt reads the crease and scar map at a master point (bilinear), 0 off the map.
func (s *scene) markAt(x, y float64) float64 {
	return bilinear(s.marks, x, y, 0)
}

// reliefAt reads the master's ridge relief at a real position (bilinear), or −1 off the
// finger.
func (m *Master) reliefAt(x, y float64) float64 {
	x0, y0 := int(math.Floor(x-0.5)), int(math.Floor(y-0.5))
	if x0 < 0 || y0 < 0 || x0+1 >= Width || y0+1 >= Height || !m.Mask[y0*Width+x0] {
		return -1
	}
	return bilinear(m.relief, x, y, -1)
}

// bilinear reads a Width × Height map at a real position (pixel centres at .5), or off
// beyond it.
func bilinear(v []float32, x, y, off float64) float64 {
	x, y = x-0.5, y-0.5
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	if x0 < 0 || y0 < 0 || x0+1 >= Width || y0+1 >= Height {
		return off
	}
	ax, ay := x-float64(x0), y-float64(y0)
	k := y0*Width + x0
	a, b, c, d := float64(v[k]), float64(v[k+1]), float64(v[k+Width]), float64(v[k+Width+1])
	top, bottom := a+ax*(b-a), c+ax*(d-c)
	return top + ay*(bottom-top)
}

// SeedFor turns a citizen's register identifier into a finger seed.
func SeedFor(id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	return h.Sum64()
}
