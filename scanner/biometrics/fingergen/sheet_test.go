package fingergen_test

import (
	"flag"
	"image"
	"image/draw"
	"image/png"
	"math/rand/v2"
	"os"
	"testing"

	"cotejo/scanner/biometrics/fingergen"
)

var sheet = flag.String("fingergen.sheet", "", "write a contact sheet of impressions to this PNG, to compare with real prints")

// TestContactSheet draws, for three masters (one per row), a good, a fair and two poor
// impressions, side by side with a grey gutter.
func TestContactSheet(t *testing.T) {
	if *sheet == "" {
		t.Skip("no -fingergen.sheet")
	}
	const gap = 8
	classes := []fingergen.Class{fingergen.RightLoop, fingergen.Whorl, fingergen.LeftLoop}
	cols := []fingergen.Quality{fingergen.Good, fingergen.Fair, fingergen.Poor, fingergen.Poor}
	out := image.NewGray(image.Rect(0, 0, len(cols)*(fingergen.Width+gap)+gap, len(classes)*(fingergen.Height+gap)+gap))
	for i := range out.Pix {
		out.Pix[i] = 110
	}
	rnd := rand.New(rand.NewPCG(42, 42))
	for r, c := range classes {
		m := fingergen.NewMaster(uint64(500+r), c)
		for k, q := range cols {
			o := fingergen.Preset(q, rnd)
			t.Logf("row %d, %s: %+v", r, q, o)
			imp := m.Impress(uint64(10*r+k), o)
			at := image.Pt(gap+k*(fingergen.Width+gap), gap+r*(fingergen.Height+gap))
			draw.Draw(out, imp.Image.Bounds().Add(at), imp.Image, image.Point{}, draw.Src)
		}
	}
	w, err := os.Create(*sheet)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(w, out); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
