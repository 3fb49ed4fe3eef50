package locate_test

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"cotejo/ocr/cardgen"
	"cotejo/ocr/layout"
	"cotejo/ocr/locate"
	"cotejo/verify/credential/synthetic"
)

var update = flag.Bool("update", false, "rewrite the design thumbnails in designs/")

// TestDesignThumbnails keeps the embedded thumbnails in step with the card designs: each
// is the average of a few cards of that design with different holders.
func TestDesignThumbnails(t *testing.T) {
	f, err := cardgen.LoadFonts()
	if err != nil {
		t.Skip(err)
	}
	g := synthetic.NewGenerator(99, 1)
	for _, d := range layout.All() {
		var sum []int
		const n = 4
		for k := range n {
			h := cardgen.NewHolder(g.Citizen(d.Model, synthetic.Options{}), rand.New(rand.NewPCG(uint64(k), 2)))
			img, err := f.Render(h, d.Model, d.Side, rand.New(rand.NewPCG(uint64(k), 3)))
			if err != nil {
				t.Fatal(err)
			}
			th := locate.Thumbnail(img)
			if sum == nil {
				sum = make([]int, len(th.Pix))
			}
			for i, p := range th.Pix {
				sum[i] += int(p)
			}
		}
		th := image.NewRGBA(image.Rect(0, 0, locate.ThumbW, locate.ThumbH))
		for i := range th.Pix {
			th.Pix[i] = uint8(sum[i] / n)
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, th); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("designs", locate.DesignFile(d.Model, d.Side))
		if *update {
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil || !bytes.Equal(got, buf.Bytes()) {
			t.Errorf("%s differs from the designs: run go test ./ocr/locate -run TestDesignThumbnails -update", path)
		}
	}
}

// TestClassify: every generated photo, levels 0–3, straightened and recognised as its
// model and side; upside-down cards recognised as such.
func TestClassify(t *testing.T) {
	c, err := locate.NewClassifier()
	if err != nil {
		t.Fatal(err)
	}
	finder := newFinder(t)
	for level := range 4 {
		wrong, total, minMargin := 0, 0, 1.0
		for _, card := range generate(t, level, 6, 11) {
			for _, side := range []struct {
				s   layout.Side
				img *image.RGBA
			}{{layout.Front, card.Front}, {layout.Back, card.Back}} {
				total++
				f, err := finder.Find(side.img)
				if err != nil {
					t.Errorf("level %d %s %s: %v", level, card.Name, side.s, err)
					continue
				}
				flat, err := locate.Straighten(side.img, f, false)
				if err != nil {
					t.Fatal(err)
				}
				m, err := c.Classify(flat)
				if err != nil || m.Model != card.Truth.Modelo || m.Side != side.s {
					wrong++
					t.Logf("level %d %s %s (model %s): got %+v, %v", level, card.Name, side.s, card.Truth.Modelo, m, err)
					continue
				}
				minMargin = min(minMargin, m.Margin)
			}
		}
		t.Logf("level %d: %d/%d recognised, smallest margin %.3f", level, total-wrong, total, minMargin)
		// Levels 0–2 must all be recognised; level 3 (glare, 180° turns) mostly.
		if level < 3 && wrong > 0 || wrong*10 > total {
			t.Errorf("level %d: %d of %d misrecognised", level, wrong, total)
		}
	}
}
