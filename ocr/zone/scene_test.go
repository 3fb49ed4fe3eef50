package zone_test

import (
	"bytes"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The typefaces the test cards are printed in (Debian's fonts-ocr-b and
// fonts-dejavu-core). OCR-B "Sharp" because x/image cannot rasterise the '8' and '<' of
// the regular OCRB.otf.
const (
	ocrbFile = "/usr/share/fonts/opentype/ocr-b/OCRBS.otf"
	sansFile = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
)

type typefaces struct{ ocrb, sans *opentype.Font }

var loadFaces = sync.OnceValues(func() (typefaces, error) {
	var t typefaces
	for _, x := range []struct {
		path string
		dst  **opentype.Font
	}{{ocrbFile, &t.ocrb}, {sansFile, &t.sans}} {
		b, err := os.ReadFile(x.path)
		if err != nil {
			return t, err
		}
		if *x.dst, err = opentype.Parse(b); err != nil {
			return t, err
		}
	}
	return t, nil
})

func faces(t testing.TB) typefaces {
	t.Helper()
	f, err := loadFaces()
	if err != nil {
		t.Skip("fonts missing (fonts-ocr-b, fonts-dejavu-core):", err)
	}
	return f
}

func newFace(t testing.TB, f *opentype.Font, size float64) font.Face {
	t.Helper()
	fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		t.Fatal(err)
	}
	return fc
}

// scene is a synthetic card side: paper, guilloche, distractors and perhaps a zone.
type scene struct {
	name    string
	w, h    int         // card size; 0 is 1012×638
	cap     int         // the zone's cap height in pixels; 0 is no zone
	at      image.Point // the zone's first line: left end and cap top, upright
	lines   [3]string   // the zone; empty: a default
	deg     float64     // rotation, degrees clockwise
	flip    bool        // turned upside down
	degrade bool        // blur σ 1, noise, JPEG quality 60
	glare   bool
	extra   func(img *image.RGBA, f typefaces) // more print (negative cards)
	seed    uint64
}

var defaultZone = [3]string{
	"IDMEX1234567890<<1234567890123",
	"8501015H3012319MEX<02<<12345<4",
	"PEREZ<LOPEZ<<JUAN<CARLOS<<<<<<",
}

var (
	paper = color.RGBA{248, 246, 240, 255}
	ink   = color.RGBA{22, 22, 28, 255}
)

// render draws the scene and returns the picture handed to Find and the true ink boxes
// of the zone's lines in reading order, in the picture's coordinates.
func (s scene) render(t testing.TB) (image.Image, [3]image.Rectangle) {
	t.Helper()
	tf := faces(t)
	w, h := s.w, s.h
	if w == 0 {
		w, h = 1012, 638
	}
	rnd := rand.New(rand.NewPCG(s.seed, 77))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	background(img, rnd)

	var truth [3]image.Rectangle
	zone := image.Rectangle{}
	if s.cap > 0 {
		lines := s.lines
		if lines[0] == "" {
			lines = defaultZone
		}
		// OCR-B's cap height is 0.714 of its size; lines at the pitch cardgen uses.
		fc := newFace(t, tf.ocrb, float64(s.cap)/0.714)
		step := float64(s.cap) * 1.94
		for i, l := range lines {
			base := s.at.Y + s.cap + int(math.Round(float64(i)*step))
			d := font.Drawer{Dst: img, Src: image.NewUniform(ink), Face: fc, Dot: fixed.P(s.at.X, base)}
			bb, _ := d.BoundString(l)
			d.DrawString(l)
			truth[i] = image.Rect(bb.Min.X.Floor(), bb.Min.Y.Floor(), bb.Max.X.Ceil(), bb.Max.Y.Ceil())
			zone = zone.Union(truth[i])
		}
		fc.Close()
	}
	distractors(t, img, tf, zone, rnd)
	if s.extra != nil {
		s.extra(img, tf)
	}
	if s.glare {
		glare(img, rnd)
	}

	var out image.Image = img
	if s.deg != 0 || s.flip {
		theta := s.deg * math.Pi / 180
		if s.flip {
			theta += math.Pi
		}
		out = rotate(img, theta)
		for i, r := range truth {
			truth[i] = rotateBox(r, theta, w, h)
		}
	}
	if s.degrade {
		out = degrade(t, out.(*image.RGBA), rnd)
	}
	return out, truth
}

// background: paper lit unevenly, and two families of coloured sine guilloche.
func background(img *image.RGBA, rnd *rand.Rand) {
	b := img.Bounds()
	phase := rnd.Float64() * 6
	k := 1012 / float64(b.Dx()) // the pattern scales with the card
	blue, pink := color.RGBA{150, 185, 230, 255}, color.RGBA{230, 160, 195, 255}
	for y := range b.Dy() {
		for x := range b.Dx() {
			fx, fy := float64(x)*k, float64(y)*k
			shade := 1 - 0.12*fx/1012 - 0.05*fy/638 // light falling from the top left
			c := paper
			if math.Sin(fx/7+3*math.Sin(fy/23+phase)) > 0.93 {
				c = blue
			} else if math.Sin(fy/6+2.5*math.Sin(fx/31-phase)) > 0.95 {
				c = pink
			}
			i := img.PixOffset(x, y)
			img.Pix[i], img.Pix[i+1], img.Pix[i+2], img.Pix[i+3] = uint8(float64(c.R)*shade), uint8(float64(c.G)*shade), uint8(float64(c.B)*shade), 255
		}
	}
}

// distractors fills the space the zone leaves with what a card back also prints: a
// photograph, a barcode, a QR code and proportional text.
func distractors(t testing.TB, img *image.RGBA, tf typefaces, zone image.Rectangle, rnd *rand.Rand) {
	b := img.Bounds()
	free := b.Inset(b.Dx() / 40)
	if !zone.Empty() {
		above := image.Rect(free.Min.X, free.Min.Y, free.Max.X, zone.Min.Y-b.Dy()/30)
		below := image.Rect(free.Min.X, zone.Max.Y+b.Dy()/30, free.Max.X, free.Max.Y)
		free = above
		if below.Dy() > above.Dy() {
			free = below
		}
	}
	if free.Dy() < b.Dy()/8 {
		return
	}
	u := float64(b.Dx()) / 1012
	x := free.Min.X
	hgt := min(free.Dy(), int(300*u))
	// Photograph: a shaded head and shoulders with some texture.
	pw := int(200 * u)
	photo(img, image.Rect(x, free.Min.Y, x+pw, free.Min.Y+hgt), rnd)
	x += pw + int(30*u)
	// QR-like block: finder squares and random modules.
	q := min(hgt, int(150*u))
	qr(img, image.Rect(x, free.Min.Y, x+q, free.Min.Y+q), rnd)
	x += q + int(30*u)
	// Barcode: bars of random widths.
	bw := min(int(330*u), free.Max.X-x)
	barcode(img, image.Rect(x, free.Min.Y, x+bw, free.Min.Y+min(hgt/2, int(110*u))), rnd)
	// Proportional text under the barcode, if there is room.
	top := free.Min.Y + min(hgt/2, int(110*u)) + int(20*u)
	size := 22 * u
	fc := newFace(t, tf.sans, size)
	defer fc.Close()
	words := []string{"Instituto Nacional Electoral", "ESTE DOCUMENTO ES INTRANSFERIBLE", "NO ES VALIDO SI PRESENTA", "TACHADURAS O ENMENDADURAS", "El titular esta obligado a", "notificar el cambio de domicilio", "CLAVE 1234 SECCION 0567"}
	for i := 0; top+int(float64(i+1)*size*1.4) < free.Min.Y+hgt; i++ {
		d := font.Drawer{Dst: img, Src: image.NewUniform(ink), Face: fc, Dot: fixed.P(x, top+int(float64(i+1)*size*1.4))}
		d.DrawString(words[(i+int(rnd.IntN(3)))%len(words)])
	}
}

func photo(img *image.RGBA, r image.Rectangle, rnd *rand.Rand) {
	cx, cy := float64(r.Min.X+r.Max.X)/2, float64(r.Min.Y)+float64(r.Dy())*0.4
	rx, ry := float64(r.Dx())*0.28, float64(r.Dy())*0.26
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			fx, fy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
			v := 200 - 40*float64(y-r.Min.Y)/float64(r.Dy())
			if fx*fx+fy*fy < 1 || (float64(y) > cy+ry*1.1 && math.Abs(fx) < 1.6+float64(y)/float64(r.Max.Y)) {
				v = 90 + 50*math.Sin(fx*5)*math.Cos(fy*4)
			}
			v += rnd.NormFloat64() * 12
			c := uint8(min(max(v, 0), 255))
			img.SetRGBA(x, y, color.RGBA{c, uint8(float64(c) * 0.9), uint8(float64(c) * 0.8), 255})
		}
	}
}

