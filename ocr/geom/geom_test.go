package geom_test

import (
	"errors"
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"testing"

	"cotejo/ocr/geom"
)

// card is the straightened ID-1 card at the layouts' resolution.
var card = [4]geom.Point{{X: 0, Y: 0}, {X: 1012, Y: 0}, {X: 1012, Y: 638}, {X: 0, Y: 638}}

func near(a, b geom.Point, tol float64) bool { return math.Hypot(a.X-b.X, a.Y-b.Y) <= tol }

func rotated(q [4]geom.Point, c geom.Point, radians float64) [4]geom.Point {
	for i := range q {
		q[i] = geom.Rotate(q[i], c, radians)
	}
	return q
}

// quads are where a card may land in a photo, from trivial to nasty.
var quads = []struct {
	name string
	q    [4]geom.Point
}{
	{"identity", card},
	{"translation and scale", [4]geom.Point{{X: 300, Y: 200}, {X: 806, Y: 200}, {X: 806, Y: 519}, {X: 300, Y: 519}}},
	{"rotation 30°", rotated(card, geom.Point{X: 506, Y: 319}, math.Pi/6)},
	{"upside down", rotated(card, geom.Point{X: 506, Y: 319}, math.Pi)},
	{"mild perspective", [4]geom.Point{{X: 210, Y: 140}, {X: 1290, Y: 180}, {X: 1380, Y: 900}, {X: 160, Y: 820}}},
	{"strong perspective", [4]geom.Point{{X: 700, Y: 100}, {X: 900, Y: 110}, {X: 1590, Y: 1150}, {X: 10, Y: 1190}}},
	{"rotated keystone", [4]geom.Point{{X: 1500, Y: 300}, {X: 1400, Y: 1100}, {X: 100, Y: 900}, {X: 400, Y: 250}}},
	{"tiny", [4]geom.Point{{X: 10, Y: 10}, {X: 13.2, Y: 10.1}, {X: 13.1, Y: 12.2}, {X: 9.9, Y: 12}}},
	{"unit square", [4]geom.Point{{X: 0, Y: 0}, {X: 1, Y: 0}, {X: 1, Y: 1}, {X: 0, Y: 1}}},
}

func TestFromQuadCorners(t *testing.T) {
	for _, tc := range quads {
		t.Run(tc.name, func(t *testing.T) {
			for _, dir := range []struct {
				name     string
				src, dst [4]geom.Point
			}{{"card→photo", card, tc.q}, {"photo→card", tc.q, card}} {
				h, err := geom.FromQuad(dir.src, dir.dst)
				if err != nil {
					t.Fatalf("%s: %v", dir.name, err)
				}
				for i := range 4 {
					if got := h.Apply(dir.src[i]); !near(got, dir.dst[i], 1e-9) {
						t.Errorf("%s: corner %d → %v, want %v (off by %.3g)", dir.name, i, got, dir.dst[i], math.Hypot(got.X-dir.dst[i].X, got.Y-dir.dst[i].Y))
					}
				}
			}
		})
	}
}

// TestFromQuadOriginAtInfinity pins the case the h[8] = 1 convention cannot express: a
// quad whose vanishing line passes through the other quad's origin.
func TestFromQuadOriginAtInfinity(t *testing.T) {
	src := [4]geom.Point{{X: 1, Y: 1}, {X: 3, Y: 1}, {X: 3, Y: 2}, {X: 1, Y: 2}}
	// Build the destination from a homography with h[8] = 0, so the source origin maps
	// to infinity.
	want := geom.Homography{0, 0, 1, 0, 1, 0, 1, 0, 0} // (x, y) → (1/x, y/x)
	var dst [4]geom.Point
	for i, p := range src {
		dst[i] = want.Apply(p)
	}
	h, err := geom.FromQuad(src, dst)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if got := h.Apply(src[i]); !near(got, dst[i], 1e-9) {
			t.Errorf("corner %d → %v, want %v", i, got, dst[i])
		}
	}
	if p := h.Apply(geom.Point{}); !math.IsInf(p.X, 0) && !math.IsNaN(p.X) && math.Abs(p.X) < 1e12 {
		t.Errorf("the origin mapped to %v, want infinity", p)
	}
}

