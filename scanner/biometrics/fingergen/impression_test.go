package fingergen

import (
	"image"
	"math"
	"math/rand/v2"
	"testing"
)

// inkAt is how dark an impression is at a real position (bilinear), 0 on the bare platen
// of a clean impression, about 1 on a ridge.
func inkAt(img *image.Gray, x, y float64) float64 {
	x, y = x-0.5, y-0.5
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	if x0 < 0 || y0 < 0 || x0+1 >= Width || y0+1 >= Height {
		return 0
	}
	ax, ay := x-float64(x0), y-float64(y0)
	p := func(i, j int) float64 { return (235 - float64(img.Pix[j*Width+i])) / 210 }
	return p(x0, y0)*(1-ax)*(1-ay) + p(x0+1, y0)*ax*(1-ay) + p(x0, y0+1)*(1-ax)*ay + p(x0+1, y0+1)*ax*ay
}

// inside lists the pixels well inside the contact patch (and on the finger): where a
// defect's effect on the ridges is measured.
func inside(s *scene, img *image.Gray) []int {
	var in []int
	for y := 0; y < Height; y++ {
		for x := 0; x < Width; x++ {
			qx, qy := float64(x)+0.5, float64(y)+0.5
			if s.contact(qx, qy, locate(qx, qy)) > 0.7 {
				continue
			}
			if px, py := s.w.toMaster(qx, qy, locate(qx, qy)); s.m.reliefAt(px, py) < 0 {
				continue
			}
			in = append(in, y*Width+x)
		}
	}
	return in
}

// texture measures the ridges over the pixels: the share that is dark (ink above ½), the
// mean ink of the dark ones, and how many separate dark pieces there are per 1,000 dark
// pixels (8-connected): continuous ridges make few, broken ones many.
func texture(img *image.Gray, pixels []int) (dark, depth, pieces float64) {
	on := make([]bool, Width*Height)
	var n int
	var sum float64
	for _, i := range pixels {
		if v := (235 - float64(img.Pix[i])) / 210; v > 0.5 {
			on[i] = true
			n++
			sum += v
		}
	}
	seen := make([]bool, Width*Height)
	var count int
	var stack []int
	for _, i := range pixels {
		if !on[i] || seen[i] {
			continue
		}
		count++
		seen[i] = true
		stack = append(stack[:0], i)
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			x, y := j%Width, j/Width
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					nx, ny := x+dx, y+dy
					if nx < 0 || ny < 0 || nx >= Width || ny >= Height {
						continue
					}
					if k := ny*Width + nx; on[k] && !seen[k] {
						seen[k] = true
						stack = append(stack, k)
					}
				}
			}
		}
	}
	return float64(n) / float64(len(pixels)), sum / float64(max(n, 1)), 1000 * float64(count) / float64(max(n, 1))
}

func TestNoDefectsWhenOff(t *testing.T) {
	m := NewMaster(5, LeftLoop)
	s, _ := m.scene(3, Options{Contact: 1})
	for name, g := range map[string]grid{"displacement": s.w.dx, "dryness": s.dry, "wetness": s.wet, "blotches": s.blot,
		"light": s.bg, "contrast": s.fade, "smudges": s.smudge, "latent print": s.latent} {
		if g.v != nil {
			t.Errorf("zero options draw %s", name)
		}
	}
	if s.marks != nil || len(s.dust) > 0 {
		t.Errorf("zero options draw %d dust specks, marks %v", len(s.dust), s.marks != nil)
	}
	// Off the finger the platen is bare and even; on it every pixel is the ridges' own.
	img := m.Impress(3, Options{Contact: 1}).Image
	for i, v := range img.Pix {
		qx, qy := float64(i%Width)+0.5, float64(i/Width)+0.5
		// Bare: off the finger by more than the optics' blur.
		bare := true
		for _, d := range [][2]float64{{-2, -2}, {2, -2}, {-2, 2}, {2, 2}} {
			if px, py := s.w.toMaster(qx+d[0], qy+d[1], locate(qx+d[0], qy+d[1])); s.m.reliefAt(px, py) >= 0 {
				bare = false
			}
		}
		if bare && v != 235 {
			t.Fatalf("bare platen at (%v, %v) is %d, not 235", qx, qy, v)
		}
	}
}

