package locate_test

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"cotejo/ocr/cardgen"
	"cotejo/ocr/geom"
	"cotejo/ocr/layout"
	"cotejo/ocr/locate"
	"cotejo/verify/credential"
	"cotejo/verify/credential/synthetic"
)

var sheet = flag.String("scenes.sheet", "", "write a contact sheet of TestFindScenes' hard cases to this PNG file")

type sceneKind struct {
	name  string
	scene cardgen.Scene
	// need is how many of each level's perCell photos (levels 0–2) Find must get right:
	// what it gets right today, less one where that is already not all of them or the
	// worst error is near the limit, so that the test guards against losing ground
	// without failing on a rounding. What it misses is in TestFindScenes' doc.
	need [3]int
}

// perCell is how many photos TestFindScenes takes per scene and level.
const perCell = 4

// sceneKinds are the photographs Find must cope with besides a card on a plain desk.
func sceneKinds() []sceneKind {
	return []sceneKind{
		{"wood", cardgen.Scene{Desk: cardgen.DeskWood}, [3]int{4, 4, 4}},
		{"cloth", cardgen.Scene{Desk: cardgen.DeskCloth}, [3]int{4, 1, 1}},
		{"checker", cardgen.Scene{Desk: cardgen.DeskChecker}, [3]int{4, 4, 2}},
		{"newspaper", cardgen.Scene{Desk: cardgen.DeskNewspaper}, [3]int{4, 4, 4}},
		{"paper", cardgen.Scene{Desk: cardgen.DeskPaper}, [3]int{3, 4, 1}},
		{"fullframe", cardgen.Scene{FullFrame: true}, [3]int{2, 2, 4}},
		{"scan", cardgen.Scene{Desk: cardgen.DeskPaper, FullFrame: true, Rotate360: true}, [3]int{2, 1, 2}},
		{"rotate", cardgen.Scene{Rotate360: true}, [3]int{4, 4, 4}},
		{"finger", cardgen.Scene{Finger: true}, [3]int{4, 4, 4}},
		{"mixed", cardgen.Scene{Desk: cardgen.DeskWood, Finger: true, Rotate360: true}, [3]int{4, 4, 4}},
	}
}

type pooled struct {
	img   *image.RGBA
	model credential.Model
	side  layout.Side
}

// cardPool renders every design once, each for its own holder.
func cardPool(t *testing.T, f *cardgen.Fonts) []pooled {
	t.Helper()
	g := synthetic.NewGenerator(23, 5)
	var pool []pooled
	for k, d := range layout.All() {
		h := cardgen.NewHolder(g.Citizen(d.Model, synthetic.Options{}), rand.New(rand.NewPCG(uint64(k), 7)))
		img, err := f.Render(h, d.Model, d.Side, rand.New(rand.NewPCG(uint64(k), 8)))
		if err != nil {
			t.Fatal(err)
		}
		pool = append(pool, pooled{img, d.Model, d.Side})
	}
	return pool
}

// outlineError is how far apart the outlines of two quadrilaterals are in the image
// (the Hausdorff distance between their boundaries clipped to it): where a card runs
// past the border no finder can see its corners, only that it fills the image up to
// there. For a card inside the image it is the largest corner error, turned either way.
func outlineError(a, b [4]geom.Point, r image.Rectangle) float64 {
	pa, pb := clip(a[:], r), clip(b[:], r)
	if len(pa) < 3 || len(pb) < 3 {
		return math.Inf(1)
	}
	return math.Max(farthest(pa, pb), farthest(pb, pa))
}