func TestInverse(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for _, tc := range quads {
		t.Run(tc.name, func(t *testing.T) {
			h, err := geom.FromQuad(card, tc.q)
			if err != nil {
				t.Fatal(err)
			}
			inv, err := h.Inverse()
			if err != nil {
				t.Fatal(err)
			}
			for range 1000 {
				p := geom.Point{X: rnd.Float64() * 1012, Y: rnd.Float64() * 638}
				if got := inv.Apply(h.Apply(p)); !near(got, p, 1e-7) {
					t.Fatalf("inverse(h(%v)) = %v", p, got)
				}
			}
			// The inverse is what FromQuad gives for the swapped quads.
			back, err := geom.FromQuad(tc.q, card)
			if err != nil {
				t.Fatal(err)
			}
			for i := range inv {
				if math.Abs(inv[i]-back[i]) > 1e-9*max(1, math.Abs(back[i])) {
					t.Errorf("Inverse() = %v, FromQuad(dst, src) = %v", inv, back)
					break
				}
			}
		})
	}
}

func TestInverseSingular(t *testing.T) {
	for _, tc := range []struct {
		name string
		h    geom.Homography
	}{
		{"zero", geom.Homography{}},
		{"rank one", geom.Homography{1, 2, 3, 2, 4, 6, 3, 6, 9}},
		{"rank two", geom.Homography{1, 0, 0, 0, 1, 0, 1, 1, 0}},
		{"NaN", geom.Homography{math.NaN(), 0, 0, 0, 1, 0, 0, 0, 1}},
	} {
		if _, err := tc.h.Inverse(); !errors.Is(err, geom.ErrDegenerate) {
			t.Errorf("%s: err = %v, want ErrDegenerate", tc.name, err)
		}
	}
	// A pure scale between pixels and tiny units is not singular.
	small := geom.Homography{1e-6, 0, 0, 0, 1e-6, 0, 0, 0, 1}
	if _, err := small.Inverse(); err != nil {
		t.Errorf("scale 1e-6: %v", err)
	}
}

func TestFromQuadDegenerate(t *testing.T) {
	good := [4]geom.Point{{X: 0, Y: 0}, {X: 10, Y: 0}, {X: 10, Y: 10}, {X: 0, Y: 10}}
	for _, tc := range []struct {
		name     string
		src, dst [4]geom.Point
	}{
		{"three collinear in dst", good, [4]geom.Point{{X: 0, Y: 0}, {X: 10, Y: 10}, {X: 20, Y: 20}, {X: 0, Y: 50}}},
		{"three collinear in src", [4]geom.Point{{X: 0, Y: 0}, {X: 500, Y: 1}, {X: 1000, Y: 2}, {X: 0, Y: 600}}, good},
		{"last three collinear", good, [4]geom.Point{{X: 0, Y: 0}, {X: 10, Y: 0}, {X: 10, Y: 10}, {X: 10, Y: 20}}},
		{"all collinear", good, [4]geom.Point{{X: 0, Y: 0}, {X: 1, Y: 1}, {X: 2, Y: 2}, {X: 3, Y: 3}}},
		{"repeated corner", good, [4]geom.Point{{X: 0, Y: 0}, {X: 0, Y: 0}, {X: 10, Y: 10}, {X: 0, Y: 10}}},
		{"all one point", [4]geom.Point{{X: 5, Y: 5}, {X: 5, Y: 5}, {X: 5, Y: 5}, {X: 5, Y: 5}}, good},
		{"NaN", good, [4]geom.Point{{X: math.NaN(), Y: 0}, {X: 10, Y: 0}, {X: 10, Y: 10}, {X: 0, Y: 10}}},
		{"infinite", good, [4]geom.Point{{X: math.Inf(1), Y: 0}, {X: 10, Y: 0}, {X: 10, Y: 10}, {X: 0, Y: 10}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if h, err := geom.FromQuad(tc.src, tc.dst); !errors.Is(err, geom.ErrDegenerate) {
				t.Errorf("FromQuad = %v, %v; want ErrDegenerate", h, err)
			}
		})
	}
}

