package ocr

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"os"
	"reflect"
	"testing"

	"github.com/otiai10/gosseract/v2"
)

func TestBitmap(t *testing.T) {
	// A 3 × 2 image seen through a sub-image whose bounds do not start at 0, 0.
	whole := image.NewGray(image.Rect(0, 0, 5, 4))
	for i := range whole.Pix {
		whole.Pix[i] = byte(i)
	}
	img := whole.SubImage(image.Rect(1, 1, 4, 3)).(*image.Gray)
	want := []byte{
		'B', 'M', 62, 0, 0, 0, 0, 0, 0, 0, 54, 0, 0, 0, // file header: size 62, pixels at 54
		40, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 8, 0, // info header: 3 × 2, 1 plane, 8 bits
		0, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // no compression, 8 bytes of pixels, no resolution
		0, 0, 0, 0, 0, 0, 0, 0, // no colour table
		11, 12, 13, 0, // the bottom row first, padded to four bytes
		6, 7, 8, 0,
	}
	if got := bitmap(img); !bytes.Equal(got, want) {
		t.Errorf("bitmap:\n got %v\nwant %v", got, want)
	}
}

// pgm is how images reached tesseract before bitmap: binary PGM, which leptonica reads
// from memory through fmemopen (a temporary file on Windows).
func pgm(img *image.Gray) []byte {
	b := img.Bounds()
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "P5\n%d %d\n255\n", b.Dx(), b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		i := img.PixOffset(b.Min.X, y)
		buf.Write(img.Pix[i : i+b.Dx()])
	}
	return buf.Bytes()
}

// TestBitmapReadsAsPGM: tesseract reads the same words, boxes and confidences from an
// image handed over as bitmap as from the same image as PGM, for every row padding
// (widths 0 to 3 modulo 4) and a sub-image's offset bounds: leptonica gets the same
// pixels either way.
func TestBitmapReadsAsPGM(t *testing.T) {
	f, err := os.Open("../assets/demo-0001-front.jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	photo, err := jpeg.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	grey := image.NewGray(photo.Bounds())
	draw.Draw(grey, grey.Bounds(), photo, photo.Bounds().Min, draw.Src)

	p := NewPool(1, "spa")
	defer p.Close()
	c, err := p.get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { p.free <- c }()
	read := func(data []byte) []gosseract.BoundingBox {
		t.Helper()
		if err := c.SetImageFromBytes(data); err != nil {
			t.Fatal(err)
		}
		if err := c.SetPageSegMode(gosseract.PSM_SPARSE_TEXT); err != nil {
			t.Fatal(err)
		}
		boxes, err := c.GetBoundingBoxesVerbose()
		if err != nil {
			t.Fatal(err)
		}
		return boxes
	}
	b := grey.Bounds()
	for extra := range 4 {
		// The card's upper half, from a few pixels in, 4k+extra pixels wide.
		w := (b.Dx()-40)&^3 + extra - 4
		r := image.Rect(b.Min.X+17, b.Min.Y+9, b.Min.X+17+w, b.Min.Y+b.Dy()/2)
		img := grey.SubImage(r).(*image.Gray)
		want := read(pgm(img))
		if len(want) == 0 {
			t.Fatalf("width %d: no words read from the PGM", w)
		}
		if got := read(bitmap(img)); !reflect.DeepEqual(got, want) {
			t.Errorf("width %d: bitmap read\n%v\nPGM read\n%v", w, got, want)
		}
	}
}
