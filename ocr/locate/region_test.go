package locate_test

import (
	"image"
	"testing"

	"cotejo/ocr/geom"
	"cotejo/ocr/locate"
)

// TestFindByRegion: the second opinion finds the card on Photograph's plain desk at
// levels 0–2 about as well as it did when it was the only finder (within 6 px), and
// says so when there is no card.
func TestFindByRegion(t *testing.T) {
	for level := range 3 {
		for _, c := range generate(t, level, 6, 7) {
			for _, img := range []struct {
				photo   *image.RGBA
				corners [4]geom.Point
			}{{c.Front, c.FrontCorners}, {c.Back, c.BackCorners}} {
				f, err := locate.FindByRegion(img.photo)
				if err != nil {
					t.Errorf("level %d card %s: %v", level, c.Name, err)
					continue
				}
				if e := cornerError(f.Corners, img.corners); e > 6 {
					t.Errorf("level %d card %s: corners off by %.1f px", level, c.Name, e)
				}
			}
		}
	}
	desk := image.NewRGBA(image.Rect(0, 0, 800, 600))
	for i := range desk.Pix {
		desk.Pix[i] = uint8(60 + i%5)
	}
	if _, err := locate.FindByRegion(desk); err == nil {
		t.Error("a card found on an empty desk")
	}
}
