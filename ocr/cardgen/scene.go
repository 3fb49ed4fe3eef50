package cardgen

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"cotejo/ocr/geom"
	"cotejo/ocr/layout"
)

// DeskKind is what the card lies on.
type DeskKind int

// The desks. All but DeskGrain also draw the card's edge and its shadow, which is all
// that sets it apart from DeskPaper.
const (
	DeskGrain     DeskKind = iota // Photograph's dark, finely grained desk
	DeskWood                      // planks with light and dark grain, at any angle
	DeskCloth                     // a gingham tablecloth: crossed coloured bands
	DeskChecker                   // a black and white checkerboard, at any angle
	DeskNewspaper                 // columns of small print, headlines, a picture
	DeskPaper                     // white or cream paper: about the card's own colour
)

// Desks lists the desk kinds.
func Desks() []DeskKind {
	return []DeskKind{DeskGrain, DeskWood, DeskCloth, DeskChecker, DeskNewspaper, DeskPaper}
}

func (d DeskKind) String() string {
	switch d {
	case DeskGrain:
		return "grain"
	case DeskWood:
		return "wood"
	case DeskCloth:
		return "cloth"
	case DeskChecker:
		return "checker"
	case DeskNewspaper:
		return "newspaper"
	case DeskPaper:
		return "paper"
	}
	return "desk?"
}

// Scene is how a card is photographed beyond a Level's distortions.
type Scene struct {
	Desk DeskKind
	// Finger puts a thumb over one corner of the card and part of the two edges there.
	Finger bool
	// FullFrame frames the card tightly, as a scanner or a close photo does: the photo
	// has the card's shape (portrait when the card is turned a quarter) and the card's
	// edges fall anywhere from a thin margin inside the border to a little beyond it.
	FullFrame bool
	// Rotate360 turns the card by any angle, where Level.Rotate allows a few degrees;
	// with FullFrame, by a random number of quarter turns (and the few degrees).
	Rotate360 bool
}

// Scenes are the named photographs the reader's tests and accuracy runs take besides
// Photograph's card on a plain desk (scene "", the zero Scene): each desk, a card
// filling the frame, a scanner's page (a tight frame, turned any quarter), any
// rotation, a finger over a corner, and all of those at once on wood.
func Scenes() []NamedScene {
	return []NamedScene{
		{"wood", Scene{Desk: DeskWood}},
		{"cloth", Scene{Desk: DeskCloth}},
		{"checker", Scene{Desk: DeskChecker}},
		{"newspaper", Scene{Desk: DeskNewspaper}},
		{"paper", Scene{Desk: DeskPaper}},
		{"fullframe", Scene{FullFrame: true}},
		{"scan", Scene{Desk: DeskPaper, FullFrame: true, Rotate360: true}},
		{"rotate", Scene{Rotate360: true}},
		{"finger", Scene{Finger: true}},
		{"mixed", Scene{Desk: DeskWood, Finger: true, Rotate360: true}},
	}
}

// NamedScene is a Scene with the name the tests and `-ocr.scene` know it by.
type NamedScene struct {
	Name string
	Scene
}

// SceneByName is the scene of Scenes called name; "" is the plain desk.
func SceneByName(name string) (Scene, error) {
	if name == "" {
		return Scene{}, nil
	}
	for _, s := range Scenes() {
		if s.Name == name {
			return s.Scene, nil
		}
	}
	return Scene{}, fmt.Errorf("cardgen: no scene %q", name)
}

// fillFrame frames the card tightly, for Scene.FullFrame.
func fillFrame(l Level, s Scene, rnd *rand.Rand) (image.Point, [4]geom.Point) {
	quarter := 0
	if s.Rotate360 {
		quarter = rnd.IntN(4)
	} else if rnd.Float64() < l.UpsideDown {
		quarter = 2
	}
	long := float64(l.Frame.X)
	short := math.Round(long * layout.Height / layout.Width)
	frame := image.Pt(int(long), int(short))
	if quarter%2 == 1 {
		frame = image.Pt(int(short), int(long))
	}
	cw := long * (0.92 + rnd.Float64()*0.11)
	ch := cw * layout.Height / layout.Width
	theta := float64(quarter)*math.Pi/2 + (rnd.Float64()*2-1)*l.Rotate/2*math.Pi/180
	c := geom.Point{X: float64(frame.X)/2 + (rnd.Float64()*2-1)*0.015*long, Y: float64(frame.Y)/2 + (rnd.Float64()*2-1)*0.015*long}
	return frame, corners(c, cw, ch, theta, l.Perspective*cw, rnd)
}

