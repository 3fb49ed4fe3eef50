package fingerimage_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"cotejo/scanner/biometrics/fingerimage"
	"cotejo/scanner/biometrics/wsq"
)

// pngClaiming is a real small PNG whose header says width × height: a few hundred bytes
// that image.Decode would try to fill in full.
func pngClaiming(t *testing.T, width, height int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	ihdr := 8 // signature, then the IHDR chunk: length, type, width, height, …, CRC
	binary.BigEndian.PutUint32(b[ihdr+8:], uint32(width))
	binary.BigEndian.PutUint32(b[ihdr+12:], uint32(height))
	binary.BigEndian.PutUint32(b[ihdr+8+13:], crc32.ChecksumIEEE(b[ihdr+4:ihdr+8+13]))
	return b
}

// TestDecodeCapsPixels: a fingerprint image's size is read from its header and capped
// before it is decoded; every real sensor's images in the fixtures pass (issue 15,
// point 10).
func TestDecodeCapsPixels(t *testing.T) {
	for _, tt := range []struct {
		name string
		data []byte
	}{
		{"PNG 20000×20000", pngClaiming(t, 20000, 20000)},
		{"PNG 1200×1000", pngClaiming(t, 1200, 1000)},
		{"not an image", []byte("FMR\x00 20\x00")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fingerimage.Decode(tt.data)
			if err == nil {
				t.Fatal("decoded")
			}
		})
	}
	var se *fingerimage.SizeError
	if _, err := fingerimage.Decode(pngClaiming(t, 20000, 20000)); !errors.As(err, &se) {
		t.Errorf("%v, want *fingerimage.SizeError", err)
	}
	real := "/work/shared/fixtures/fingerprints/real"
	dirs, _ := filepath.Glob(filepath.Join(real, "*"))
	n := 0
	for _, d := range dirs {
		files, _ := filepath.Glob(filepath.Join(d, "*_1.png"))
		for _, f := range files[:min(2, len(files))] {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			g, err := fingerimage.Decode(data)
			if err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			// And the same print as WSQ.
			var w bytes.Buffer
			if err := wsq.Encode(&w, g, nil); err != nil {
				t.Fatal(err)
			}
			if _, err := fingerimage.Decode(w.Bytes()); err != nil {
				t.Errorf("%s as WSQ: %v", f, err)
			}
			n++
		}
	}
	if n == 0 {
		t.Skipf("no real fingerprints under %s", real)
	}
}
