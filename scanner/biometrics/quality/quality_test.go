package quality_test

import (
	"flag"
	"image"
	"image/draw"
	_ "image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"cotejo/scanner/biometrics/fingergen"
	"cotejo/scanner/biometrics/quality"
)

var realDir = flag.String("quality.real", "", "directory with real 500 ppi prints (probe.png, matching.png, nonmatching.png from SourceAFIS's test resources)")

func TestScoresByQuality(t *testing.T) {
	classes := []fingergen.Class{fingergen.LeftLoop, fingergen.Whorl, fingergen.RightLoop, fingergen.Arch}
	rnd := rand.New(rand.NewPCG(2, 2))
	mean := map[fingergen.Quality]float64{}
	for q := fingergen.Good; q <= fingergen.Poor; q++ {
		for i, c := range classes {
			m := fingergen.NewMaster(uint64(300+i), c)
			rep, _ := quality.Assess(m.Impress(uint64(i), fingergen.Preset(q, rnd)).Image)
			t.Logf("%s %s: %+v", q, c, rep)
			mean[q] += float64(rep.Score) / float64(len(classes))
			if rep.Score < quality.Recapture {
				t.Errorf("%s %s: score %d would ask for a recapture of a print the matcher reads well", q, c, rep.Score)
			}
		}
	}
	if !(mean[fingergen.Good] > mean[fingergen.Fair] && mean[fingergen.Fair] > mean[fingergen.Poor]) || mean[fingergen.Good] < 60 {
		t.Errorf("mean scores good %.0f, fair %.0f, poor %.0f", mean[fingergen.Good], mean[fingergen.Fair], mean[fingergen.Poor])
	}
	// Captures to be taken again, each for its reason.
	m := fingergen.NewMaster(77, fingergen.RightLoop)
	blurred := m.Impress(1, fingergen.Options{Contact: 1}).Image
	for range 3 { // a finger dragged sideways
		for y := range 500 {
			row := blurred.Pix[y*500 : y*500+500]
			for x := 499; x >= 6; x-- {
				row[x] = uint8((int(row[x]) + int(row[x-3]) + int(row[x-6])) / 3)
			}
		}
	}
	// A dry finger barely touching: 0.4 of the contrast, in sensor noise (it matches its finger at only 63).
	faint := m.Impress(3, fingergen.Options{Contact: 1, Dryness: 1, Pressure: -1}).Image
	noise := rand.New(rand.NewPCG(5, 5))
	for i, v := range faint.Pix {
		faint.Pix[i] = uint8(max(0, min(255, 200+(float64(v)-200)/2.5+noise.NormFloat64()*16)))
	}
	bad := map[string]struct {
		img  *image.Gray
		want quality.Problem
	}{
		"a fingertip":   {m.Impress(2, fingergen.Options{Contact: 0.05, Shift: 150}).Image, quality.SmallArea},
		"a faint touch": {faint, quality.Faint},
		"a moved one":   {blurred, quality.Smudged},
	}
	for name, b := range bad {
		rep, _ := quality.Assess(b.img)
		t.Logf("%s: %+v", name, rep)
		if rep.Score >= quality.Recapture || rep.Problem != b.want {
			t.Errorf("%s: score %d, problem %d; want below %d for problem %d", name, rep.Score, rep.Problem, quality.Recapture, b.want)
		}
	}
	blank := image.NewGray(image.Rect(0, 0, 500, 500))
	for i := range blank.Pix {
		blank.Pix[i] = 235
	}
	if rep, _ := quality.Assess(blank); rep.Problem != quality.NoFinger || rep.Score != 0 {
		t.Errorf("an empty reader: %+v", rep)
	}
}

// TestRealPrints: real optical captures that match well must not be sent back.
func TestRealPrints(t *testing.T) {
	if *realDir == "" {
		t.Skip("real prints are third-party and not in the repository; give -quality.real DIR (SourceAFIS's probe.png, matching.png, nonmatching.png)")
	}
	for _, name := range []string{"probe.png", "matching.png", "nonmatching.png"} {
		f, err := os.Open(filepath.Join(*realDir, name))
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		g := image.NewGray(img.Bounds())
		draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
		rep, _ := quality.Assess(g)
		t.Logf("%s: %+v", name, rep)
		if rep.Score < quality.Recapture {
			t.Errorf("%s: score %d, problem %d", name, rep.Score, rep.Problem)
		}
	}
}