// rim darkens the card's outermost pixels a little: the edge of a plastic card shows
// as a thin grey line, the one cue a card on white paper may give on its lit sides.
func rim(card *image.RGBA, rnd *rand.Rand) {
	k := 0.04 + rnd.Float64()*0.1
	b := card.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			d := min(x-b.Min.X, y-b.Min.Y, b.Max.X-1-x, b.Max.Y-1-y)
			if d >= 2 {
				x = b.Max.X - 3 // skip the interior of the row
				continue
			}
			f := 1 - k*(1-0.4*float64(d))
			i := card.PixOffset(x, y)
			for c := range 3 {
				card.Pix[i+c] = uint8(float64(card.Pix[i+c]) * f)
			}
		}
	}
}

// shade darkens the desk by up to depth across the frame, in a random direction: the
// uneven light light gives the card falls on the desk too (on a light desk, a card
// darker than the paper beside it would be a trick of the light no camera sees).
func shade(photo *image.RGBA, depth float64, rnd *rand.Rand) {
	if depth == 0 {
		return
	}
	a := rnd.Float64() * 2 * math.Pi
	dx, dy := math.Cos(a), math.Sin(a)
	b := photo.Bounds()
	W, H := float64(b.Dx()), float64(b.Dy())
	diag := math.Hypot(W, H)
	for y := range b.Dy() {
		for x := range b.Dx() {
			t := ((float64(x)-W/2)*dx+(float64(y)-H/2)*dy)/diag + 0.5
			k := 1 - depth*t
			i := photo.PixOffset(x, y)
			for c := range 3 {
				photo.Pix[i+c] = uint8(float64(photo.Pix[i+c]) * k)
			}
		}
	}
}

// shadow darkens the desk under a soft copy of the card's outline, moved away from the
// light: a card lying flat casts a thin shadow along two of its edges.
func shadow(photo, warped *image.RGBA, quad [4]geom.Point, rnd *rand.Rand) {
	cw := math.Hypot(quad[1].X-quad[0].X, quad[1].Y-quad[0].Y)
	a := rnd.Float64() * 2 * math.Pi
	off := (0.003 + rnd.Float64()*0.006) * cw
	dx, dy := int(math.Round(off*math.Cos(a))), int(math.Round(off*math.Sin(a)))
	r := max(1, int((0.002+rnd.Float64()*0.004)*cw*1.7)) // box radius of about that sigma
	k := 0.15 + rnd.Float64()*0.25
	W, H := photo.Bounds().Dx(), photo.Bounds().Dy()
	m := make([]float32, W*H)
	for y := range H {
		sy := y - dy
		if sy < 0 || sy >= H {
			continue
		}
		for x := range W {
			if sx := x - dx; sx >= 0 && sx < W {
				m[y*W+x] = float32(warped.Pix[warped.PixOffset(sx, sy)+3]) / 255
			}
		}
	}
	tmp := make([]float32, max(W, H))
	for range 2 {
		boxBlur(m, W, H, 1, W, r, tmp)
		boxBlur(m, H, W, W, 1, r, tmp)
	}
	for i, v := range m {
		if v < 0.002 {
			continue
		}
		f := 1 - k*float64(v)
		for c := range 3 {
			photo.Pix[4*i+c] = uint8(float64(photo.Pix[4*i+c]) * f)
		}
	}
}

// boxBlur averages each of m's lines (n of them, step apart, each len long with
// elements stride apart) over ±r, by a running sum.
func boxBlur(m []float32, length, n, stride, step, r int, tmp []float32) {
	inv := 1 / float32(2*r+1)
	for j := range n {
		base := j * step
		line := tmp[:length]
		for i := range length {
			line[i] = m[base+i*stride]
		}
		var s float32
		for i := -r; i <= r; i++ {
			s += line[min(max(i, 0), length-1)]
		}
		for i := range length {
			m[base+i*stride] = s * inv
			s += line[min(i+r+1, length-1)] - line[max(i-r, 0)]
		}
	}
}