// farthest is how far from q's boundary p's boundary strays, in steps of 2 pixels.
func farthest(p, q []geom.Point) float64 {
	worst := 0.0
	for i := range p {
		a, b := p[i], p[(i+1)%len(p)]
		n := int(math.Hypot(b.X-a.X, b.Y-a.Y)/2) + 1
		for k := 0; k <= n; k++ {
			t := float64(k) / float64(n)
			x := geom.Point{X: a.X + (b.X-a.X)*t, Y: a.Y + (b.Y-a.Y)*t}
			near := math.Inf(1)
			for j := range q {
				near = math.Min(near, toSegment(x, q[j], q[(j+1)%len(q)]))
			}
			worst = math.Max(worst, near)
		}
	}
	return worst
}

func toSegment(p, a, b geom.Point) float64 {
	dx, dy := b.X-a.X, b.Y-a.Y
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = math.Max(0, math.Min(1, ((p.X-a.X)*dx+(p.Y-a.Y)*dy)/l2))
	}
	return math.Hypot(p.X-a.X-t*dx, p.Y-a.Y-t*dy)
}

// clip clips a convex polygon to the rectangle (Sutherland–Hodgman).
func clip(p []geom.Point, r image.Rectangle) []geom.Point {
	x0, y0, x1, y1 := float64(r.Min.X), float64(r.Min.Y), float64(r.Max.X), float64(r.Max.Y)
	// Each edge of the rectangle as a signed distance, positive inside.
	for _, in := range []func(geom.Point) float64{
		func(p geom.Point) float64 { return p.X - x0 },
		func(p geom.Point) float64 { return x1 - p.X },
		func(p geom.Point) float64 { return p.Y - y0 },
		func(p geom.Point) float64 { return y1 - p.Y },
	} {
		var out []geom.Point
		for i := range p {
			a, b := p[i], p[(i+1)%len(p)]
			da, db := in(a), in(b)
			if (da >= 0) != (db >= 0) {
				t := da / (da - db)
				out = append(out, geom.Point{X: a.X + t*(b.X-a.X), Y: a.Y + t*(b.Y-a.Y)})
			}
			if db >= 0 {
				out = append(out, b)
			}
		}
		if p = out; len(p) == 0 {
			break
		}
	}
	return p
}

type sceneResult struct {
	kind, level, j int
	photo          *image.RGBA
	truth          [4]geom.Point
	found          locate.Found
	err            error
	cornerErr, tol float64
	// classified: Straighten and Classify tell the model and side from the found
	// corners; readable: they do from the true ones.
	classified, readable bool
}

func (r *sceneResult) ok() bool {
	return r.err == nil && r.cornerErr <= r.tol && (r.classified || !r.readable)
}

