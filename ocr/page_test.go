package ocr_test

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"cotejo/ocr"
	"cotejo/ocr/cardgen"
	"cotejo/ocr/labels"
	"cotejo/ocr/layout"
	"cotejo/ocr/locate"
	"cotejo/verify/credential"
	"cotejo/verify/credential/synthetic"
)

func pagePool(t testing.TB) *ocr.Pool {
	t.Helper()
	p := ocr.NewPool(1, "spa")
	t.Cleanup(func() { p.Close() })
	return p
}

func pageFonts(t testing.TB) *cardgen.Fonts {
	t.Helper()
	f, err := cardgen.LoadFonts()
	if err != nil {
		t.Skip(err)
	}
	return f
}

// pageFront draws model m's front for a new citizen of g.
func pageFront(t testing.TB, f *cardgen.Fonts, g *synthetic.Generator, m credential.Model, o synthetic.Options) *image.RGBA {
	t.Helper()
	h := cardgen.NewHolder(g.Citizen(m, o), g.Rand())
	img, err := f.Render(h, m, layout.Front, rand.New(rand.NewPCG(uint64(len(m)), 3)))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// pageValues reads a card's words and finds its labels and values.
func pageValues(t testing.TB, p *ocr.Pool, card *image.RGBA) []labels.Value {
	t.Helper()
	ws, err := p.Words(context.Background(), ocr.PageImage(card))
	if err != nil {
		t.Fatal(err)
	}
	return labels.Find(ws, card.Bounds())
}

func pageIoU(a, b image.Rectangle) float64 {
	i := a.Intersect(b)
	n := float64(i.Dx() * i.Dy())
	return n / (float64(a.Dx()*a.Dy()+b.Dx()*b.Dy()) - n)
}

// pageRequired are the labels every front has.
func pageRequired() []layout.Field {
	return []layout.Field{layout.Nombre, layout.ClaveElector, layout.CURP, layout.Registro, layout.Nacimiento, layout.Sexo}
}

// checkPageBoxes compares the values found with where the fields are: every required
// field found, and every value found of a field in want on its box (IoU ≥ 0.5, or
// containing it).
func checkPageBoxes(t *testing.T, name string, vs []labels.Value, want map[layout.Field]image.Rectangle) {
	t.Helper()
	got := map[layout.Field]labels.Value{}
	for _, v := range vs {
		got[v.Field] = v
		r, ok := want[v.Field]
		if !ok {
			continue
		}
		if pageIoU(v.Box, r) < 0.5 && !r.In(v.Box) {
			t.Errorf("%s: %s box %v, pagePrinted in %v (IoU %.2f); read %q", name, v.Field, v.Box, r, pageIoU(v.Box, r), v.Text)
		}
	}
	for _, f := range pageRequired() {
		if _, ok := got[f]; !ok {
			t.Errorf("%s: %s not found", name, f)
		}
	}
	if t.Failed() {
		for _, v := range vs {
			t.Logf("%s: %-12s %-5s %.2f label %v box %v %q", name, v.Field, v.Where, v.Score, v.Label, v.Box, v.Text)
		}
	}
}

func pageTableBoxes(m credential.Model) map[layout.Field]image.Rectangle {
	out := map[layout.Field]image.Rectangle{}
	for _, r := range layout.For(m, layout.Front).Fields {
		out[r.Field] = r.Box
	}
	return out
}

// Every model's front, as drawn: the labels are found and the values' boxes are the
// layout table's.
func TestWordsModels(t *testing.T) {
	f := pageFonts(t)
	p := pagePool(t)
	g := synthetic.NewGenerator(11, 12)
	for _, m := range layout.Models() {
		// One holder without a second surname: a name of two lines.
		card := pageFront(t, f, g, m, synthetic.Options{SinMaterno: m == credential.ModelF})
		checkPageBoxes(t, string(m), pageValues(t, p, card), pageTableBoxes(m))
	}
}

// Every model's front photographed with care (level 1), found and straightened as the
// reader does.
func TestWordsPhotographed(t *testing.T) {
	f := pageFonts(t)
	p := pagePool(t)
	g := synthetic.NewGenerator(13, 14)
	level, err := cardgen.LevelOf(1)
	if err != nil {
		t.Fatal(err)
	}
	finder, err := locate.NewFinder()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range layout.Models() {
		photo, _, err := cardgen.Photograph(pageFront(t, f, g, m, synthetic.Options{}), level, rand.New(rand.NewPCG(uint64(len(m)), 15)))
		if err != nil {
			t.Fatal(err)
		}
		found, err := finder.Find(photo)
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		card, err := locate.Straighten(photo, found, false)
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		checkPageBoxes(t, string(m), pageValues(t, p, card), pageTableBoxes(m))
	}
}

// A front cut up and pasted back in another arrangement: three fields side by side on
// one row, the name in the middle, the address beside the validity. The value boxes
// follow the fields.
func TestWordsMovedLayout(t *testing.T) {
	f := pageFonts(t)
	p := pagePool(t)
	const m = credential.ModelE
	src := pageFront(t, f, synthetic.NewGenerator(21, 22), m, synthetic.Options{})
	d := layout.For(m, layout.Front)
	to := map[layout.Field]image.Point{ // where each value box goes
		layout.Nacimiento:   {320, 150},
		layout.Sexo:         {560, 150},
		layout.Registro:     {680, 150},
		layout.Nombre:       {320, 230},
		layout.ClaveElector: {320, 390},
		layout.Seccion:      {800, 390},
		layout.CURP:         {320, 465},
		layout.Emision:      {800, 465},
		layout.Vigencia:     {320, 560},
		layout.Domicilio:    {440, 540},
	}
	// A field's block: its value box and its label above it.
	block := func(r image.Rectangle) image.Rectangle {
		return image.Rect(r.Min.X-4, r.Min.Y-24, r.Max.X+4, r.Max.Y+2)
	}
	card := image.NewRGBA(src.Bounds())
	draw.Draw(card, card.Bounds(), src, image.Point{}, draw.Src)
	paper := image.NewUniform(pagePaper(src))
	for _, r := range d.Fields {
		draw.Draw(card, block(r.Box), paper, image.Point{}, draw.Src)
	}
	want := map[layout.Field]image.Rectangle{}
	for _, r := range d.Fields {
		at, ok := to[r.Field]
		if !ok {
			t.Fatalf("no place for %s", r.Field)
		}
		moved := r.Box.Add(at.Sub(r.Box.Min))
		b := block(r.Box)
		draw.Draw(card, b.Add(at.Sub(r.Box.Min)), src, b.Min, draw.Src)
		want[r.Field] = moved
	}
	checkPageBoxes(t, "moved", pageValues(t, p, card), want)
}

// pagePaper is the card's commonest colour below its header.
func pagePaper(img *image.RGBA) color.RGBA {
	n := map[color.RGBA]int{}
	for y := 120; y < img.Bounds().Dy(); y += 3 {
		for x := 0; x < img.Bounds().Dx(); x += 3 {
			n[img.RGBAAt(x, y)]++
		}
	}
	var best color.RGBA
	for c, k := range n {
		if k > n[best] || k == n[best] && (c.R+c.G+c.B > best.R+best.G+best.B) {
			best = c
		}
	}
	return best
}

// pagePrinted is one field of a card drawn by pageRightCard: where its label's and
// value's ink is.
type pagePrinted struct {
	field        layout.Field
	label, value image.Rectangle
}

// pageRightCard draws a card of another design in Liberation Sans: title-case labels,
// values right of them, the name and address continuing on lines under their first,
// two fields on some rows, a tinted wave background.
func pageRightCard(t testing.TB) (*image.RGBA, []pagePrinted) {
	t.Helper()
	load := func(name string) *opentype.Font {
		b, err := os.ReadFile("/usr/share/fonts/truetype/liberation/" + name)
		if err != nil {
			t.Skip(err)
		}
		f, err := opentype.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	face := func(f *opentype.Font, size float64) font.Face {
		fc, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { fc.Close() })
		return fc
	}
	regular, bold := load("LiberationSans-Regular.ttf"), load("LiberationSans-Bold.ttf")
	labelFace, valueFace, titleFace := face(bold, 19), face(regular, 28), face(bold, 26)
	img := image.NewRGBA(image.Rect(0, 0, layout.Width, layout.Height))
	for y := range layout.Height {
		for x := range layout.Width {
			c := color.RGBA{248, 247, 250, 255}
			if math.Sin(float64(x)/7+3*math.Sin(float64(y)/23))*math.Sin(float64(y)/9) > 0.5 {
				c = color.RGBA{200, 220, 240, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	draw.Draw(img, image.Rect(30, 130, 250, 420), image.NewUniform(color.RGBA{200, 203, 208, 255}), image.Point{}, draw.Src)
	write := func(fc font.Face, ink color.RGBA, x, baseline int, s string) image.Rectangle {
		dr := &font.Drawer{Dst: img, Src: image.NewUniform(ink), Face: fc, Dot: fixed.P(x, baseline)}
		b, _ := dr.BoundString(s)
		dr.DrawString(s)
		return image.Rect(b.Min.X.Floor(), b.Min.Y.Floor(), b.Max.X.Ceil(), b.Max.Y.Ceil())
	}
	write(titleFace, color.RGBA{20, 60, 130, 255}, 300, 60, "Credencial para Votar")
	var out []pagePrinted
	field := func(f layout.Field, lx, vx, baseline int, label string, lines ...string) {
		pr := pagePrinted{field: f, label: write(labelFace, color.RGBA{30, 70, 150, 255}, lx, baseline, label)}
		for i, l := range lines {
			pr.value = pr.value.Union(write(valueFace, color.RGBA{15, 15, 20, 255}, vx, baseline+i*34, l))
		}
		out = append(out, pr)
	}
	field(layout.Nombre, 290, 440, 150, "Nombre", "HERNANDEZ", "PEÑA", "ANA SOFIA")
	field(layout.Domicilio, 290, 440, 270, "Domicilio", "C. MORELOS 12", "COL. CENTRO 50000")
	field(layout.ClaveElector, 290, 470, 370, "Clave elector", "HRPNAN80010109M400")
	field(layout.Nacimiento, 290, 520, 420, "Fecha de nacimiento", "01/01/1980")
	field(layout.Sexo, 760, 830, 420, "Sexo", "M")
	field(layout.CURP, 290, 380, 470, "CURP", "HEPA800101MMCRXN09")
	field(layout.Registro, 290, 480, 520, "Año de registro", "1998 03")
	field(layout.Seccion, 680, 790, 520, "Sección", "4321")
	field(layout.Vigencia, 290, 400, 570, "Vigencia", "2019 - 2029")
	return img, out
}

// A card of another design, values right of title-case labels: each value's box holds
// its ink and no other field's.
func TestWordsRightLayout(t *testing.T) {
	card, fields := pageRightCard(t)
	vs := pageValues(t, pagePool(t), card)
	got := map[layout.Field]labels.Value{}
	for _, v := range vs {
		got[v.Field] = v
	}
	for _, pr := range fields {
		v, ok := got[pr.field]
		if !ok {
			t.Errorf("%s not found", pr.field)
			continue
		}
		if v.Where != labels.Right {
			t.Errorf("%s: value %s, want right", pr.field, v.Where)
		}
		if !pr.value.In(v.Box) {
			t.Errorf("%s: box %v misses the value pagePrinted in %v", pr.field, v.Box, pr.value)
		}
		for _, other := range fields {
			if other.label.Overlaps(v.Box) || other.field != pr.field && other.value.Overlaps(v.Box) {
				t.Errorf("%s: box %v overlaps %s's label %v or value %v", pr.field, v.Box, other.field, other.label, other.value)
			}
		}
	}
	if t.Failed() {
		for _, v := range vs {
			t.Logf("%-12s %-5s %.2f label %v box %v %q", v.Field, v.Where, v.Score, v.Label, v.Box, v.Text)
		}
	}
}

// PageImage keeps the card's coordinates: dark ink stays where it was pagePrinted.
func TestPageImage(t *testing.T) {
	card := image.NewRGBA(image.Rect(0, 0, 200, 100))
	draw.Draw(card, card.Bounds(), image.NewUniform(color.RGBA{240, 220, 230, 255}), image.Point{}, draw.Src)
	ink := image.Rect(50, 40, 70, 60)
	draw.Draw(card, ink, image.NewUniform(color.RGBA{150, 40, 90, 255}), image.Point{}, draw.Src) // a label's colour
	g := ocr.PageImage(card)
	if !card.Bounds().In(g.Bounds()) {
		t.Fatalf("page %v does not hold the card %v", g.Bounds(), card.Bounds())
	}
	for _, pt := range []image.Point{{50, 40}, {69, 59}, {60, 50}} {
		if v := g.GrayAt(pt.X, pt.Y).Y; v > 100 {
			t.Errorf("ink at %v is %d", pt, v)
		}
	}
	for _, pt := range []image.Point{{49, 40}, {70, 59}, {0, 0}, {199, 99}, {-10, -10}} {
		if v := g.GrayAt(pt.X, pt.Y).Y; v < 200 {
			t.Errorf("paper at %v is %d", pt, v)
		}
	}
}

// BenchmarkWords times reading one page's words (model E's front) and finding its
// labels.
func BenchmarkWords(b *testing.B) {
	f := pageFonts(b)
	p := pagePool(b)
	card := pageFront(b, f, synthetic.NewGenerator(31, 32), credential.ModelE, synthetic.Options{})
	page := ocr.PageImage(card)
	if _, err := p.Words(context.Background(), page); err != nil { // the client's start
		b.Fatal(err)
	}
	var times []time.Duration
	for b.Loop() {
		t0 := time.Now()
		ws, err := p.Words(context.Background(), page)
		if err != nil {
			b.Fatal(err)
		}
		labels.Find(ws, card.Bounds())
		times = append(times, time.Since(t0))
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Milliseconds()), "ms/page(median)")
	b.Log(fmt.Sprint(len(times), " pages"))
}