// finger draws a thumb over one of the card's corners: a rounded bar of skin, shaded as
// a cylinder, with a nail at its tip and a soft shadow round it, coming from outside
// the frame along the card's diagonal give or take 25°.
func finger(photo *image.RGBA, quad [4]geom.Point, rnd *rand.Rand) {
	k := rnd.IntN(4)
	c := quad[k]
	var m geom.Point
	for _, q := range quad {
		m.X += q.X / 4
		m.Y += q.Y / 4
	}
	out := math.Atan2(c.Y-m.Y, c.X-m.X) + (rnd.Float64()*2-1)*0.45
	dx, dy := math.Cos(out), math.Sin(out)
	ch := min(math.Hypot(quad[3].X-quad[0].X, quad[3].Y-quad[0].Y), math.Hypot(quad[2].X-quad[1].X, quad[2].Y-quad[1].Y))
	r := (0.13 + rnd.Float64()*0.07) * ch
	tip := geom.Point{X: c.X - dx*(0.4+rnd.Float64()*0.8)*r, Y: c.Y - dy*(0.4+rnd.Float64()*0.8)*r}
	tones := [][3]float64{{232, 190, 160}, {220, 170, 135}, {196, 140, 105}, {160, 105, 75}, {120, 80, 58}}
	skin := tones[rnd.IntN(len(tones))]
	for i := range skin {
		skin[i] *= 0.9 + rnd.Float64()*0.2
	}
	sh := 0.3 * r // shadow width
	W, H := photo.Bounds().Dx(), photo.Bounds().Dy()
	L := float64(W + H)
	end := geom.Point{X: tip.X + dx*L, Y: tip.Y + dy*L}
	x0, x1 := max(0, int(math.Min(tip.X, end.X)-r-sh)), min(W, int(math.Max(tip.X, end.X)+r+sh)+1)
	y0, y1 := max(0, int(math.Min(tip.Y, end.Y)-r-sh)), min(H, int(math.Max(tip.Y, end.Y)+r+sh)+1)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			px, py := float64(x)+0.5-tip.X, float64(y)+0.5-tip.Y
			along := px*dx + py*dy
			lat := -px*dy + py*dx
			t := min(max(along, 0), L)
			d := math.Hypot(px-t*dx, py-t*dy)
			if d >= r+sh {
				continue
			}
			i := photo.PixOffset(x, y)
			if d > r-0.5 {
				f := 1 - 0.35*math.Pow(1-min((d-r)/sh, 1), 2)
				if d < r {
					f = 1 - 0.35
				}
				for c := range 3 {
					photo.Pix[i+c] = uint8(float64(photo.Pix[i+c]) * f)
				}
			}
			alpha := min(max(r-d+0.5, 0), 1)
			if alpha == 0 {
				continue
			}
			shade := 0.62 + 0.38*math.Sqrt(max(0, 1-(d/r)*(d/r)))
			col := skin
			if n := (along-0.6*r)/(0.55*r)*((along-0.6*r)/(0.55*r)) + (lat/(0.6*r))*(lat/(0.6*r)); n < 1 {
				col = [3]float64{skin[0] + 25, skin[1] + 22, skin[2] + 28} // the nail, lighter
			}
			for c := range 3 {
				v := min(col[c]*shade, 255)
				photo.Pix[i+c] = uint8(float64(photo.Pix[i+c])*(1-alpha) + v*alpha)
			}
		}
	}
}

// sines is a sine table, in turns: the desks need a few million sines per photo.
type sines []float64

func newSines() sines {
	t := make(sines, 1025)
	for i := range t {
		t[i] = math.Sin(float64(i) * 2 * math.Pi / 1024)
	}
	return t
}

// at is sin(2π x).
func (t sines) at(x float64) float64 {
	x -= math.Floor(x)
	p := x * 1024
	i := int(p)
	return t[i] + (t[i+1]-t[i])*(p-float64(i))
}