// TestFindScenes photographs cards on patterned and same-coloured desks, filling the
// frame, turned any way and under a finger, levels 0–2, and checks that Find's outline
// is within TestFindCorners' limits of the true one (as far as the image shows it; for
// a card inside the image, its corners) and that the straightened card is recognised
// wherever the straightened true card is. It logs the success rate per scene and level;
// -scenes.sheet draws the misses and one photo of each scene.
//
// What Find still misses: a fine gingham at levels 1–2, whose checks the work
// resolution blurs into a texture with the card's edges faint in it; the white margin
// between a card's edge and a band or strip printed along it, taken for desk where the
// card runs to the image's border (a scan, a tight photo); on white paper at level 2, a
// lit edge hardly darker than the paper, a side then placed at the shadow's edge or the
// print's; a checkerboard's lines taken for a side now and then.
func TestFindScenes(t *testing.T) {
	f, err := cardgen.LoadFonts()
	if err != nil {
		t.Skip(err)
	}
	cls, err := locate.NewClassifier()
	if err != nil {
		t.Fatal(err)
	}
	finder := newFinder(t)
	pool := cardPool(t, f)
	kinds := sceneKinds()
	limits := []float64{3, 4, 5}
	var results []*sceneResult
	for k := range kinds {
		for level := range limits {
			for j := range perCell {
				results = append(results, &sceneResult{kind: k, level: level, j: j})
			}
		}
	}
	// Photographing is most of the time: spread it over the processors.
	var wg sync.WaitGroup
	next := make(chan *sceneResult)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for r := range next {
				card := pool[(r.j*5+r.kind*3+r.level*7)%len(pool)]
				lv, err := cardgen.LevelOf(r.level)
				if err != nil {
					r.err = err
					continue
				}
				rnd := rand.New(rand.NewPCG(uint64(100+r.kind), uint64(1000*r.level+r.j)))
				if r.photo, r.truth, err = cardgen.PhotographScene(card.img, lv, kinds[r.kind].scene, rnd); err != nil {
					r.err = err
					continue
				}
				r.tol = limits[r.level]
				recognised := func(c [4]geom.Point) bool {
					flat, err := locate.Straighten(r.photo, locate.Found{Corners: c}, false)
					if err != nil {
						return false
					}
					m, err := cls.Classify(flat)
					return err == nil && m.Model == card.model && m.Side == card.side
				}
				r.readable = recognised(r.truth)
				if r.found, r.err = finder.Find(r.photo); r.err != nil {
					continue
				}
				r.cornerErr = outlineError(r.found.Corners, r.truth, r.photo.Bounds())
				r.classified = recognised(r.found.Corners)
			}
		})
	}
	for _, r := range results {
		next <- r
	}
	close(next)
	wg.Wait()

	var hard []*sceneResult
	for k, kind := range kinds {
		var line strings.Builder
		fmt.Fprintf(&line, "%-10s", kind.name)
		for level := range limits {
			good, n, worst := 0, 0, 0.0
			for _, r := range results {
				if r.kind != k || r.level != level {
					continue
				}
				n++
				if r.ok() {
					good++
				} else {
					hard = append(hard, r)
					t.Logf("%s level %d photo %d: %v, corners off by %.1f px (allowed %.1f), recognised %v (true corners: %v)", kind.name, level, r.j, r.err, r.cornerErr, r.tol, r.classified, r.readable)
				}
				if r.err == nil {
					worst = math.Max(worst, r.cornerErr)
				}
			}
			fmt.Fprintf(&line, "  L%d %d/%d (worst %.1f px)", level, good, n, worst)
			if good < kind.need[level] {
				t.Errorf("%s level %d: %d of %d photos right, want %d", kind.name, level, good, n, kind.need[level])
			}
		}
		t.Log(line.String())
	}
	if *sheet != "" {
		// The failures, then one of each kind at level 2.
		for _, r := range results {
			if r.level == 2 && r.j == 0 && r.ok() {
				hard = append(hard, r)
			}
		}
		if err := contactSheet(*sheet, hard, kinds); err != nil {
			t.Fatal(err)
		}
	}
}

