package extract_test

import (
	"errors"
	"flag"
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"

	"cotejo/scanner/biometrics/extract"
	"cotejo/scanner/biometrics/fingergen"
	"cotejo/scanner/biometrics/fvc"
	"cotejo/scanner/biometrics/ridge"
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

// BenchmarkExtract: one real print of about 500 × 500 pixels (Neurotechnology's
// CrossMatch set, 504 × 480), or a synthetic 500 × 500 impression of fair quality where
// the real sets are not at hand.
func BenchmarkExtract(b *testing.B) {
	var img *image.Gray
	if root, err := fvc.FixturesDir(); err == nil {
		img, _ = fvc.ReadGray(filepath.Join(root, "fingerprints", "real", "neurotech_crossmatch", "01203_1.png"))
	}
	if img == nil {
		m := fingergen.NewMaster(1, fingergen.Whorl)
		img = m.Impress(1, fingergen.Preset(fingergen.Fair, rand.New(rand.NewPCG(1, 1)))).Image
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := extract.Extract(img); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRealPrintsFound extracts every print of every real set: each must be found (no
// ErrNoFinger), with a finger's area of oriented ridges and a usable count of minutiae.
func TestRealPrintsFound(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the real sets in -short mode")
	}
	for _, s := range fvc.RealSets {
		t.Run(s.Name, func(t *testing.T) {
			set, err := fvc.LoadReal(s.Name)
			if errors.Is(err, fvc.ErrNoFixtures) {
				t.Skip(err)
			}
			if err != nil {
				t.Fatal(err)
			}
			counts := make([]int, len(set.Prints))
			cohs := make([]float64, len(set.Prints))
			errs := make([]error, len(set.Prints))
			var wg sync.WaitGroup
			next := make(chan int)
			for range runtime.GOMAXPROCS(0) {
				wg.Go(func() {
					for i := range next {
						r, err := extract.Extract(set.Prints[i].Image)
						if err != nil {
							errs[i] = fmt.Errorf("%s: %w", set.Prints[i].Name, err)
							continue
						}
						var area float64
						for j, m := range r.Mask {
							if m {
								area++
								cohs[i] += r.Coherence[j]
							}
						}
						cohs[i] /= area
						counts[i] = len(r.Minutiae)
						if counts[i] < 10 {
							errs[i] = fmt.Errorf("%s: only %d minutiae", set.Prints[i].Name, counts[i])
						}
					}
				})
			}
			for i := range set.Prints {
				next <- i
			}
			close(next)
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				t.Error(err)
			}
			slices.Sort(counts)
			slices.Sort(cohs)
			t.Logf("%s: %d prints, minutiae median %d (least %d), mean coherence in the finger least %.2f, median %.2f",
				s.Name, len(counts), counts[len(counts)/2], counts[0], cohs[0], cohs[len(cohs)/2])
		})
	}
}

// TestSegmentation finds the same finger whatever the sensor's contrast and brightness,
// and no finger in blank or noisy images.
func TestSegmentation(t *testing.T) {
	prints := map[string]*image.Gray{
		"synthetic": fingergen.NewMaster(7, fingergen.RightLoop).Impress(7, fingergen.Preset(fingergen.Good, rand.New(rand.NewPCG(7, 7)))).Image,
	}
	if root, err := fvc.FixturesDir(); err == nil {
		for _, name := range []string{"fvc2004_db1_b/105_2", "upek/3_1"} {
			if img, err := fvc.ReadGray(filepath.Join(root, "fingerprints", "real", name+".png")); err == nil {
				prints[name] = img
			}
		}
	}
	// remap changes contrast about white (paper) and shifts brightness.
	remap := func(img *image.Gray, contrast, shift float64) *image.Gray {
		out := image.NewGray(img.Bounds())
		for i, v := range img.Pix {
			out.Pix[i] = uint8(math.Max(0, math.Min(255, 255-(255-float64(v))*contrast+shift)))
		}
		return out
	}
	for name, img := range prints {
		ref, err := extract.Extract(img)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, c := range []struct {
			contrast, shift float64
		}{{0.15, 0}, {0.25, -60}, {0.5, -120}} {
			r, err := extract.Extract(remap(img, c.contrast, c.shift))
			if err != nil {
				t.Errorf("%s at contrast %.2f, shift %.0f: %v", name, c.contrast, c.shift, err)
				continue
			}
			var both, either float64
			for i := range r.Mask {
				if r.Mask[i] && ref.Mask[i] {
					both++
				}
				if r.Mask[i] || ref.Mask[i] {
					either++
				}
			}
			t.Logf("%s at contrast %.2f, shift %.0f: mask overlap %.3f, %d minutiae (%d at full contrast)", name, c.contrast, c.shift, both/either, len(r.Minutiae), len(ref.Minutiae))
			if both/either < 0.9 {
				t.Errorf("%s at contrast %.2f, shift %.0f: the mask overlaps full contrast's by %.3f (intersection over union), want ≥ 0.9", name, c.contrast, c.shift, both/either)
			}
		}
	}
	// A latent print left on the glass beside the finger: fainter, and not the finger.
	finger := prints["synthetic"]
	latent := fingergen.NewMaster(8, fingergen.Whorl).Impress(8, fingergen.Preset(fingergen.Good, rand.New(rand.NewPCG(8, 8)))).Image
	fw, fh := finger.Bounds().Dx(), finger.Bounds().Dy()
	both := image.NewGray(image.Rect(0, 0, 2*fw, fh))
	for y := range fh {
		for x := range fw {
			both.Pix[y*2*fw+x] = finger.GrayAt(x, y).Y
			both.Pix[y*2*fw+fw+x] = uint8(255 - 0.15*float64(255-latent.GrayAt(x, y).Y))
		}
	}
	if r, err := extract.Extract(both); err != nil {
		t.Errorf("a finger beside a latent print: %v", err)
	} else {
		var left, right int
		for i, m := range r.Mask {
			if m && i%(2*fw) < fw {
				left++
			} else if m {
				right++
			}
		}
		if right > left/20 {
			t.Errorf("a finger beside a latent print: %d pixels of the latent's side in the mask, %d of the finger's", right, left)
		}
	}
	rnd := rand.New(rand.NewPCG(9, 9))
	blank := func(fill func(x, y int) float64) *image.Gray {
		img := image.NewGray(image.Rect(0, 0, 400, 400))
		for y := range 400 {
			for x := range 400 {
				img.Pix[y*400+x] = uint8(math.Max(0, math.Min(255, fill(x, y))))
			}
		}
		return img
	}
	for _, c := range []struct {
		name string
		img  *image.Gray
	}{
		{"white", blank(func(int, int) float64 { return 255 })},
		{"grey", blank(func(int, int) float64 { return 128 })},
		{"faint noise", blank(func(int, int) float64 { return 230 + 2*rnd.NormFloat64() })},
		{"strong noise", blank(func(int, int) float64 { return 128 + 50*rnd.NormFloat64() })},
		{"shading and noise", blank(func(x, y int) float64 { return 60 + 0.4*float64(x+y) + 10*rnd.NormFloat64() })},
	} {
		if _, err := extract.Extract(c.img); !errors.Is(err, extract.ErrNoFinger) {
			t.Errorf("%s: got %v, want ErrNoFinger", c.name, err)
		}
	}
}