func qr(img *image.RGBA, r image.Rectangle, rnd *rand.Rand) {
	const n = 25
	m := float64(r.Dx()) / n
	finder := func(i, j int) (bool, bool) {
		for _, o := range [][2]int{{0, 0}, {n - 7, 0}, {0, n - 7}} {
			a, b := i-o[0], j-o[1]
			if a >= 0 && a < 7 && b >= 0 && b < 7 {
				return true, a == 0 || a == 6 || b == 0 || b == 6 || (a >= 2 && a <= 4 && b >= 2 && b <= 4)
			}
		}
		return false, false
	}
	for j := range n {
		for i := range n {
			in, dark := finder(i, j)
			if !in {
				dark = rnd.IntN(2) == 0
			}
			if dark {
				draw.Draw(img, image.Rect(r.Min.X+int(float64(i)*m), r.Min.Y+int(float64(j)*m), r.Min.X+int(float64(i+1)*m), r.Min.Y+int(float64(j+1)*m)),
					image.NewUniform(color.Black), image.Point{}, draw.Src)
			}
		}
	}
}

func barcode(img *image.RGBA, r image.Rectangle, rnd *rand.Rand) {
	u := max(1, r.Dx()/200)
	for x := r.Min.X; x < r.Max.X; {
		bar := u * (1 + rnd.IntN(4))
		draw.Draw(img, image.Rect(x, r.Min.Y, min(x+bar, r.Max.X), r.Max.Y), image.NewUniform(color.Black), image.Point{}, draw.Src)
		x += bar + u*(1+rnd.IntN(4))
	}
}

