package geom_test

import (
	"errors"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"

	"cotejo/ocr/geom"
)

func near(a, b geom.Point, tol float64) bool { return math.Hypot(a.X-b.X, a.Y-b.Y) <= tol }

func TestFromQuad(t *testing.T) {
	card := [4]geom.Point{{0, 0}, {1012, 0}, {1012, 638}, {0, 638}}
	rot := [4]geom.Point{}
	for i, p := range card {
		rot[i] = geom.Rotate(p, geom.Point{X: 506, Y: 319}, 0.3)
	}
	cases := map[string][4]geom.Point{
		"identity":    card,
		"rotation":    rot,
		"perspective": {{210, 140}, {1290, 180}, {1380, 900}, {160, 820}},
		"upside down": {{1012, 638}, {0, 638}, {0, 0}, {1012, 0}},
	}
	rnd := rand.New(rand.NewPCG(1, 1))
	for name, dst := range cases {
		h, err := geom.FromQuad(card, dst)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := range card {
			if got := h.Apply(card[i]); !near(got, dst[i], 1e-6) {
				t.Errorf("%s: corner %d → %v, want %v", name, i, got, dst[i])
			}
		}
		inv, err := h.Inverse()
		if err != nil {
			t.Fatal(err)
		}
		for range 100 {
			p := geom.Point{X: rnd.Float64() * 1012, Y: rnd.Float64() * 638}
			if got := inv.Apply(h.Apply(p)); !near(got, p, 1e-6) {
				t.Errorf("%s: inverse(h(%v)) = %v", name, p, got)
			}
		}
	}
	if _, err := geom.FromQuad(card, [4]geom.Point{{0, 0}, {10, 10}, {20, 20}, {0, 50}}); !errors.Is(err, geom.ErrDegenerate) {
		t.Errorf("collinear corners: %v", err)
	}
}

func checker(w, h, sq int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			v := uint8(30)
			if (x/sq+y/sq)%2 == 0 {
				v = 220
			}
			img.SetRGBA(x, y, color.RGBA{v, v, v, 255})
		}
	}
	return img
}

func TestWarp(t *testing.T) {
	src := checker(300, 200, 25)
	id, _ := geom.FromQuad([4]geom.Point{{0, 0}, {1, 0}, {1, 1}, {0, 1}}, [4]geom.Point{{0, 0}, {1, 0}, {1, 1}, {0, 1}})
	if got := geom.Warp(src, 300, 200, id, color.Black); string(got.Pix) != string(src.Pix) {
		t.Error("the identity warp changed the image")
	}
	// Rotate by 20° into a larger frame, then straighten: the middle must come back.
	corners := [4]geom.Point{{0, 0}, {300, 0}, {300, 200}, {0, 200}}
	var placed [4]geom.Point
	for i, p := range corners {
		placed[i] = geom.Rotate(p, geom.Point{X: 150, Y: 100}, 20*math.Pi/180)
		placed[i].X += 100
		placed[i].Y += 100
	}
	photoToCard, _ := geom.FromQuad(placed, corners)
	photo := geom.Warp(src, 500, 400, photoToCard, color.RGBA{0, 0, 255, 255})
	if c := photo.RGBAAt(2, 2); c.B != 255 || c.R != 0 {
		t.Errorf("outside the card: %v, want the fill", c)
	}
	cardToPhoto, _ := photoToCard.Inverse()
	back := geom.Warp(photo, 300, 200, cardToPhoto, color.Black)
	var sum, n float64
	for y := 20; y < 180; y++ {
		for x := 20; x < 280; x++ {
			// Skip the squares' edges, where two resamplings blur.
			if x%25 < 3 || x%25 > 22 || y%25 < 3 || y%25 > 22 {
				continue
			}
			sum += math.Abs(float64(back.RGBAAt(x, y).R) - float64(src.RGBAAt(x, y).R))
			n++
		}
	}
	if mae := sum / n; mae > 2 {
		t.Errorf("mean absolute error after a round trip %.2f grey levels", mae)
	}
	g := image.NewGray(image.Rect(0, 0, 300, 200))
	for i := range g.Pix {
		g.Pix[i] = src.Pix[i*4]
	}
	if gg := geom.WarpGray(g, 300, 200, id, 0); string(gg.Pix) != string(g.Pix) {
		t.Error("the identity grey warp changed the image")
	}
}

func BenchmarkWarp(b *testing.B) {
	src := checker(1600, 1200, 40)
	h, _ := geom.FromQuad([4]geom.Point{{0, 0}, {1012, 0}, {1012, 638}, {0, 638}}, [4]geom.Point{{210, 140}, {1290, 180}, {1380, 900}, {160, 820}})
	b.ReportAllocs()
	for b.Loop() {
		geom.Warp(src, 1012, 638, h, color.Black)
	}
}
