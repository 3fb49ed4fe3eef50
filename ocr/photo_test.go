package ocr_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"testing"

	"cotejo/ocr"
)

// TestDecodePhotoCapsPixels: a photo's size is read from its header and capped (25 Mpx)
// before it is decoded: a 1 MB PNG of 20000 × 20000 took 1.6 GB (issue 15, point 10).
func TestDecodePhotoCapsPixels(t *testing.T) {
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8)))
	b := buf.Bytes()
	binary.BigEndian.PutUint32(b[16:], 20000)
	binary.BigEndian.PutUint32(b[20:], 20000)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(b[12:29]))
	var se *ocr.SizeError
	if _, err := ocr.DecodePhoto(bytes.NewReader(b)); !errors.As(err, &se) {
		t.Errorf("%v, want *ocr.SizeError", err)
	}
	if _, err := ocr.DecodePhoto(bytes.NewReader([]byte("no es una foto"))); err == nil {
		t.Error("text decoded as a photo")
	}
	f, err := os.Open("../assets/demo-0001-front.jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := ocr.DecodePhoto(f); err != nil {
		t.Errorf("the demo's photo: %v", err)
	}
}