func TestRotate(t *testing.T) {
	c := geom.Point{X: 10, Y: 20}
	for _, tc := range []struct {
		p, want geom.Point
		rad     float64
	}{
		{geom.Point{X: 11, Y: 20}, geom.Point{X: 11, Y: 20}, 0},
		{geom.Point{X: 11, Y: 20}, geom.Point{X: 10, Y: 21}, math.Pi / 2}, // clockwise on screen
		{geom.Point{X: 11, Y: 20}, geom.Point{X: 9, Y: 20}, math.Pi},
		{geom.Point{X: 10, Y: 25}, geom.Point{X: 15, Y: 20}, -math.Pi / 2},
		{c, c, 1.234},
	} {
		if got := geom.Rotate(tc.p, c, tc.rad); !near(got, tc.want, 1e-12) {
			t.Errorf("Rotate(%v, %v, %g) = %v, want %v", tc.p, c, tc.rad, got, tc.want)
		}
	}
}

// checker draws a w×h checkerboard of sq-pixel squares, 30 and 220 grey, in colour so
// that a channel mix-up shows.
func checker(w, h, sq int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8(30)
			if (x/sq+y/sq)%2 == 0 {
				v = 220
			}
			img.SetRGBA(x, y, color.RGBA{v, v - 20, v - 10, 255})
		}
	}
	return img
}

func identity() geom.Homography { return geom.Homography{1, 0, 0, 0, 1, 0, 0, 0, 1} }

func TestWarpIdentity(t *testing.T) {
	rgba := checker(301, 203, 25)
	rnd := rand.New(rand.NewPCG(3, 4))
	for i := range rgba.Pix {
		rgba.Pix[i] = uint8(rnd.IntN(256)) // noise: any blending would show
	}
	for i := 3; i < len(rgba.Pix); i += 4 {
		rgba.Pix[i] = 255
	}
	gray := image.NewGray(rgba.Bounds())
	draw.Draw(gray, gray.Bounds(), rgba, image.Point{}, draw.Src)
	ycc := image.NewYCbCr(rgba.Bounds(), image.YCbCrSubsampleRatio420)
	for i := range ycc.Y {
		ycc.Y[i] = uint8(rnd.IntN(256))
	}
	for i := range ycc.Cb {
		ycc.Cb[i], ycc.Cr[i] = uint8(rnd.IntN(256)), uint8(rnd.IntN(256))
	}
	nrgba := image.NewNRGBA(rgba.Bounds())
	for i := range nrgba.Pix {
		nrgba.Pix[i] = uint8(rnd.IntN(256))
	}
	for _, src := range []image.Image{rgba, gray, ycc, nrgba} {
		t.Run(typeName(src), func(t *testing.T) {
			want := image.NewRGBA(src.Bounds())
			draw.Draw(want, want.Bounds(), src, image.Point{}, draw.Src)
			got := geom.Warp(src, 301, 203, identity(), color.RGBA{255, 0, 0, 255})
			if got.Bounds() != want.Bounds() {
				t.Fatalf("bounds %v, want %v", got.Bounds(), want.Bounds())
			}
			if string(got.Pix) != string(want.Pix) {
				t.Error("the identity warp changed the image")
			}
		})
	}
	t.Run("WarpGray", func(t *testing.T) {
		if got := geom.WarpGray(gray, 301, 203, identity(), 7); string(got.Pix) != string(gray.Pix) {
			t.Error("the identity grey warp changed the image")
		}
	})
	// A sub-image keeps its coordinates: translating by its origin crops it out exactly.
	t.Run("sub-image", func(t *testing.T) {
		r := image.Rect(40, 30, 240, 180)
		sub := rgba.SubImage(r).(*image.RGBA)
		shift := geom.Homography{1, 0, 40, 0, 1, 30, 0, 0, 1}
		got := geom.Warp(sub, r.Dx(), r.Dy(), shift, color.Black)
		for y := range r.Dy() {
			for x := range r.Dx() {
				if got.RGBAAt(x, y) != rgba.RGBAAt(x+40, y+30) {
					t.Fatalf("(%d,%d) = %v, want %v", x, y, got.RGBAAt(x, y), rgba.RGBAAt(x+40, y+30))
				}
			}
		}
		gsub := gray.SubImage(r).(*image.Gray)
		gg := geom.WarpGray(gsub, r.Dx(), r.Dy(), shift, 0)
		for y := range r.Dy() {
			for x := range r.Dx() {
				if gg.GrayAt(x, y) != gray.GrayAt(x+40, y+30) {
					t.Fatalf("grey (%d,%d) = %v, want %v", x, y, gg.GrayAt(x, y), gray.GrayAt(x+40, y+30))
				}
			}
		}
	})
}