func TestPlasticDistortion(t *testing.T) {
	m := NewMaster(3, Whorl)
	for _, plastic := range []float64{8, 15, 25} {
		s, _ := m.scene(21, Options{Contact: 1, Plastic: plastic, Rotate: 15})
		disp := func(x, y float64) float64 { at := locate(x, y); return math.Hypot(s.w.dx.read(at), s.w.dy.read(at)) }
		centre := disp(s.ex, s.ey)
		// The periphery: a ring 180 px from the patch's centre, where it is in the frame.
		var rim float64
		var n int
		for a := 0.0; a < 2*math.Pi; a += math.Pi / 16 {
			x, y := s.ex+180*math.Cos(a), s.ey+180*math.Sin(a)
			if x > 0 && y > 0 && x < Width && y < Height {
				rim += disp(x, y)
				n++
			}
		}
		rim /= float64(n)
		t.Logf("plastic %v: centre %.2f px, periphery %.1f px", plastic, centre, rim)
		if centre > 0.5 || rim < 0.7*plastic || rim > 1.5*plastic {
			t.Errorf("plastic %v: the centre moves %.2f px, the periphery %.1f px", plastic, centre, rim)
		}
		// The map is one to one: back and forth returns the point.
		for _, p := range [][2]float64{{100, 120}, {250, 250}, {400, 380}, {s.ex, s.ey}} {
			qx, qy := s.w.toImpression(p[0], p[1])
			bx, by := s.w.toMaster(qx, qy, locate(qx, qy))
			if math.Hypot(bx-p[0], by-p[1]) > 1e-6 {
				t.Errorf("plastic %v: %v maps to (%.2f, %.2f) and back to (%.4f, %.4f)", plastic, p, qx, qy, bx, by)
			}
		}
	}
}

// TestMinutiaeFollowDistortion checks the true minutiae against the image itself: around
// each, the impression must show the master's ridges around the minutia it came from at
// the place reported, not a pixel or two off (the patch is shaped by the map's local
// stretch; the place is left to the image). Distortion moves peripheral minutiae far more
// than that, and the place the turn and shift alone would give fails the same check.
func TestMinutiaeFollowDistortion(t *testing.T) {
	m := NewMaster(3, Whorl)
	cases := []struct {
		name string
		o    Options
	}{
		{"rigid", Options{Contact: 1, Rotate: 20, Shift: 30}},
		{"bumps", Options{Contact: 1, Rotate: 20, Distort: 6}},
		{"plastic 15", Options{Contact: 1, Rotate: 20, Plastic: 15}},
		{"plastic 25", Options{Contact: 1, Rotate: 30, Plastic: 25, Distort: 3}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _ := m.scene(8, c.o)
			imp := m.Impress(8, c.o)
			shown := map[[2]float64]bool{}
			for _, mn := range imp.Minutiae {
				shown[[2]float64{mn.X, mn.Y}] = true
			}
			// registers tells whether the image around q matches the master around p
			// (within 10 px, through the Jacobian j) best within 1.5 px of q.
			registers := func(px, py, qx, qy float64, j [4]float64) bool {
				best, bestCorr := math.Inf(1), math.Inf(-1)
				for sy := -4.0; sy <= 4; sy += 0.5 {
					for sx := -4.0; sx <= 4; sx += 0.5 {
						var a, b, aa, bb, ab, n float64
						for dy := -10.0; dy <= 10; dy++ {
							for dx := -10.0; dx <= 10; dx++ {
								if dx*dx+dy*dy > 100 {
									continue
								}
								u := m.reliefAt(px+dx, py+dy)
								v := inkAt(imp.Image, qx+sx+j[0]*dx+j[1]*dy, qy+sy+j[2]*dx+j[3]*dy)
								a, b, aa, bb, ab, n = a+u, b+v, aa+u*u, bb+v*v, ab+u*v, n+1
							}
						}
						if corr := (ab - a*b/n) / math.Sqrt((aa-a*a/n)*(bb-b*b/n)); corr > bestCorr {
							best, bestCorr = math.Hypot(sx, sy), corr
						}
					}
				}
				return best <= 1.5 && bestCorr >= 0.7
			}
			var checked, off, moved, rigidOK int
			for _, mm := range m.Minutiae {
				px, py := mm.X+0.5, mm.Y+0.5
				qx, qy := s.w.toImpression(px, py)
				if !shown[[2]float64{qx - 0.5, qy - 0.5}] {
					continue
				}
				// The patch's shape follows the map's local stretch: in the transition
				// band the skin is stretched and squeezed, not only turned.
				const h = 2
				ax, ay := s.w.toImpression(px+h, py)
				bx, by := s.w.toImpression(px, py+h)
				j := [4]float64{(ax - qx) / h, (bx - qx) / h, (ay - qy) / h, (by - qy) / h}
				checked++
				if !registers(px, py, qx, qy, j) {
					off++
					t.Logf("the minutia at (%.0f, %.0f) is not where the image shows it", qx, qy)
				}
				// Where the turn and shift alone would put it.
				x, y := px-midX, py-midY
				rx, ry := s.w.cos*x-s.w.sin*y+midX+s.w.tx, s.w.sin*x+s.w.cos*y+midY+s.w.ty
				if math.Hypot(qx-rx, qy-ry) > 5 {
					moved++
					if registers(px, py, rx, ry, j) {
						rigidOK++
					}
				}
			}
			t.Logf("%d minutiae checked, %d off; %d moved more than 5 px by the distortion, %d of them found at the undistorted place",
				checked, off, moved, rigidOK)
			if checked < 20 || off*10 > checked {
				t.Errorf("%d of %d minutiae are not where the image shows them", off, checked)
			}
			if c.o.Plastic >= 15 && (moved*3 < checked || rigidOK*10 > moved) {
				t.Errorf("plastic %v moved %d of %d minutiae by more than 5 px, %d of them still found undistorted", c.o.Plastic, moved, checked, rigidOK)
			}
		})
	}
}