// mix64 hashes an integer (splitmix64's finaliser), for patterns that must look random
// yet be drawn pixel by pixel.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// sceneDesk draws a desk of kind d. Each is drawn in its own turned coordinates (u, v)
// so its lines lie at any angle to the frame.
func sceneDesk(d DeskKind, size image.Point, rnd *rand.Rand) *image.RGBA {
	img := image.NewRGBA(image.Rectangle{Max: size})
	a := rnd.Float64() * 2 * math.Pi
	ca, sa := math.Cos(a), math.Sin(a)
	ou, ov := rnd.Float64()*1e4, rnd.Float64()*1e4
	seed := rnd.Uint64()
	var px func(u, v float64, x, y int) [3]float64
	switch d {
	case DeskWood:
		px = wood(rnd, seed, size)
	case DeskCloth:
		px = cloth(rnd)
	case DeskChecker:
		px = checker(rnd)
	case DeskNewspaper:
		px = newspaper(rnd, seed)
	default:
		px = paper(rnd, seed, size)
	}
	for y := range size.Y {
		for x := range size.X {
			fx, fy := float64(x), float64(y)
			c := px(fx*ca+fy*sa+ou, -fx*sa+fy*ca+ov, x, y)
			i := img.PixOffset(x, y)
			for k := range 3 {
				img.Pix[i+k] = uint8(min(max(c[k], 0), 255))
			}
			img.Pix[i+3] = 255
		}
	}
	return img
}

// wood: planks along u, each with its own tone and ring phase; dark late-wood lines
// that wander, fibres, and a dark seam between planks.
func wood(rnd *rand.Rand, seed uint64, size image.Point) func(u, v float64, x, y int) [3]float64 {
	s := newSines()
	k := 0.65 + rnd.Float64()*0.45
	light := [3]float64{195 * k, 152 * k, 104 * k}
	dk := 0.5 + rnd.Float64()*0.25
	plank := (0.22 + rnd.Float64()*0.25) * float64(min(size.X, size.Y))
	ring := 1 / (5 + rnd.Float64()*12)
	wave, waveA := 0.002+rnd.Float64()*0.004, 1+rnd.Float64()*2.5
	fibre := make([]float64, 4096)
	for i := range fibre {
		fibre[i] = rnd.Float64()*2 - 1
	}
	return func(u, v float64, _, _ int) [3]float64 {
		p := math.Floor(v / plank)
		pv := v - p*plank
		h := mix64(seed ^ uint64(int64(p)))
		ph := unit(h)
		g := 0.5 + 0.5*s.at(v*ring+waveA*s.at(u*wave+ph)+ph*7)
		g = g * g * g
		t := min(max(0.1+0.8*g+0.08*fibre[int(v*1.7)&4095], 0), 1)
		f := (0.92 + 0.16*unit(mix64(h))) * (1 - t*(1-dk))
		if pv < 1.5 || plank-pv < 1.5 {
			f *= 0.5
		}
		return [3]float64{light[0] * f, light[1] * f, light[2] * f}
	}
}

// cloth: gingham, bands of a colour crossing white; where two cross, the full colour.
func cloth(rnd *rand.Rand) func(u, v float64, x, y int) [3]float64 {
	tints := [][3]float64{{200, 40, 45}, {40, 75, 165}, {35, 130, 70}, {45, 45, 50}, {230, 150, 30}}
	tint := tints[rnd.IntN(len(tints))]
	white := 236 + rnd.Float64()*16
	p := 18 + rnd.Float64()*40
	band := func(w float64) float64 {
		f := w/p - math.Floor(w/p)
		return min(max(p/4-math.Abs(f*p-p/4)+0.5, 0), 1) // 1 in the band's half, ramped
	}
	return func(u, v float64, x, y int) [3]float64 {
		t := 0.45 * (band(u) + band(v))
		if (x+y)%3 == 0 {
			t *= 0.93 // the weave
		}
		return [3]float64{white + (tint[0]-white)*t, white + (tint[1]-white)*t, white + (tint[2]-white)*t}
	}
}