// contactSheet draws each photo small, the true outline red and the found one green,
// with its scene, level and corner error.
func contactSheet(path string, rs []*sceneResult, kinds []sceneKind) error {
	const cw, ch, cols = 480, 380, 4
	rows := (len(rs) + cols - 1) / cols
	img := image.NewRGBA(image.Rect(0, 0, cw*cols, ch*max(rows, 1)))
	for i := range img.Pix {
		img.Pix[i] = 40
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	for i, r := range rs {
		if r.photo == nil {
			continue
		}
		b := r.photo.Bounds()
		k := math.Min(float64(cw-10)/float64(b.Dx()), float64(ch-30)/float64(b.Dy()))
		ox, oy := (i%cols)*cw+5, (i/cols)*ch+25
		dst := image.Rect(ox, oy, ox+int(float64(b.Dx())*k), oy+int(float64(b.Dy())*k))
		xdraw.ApproxBiLinear.Scale(img, dst, r.photo, b, xdraw.Src, nil)
		at := func(p geom.Point) geom.Point { return geom.Point{X: float64(ox) + p.X*k, Y: float64(oy) + p.Y*k} }
		for s := range 4 {
			segment(img, at(r.truth[s]), at(r.truth[(s+1)%4]), color.RGBA{255, 40, 40, 255})
			if r.err == nil {
				segment(img, at(r.found.Corners[s]), at(r.found.Corners[(s+1)%4]), color.RGBA{40, 255, 40, 255})
			}
		}
		label := fmt.Sprintf("%s L%d #%d: %.1f px", kinds[r.kind].name, r.level, r.j, r.cornerErr)
		if r.err != nil {
			label = fmt.Sprintf("%s L%d #%d: no card", kinds[r.kind].name, r.level, r.j)
		} else if r.found.Whole {
			label += " whole"
		}
		if !r.ok() {
			label += " FAIL"
		}
		(&font.Drawer{Dst: img, Src: image.White, Face: basicfont.Face7x13, Dot: fixed.P(ox, oy-8)}).DrawString(label)
	}
	w, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(w, img); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}

func segment(img *image.RGBA, a, b geom.Point, c color.RGBA) {
	n := int(math.Hypot(b.X-a.X, b.Y-a.Y)) + 1
	for s := 0; s <= n; s++ {
		t := float64(s) / float64(n)
		p := image.Pt(int(a.X+(b.X-a.X)*t), int(a.Y+(b.Y-a.Y)*t))
		if p.In(img.Bounds()) {
			img.SetRGBA(p.X, p.Y, c)
		}
	}
}

// TestPhotographScene: the zero Scene is Photograph's, photo for photo (other tests
// depend on Photograph's output for a seed), and each scene frames the card as it says.
func TestPhotographScene(t *testing.T) {
	f, err := cardgen.LoadFonts()
	if err != nil {
		t.Skip(err)
	}
	card := cardPool(t, f)[0].img
	for level := range 3 {
		lv, err := cardgen.LevelOf(level)
		if err != nil {
			t.Fatal(err)
		}
		a, qa, err := cardgen.Photograph(card, lv, rand.New(rand.NewPCG(5, uint64(level))))
		if err != nil {
			t.Fatal(err)
		}
		b, qb, err := cardgen.PhotographScene(card, lv, cardgen.Scene{}, rand.New(rand.NewPCG(5, uint64(level))))
		if err != nil {
			t.Fatal(err)
		}
		if qa != qb || !bytes.Equal(a.Pix, b.Pix) {
			t.Errorf("level %d: the zero Scene's photo differs from Photograph's", level)
		}
	}
	lv, err := cardgen.LevelOf(0)
	if err != nil {
		t.Fatal(err)
	}
	for k, s := range []cardgen.Scene{{FullFrame: true}, {FullFrame: true, Rotate360: true}, {Desk: cardgen.DeskNewspaper, Finger: true}} {
		for seed := range uint64(8) {
			photo, q, err := cardgen.PhotographScene(card, lv, s, rand.New(rand.NewPCG(seed, uint64(k))))
			if err != nil {
				t.Fatal(err)
			}
			b := photo.Bounds()
			long, short := math.Hypot(q[1].X-q[0].X, q[1].Y-q[0].Y), math.Hypot(q[3].X-q[0].X, q[3].Y-q[0].Y)
			switch {
			case s.FullFrame && (math.Abs(long-float64(max(b.Dx(), b.Dy())))/long > 0.1 || (b.Dx() > b.Dy()) != (math.Abs(q[1].X-q[0].X) > math.Abs(q[1].Y-q[0].Y))):
				t.Errorf("%+v seed %d: a %v photo of a card %.0f × %.0f, corners %v: not filled", s, seed, b.Size(), long, short, q)
			case !s.FullFrame && !inside(q, b):
				t.Errorf("%+v seed %d: the card runs out of the %v photo: %v", s, seed, b.Size(), q)
			}
		}
	}
}

func inside(q [4]geom.Point, b image.Rectangle) bool {
	for _, p := range q {
		if p.X < float64(b.Min.X) || p.Y < float64(b.Min.Y) || p.X > float64(b.Max.X) || p.Y > float64(b.Max.Y) {
			return false
		}
	}
	return true
}