func typeName(img image.Image) string {
	switch img.(type) {
	case *image.RGBA:
		return "RGBA"
	case *image.Gray:
		return "Gray"
	case *image.YCbCr:
		return "YCbCr"
	case *image.NRGBA:
		return "NRGBA"
	}
	return "other"
}

// softChecker draws a w×h checkerboard of sq-pixel squares whose edges ramp over ramp
// pixels, as a printed card's edges do in a photo. A hard-edged board would measure
// mostly the blur that bilinear sampling must cause at a step, not the geometry.
func softChecker(w, h, sq int, ramp float64) *image.RGBA {
	wave := func(p float64) float64 { // +1 on even squares, -1 on odd, linear between
		t := math.Mod(p, float64(2*sq))
		d := min(math.Abs(t), math.Abs(t-float64(sq)), math.Abs(t-float64(2*sq))) // to the nearest edge
		v := min(d/(ramp/2), 1)
		if t > float64(sq) {
			v = -v
		}
		return v
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := 125 + 95*wave(float64(x)+0.5)*wave(float64(y)+0.5)
			img.SetRGBA(x, y, color.RGBA{uint8(v + 0.5), uint8(v - 20 + 0.5), uint8(v - 10 + 0.5), 255})
		}
	}
	return img
}

// mae is the mean absolute difference of channel c between a and b, at least margin
// pixels from the image's edge, where the round trip meets the fill.
func mae(a, b *image.RGBA, c, margin int) float64 {
	var sum, n float64
	r := a.Bounds()
	for y := r.Min.Y + margin; y < r.Max.Y-margin; y++ {
		for x := r.Min.X + margin; x < r.Max.X-margin; x++ {
			i, j := a.PixOffset(x, y)+c, b.PixOffset(x, y)+c
			sum += math.Abs(float64(a.Pix[i]) - float64(b.Pix[j]))
			n++
		}
	}
	return sum / n
}

// TestWarpRoundTrip photographs a checkerboard rotated (and in perspective), straightens
// it again and measures how far the result is from the original. A half-pixel error in
// the geometry costs several grey levels here, so the bound catches off-by-half bugs in
// the pixel-centre convention.
func TestWarpRoundTrip(t *testing.T) {
	src := softChecker(400, 260, 20, 6)
	corners := [4]geom.Point{{X: 0, Y: 0}, {X: 400, Y: 0}, {X: 400, Y: 260}, {X: 0, Y: 260}}
	move := func(q [4]geom.Point, dx, dy float64) [4]geom.Point {
		for i := range q {
			q[i].X += dx
			q[i].Y += dy
		}
		return q
	}
	for _, tc := range []struct {
		name   string
		placed [4]geom.Point // where the card lands in a 700×600 photo
		maxMAE float64
	}{
		{"rotation 20°", move(rotated(corners, geom.Point{X: 200, Y: 130}, 20*math.Pi/180), 150, 170), 1.5},
		{"rotation 90°", move(rotated(corners, geom.Point{X: 200, Y: 130}, math.Pi/2), 150, 170), 0.01},
		{"upside down", move(rotated(corners, geom.Point{X: 200, Y: 130}, math.Pi), 150, 170), 0.01},
		{"rotation and perspective", [4]geom.Point{{X: 120, Y: 90}, {X: 600, Y: 150}, {X: 560, Y: 480}, {X: 90, Y: 420}}, 1.5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			photoToCard, err := geom.FromQuad(tc.placed, corners)
			if err != nil {
				t.Fatal(err)
			}
			photo := geom.Warp(src, 700, 600, photoToCard, color.RGBA{0, 0, 255, 255})
			cardToPhoto, err := photoToCard.Inverse()
			if err != nil {
				t.Fatal(err)
			}
			back := geom.Warp(photo, 400, 260, cardToPhoto, color.Black)
			for c, name := range []string{"R", "G", "B"} {
				e := mae(back, src, c, 10)
				t.Logf("%s: mean absolute error %.3f grey levels", name, e)
				if e > tc.maxMAE {
					t.Errorf("%s: mean absolute error after the round trip %.3f grey levels, want ≤ %g", name, e, tc.maxMAE)
				}
			}
			// The same through the grey path.
			g := image.NewGray(src.Bounds())
			draw.Draw(g, g.Bounds(), src, image.Point{}, draw.Src)
			gback := geom.WarpGray(geom.WarpGray(g, 700, 600, photoToCard, 0), 400, 260, cardToPhoto, 0)
			gb := image.NewRGBA(gback.Bounds())
			draw.Draw(gb, gb.Bounds(), gback, image.Point{}, draw.Src)
			gs := image.NewRGBA(g.Bounds())
			draw.Draw(gs, gs.Bounds(), g, image.Point{}, draw.Src)
			if e := mae(gb, gs, 0, 10); e > tc.maxMAE {
				t.Errorf("grey: mean absolute error after the round trip %.3f grey levels, want ≤ %g", e, tc.maxMAE)
			}
			// The measure must see a half-pixel misregistration.
			half := geom.Homography{1, 0, 0.5, 0, 1, 0.5, 0, 0, 1}
			off := geom.Warp(photo, 400, 260, mul(cardToPhoto, half), color.Black)
			if e := mae(off, src, 0, 10); e < 3*max(tc.maxMAE, 1) {
				t.Errorf("half a pixel off: mean absolute error only %.3f grey levels", e)
			} else {
				t.Logf("half a pixel off: %.3f grey levels", e)
			}
		})
	}
}

