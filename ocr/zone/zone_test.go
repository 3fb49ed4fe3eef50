package zone_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"cotejo/ocr/cardgen"
	"cotejo/ocr/layout"
	"cotejo/ocr/zone"
	"cotejo/verify/credential"
	"cotejo/verify/credential/synthetic"
)

var outDir = flag.String("zone.out", "", "write each test picture, with the boxes found, to this directory")

// save writes img with the found boxes drawn in red, when -zone.out is set.
func save(t *testing.T, name string, img image.Image, found []image.Rectangle) {
	if *outDir == "" {
		return
	}
	c := image.NewRGBA(img.Bounds())
	draw.Draw(c, c.Bounds(), img, img.Bounds().Min, draw.Src)
	red := color.RGBA{255, 0, 0, 255}
	for _, r := range found {
		for x := r.Min.X; x < r.Max.X; x++ {
			c.Set(x, r.Min.Y, red)
			c.Set(x, r.Max.Y-1, red)
		}
		for y := r.Min.Y; y < r.Max.Y; y++ {
			c.Set(r.Min.X, y, red)
			c.Set(r.Max.X-1, y, red)
		}
	}
	f, err := os.Create(filepath.Join(*outDir, name+".png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	png.Encode(f, c)
}

func iou(a, b image.Rectangle) float64 {
	i := a.Intersect(b)
	if i.Empty() {
		return 0
	}
	ia := float64(i.Dx() * i.Dy())
	return ia / (float64(a.Dx()*a.Dy()+b.Dx()*b.Dy()) - ia)
}

// zoneOf is a real TD1 zone for a synthetic citizen of model m.
func zoneOf(t testing.TB, seed uint64, o synthetic.Options) [3]string {
	g := synthetic.NewGenerator(seed, 9)
	h := cardgen.NewHolder(g.Citizen(credential.ModelG, o), g.Rand())
	l, err := h.MRZ()
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestFind(t *testing.T) {
	z1, z2 := zoneOf(t, 1, synthetic.Options{}), zoneOf(t, 2, synthetic.Options{SinMaterno: true})
	cases := []scene{
		{name: "bottom", cap: 29, at: image.Pt(40, 450)},
		{name: "top", cap: 29, at: image.Pt(40, 30), lines: z1},
		{name: "middle", cap: 27, at: image.Pt(60, 230), lines: z2},
		{name: "small-left", cap: 20, at: image.Pt(30, 300)},
		{name: "small-right", cap: 20, at: image.Pt(380, 470), lines: z1},
		{name: "small-top-right", cap: 22, at: image.Pt(300, 20), lines: z2},
		{name: "cap26-bottom", cap: 26, at: image.Pt(120, 470)},
		{name: "cap34-wide-card", w: 1140, h: 719, cap: 34, at: image.Pt(40, 500), lines: z1},
		{name: "cap40-wide-card", w: 1300, h: 820, cap: 40, at: image.Pt(50, 560)},
		{name: "card-560", w: 560, h: 353, cap: 16, at: image.Pt(25, 250), lines: z2},
		{name: "card-2400", w: 2400, h: 1513, cap: 68, at: image.Pt(100, 1050), lines: z1},
		{name: "upside-down-bottom", cap: 29, at: image.Pt(40, 450), flip: true},
		{name: "upside-down-top", cap: 24, at: image.Pt(200, 40), flip: true, lines: z1},
		{name: "upside-down-middle-small", cap: 20, at: image.Pt(50, 260), flip: true, lines: z2},
		{name: "rot1", cap: 28, at: image.Pt(50, 440), deg: 1},
		{name: "rot-2", cap: 26, at: image.Pt(60, 260), deg: -2, lines: z1},
		{name: "rot3", cap: 28, at: image.Pt(50, 420), deg: 3, lines: z2},
		{name: "rot-3-top", cap: 24, at: image.Pt(60, 50), deg: -3},
		{name: "rot2-upside-down", cap: 28, at: image.Pt(50, 440), deg: 2, flip: true, lines: z1},
		{name: "rot-3-upside-down-small", cap: 21, at: image.Pt(300, 60), deg: -3, flip: true, lines: z2},
		{name: "degraded-bottom", cap: 29, at: image.Pt(40, 450), degrade: true},
		{name: "degraded-small", cap: 20, at: image.Pt(100, 300), degrade: true, lines: z1},
		{name: "degraded-rot2", cap: 26, at: image.Pt(80, 440), deg: 2, degrade: true, lines: z2},
		{name: "degraded-upside-down-rot-1", cap: 24, at: image.Pt(40, 60), deg: -1, flip: true, degrade: true, lines: z1},
		{name: "glare", cap: 28, at: image.Pt(40, 450), glare: true, degrade: true},
		{name: "glare-upside-down", cap: 24, at: image.Pt(300, 470), glare: true, flip: true, lines: z2},
		// A finger over the lower right corner hides line 3's last four cells and line
		// 2's last two, line 1 whole: one end of the lines no longer lines up.
		{name: "finger", cap: 29, at: image.Pt(40, 450), extra: finger(image.Pt(990, 680), 215)},
		{name: "finger-upside-down", cap: 28, at: image.Pt(40, 450), flip: true, lines: z1, extra: finger(image.Pt(990, 680), 215)},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.seed = uint64(i + 1)
			img, truth := c.render(t)
			b, err := zone.Find(img)
			if err != nil {
				save(t, c.name, img, nil)
				t.Fatal(err)
			}
			save(t, c.name, img, b.Lines[:])
			for k := range 3 {
				if v := iou(b.Lines[k], truth[k]); v < 0.6 {
					t.Errorf("line %d: found %v, want %v (IoU %.2f)", k+1, b.Lines[k], truth[k], v)
				}
			}
			if b.UpsideDown != c.flip {
				t.Errorf("upside down: %v, want %v", b.UpsideDown, c.flip)
			}
			want := float64(c.cap) // OCR-B's advance equals its cap height
			if b.Pitch < want*0.9 || b.Pitch > want*1.1 {
				t.Errorf("pitch %.1f, want about %.1f", b.Pitch, want)
			}
			if b.Height < float64(c.cap)*0.85 || b.Height > float64(c.cap)*1.3 {
				t.Errorf("height %.1f, cap height %d", b.Height, c.cap)
			}
			if !b.Box().In(img.Bounds()) {
				t.Errorf("box %v outside the image %v", b.Box(), img.Bounds())
			}
		})
	}
}

// finger draws a fingertip, a skin-coloured disc of radius r centred at c, over the card.
func finger(c image.Point, r int) func(*image.RGBA, typefaces) {
	return func(img *image.RGBA, _ typefaces) {
		skin := color.RGBA{150, 90, 75, 255}
		for y := c.Y - r; y <= c.Y+r; y++ {
			for x := c.X - r; x <= c.X+r; x++ {
				if (x-c.X)*(x-c.X)+(y-c.Y)*(y-c.Y) <= r*r && image.Pt(x, y).In(img.Bounds()) {
					img.SetRGBA(x, y, skin)
				}
			}
		}
	}
}

// TestFindNone: card sides without a zone give ErrNotFound.
func TestFindNone(t *testing.T) {
	// print draws lines of text at x, from baseline y, every step pixels.
	print := func(img *image.RGBA, f font.Face, x, y, step int, lines ...string) {
		for i, l := range lines {
			d := font.Drawer{Dst: img, Src: image.NewUniform(ink), Face: f, Dot: fixed.P(x, y+i*step)}
			d.DrawString(l)
		}
	}
	cases := []scene{
		{name: "front", extra: func(img *image.RGBA, tf typefaces) {
			f := newFace(t, tf.sans, 30)
			defer f.Close()
			print(img, f, 300, 380, 42, "PEREZ", "LOPEZ", "JUAN CARLOS", "CLAVE DE ELECTOR PRLPJN85010109H400")
			print(img, f, 300, 550, 42, "CURP PELJ850101HDFRPN09")
		}},
		// Three evenly spaced lines of capitals and digits, 30 characters each, in a
		// proportional face: everything but the monospacing.
		{name: "proportional-triple", extra: func(img *image.RGBA, tf typefaces) {
			f := newFace(t, tf.sans, 38)
			defer f.Close()
			print(img, f, 40, 470, 56, "IDMEX1234567890 1234567890123", "8501015H3012319MEX 02 12345 4", "PEREZ LOPEZ JUAN CARLOS MARIO")
		}},
		// Model C's back: one OCR-B line, not three.
		{name: "single-ocr-line", extra: func(img *image.RGBA, tf typefaces) {
			f := newFace(t, tf.ocrb, 40)
			defer f.Close()
			print(img, f, 60, 560, 0, "123456789012345678901234567890")
		}},
		// Two zone lines are not a zone.
		{name: "two-lines", extra: func(img *image.RGBA, tf typefaces) {
			f := newFace(t, tf.ocrb, 40)
			defer f.Close()
			print(img, f, 40, 480, 56, defaultZone[0], defaultZone[1])
		}},
		// Three OCR-B lines of 40 characters: monospaced, but too long.
		{name: "long-lines", extra: func(img *image.RGBA, tf typefaces) {
			f := newFace(t, tf.ocrb, 31)
			defer f.Close()
			for i, l := range defaultZone {
				print(img, f, 40, 470+i*44, 0, l[:10]+l)
			}
		}},
		// Three OCR-B lines of 12 characters: monospaced, but far too short.
		{name: "short-lines", extra: func(img *image.RGBA, tf typefaces) {
			f := newFace(t, tf.ocrb, 40)
			defer f.Close()
			print(img, f, 40, 480, 56, "IDMEX1234567", "8501015H3012", "PEREZ<LOPEZ<")
		}},
		{name: "blank-degraded", degrade: true, glare: true},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.seed = uint64(100 + i)
			img, _ := c.render(t)
			b, err := zone.Find(img)
			save(t, "none-"+c.name, img, b.Lines[:])
			if !errors.Is(err, zone.ErrNotFound) {
				t.Errorf("found %+v, err %v; want ErrNotFound", b, err)
			}
		})
	}
}