func TestPartialOverlap(t *testing.T) {
	m := NewMaster(11, RightLoop)
	// The master points an impression shows (every 5th pixel each way).
	seen := func(seed uint64, o Options) []bool {
		s, _ := m.scene(seed, o)
		v := make([]bool, 0, Width*Height/25)
		for y := 2; y < Height; y += 5 {
			for x := 2; x < Width; x += 5 {
				qx, qy := s.w.toImpression(float64(x), float64(y))
				v = append(v, m.Mask[y*Width+x] && qx > 0 && qy > 0 && qx < Width && qy < Height && s.contact(qx, qy, locate(qx, qy)) < 1)
			}
		}
		return v
	}
	overlap := func(o Options) float64 {
		var sum float64
		var n int
		for a := uint64(0); a < 6; a++ {
			for b := a + 1; b < 6; b++ {
				va, vb := seen(a, o), seen(b, o)
				var both, either int
				for i := range va {
					if va[i] && vb[i] {
						both++
					}
					if va[i] || vb[i] {
						either++
					}
				}
				sum += float64(both) / float64(max(either, 1))
				n++
			}
		}
		return sum / float64(n)
	}
	cases := []struct {
		offset   float64
		min, max float64 // mean overlap (intersection over union) of two impressions
	}{
		{0, 0.75, 1},
		{0.5, 0.45, 0.8},
		{1, 0, 0.6},
	}
	for _, c := range cases {
		o := Options{Contact: 0.5, Rotate: 10, Shift: 20, Offset: c.offset}
		iou := overlap(o)
		t.Logf("offset %v: mean overlap %.2f", c.offset, iou)
		if iou < c.min || iou > c.max {
			t.Errorf("offset %v: impressions overlap %.2f, want %.2f to %.2f", c.offset, iou, c.min, c.max)
		}
	}
}

