package match_test

import (
	"flag"
	"fmt"
	"image"
	"image/draw"
	_ "image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"cotejo/scanner/biometrics/extract"
	"cotejo/scanner/biometrics/fingergen"
	"cotejo/scanner/biometrics/fvc"
	"cotejo/scanner/biometrics/match"
	"cotejo/scanner/biometrics/quality"
	"cotejo/scanner/biometrics/ridge"
)

var (
	masters     = flag.Int("match.masters", 8, "fingers in the accuracy test")
	impressions = flag.Int("match.impressions", 3, "impressions per finger (qualities good, fair, poor in turn)")
	onlyQuality = flag.String("match.quality", "", "take every impression at this quality (good, fair or poor) instead of in turn")
	report      = flag.String("match.report", "", "write the score lists (genuine, impostor) as CSV to this file")
	det         = flag.String("match.det", "", "draw the DET curve into this PNG file")
)

type print struct {
	finger int
	q      fingergen.Quality
	mins   []ridge.Minutia
}

// prints makes impressions of synthetic fingers and extracts their minutiae, in parallel.
func prints(t testing.TB, n, k int) []print {
	t.Helper()
	classes := []fingergen.Class{fingergen.LeftLoop, fingergen.RightLoop, fingergen.Whorl, fingergen.LeftLoop, fingergen.RightLoop, fingergen.Whorl, fingergen.Arch, fingergen.TentedArch}
	out := make([]print, n*k)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for f := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			m := fingergen.NewMaster(uint64(5000+f), classes[f%len(classes)])
			rnd := rand.New(rand.NewPCG(uint64(f), 9))
			for i := range k {
				q := fingergen.Quality(i % 3)
				for _, c := range []fingergen.Quality{fingergen.Good, fingergen.Fair, fingergen.Poor} {
					if c.String() == *onlyQuality {
						q = c
					}
				}
				imp := m.Impress(uint64(f*100+i), fingergen.Preset(q, rnd))
				r, err := extract.Extract(imp.Image)
				var mins []ridge.Minutia
				if err == nil {
					mins = r.Minutiae
				}
				out[f*k+i] = print{finger: f, q: q, mins: mins}
			}
		})
	}
	wg.Wait()
	return out
}

func TestAccuracy(t *testing.T) {
	ps := prints(t, *masters, *impressions)
	var gen, imp []float64
	for i := range ps {
		for j := i + 1; j < len(ps); j++ {
			s := match.Similarity(ps[i].mins, ps[j].mins)
			if ps[i].finger == ps[j].finger {
				gen = append(gen, s)
			} else if (ps[j].finger-ps[i].finger)%max(1, *masters/64) == 0 { // keep impostor pairs in proportion on big runs
				imp = append(imp, s)
			}
		}
	}
	r := fvc.Measure(gen, imp)
	mean := func(s []float64) float64 {
		var m float64
		for _, v := range s {
			m += v
		}
		return m / float64(len(s))
	}
	t.Logf("synthetic, genuine mean %.1f, impostor mean %.1f, max %.1f: %v", mean(gen), mean(imp), slices.Max(imp), r)
	if *report != "" {
		f, err := os.Create(*report)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range gen {
			fmt.Fprintf(f, "genuine,%.2f\n", s)
		}
		for _, s := range imp {
			fmt.Fprintf(f, "impostor,%.2f\n", s)
		}
		f.Close()
	}
	if *det != "" {
		title := fmt.Sprintf("synthetic: %d genuine, %d impostor pairs", len(gen), len(imp))
		if err := fvc.WriteDET(*det, title, fvc.Curve{Label: fmt.Sprintf("Cotejo EER %.2f%%", 100*r.EER), Genuine: gen, Impostor: imp}); err != nil {
			t.Fatal(err)
		}
	}
	if r.EER > 0.10 || mean(gen) < 2*mean(imp) {
		t.Errorf("EER %.1f %%: genuine and impostor scores are not apart", 100*r.EER)
	}
}

// fakePrint is n minutiae spread over a finger-sized ellipse (300 × 400 px) at least
// 10 px apart, with directions that drift slowly across it, as ridges do.
func fakePrint(seed uint64, n int) []ridge.Minutia {
	rnd := rand.New(rand.NewPCG(seed, 7))
	var out []ridge.Minutia
	for len(out) < n {
		x, y := 2*rnd.Float64()-1, 2*rnd.Float64()-1
		if x*x+y*y > 1 {
			continue
		}
		m := ridge.Minutia{X: 200 + 150*x, Y: 250 + 200*y, Quality: 60, Kind: ridge.Kind(rnd.IntN(2))}
		if slices.ContainsFunc(out, func(o ridge.Minutia) bool { return math.Hypot(o.X-m.X, o.Y-m.Y) < 10 }) {
			continue
		}
		flow := math.Atan2(y, x) + 1.5*x*y // a whorl-like field
		if rnd.IntN(2) == 0 {
			flow += math.Pi
		}
		m.Angle = ridge.Norm(flow + 0.3*rnd.NormFloat64())
		out = append(out, m)
	}
	return out
}

// moved turns the minutiae by rot (radians, counter-clockwise as seen) about (200, 250)
// and shifts them by (dx, dy).
func moved(ms []ridge.Minutia, rot, dx, dy float64) []ridge.Minutia {
	s, c := math.Sincos(rot)
	out := slices.Clone(ms)
	for i, m := range out {
		x, y := m.X-200, -(m.Y - 250) // y up, as the angles
		out[i].X, out[i].Y = 200+x*c-y*s+dx, 250-(x*s+y*c)+dy
		out[i].Angle = ridge.Norm(m.Angle + rot)
	}
	return out
}