// glare: a bright, soft spot, as a lamp's reflection.
func glare(img *image.RGBA, rnd *rand.Rand) {
	b := img.Bounds()
	cx, cy := float64(b.Dx())*(0.3+0.4*rnd.Float64()), float64(b.Dy())*(0.5+0.4*rnd.Float64())
	rad := float64(b.Dx()) * 0.15
	for y := range b.Dy() {
		for x := range b.Dx() {
			d := math.Hypot(float64(x)-cx, float64(y)-cy) / rad
			if d >= 1 {
				continue
			}
			k := 0.6 * (1 - d*d)
			i := img.PixOffset(x, y)
			for c := range 3 {
				img.Pix[i+c] = uint8(float64(img.Pix[i+c])*(1-k) + 255*k)
			}
		}
	}
}

// rotate turns img by theta (clockwise, y down) about its centre, bilinear; what falls
// outside the card is a grey desk.
func rotate(src *image.RGBA, theta float64) *image.RGBA {
	b := src.Bounds()
	out := image.NewRGBA(b)
	cx, cy := float64(b.Dx())/2, float64(b.Dy())/2
	sin, cos := math.Sincos(theta)
	for y := range b.Dy() {
		for x := range b.Dx() {
			// The inverse rotation gives the source point.
			dx, dy := float64(x)+0.5-cx, float64(y)+0.5-cy
			sx, sy := cos*dx+sin*dy+cx-0.5, -sin*dx+cos*dy+cy-0.5
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			o := out.PixOffset(x, y)
			if x0 < 0 || y0 < 0 || x0+1 >= b.Dx() || y0+1 >= b.Dy() {
				out.Pix[o], out.Pix[o+1], out.Pix[o+2], out.Pix[o+3] = 90, 90, 95, 255
				continue
			}
			tx, ty := sx-float64(x0), sy-float64(y0)
			for c := range 3 {
				p := func(x, y int) float64 { return float64(src.Pix[src.PixOffset(x, y)+c]) }
				v := (p(x0, y0)*(1-tx)+p(x0+1, y0)*tx)*(1-ty) + (p(x0, y0+1)*(1-tx)+p(x0+1, y0+1)*tx)*ty
				out.Pix[o+c] = uint8(v + 0.5)
			}
			out.Pix[o+3] = 255
		}
	}
	return out
}