// checker: squares of a dark and a light tone, anti-aliased.
func checker(rnd *rand.Rand) func(u, v float64, x, y int) [3]float64 {
	s := newSines()
	side := 24 + rnd.Float64()*70
	dark := [3]float64{20 + rnd.Float64()*40, 20 + rnd.Float64()*40, 20 + rnd.Float64()*40}
	light := [3]float64{205 + rnd.Float64()*45, 205 + rnd.Float64()*45, 205 + rnd.Float64()*45}
	ramp := func(w float64) float64 { // ±1 away from the lines, a one-pixel ramp across them
		return min(max(s.at(w/(2*side))*side/math.Pi*2, -1), 1)
	}
	return func(u, v float64, _, _ int) [3]float64 {
		t := 0.5 + 0.5*ramp(u)*ramp(v)
		return [3]float64{dark[0] + (light[0]-dark[0])*t, dark[1] + (light[1]-dark[1])*t, dark[2] + (light[2]-dark[2])*t}
	}
}

// newspaper: columns of stories; each story a two-line headline in large letters, then
// lines of small ones (each letter a random 3 × 5 pattern of strokes), now and then a
// grey picture.
func newspaper(rnd *rand.Rand, seed uint64) func(u, v float64, x, y int) [3]float64 {
	k := 222 + rnd.Float64()*22
	paperTone := [3]float64{k, k - 2, k - 10}
	ink := [3]float64{35, 35, 40}
	colW, gutter := 140+rnd.Float64()*90, 10+rnd.Float64()*8
	lh := 10 + rnd.Float64()*4
	const story = 30 // lines
	glyph := func(h uint64, gx, gy float64) bool {
		cx, cy := int(gx*4), int(gy*5)
		if cx >= 3 || cy < 0 || cy >= 5 {
			return false // the space between letters
		}
		return h>>(cx*5+cy)&1 == 1
	}
	return func(u, v float64, _, _ int) [3]float64 {
		col := math.Floor(u / (colW + gutter))
		cu := u - col*(colW+gutter)
		if cu >= colW {
			return paperTone
		}
		line := math.Floor(v / lh)
		st := math.Floor(line / story)
		sl := int(line - st*story)
		hs := mix64(seed ^ uint64(int64(col))*0x9e3779b97f4a7c15 ^ uint64(int64(st)))
		dark := false
		switch {
		case sl < 2: // the headline, letters twice the size
			cw := lh
			ci := math.Floor(cu / cw)
			h := mix64(hs ^ uint64(int64(ci)))
			if h%7 != 0 && cu < colW*(0.6+0.4*unit(hs)) {
				dark = glyph(h, (cu-ci*cw)/cw, ((v-st*story*lh)-0.3*lh)/(1.3*lh))
			}
		case sl == 2 || sl == story-1:
		case hs%5 == 0 && sl >= 4 && sl < 16: // a picture
			g := 0.35 + 0.3*unit(mix64(hs^uint64(int64(cu/3))^uint64(int64(v/3))<<20))
			return [3]float64{paperTone[0] * g, paperTone[1] * g, paperTone[2] * g}
		default:
			cw := lh * 0.55
			ci := math.Floor(cu / cw)
			hl := mix64(hs ^ uint64(sl)<<32)
			if cu > colW-cw || (sl%9 == 8 && cu > colW*unit(hl)) {
				break // the line's end, a paragraph's last line
			}
			h := mix64(hl ^ uint64(int64(ci)))
			if h%6 != 0 {
				dark = glyph(h, (cu-ci*cw)/cw, ((v-line*lh)-0.25*lh)/(0.55*lh))
			}
		}
		if dark {
			return ink
		}
		return paperTone
	}
}

// paper: white or cream, with faint fibres and light falling off across the sheet.
func paper(rnd *rand.Rand, seed uint64, size image.Point) func(u, v float64, x, y int) [3]float64 {
	tone := [3]float64{246, 246, 246}
	if rnd.IntN(2) == 0 {
		tone = [3]float64{244, 236, 214}
	}
	for i := range tone {
		tone[i] += rnd.Float64()*8 - 4
	}
	gx, gy := (rnd.Float64()*2-1)*0.04/float64(size.X), (rnd.Float64()*2-1)*0.04/float64(size.Y)
	return func(u, v float64, x, y int) [3]float64 {
		f := 1 + gx*float64(x-size.X/2) + gy*float64(y-size.Y/2) + 0.006*(unit(mix64(seed^uint64(int64(v*0.5))))-0.5)
		return [3]float64{tone[0] * f, tone[1] * f, tone[2] * f}
	}
}
