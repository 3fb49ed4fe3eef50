package extract

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cotejo/scanner/biometrics/fvc"
	"cotejo/scanner/biometrics/ridge"
)

var (
	debugDir    = flag.String("extract.debug", "", "write the stages of extraction of -extract.prints as PNGs into this folder")
	debugNIST   = flag.String("extract.nist", "/tmp/nbis-out", "mindtct's minutiae, <dir>/<set>/xyt/<print>.xyt, drawn for comparison when there")
	debugPrints = flag.String("extract.prints", "fvc2004_db1_b/101_1", "comma-separated <set>/<print> of the real sets, for -extract.debug")
)

// TestDebugImages draws, for a look by eye, what each stage of extraction made of some
// real prints. <print>.png: the grey with the background darkened, the coherence with
// the orientation, the contrast; the normalised and the enhanced ridges, and the
// skeleton with the minutiae kept (endings red, bifurcations blue, directions as ticks)
// and dropped (grey). <print>-overlay.png, twice the size: the skeleton, the mask's
// outline and the orientation over the grey, with our minutiae and mindtct's (cyan).
func TestDebugImages(t *testing.T) {
	if *debugDir == "" {
		t.Skip("no -extract.debug folder")
	}
	root, err := fvc.FixturesDir()
	if err != nil {
		t.Skip(err)
	}
	if err := os.MkdirAll(*debugDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range strings.Split(*debugPrints, ",") {
		img, err := fvc.ReadGray(filepath.Join(root, "fingerprints", "real", name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		r, st, err := extract(img, tuned(t))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			if st == nil {
				continue
			}
		}
		base := filepath.Join(*debugDir, strings.ReplaceAll(name, "/", "_"))
		w, h := img.Bounds().Dx(), img.Bounds().Dy()
		out := image.NewRGBA(image.Rect(0, 0, 3*w, 2*h))
		put := func(ox, oy, x, y int, c color.Color) {
			if x >= 0 && y >= 0 && x < w && y < h {
				out.Set(ox+x, oy+y, c)
			}
		}
		grey := func(v float64) color.Gray { return color.Gray{uint8(math.Max(0, math.Min(255, v)))} }
		for y := range h {
			for x := range w {
				i := y*w + x
				v := img.GrayAt(img.Bounds().Min.X+x, img.Bounds().Min.Y+y).Y
				c := color.RGBA{v, v, v, 255}
				if r == nil || !r.Mask[i] {
					c.R, c.G = c.R/2, c.G/2
				}
				put(0, 0, x, y, c)
				cc := (y/cell)*st.cw + x/cell
				put(w, 0, x, y, grey(255*st.coh[cc]))
				if st.contrast != nil {
					put(2*w, 0, x, y, grey(255*st.contrast[cc]))
				}
				if r != nil {
					put(0, h, x, y, grey(128-40*st.norm[i]))
					put(w, h, x, y, grey(128-128*r.Enhanced[i]))
					c := color.RGBA{255, 255, 255, 255}
					if st.binary[i] {
						c = color.RGBA{200, 200, 200, 255}
					}
					if st.skeleton.On[i] {
						c = color.RGBA{0, 0, 0, 255}
					}
					if !r.Mask[i] {
						c.B = 160
					}
					put(2*w, h, x, y, c)
				}
			}
		}
		if r != nil {
			// Orientation ticks over the coherence.
			for y := 8; y < h; y += 16 {
				for x := 8; x < w; x += 16 {
					o := r.Orient[y*w+x]
					for k := -6; k <= 6; k++ {
						put(w, 0, x+int(float64(k)*math.Cos(o)), y+int(float64(k)*math.Sin(o)), color.RGBA{255, 0, 0, 255})
					}
				}
			}
			mark := func(m ridge.Minutia, c color.RGBA) {
				x, y := int(m.X), int(m.Y)
				for d := -3; d <= 3; d++ {
					put(2*w, h, x+d, y-3, c)
					put(2*w, h, x+d, y+3, c)
					put(2*w, h, x-3, y+d, c)
					put(2*w, h, x+3, y+d, c)
				}
				for k := 0; k <= 10; k++ {
					put(2*w, h, x+int(float64(k)*math.Cos(m.Angle)), y-int(float64(k)*math.Sin(m.Angle)), c)
				}
			}
			for _, m := range st.raw {
				mark(m, color.RGBA{150, 150, 150, 255})
			}
			for _, m := range r.Minutiae {
				c := color.RGBA{230, 0, 0, 255}
				if m.Kind == ridge.Bifurcation {
					c = color.RGBA{0, 0, 230, 255}
				}
				mark(m, c)
			}
			t.Logf("%s: %d minutiae (%d before the break, cluster and quality rules), period %.1f", name, len(r.Minutiae), len(st.raw), r.Period)
		}
		if r != nil {
			// The skeleton and minutiae over the grey, twice the size.
			ov := image.NewRGBA(image.Rect(0, 0, 2*w, 2*h))
			for y := range 2 * h {
				for x := range 2 * w {
					v := img.GrayAt(img.Bounds().Min.X+x/2, img.Bounds().Min.Y+y/2).Y
					c := color.RGBA{v, v, v, 255}
					if st.skeleton.On[(y/2)*w+x/2] && (x+y)%2 == 0 {
						c = color.RGBA{0, 200, 0, 255}
					}
					if i := (y/2)*w + x/2; x/2 > 0 && y/2 > 0 && (r.Mask[i] != r.Mask[i-1] || r.Mask[i] != r.Mask[i-w]) {
						c = color.RGBA{255, 0, 255, 255}
					}
					ov.Set(x, y, c)
				}
			}
			for y := 6; y < h; y += 12 {
				for x := 6; x < w; x += 12 {
					if !r.Mask[y*w+x] {
						continue
					}
					o := r.Orient[y*w+x]
					for k := -8; k <= 8; k++ {
						ov.Set(2*x+int(float64(k)*math.Cos(o)), 2*y+int(float64(k)*math.Sin(o)), color.RGBA{255, 0, 0, 255})
					}
				}
			}
			mark := func(m ridge.Minutia, c color.RGBA) {
				x, y := int(2*m.X), int(2*m.Y)
				for d := -5; d <= 5; d++ {
					ov.Set(x+d, y-5, c)
					ov.Set(x+d, y+5, c)
					ov.Set(x-5, y+d, c)
					ov.Set(x+5, y+d, c)
				}
				for k := 0; k <= 18; k++ {
					ov.Set(x+int(float64(k)*math.Cos(m.Angle)), y-int(float64(k)*math.Sin(m.Angle)), c)
				}
			}
			for _, m := range st.raw {
				mark(m, color.RGBA{255, 150, 0, 255})
			}
			// mindtct's minutiae (origin bottom left), as cyan rings, to compare.
			set, print, _ := strings.Cut(name, "/")
			if b, err := os.ReadFile(filepath.Join(*debugNIST, set, "xyt", print+".xyt")); err == nil {
				for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
					var x, y, a, q int
					if _, err := fmt.Sscan(line, &x, &y, &a, &q); err != nil {
						continue
					}
					y = h - y
					for k := range 40 {
						s, c := math.Sincos(float64(k) * math.Pi / 20)
						ov.Set(2*x+int(8*c), 2*y+int(8*s), color.RGBA{0, 220, 255, 255})
					}
					for k := 0; k <= 14; k++ {
						ov.Set(2*x+int(float64(k)*math.Cos(float64(a)*math.Pi/180)), 2*y-int(float64(k)*math.Sin(float64(a)*math.Pi/180)), color.RGBA{0, 220, 255, 255})
					}
				}
			}
			for _, m := range r.Minutiae {
				c := color.RGBA{230, 0, 0, 255}
				if m.Kind == ridge.Bifurcation {
					c = color.RGBA{0, 0, 255, 255}
				}
				mark(m, c)
			}
			f, err := os.Create(base + "-overlay.png")
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(f, ov); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
		f, err := os.Create(base + ".png")
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, out); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}