// TestWarpBilinear checks the integer blend against a plain floating-point bilinear
// sampler on random homographies: within one level, and never reading the wrong pixel.
func TestWarpBilinear(t *testing.T) {
	src := checker(120, 90, 7)
	rnd := rand.New(rand.NewPCG(5, 6))
	for i := range src.Pix {
		src.Pix[i] = uint8(rnd.IntN(256))
	}
	fill := [4]uint8{9, 8, 7, 6}
	ref := func(p geom.Point, c int) float64 {
		fx, fy := p.X-0.5, p.Y-0.5
		x0, y0 := math.Floor(fx), math.Floor(fy)
		ax, ay := fx-x0, fy-y0
		at := func(x, y float64) float64 {
			if x < 0 || y < 0 || x >= 120 || y >= 90 {
				return float64(fill[c])
			}
			return float64(src.Pix[src.PixOffset(int(x), int(y))+c])
		}
		return at(x0, y0)*(1-ax)*(1-ay) + at(x0+1, y0)*ax*(1-ay) + at(x0, y0+1)*(1-ax)*ay + at(x0+1, y0+1)*ax*ay
	}
	for k := range 20 {
		var q [4]geom.Point
		for i, c := range [4]geom.Point{{X: -20, Y: -20}, {X: 140, Y: -20}, {X: 140, Y: 110}, {X: -20, Y: 110}} {
			q[i] = geom.Point{X: c.X + rnd.NormFloat64()*15, Y: c.Y + rnd.NormFloat64()*15}
		}
		h, err := geom.FromQuad([4]geom.Point{{X: 0, Y: 0}, {X: 80, Y: 0}, {X: 80, Y: 60}, {X: 0, Y: 60}}, q)
		if err != nil {
			t.Fatal(err)
		}
		got := geom.Warp(src, 80, 60, h, color.RGBA{fill[0], fill[1], fill[2], fill[3]})
		for y := range 60 {
			for x := range 80 {
				p := h.Apply(geom.Point{X: float64(x) + 0.5, Y: float64(y) + 0.5})
				for c := range 4 {
					want := float64(fill[c])
					if p.X > -0.5 && p.Y > -0.5 && p.X < 120.5 && p.Y < 90.5 {
						want = ref(p, c)
					}
					if g := float64(got.Pix[got.PixOffset(x, y)+c]); math.Abs(g-want) > 1.51 {
						t.Fatalf("homography %d, (%d,%d) channel %d = %v, want %.2f", k, x, y, c, g, want)
					}
				}
			}
		}
	}
}