// TestMarks checks that creases and scars cut the ridges along their line and leave them
// beside it, and that they belong to the finger.
func TestMarks(t *testing.T) {
	m := NewMaster(2, RightLoop)
	creases, scars := m.skinMarks()
	cases := []struct {
		name   string
		o      Options
		marks  []mark
		beside float64 // px from the line where the ridges are untouched
	}{
		{"creases", Options{Contact: 1, Creases: 1}, creases, 7},
		{"scars", Options{Contact: 1, Scars: 1}, scars, 12},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			with := m.Impress(4, c.o).Image
			without := m.Impress(4, Options{Contact: 1}).Image
			s, _ := m.scene(4, c.o)
			// Dark share along each mark's centre line and along a line beside it.
			along := func(img *image.Gray, k mark, off float64) (dark, n float64) {
				for u := 0.1; u <= 0.9; u += 0.005 {
					a, b, e := (1-u)*(1-u), 2*u*(1-u), u*u
					x, y := a*k.x0+b*k.x1+e*k.x2, a*k.y0+b*k.y1+e*k.y2
					tx, ty := 2*(1-u)*(k.x1-k.x0)+2*u*(k.x2-k.x1), 2*(1-u)*(k.y1-k.y0)+2*u*(k.y2-k.y1)
					l := math.Hypot(tx, ty)
					x, y = x-ty/l*off, y+tx/l*off
					// On the finger; on the mark's line, or clear of every mark beside it.
					if s.m.reliefAt(x, y) < 0 || off == 0 && s.markAt(x, y) < 0.5 || off != 0 && s.markAt(x, y) > 0 {
						continue
					}
					qx, qy := s.w.toImpression(x, y)
					if inkAt(img, qx, qy) > 0.5 {
						dark++
					}
					n++
				}
				return dark, n
			}
			var lineWith, lineWithout, besideWith, besideWithout, n, nb float64
			for _, k := range c.marks {
				if k.draw >= c.o.Scars && c.o.Scars > 0 || k.prominence*c.o.Creases < 0.1 && c.o.Creases > 0 {
					continue
				}
				d1, n1 := along(with, k, 0)
				d0, _ := along(without, k, 0)
				b1, n2 := along(with, k, c.beside)
				b0, _ := along(without, k, c.beside)
				lineWith, lineWithout, besideWith, besideWithout = lineWith+d1, lineWithout+d0, besideWith+b1, besideWithout+b0
				n, nb = n+n1, nb+n2
			}
			if n < 50 {
				t.Fatalf("only %v points along the %s", n, c.name)
			}
			t.Logf("dark along the line %.2f (%.2f without), beside it %.2f (%.2f without)",
				lineWith/n, lineWithout/n, besideWith/nb, besideWithout/nb)
			if lineWith/n > 0.1 || lineWithout/n < 0.25 {
				t.Errorf("ridges across the %s: %.2f dark with them, %.2f without", c.name, lineWith/n, lineWithout/n)
			}
			if math.Abs(besideWith-besideWithout)/nb > 0.1 {
				t.Errorf("the %s reach %v px beside their line: %.2f dark there, %.2f without", c.name, c.beside, besideWith/nb, besideWithout/nb)
			}
			// No minutia shows under a mark; some of the master's were there.
			imp := m.Impress(4, c.o)
			for _, mn := range imp.Minutiae {
				px, py := s.w.toMaster(mn.X+0.5, mn.Y+0.5, locate(mn.X+0.5, mn.Y+0.5))
				if s.markAt(px, py) > 0.3 {
					t.Errorf("a minutia at (%.0f, %.0f) under a mark", mn.X, mn.Y)
				}
			}
			if clean := m.Impress(4, Options{Contact: 1}); len(imp.Minutiae) >= len(clean.Minutiae) {
				t.Errorf("%d minutiae shown with the %s, %d without", len(imp.Minutiae), c.name, len(clean.Minutiae))
			}
			// The same finger, another impression: the same marks.
			other, _ := m.scene(99, c.o)
			for i := range s.marks {
				if s.marks[i] != other.marks[i] {
					t.Fatalf("the %s moved between two impressions of the finger", c.name)
				}
			}
		})
	}
}

func TestMoisture(t *testing.T) {
	m := NewMaster(6, Whorl)
	clean := Options{Contact: 1}
	s, _ := m.scene(5, clean)
	pixels := inside(s, m.Impress(5, clean).Image)
	dark0, depth0, pieces0 := texture(m.Impress(5, clean).Image, pixels)
	t.Logf("clean: dark %.2f, depth %.2f, pieces %.1f per 1,000 dark pixels", dark0, depth0, pieces0)
	cases := []struct {
		name string
		o    Options
		ok   func(dark, depth, pieces float64) bool
		want string
	}{
		{"dry", Options{Contact: 1, Dryness: 0.5},
			func(dark, depth, pieces float64) bool { return pieces > 2*pieces0 && dark < dark0 },
			"ridges broken into more pieces, less ink"},
		{"very dry", Options{Contact: 1, Dryness: 0.9},
			func(dark, depth, pieces float64) bool {
				return pieces > 4*pieces0 && dark < 0.6*dark0 && depth < depth0
			},
			"ridges in fragments and dots, pale"},
		{"wet", Options{Contact: 1, Wetness: 0.5},
			func(dark, depth, pieces float64) bool { return dark > dark0+0.08 && pieces < pieces0 },
			"ridges thicker and merged"},
		{"very wet", Options{Contact: 1, Wetness: 1},
			func(dark, depth, pieces float64) bool { return dark > dark0+0.2 && pieces < pieces0 },
			"valleys filled, blotches"},
	}
	for _, c := range cases {
		dark, depth, pieces := texture(m.Impress(5, c.o).Image, pixels)
		t.Logf("%s: dark %.2f, depth %.2f, pieces %.1f per 1,000 dark pixels", c.name, dark, depth, pieces)
		if !c.ok(dark, depth, pieces) {
			t.Errorf("%s: dark %.2f, depth %.2f, pieces %.1f; want %s", c.name, dark, depth, pieces, c.want)
		}
	}
}