// rotateBox is the axis-aligned box of r's corners turned as rotate turns the image.
func rotateBox(r image.Rectangle, theta float64, w, h int) image.Rectangle {
	cx, cy := float64(w)/2, float64(h)/2
	sin, cos := math.Sincos(theta)
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range [][2]float64{{float64(r.Min.X), float64(r.Min.Y)}, {float64(r.Max.X), float64(r.Min.Y)}, {float64(r.Min.X), float64(r.Max.Y)}, {float64(r.Max.X), float64(r.Max.Y)}} {
		dx, dy := p[0]-cx, p[1]-cy
		x, y := cos*dx-sin*dy+cx, sin*dx+cos*dy+cy
		minX, minY, maxX, maxY = min(minX, x), min(minY, y), max(maxX, x), max(maxY, y)
	}
	return image.Rect(int(math.Floor(minX)), int(math.Floor(minY)), int(math.Ceil(maxX)), int(math.Ceil(maxY)))
}

// degrade blurs (σ 1), adds sensor noise and compresses as JPEG at quality 60; the
// result is what image/jpeg decodes, a *image.YCbCr.
func degrade(t testing.TB, src *image.RGBA, rnd *rand.Rand) image.Image {
	t.Helper()
	img := blur(src)
	for i := 0; i < len(img.Pix); i += 4 {
		n := rnd.NormFloat64() * 6
		for c := range 3 {
			img.Pix[i+c] = uint8(min(max(float64(img.Pix[i+c])+n, 0), 255))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 60}); err != nil {
		t.Fatal(err)
	}
	out, err := jpeg.Decode(&buf)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// blur is a separable Gaussian of σ 1.
func blur(src *image.RGBA) *image.RGBA {
	k := [7]float64{}
	sum := 0.0
	for i := range k {
		d := float64(i - 3)
		k[i] = math.Exp(-d * d / 2)
		sum += k[i]
	}
	b := src.Bounds()
	pass := func(in *image.RGBA, dx, dy int) *image.RGBA {
		out := image.NewRGBA(b)
		for y := range b.Dy() {
			for x := range b.Dx() {
				var acc [3]float64
				for j, wt := range k {
					sx, sy := min(max(x+(j-3)*dx, 0), b.Dx()-1), min(max(y+(j-3)*dy, 0), b.Dy()-1)
					i := in.PixOffset(sx, sy)
					acc[0] += wt * float64(in.Pix[i])
					acc[1] += wt * float64(in.Pix[i+1])
					acc[2] += wt * float64(in.Pix[i+2])
				}
				o := out.PixOffset(x, y)
				for c := range 3 {
					out.Pix[o+c] = uint8(acc[c]/sum + 0.5)
				}
				out.Pix[o+3] = 255
			}
		}
		return out
	}
	return pass(pass(src, 1, 0), 0, 1)
}