// TestRealBacks: on cardgen's backs, the zone is where the layout prints it for
// models D to H, upright or turned, and model C's single OCR line is no zone; no front
// has one.
func TestRealBacks(t *testing.T) {
	fonts, err := cardgen.LoadFonts()
	if err != nil {
		t.Skip(err)
	}
	g := synthetic.NewGenerator(11, 12)
	for i, m := range layout.Models() {
		h := cardgen.NewHolder(g.Citizen(m, synthetic.Options{SinMaterno: i%2 == 1}), g.Rand())
		for _, side := range []layout.Side{layout.Front, layout.Back} {
			t.Run(fmt.Sprint(m, "-", side), func(t *testing.T) {
				img, err := fonts.Render(h, m, side, rand.New(rand.NewPCG(uint64(i), 5)))
				if err != nil {
					t.Fatal(err)
				}
				reg, hasZone := layout.For(m, side).Region(layout.MRZ)
				b, err := zone.Find(img)
				save(t, fmt.Sprint("real-", m, "-", side), img, b.Lines[:])
				if !hasZone {
					if !errors.Is(err, zone.ErrNotFound) {
						t.Fatalf("found %+v on a side without a zone (err %v)", b, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				checkLayout(t, b, reg.Box, false)

				turned := upsideDown(img)
				b, err = zone.Find(turned)
				if err != nil {
					t.Fatal("turned:", err)
				}
				checkLayout(t, b, upsideDownRect(reg.Box, img.Bounds()), true)
			})
		}
	}
}

// checkLayout: the band lies in the layout's box, each line in its third of it.
func checkLayout(t *testing.T, b zone.Band, box image.Rectangle, turned bool) {
	t.Helper()
	if !b.Box().In(box.Inset(-4)) {
		t.Errorf("band %v outside the layout's zone %v", b.Box(), box)
	}
	if b.UpsideDown != turned {
		t.Errorf("upside down %v, want %v", b.UpsideDown, turned)
	}
	step := box.Dy() / 3
	for k, l := range b.Lines {
		third := k
		if turned {
			third = 2 - k
		}
		cy := (l.Min.Y + l.Max.Y) / 2
		if lo := box.Min.Y + third*step; cy < lo || cy >= lo+step {
			t.Errorf("line %d at %v, not in its third of %v", k+1, l, box)
		}
	}
}

func upsideDown(src *image.RGBA) *image.RGBA {
	b := src.Bounds()
	out := image.NewRGBA(b)
	for y := range b.Dy() {
		for x := range b.Dx() {
			copy(out.Pix[out.PixOffset(b.Dx()-1-x, b.Dy()-1-y):][:4], src.Pix[src.PixOffset(x, y):][:4])
		}
	}
	return out
}

func upsideDownRect(r, b image.Rectangle) image.Rectangle {
	return image.Rect(b.Dx()-r.Max.X, b.Dy()-r.Max.Y, b.Dx()-r.Min.X, b.Dy()-r.Min.Y)
}

// blockZone draws a zone without fonts on a w×h grey picture, upside down if asked:
// each letter or digit a filled bar; each '<' a chevron or, with hollow, a thin frame
// (a filler whose shape is not recognised, only its light ink).
func blockZone(w, h int, turned, hollow bool) *image.Gray {
	const pitch, height, step, left, top = 12, 15, 26, 15, 20
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 235
	}
	for li, l := range defaultZone {
		for k := range len(l) {
			x, y := left+k*pitch+2, top+li*step
			for dy := range height {
				switch {
				case l[k] != '<':
					for dx := range 7 + k%2 {
						img.Pix[(y+dy)*w+x+dx] = 30
					}
				case hollow:
					for dx := range 9 {
						if dy == 0 || dy == height-1 || dx == 0 || dx == 8 {
							img.Pix[(y+dy)*w+x+dx] = 30
						}
					}
				default:
					off := abs(dy-height/2) * 8 / (height / 2)
					img.Pix[(y+dy)*w+x+off] = 30
					img.Pix[(y+dy)*w+x+off+1] = 30
				}
			}
		}
	}
	if turned {
		slices.Reverse(img.Pix)
	}
	return img
}

func abs(x int) int { return max(x, -x) }

// TestFindBlocks needs no fonts: a zone of block glyphs is found both ways up, told
// by its chevrons or, without them, by where its fillers bunch.
func TestFindBlocks(t *testing.T) {
	for _, c := range []struct{ turned, hollow bool }{{false, false}, {true, false}, {false, true}, {true, true}} {
		b, err := zone.Find(blockZone(400, 120, c.turned, c.hollow))
		if err != nil {
			t.Fatalf("%+v: %v", c, err)
		}
		want := image.Rect(17, 20, 378, 35)
		if c.turned {
			want = upsideDownRect(want, image.Rect(0, 0, 400, 120))
		}
		if b.UpsideDown != c.turned || iou(b.Lines[0], want) < 0.8 {
			t.Errorf("%+v: found %+v, want line 1 at %v", c, b, want)
		}
	}
}

// FuzzFind: any picture, decoded from bytes or made of them, gives a band or
// ErrNotFound, never a panic, and a band's boxes lie in the picture.
func FuzzFind(f *testing.F) {
	var png1 bytes.Buffer
	small := image.NewGray(image.Rect(0, 0, 40, 20))
	for i := range small.Pix {
		small.Pix[i] = uint8(i * 37)
	}
	png.Encode(&png1, small)
	f.Add(png1.Bytes())
	f.Add([]byte{0, 255, 30, 200, 1, 2, 3})
	// Raw pixels: a 400-wide zone, as the fallback below reads them.
	f.Add(append([]byte{50}, blockZone(400, 120, false, false).Pix...))
	f.Add(append([]byte{50}, blockZone(400, 120, true, false).Pix...))
	f.Fuzz(func(t *testing.T, data []byte) {
		var img image.Image
		if cfg, _, err := image.DecodeConfig(bytes.NewReader(data)); err == nil && cfg.Width*cfg.Height <= 1<<20 {
			img, _, _ = image.Decode(bytes.NewReader(data))
		}
		if img == nil {
			// The bytes as grey pixels, repeated to fill at least 60 rows; the width
			// from the first byte, the origin off zero.
			if len(data) < 2 {
				return
			}
			w := 200 + int(data[0])*4
			h := min(max(60, (len(data)-1)/w), (1<<20)/w)
			g := image.NewGray(image.Rect(-3, 5, w-3, 5+h))
			for i := range g.Pix {
				g.Pix[i] = data[1+i%(len(data)-1)]
			}
			img = g
		}
		b, err := zone.Find(img)
		if err != nil {
			if !errors.Is(err, zone.ErrNotFound) {
				t.Fatal(err)
			}
			return
		}
		for _, l := range b.Lines {
			if !l.In(img.Bounds()) {
				t.Fatalf("line %v outside %v", l, img.Bounds())
			}
		}
	})
}

// BenchmarkFind: a model G back as rendered (RGBA), as a JPEG decodes it (YCbCr), and
// at twice the size.
func BenchmarkFind(b *testing.B) {
	fonts, err := cardgen.LoadFonts()
	if err != nil {
		b.Skip(err)
	}
	g := synthetic.NewGenerator(3, 4)
	h := cardgen.NewHolder(g.Citizen(credential.ModelG, synthetic.Options{}), g.Rand())
	card, err := fonts.Render(h, credential.ModelG, layout.Back, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, card, &jpeg.Options{Quality: 80}); err != nil {
		b.Fatal(err)
	}
	decoded, err := jpeg.Decode(&buf)
	if err != nil {
		b.Fatal(err)
	}
	big := image.NewRGBA(image.Rect(0, 0, 2*card.Bounds().Dx(), 2*card.Bounds().Dy()))
	for y := range big.Bounds().Dy() {
		for x := range big.Bounds().Dx() {
			big.SetRGBA(x, y, card.RGBAAt(x/2, y/2))
		}
	}
	for _, c := range []struct {
		name string
		img  image.Image
	}{{"rgba-1012", card}, {"jpeg-1012", decoded}, {"rgba-2024", big}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := zone.Find(c.img); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestFindStretched: a back straightened from slightly wrong corners is stretched
// unevenly along its lines, each cell a little wider than the one before; the zone is
// still found (a pitch growing 8 % from the first cell to the last), and a monospaced
// run stretched far beyond what perspective does is not a zone.
func TestFindStretched(t *testing.T) {
	fonts, err := cardgen.LoadFonts()
	if err != nil {
		t.Skip(err)
	}
	g := synthetic.NewGenerator(5, 6)
	h := cardgen.NewHolder(g.Citizen(credential.ModelG, synthetic.Options{}), g.Rand())
	img, err := fonts.Render(h, credential.ModelG, layout.Back, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		growth float64 // the pitch's growth across the card's width
		found  bool
	}{{0, true}, {0.08, true}, {0.6, false}} {
		t.Run(fmt.Sprint(tc.growth), func(t *testing.T) {
			st := stretch(img, tc.growth)
			b, err := zone.Find(st)
			save(t, fmt.Sprintf("stretched-%.2f", tc.growth), st, b.Lines[:])
			if got := err == nil; got != tc.found {
				t.Fatalf("found %v (%v), want %v", got, err, tc.found)
			}
		})
	}
}

// stretch maps x to x·(1 + growth·x/W)/(1 + growth/2), so that the scale grows by
// growth from the left edge to the right and the width stays the same.
func stretch(src *image.RGBA, growth float64) *image.RGBA {
	b := src.Bounds()
	W := float64(b.Dx())
	out := image.NewRGBA(b)
	for x := range b.Dx() {
		// Invert u ↦ u(1+g·u/W)/(1+g/2) for the source column of output column x.
		target := float64(x) * (1 + growth/2)
		u := target
		if growth > 0 {
			// g/W·u² + u − target = 0
			a := growth / W
			u = (-1 + math.Sqrt(1+4*a*target)) / (2 * a)
		}
		sx := min(max(int(u), 0), b.Dx()-1)
		for y := range b.Dy() {
			out.SetRGBA(b.Min.X+x, b.Min.Y+y, src.RGBAAt(b.Min.X+sx, b.Min.Y+y))
		}
	}
	return out
}
