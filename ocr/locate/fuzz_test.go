package locate_test

import (
	"image"
	"testing"

	"cotejo/ocr/locate"
)

// FuzzFind: any picture, however odd, gives a card or an error, never a panic, and a
// card found can be straightened and classified.
func FuzzFind(f *testing.F) {
	f.Add(uint16(400), uint16(300), []byte{0, 255, 30, 200})
	f.Add(uint16(1200), uint16(800), []byte{60, 50, 40, 255, 250, 250, 250, 255})
	f.Add(uint16(340), uint16(220), []byte{255})
	c, err := locate.NewClassifier()
	if err != nil {
		f.Fatal(err)
	}
	finder := newFinder(f)
	f.Fuzz(func(t *testing.T, w, h uint16, pattern []byte) {
		if w > 1600 || h > 1600 || len(pattern) == 0 {
			return
		}
		img := image.NewRGBA(image.Rect(0, 0, int(w), int(h)))
		for i := range img.Pix {
			img.Pix[i] = pattern[(i/4*3+i%4)%len(pattern)]
		}
		found, err := finder.Find(img)
		if err != nil {
			return
		}
		flat, err := locate.Straighten(img, found, false)
		if err != nil {
			return
		}
		c.Classify(flat)
	})
}
