package wsq

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math/rand/v2"
	"os"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"cotejo/scanner/biometrics/fingergen"
)

var sheet = flag.String("wsq.sheet", "", "write the contact sheet of synthetic prints and their WSQ at each bit rate to this PNG (docs/fingerprints.png)")

// TestContactSheet draws, for masters of two classes: the master, a good, fair and poor
// impression, and the good impression after WSQ at 0.75, 1.5 and 2.25 bits per pixel,
// each at half size with its caption, for a person to look at.
func TestContactSheet(t *testing.T) {
	if *sheet == "" {
		t.Skip("writes a figure for the documentation; give -wsq.sheet FILE.png")
	}
	const cell, caption = 250, 18
	rnd := rand.New(rand.NewPCG(4, 4))
	classes := []fingergen.Class{fingergen.RightLoop, fingergen.Whorl}
	out := image.NewGray(image.Rect(0, 0, 7*cell, len(classes)*(cell+caption)))
	draw.Draw(out, out.Bounds(), image.White, image.Point{}, draw.Src)
	for row, class := range classes {
		m := fingergen.NewMaster(uint64(40+row), class)
		good := m.Impress(1, fingergen.Preset(fingergen.Good, rnd)).Image
		panels := []struct {
			img  *image.Gray
			text string
		}{
			{m.Ridges, "master, " + class.String()},
			{good, "good impression"},
			{m.Impress(2, fingergen.Preset(fingergen.Fair, rnd)).Image, "fair impression"},
			{m.Impress(3, fingergen.Preset(fingergen.Poor, rnd)).Image, "poor impression"},
		}
		for _, rate := range []float64{0.75, 1.5, 2.25} {
			var b bytes.Buffer
			if err := Encode(&b, good, &Options{BitRate: rate}); err != nil {
				t.Fatal(err)
			}
			n := b.Len()
			dec, err := Decode(&b)
			if err != nil {
				t.Fatal(err)
			}
			panels = append(panels, struct {
				img  *image.Gray
				text string
			}{dec, fmt.Sprintf("WSQ %.2f: %.1f dB, %d:1", rate, psnr(good, dec), 500*500/n)})
		}
		for col, p := range panels {
			x0, y0 := col*cell, row*(cell+caption)
			for y := range cell {
				for x := range cell {
					out.SetGray(x0+x, y0+caption+y, p.img.GrayAt(2*x, 2*y))
				}
			}
			d := font.Drawer{Dst: out, Src: image.NewUniform(color.Black), Face: basicfont.Face7x13,
				Dot: fixed.P(x0+4, y0+13)}
			d.DrawString(p.text)
		}
	}
	f, err := os.Create(*sheet)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, out); err != nil {
		t.Fatal(err)
	}
}
