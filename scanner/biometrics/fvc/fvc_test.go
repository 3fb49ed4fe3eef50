package fvc_test

import (
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"cotejo/scanner/biometrics/fvc"
)

func TestMeasure(t *testing.T) {
	for _, c := range []struct {
		name          string
		gen, imp      []float64
		eer, f1, zero float64
	}{
		{"apart", []float64{60, 70, 80, 90}, []float64{10, 20, 30, 40}, 0, 0, 0},
		// One genuine pair below every impostor: lost at any threshold without false matches;
		// at 40 one impostor and one genuine pair are wrong.
		{"one low genuine", []float64{5, 70, 80, 90}, []float64{10, 20, 30, 40}, 0.25, 0.25, 0.25},
		{"mixed", []float64{30, 50, 70, 90}, []float64{10, 40, 60, 20}, 0.25, 0.5, 0.5},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := fvc.Measure(c.gen, c.imp)
			if math.Abs(r.EER-c.eer) > 1e-9 || math.Abs(r.FNMR1-c.f1) > 1e-9 || math.Abs(r.ZeroFMR-c.zero) > 1e-9 {
				t.Errorf("got %v, want EER %v, FNMR1 %v, ZeroFMR %v", r, c.eer, c.f1, c.zero)
			}
		})
	}
	if fm, fn := fvc.At([]float64{30, 50, 70, 90}, []float64{10, 40, 60, 20}, 50); fm != 0.25 || fn != 0.25 {
		t.Errorf("At 50: FMR %v FNMR %v, want 0.25 and 0.25", fm, fn)
	}
}

func TestPairs(t *testing.T) {
	s := &fvc.Set{}
	for _, f := range []string{"1", "1", "1", "2", "2", "3"} {
		s.Prints = append(s.Prints, fvc.Print{Finger: f})
	}
	gen, imp := s.Pairs()
	// 3 + 1 genuine pairs; 15 pairs in all.
	if len(gen) != 4 || len(imp) != 11 {
		t.Errorf("%d genuine, %d impostor pairs; want 4 and 11", len(gen), len(imp))
	}
}

func TestERC(t *testing.T) {
	// Print 0 is poor and makes every one of its pairs fail; rejecting it first must
	// bring the false non-match rate to zero.
	quality := []float64{10, 80, 90, 70}
	genuine := []fvc.Pair{{0, 1}, {0, 2}, {1, 2}, {2, 3}}
	scores := []float64{20, 30, 90, 95}
	shares, fnmrs := fvc.ERC(quality, genuine, scores, 50, 0.25, 1)
	if len(fnmrs) != 2 || fnmrs[0] != 0.5 || fnmrs[1] != 0 || shares[1] != 0.25 {
		t.Errorf("shares %v, FNMRs %v; want FNMR 0.5 then 0 at 25 %%", shares, fnmrs)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := png.Encode(f, image.NewGray(image.Rect(0, 0, 4, 3))); err != nil {
			t.Fatal(err)
		}
	}
	write("12_1.png")
	write("12_2.png")
	s, err := fvc.Load(dir, "tiny", 500)
	if err != nil || len(s.Prints) != 2 || s.Prints[1].Finger != "12" || s.Prints[1].Impression != 2 || s.Prints[0].Image.Rect.Dx() != 4 {
		t.Fatalf("%+v, %v", s, err)
	}
	write("oops.png")
	if _, err := fvc.Load(dir, "tiny", 500); err == nil {
		t.Error("a print not named <finger>_<impression>.png was taken")
	}
	if _, err := fvc.Load(t.TempDir(), "empty", 500); err == nil {
		t.Error("an empty folder gave a set")
	}
}

func TestWritePlots(t *testing.T) {
	dir := t.TempDir()
	c := fvc.Curve{Label: "x", Genuine: []float64{50, 60, 70, 80}, Impostor: []float64{10, 20, 55, 30}}
	if err := fvc.WriteDET(filepath.Join(dir, "det.png"), "t", c); err != nil {
		t.Fatal(err)
	}
	e := fvc.Curve{Label: "q", RejectShare: []float64{0, 0.1, 0.2}, FNMRs: []float64{0.2, 0.1, 0.05}}
	if err := fvc.WriteERC(filepath.Join(dir, "erc.png"), "t", e); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"det.png", "erc.png"} {
		f, err := os.Open(filepath.Join(dir, n))
		if err != nil {
			t.Fatal(err)
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil || img.Bounds().Dx() < 400 {
			t.Errorf("%s: %v", n, err)
		}
	}
}