// damaged drops a share of the minutiae and moves the rest by up to jitter px and
// jitterAngle radians, as a second capture of the same finger would.
func damaged(ms []ridge.Minutia, seed uint64, drop, jitter, jitterAngle float64) []ridge.Minutia {
	rnd := rand.New(rand.NewPCG(seed, 11))
	var out []ridge.Minutia
	for _, m := range ms {
		if rnd.Float64() < drop {
			continue
		}
		m.X += jitter * (2*rnd.Float64() - 1)
		m.Y += jitter * (2*rnd.Float64() - 1)
		m.Angle = ridge.Norm(m.Angle + jitterAngle*(2*rnd.Float64()-1))
		out = append(out, m)
	}
	return out
}

func TestSimilarityCases(t *testing.T) {
	a := fakePrint(1, 50)
	self := match.Similarity(a, a)
	cases := []struct {
		name     string
		a, b     []ridge.Minutia
		min, max float64
	}{
		{"identity", a, a, 95, 100},
		{"turned 45° and moved", a, moved(a, math.Pi/4, 40, -25), self - 0.01, self + 0.01},
		{"turned −40° and moved", a, moved(a, -40*math.Pi/180, -60, 30), self - 0.01, self + 0.01},
		{"30 % dropped, jitter 3 px and 6°", a, damaged(a, 2, 0.3, 3, 6*math.Pi/180), match.Threshold, 100},
		{"30 % dropped, jitter, turned 30°", a, moved(damaged(a, 3, 0.3, 3, 6*math.Pi/180), math.Pi/6, 20, 20), match.Threshold, 100},
		{"half the print", a, slices.DeleteFunc(slices.Clone(a), func(m ridge.Minutia) bool { return m.X < 200 }), match.Threshold, 100},
		{"unrelated", a, fakePrint(2, 50), 0, 40},
		{"unrelated, fewer minutiae", a, fakePrint(3, 25), 0, 40},
		{"three minutiae", a[:3], a[:3], 0, 0},
		{"none", nil, a, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := match.Similarity(c.a, c.b)
			t.Logf("%d and %d minutiae: %.2f", len(c.a), len(c.b), s)
			if s < c.min || s > c.max {
				t.Errorf("similarity %.2f, want %.2f … %.2f", s, c.min, c.max)
			}
			if r := match.Similarity(c.b, c.a); r != s {
				t.Errorf("not symmetric: %.6f one way, %.6f the other", s, r)
			}
		})
	}
}

// TestUnrelated: many unrelated fake prints stay below the threshold, and the matcher
// answers the same whichever comes first.
func TestUnrelated(t *testing.T) {
	var ts []*match.Template
	for i := range 30 {
		ts = append(ts, match.Prepare(fakePrint(uint64(100+i), 30+i)))
	}
	worst := 0.0
	for i := range ts {
		for j := i + 1; j < len(ts); j++ {
			s := ts[i].Similarity(ts[j])
			if r := ts[j].Similarity(ts[i]); r != s {
				t.Fatalf("prints %d and %d: %.6f one way, %.6f the other", i, j, s, r)
			}
			worst = max(worst, s)
		}
	}
	t.Logf("highest of %d unrelated pairs: %.1f", len(ts)*(len(ts)-1)/2, worst)
	if worst >= match.Threshold {
		t.Errorf("an unrelated pair scores %.1f, at least the threshold %.0f", worst, match.Threshold)
	}
}

// BenchmarkSimilarity: one comparison of two prepared templates: synthetic prints as the
// extractor reads them (good and fair impressions), and fake prints of 50 minutiae each.
func BenchmarkSimilarity(b *testing.B) {
	ps := prints(b, 2, 2)
	for _, c := range []struct {
		name string
		x, y []ridge.Minutia
	}{
		{"synthetic", ps[0].mins, ps[1].mins},
		{"50 minutiae", fakePrint(1, 50), damaged(moved(fakePrint(1, 55), 0.3, 10, 10), 4, 0.1, 3, 0.1)},
	} {
		b.Run(c.name, func(b *testing.B) {
			x, y := match.Prepare(c.x), match.Prepare(c.y)
			b.Logf("%d and %d minutiae", len(c.x), len(c.y))
			for b.Loop() {
				x.Similarity(y)
			}
		})
	}
}

// BenchmarkPrepare: describing one template's cylinders (a fake print of 50 minutiae).
func BenchmarkPrepare(b *testing.B) {
	m := fakePrint(1, 50)
	for b.Loop() {
		match.Prepare(m)
	}
}

var realDir = flag.String("match.real", "", "folder with probe.png, matching.png and nonmatching.png: real prints of one finger, the same finger again, another finger")

// TestRealPrints runs extraction and matching on real prints (not in the repository);
// it only reports, as three images prove nothing either way.
func TestRealPrints(t *testing.T) {
	if *realDir == "" {
		t.Skip("real prints are compared with -match.real DIR")
	}
	load := func(name string) []ridge.Minutia {
		f, err := os.Open(filepath.Join(*realDir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		img, _, err := image.Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		g := image.NewGray(img.Bounds())
		draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
		rep, r := quality.Assess(g)
		if r == nil {
			t.Fatalf("%s: no fingerprint", name)
		}
		t.Logf("%s: %d × %d, %d minutiae, quality %d (%+v)", name, g.Rect.Dx(), g.Rect.Dy(), len(r.Minutiae), rep.Score, rep)
		return r.Minutiae
	}
	p, m, n := load("probe.png"), load("matching.png"), load("nonmatching.png")
	t.Logf("probe vs matching (same finger): %.1f; probe vs nonmatching: %.1f; matching vs nonmatching: %.1f",
		match.Similarity(p, m), match.Similarity(p, n), match.Similarity(m, n))
}
