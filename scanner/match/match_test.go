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

	"cotejo/scanner/extract"
	"cotejo/scanner/fingergen"
	"cotejo/scanner/match"
	"cotejo/scanner/quality"
	"cotejo/scanner/ridge"
)

var (
	masters     = flag.Int("match.masters", 8, "fingers in the accuracy test")
	impressions = flag.Int("match.impressions", 3, "impressions per finger (qualities good, fair, poor in turn)")
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

// rates: the false non-match rate at the threshold where the false match rate is at
// most fmr, and the equal error rate.
func rates(gen, imp []float64, fmr float64) (fnmr, eer float64) {
	slices.Sort(gen)
	slices.Sort(imp)
	above := func(s []float64, th float64) float64 {
		i, _ := slices.BinarySearch(s, th)
		return float64(len(s)-i) / float64(len(s))
	}
	fnmr, eer = 1, 1
	bestGap := math.Inf(1)
	for th := 0.0; th <= 100.0001; th += 0.05 {
		fm := above(imp, th)
		fn := 1 - above(gen, th)
		if fm <= fmr && fn < fnmr {
			fnmr = fn
		}
		if g := math.Abs(fm - fn); g < bestGap {
			bestGap, eer = g, (fm+fn)/2
		}
	}
	return fnmr, eer
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
	f1, eer := rates(slices.Clone(gen), slices.Clone(imp), 0.01)
	f01, _ := rates(slices.Clone(gen), slices.Clone(imp), 0.001)
	mean := func(s []float64) float64 {
		var m float64
		for _, v := range s {
			m += v
		}
		return m / float64(len(s))
	}
	t.Logf("%d genuine pairs (mean %.1f), %d impostor pairs (mean %.1f, max %.1f): EER %.2f %%, FNMR %.2f %% at FMR 1 %%, %.2f %% at FMR 0.1 %%",
		len(gen), mean(gen), len(imp), mean(imp), slices.Max(imp), 100*eer, 100*f1, 100*f01)
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
		title := fmt.Sprintf("synthetic: %d genuine, %d impostor pairs; EER %.2f %%", len(gen), len(imp), 100*eer)
		if err := writeDET(*det, gen, imp, title); err != nil {
			t.Fatal(err)
		}
	}
	if eer > 0.10 || mean(gen) < 2*mean(imp) {
		t.Errorf("EER %.1f %%: genuine and impostor scores are not apart", 100*eer)
	}
}

// BenchmarkSimilarity: one comparison of two prepared templates (good and fair
// impressions, 87 and 68 minutiae).
func BenchmarkSimilarity(b *testing.B) {
	ps := prints(b, 2, 2)
	x, y := match.Prepare(ps[0].mins), match.Prepare(ps[1].mins)
	b.ResetTimer()
	for b.Loop() {
		x.Similarity(y)
	}
}

// BenchmarkPrepare: describing one template's neighbourhoods.
func BenchmarkPrepare(b *testing.B) {
	ps := prints(b, 1, 1)
	b.ResetTimer()
	for b.Loop() {
		match.Prepare(ps[0].mins)
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