func TestWarpFill(t *testing.T) {
	src := checker(100, 80, 10)
	g := image.NewGray(src.Bounds())
	draw.Draw(g, g.Bounds(), src, image.Point{}, draw.Src)
	fill := color.RGBA{0, 0, 255, 255}
	for _, tc := range []struct {
		name string
		h    geom.Homography
		// in reports whether destination pixel (x, y) samples the source fully.
		in func(x, y int) bool
	}{
		{"shifted right", geom.Homography{1, 0, -30, 0, 1, 0, 0, 0, 1}, func(x, y int) bool { return x >= 30 && x < 130 && y < 80 }},
		{"shifted up-left", geom.Homography{1, 0, 50, 0, 1, 60, 0, 0, 1}, func(x, y int) bool { return x < 50 && y < 20 }},
		{"entirely outside", geom.Homography{1, 0, 1000, 0, 1, 1000, 0, 0, 1}, func(int, int) bool { return false }},
		{"beyond the horizon", geom.Homography{1, 0, 0, 0, 1, 0, 0, 0, 0}, func(int, int) bool { return false }},
		{"NaN", geom.Homography{math.NaN(), 0, 0, 0, 1, 0, 0, 0, 1}, func(int, int) bool { return false }},
		{"huge", geom.Homography{1e300, 0, 0, 0, 1e300, 0, 0, 0, 1}, func(int, int) bool { return false }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := geom.Warp(src, 160, 120, tc.h, fill)
			gout := geom.WarpGray(g, 160, 120, tc.h, 77)
			for y := range 120 {
				for x := range 160 {
					got, gg := out.RGBAAt(x, y), gout.GrayAt(x, y).Y
					if tc.in(x, y) {
						p := tc.h.Apply(geom.Point{X: float64(x), Y: float64(y)})
						if want := src.RGBAAt(int(p.X), int(p.Y)); got != want {
							t.Fatalf("(%d,%d) = %v, want the source's %v", x, y, got, want)
						}
						if want := g.GrayAt(int(p.X), int(p.Y)).Y; gg != want {
							t.Fatalf("grey (%d,%d) = %d, want the source's %d", x, y, gg, want)
						}
						continue
					}
					// One pixel past the edge the blend is still half source: skip it.
					if tc.in(x-1, y) || tc.in(x+1, y) || tc.in(x, y-1) || tc.in(x, y+1) {
						continue
					}
					if got != fill {
						t.Fatalf("(%d,%d) = %v, want the fill", x, y, got)
					}
					if gg != 77 {
						t.Fatalf("grey (%d,%d) = %d, want the fill", x, y, gg)
					}
				}
			}
		})
	}
	// Transparent fill anti-aliases the card's edge against whatever it is drawn over.
	half := geom.Warp(src, 1, 1, geom.Homography{1, 0, 99.5, 0, 1, 40, 0, 0, 1}, color.Transparent)
	if a := half.RGBAAt(0, 0).A; a < 126 || a > 129 {
		t.Errorf("half-covered pixel alpha %d, want about 128", a)
	}
	if got := geom.Warp(src, -3, 5, identity(), fill); !got.Bounds().Empty() {
		t.Errorf("negative width gave %v", got.Bounds())
	}
}

func BenchmarkWarp(b *testing.B) {
	src := checker(1600, 1200, 40)
	// Straighten a card photographed in perspective.
	h, err := geom.FromQuad(card, [4]geom.Point{{X: 210, Y: 140}, {X: 1290, Y: 180}, {X: 1380, Y: 900}, {X: 160, Y: 820}})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(1012 * 638 * 4)
	for b.Loop() {
		geom.Warp(src, 1012, 638, h, color.Black)
	}
}

// mul composes two homographies: b first, then a.
func mul(a, b geom.Homography) geom.Homography {
	var c geom.Homography
	for r := range 3 {
		for k := range 3 {
			c[3*r+k] = a[3*r]*b[k] + a[3*r+1]*b[3+k] + a[3*r+2]*b[6+k]
		}
	}
	return c
}
