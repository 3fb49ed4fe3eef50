package extract_test

import (
	"flag"
	"math"
	"math/rand/v2"
	"testing"

	"cotejo/scanner/extract"
	"cotejo/scanner/fingergen"
	"cotejo/scanner/ridge"
)

var masters = flag.Int("extract.masters", 4, "masters in the accuracy test (impressions: 3 each, good, fair, poor)")

// score pairs found minutiae with true ones within 10 px and 20°, one to one, nearest
// first; it returns the pairs.
func score(found, truth []ridge.Minutia) int {
	used := make([]bool, len(truth))
	n := 0
	for _, f := range found {
		best, bestD := -1, 10.0
		for j, t := range truth {
			if used[j] {
				continue
			}
			d := math.Hypot(f.X-t.X, f.Y-t.Y)
			da := math.Abs(math.Remainder(f.Angle-t.Angle, 2*math.Pi))
			if d <= bestD && da <= 20*math.Pi/180 {
				best, bestD = j, d
			}
		}
		if best >= 0 {
			used[best] = true
			n++
		}
	}
	return n
}

// TestAccuracy measures precision and recall of extraction on synthetic impressions by
// quality, against the generator's true minutiae.
func TestAccuracy(t *testing.T) {
	classes := []fingergen.Class{fingergen.LeftLoop, fingergen.RightLoop, fingergen.Whorl, fingergen.Arch, fingergen.TentedArch}
	rnd := rand.New(rand.NewPCG(5, 5))
	for q := fingergen.Good; q <= fingergen.Poor; q++ {
		var found, truth, right int
		for i := range *masters {
			m := fingergen.NewMaster(uint64(100+i), classes[i%len(classes)])
			imp := m.Impress(uint64(1000*int(q)+i), fingergen.Preset(q, rnd))
			r, err := extract.Extract(imp.Image)
			if err != nil {
				t.Fatalf("%s impression %d: %v", q, i, err)
			}
			t.Logf("  %s %d: found %d, true %d, paired %d", classes[i%len(classes)], i, len(r.Minutiae), len(imp.Minutiae), score(r.Minutiae, imp.Minutiae))
			found += len(r.Minutiae)
			truth += len(imp.Minutiae)
			right += score(r.Minutiae, imp.Minutiae)
		}
		p, rc := float64(right)/float64(max(found, 1)), float64(right)/float64(max(truth, 1))
		t.Logf("%s: precision %.3f, recall %.3f (%d found, %d true, %d paired)", q, p, rc, found, truth, right)
		if q == fingergen.Good && (p < 0.85 || rc < 0.80) {
			t.Errorf("good impressions: precision %.3f, recall %.3f; want ≥ 0.85 and ≥ 0.80", p, rc)
		}
	}
}

// BenchmarkExtract: one 500 × 500 impression of fair quality.
func BenchmarkExtract(b *testing.B) {
	m := fingergen.NewMaster(1, fingergen.Whorl)
	img := m.Impress(1, fingergen.Preset(fingergen.Fair, rand.New(rand.NewPCG(1, 1)))).Image
	b.ResetTimer()
	for b.Loop() {
		if _, err := extract.Extract(img); err != nil {
			b.Fatal(err)
		}
	}
}