func TestPlaten(t *testing.T) {
	m := NewMaster(9, LeftLoop)
	// The bare platen's grey: its spread, and the range of its means over 50 px blocks.
	platen := func(o Options) (spread, blocks float64) {
		s, _ := m.scene(6, o)
		img := m.Impress(6, o).Image
		var sum, sq, n float64
		var means [10][10]float64
		var counts [10][10]float64
		for y := range Height {
			for x := range Width {
				qx, qy := float64(x)+0.5, float64(y)+0.5
				if s.contact(qx, qy, locate(qx, qy)) < 1.1 {
					continue
				}
				v := float64(img.Pix[y*Width+x])
				sum, sq, n = sum+v, sq+v*v, n+1
				means[y/50][x/50] += v
				counts[y/50][x/50]++
			}
		}
		lo, hi := 255.0, 0.0
		for j := range means {
			for i := range means[j] {
				if counts[j][i] > 500 {
					lo, hi = min(lo, means[j][i]/counts[j][i]), max(hi, means[j][i]/counts[j][i])
				}
			}
		}
		return math.Sqrt(sq/n - sum*sum/n/n), hi - lo
	}
	cases := []struct {
		name                 string
		o                    Options
		spreadMin, spreadMax float64
		blocksMin, blocksMax float64
	}{
		{"bare", Options{Contact: 0.6}, 0, 0, 0, 0},
		{"residue", Options{Contact: 0.6, Residue: 1}, 3, 60, 0, 60},
		{"uneven light", Options{Contact: 0.6, Illumination: 1}, 2, 60, 12, 80},
	}
	for _, c := range cases {
		spread, blocks := platen(c.o)
		t.Logf("%s: spread %.1f, block means over %.1f grey levels", c.name, spread, blocks)
		if spread < c.spreadMin || spread > c.spreadMax || blocks < c.blocksMin || blocks > c.blocksMax {
			t.Errorf("%s: the platen's spread is %.1f (want %v–%v), its block means range over %.1f (want %v–%v)",
				c.name, spread, c.spreadMin, c.spreadMax, blocks, c.blocksMin, c.blocksMax)
		}
	}
}

func TestPresets(t *testing.T) {
	// Mean options over many draws: each defect grows from good to poor.
	mean := func(q Quality) Options {
		rnd := rand.New(rand.NewPCG(1, uint64(q)))
		var s Options
		const n = 400
		for range n {
			o := Preset(q, rnd)
			s.Plastic += o.Plastic / n
			s.Offset += o.Offset / n
			s.Dryness += o.Dryness / n
			s.Wetness += o.Wetness / n
			s.Creases += o.Creases / n
			s.Scars += o.Scars / n
			s.Residue += o.Residue / n
			s.Illumination += o.Illumination / n
			s.Contact += o.Contact / n
			for _, v := range []float64{o.Dryness, o.Wetness, o.Creases, o.Scars, o.Residue, o.Illumination, o.Contact, o.Offset} {
				if v < 0 || v > 1 {
					t.Fatalf("%s: an option out of 0 … 1: %+v", q, o)
				}
			}
		}
		return s
	}
	good, fair, poor := mean(Good), mean(Fair), mean(Poor)
	for _, c := range []struct {
		name             string
		good, fair, poor float64
	}{
		{"plastic", good.Plastic, fair.Plastic, poor.Plastic},
		{"offset", good.Offset, fair.Offset, poor.Offset},
		{"dryness", good.Dryness, fair.Dryness, poor.Dryness},
		{"wetness", good.Wetness, fair.Wetness, poor.Wetness},
		{"creases", good.Creases, fair.Creases, poor.Creases},
		{"scars", good.Scars, fair.Scars, poor.Scars},
		{"residue", good.Residue, fair.Residue, poor.Residue},
		{"illumination", good.Illumination, fair.Illumination, poor.Illumination},
		{"less contact", -good.Contact, -fair.Contact, -poor.Contact},
	} {
		if !(c.good < c.fair && c.fair < c.poor) {
			t.Errorf("%s: mean %.2f good, %.2f fair, %.2f poor; want it to grow", c.name, c.good, c.fair, c.poor)
		}
	}
	if poor.Plastic < 10 || poor.Plastic > 25 {
		t.Errorf("poor captures distort %.1f px at the periphery on average, want FVC2004's 10–25", poor.Plastic)
	}
}
