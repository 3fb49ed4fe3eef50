package wsq

import (
	"bytes"
	"errors"
	"image"
	"os"
	"testing"
)

// FuzzDecode feeds Decode and DecodeConfig arbitrary bytes: they may refuse them, with a
// *FormatError, but never panic, and agree with each other when they accept them.
func FuzzDecode(f *testing.F) {
	small := smallFile(f)
	flat := encodeBytes(f, image.NewGray(image.Rect(0, 0, 81, 81)), nil)
	var even bytes.Buffer
	if err := encode(&even, crop(impression(), 200, 180, 90, 84), &Options{BitRate: 0.75}, evenFilters()); err != nil {
		f.Fatal(err)
	}
	seeds := [][]byte{small, flat, even.Bytes(), withRestarts(f, small, 5)}
	for _, name := range []string{"nbis-97.wsq", "nbis-88.wsq"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	for _, seed := range seeds {
		f.Add(seed)
		for n := 0; n < len(seed); n += 1 + len(seed)/16 {
			f.Add(seed[:n])
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		info, cfgErr := DecodeConfig(bytes.NewReader(data))
		if cfgErr == nil && info.Width*info.Height > 1<<18 {
			return // a valid header may ask for 10000 × 10000; that is slow, not wrong
		}
		img, err := Decode(bytes.NewReader(data))
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a *FormatError", err)
			}
			return
		}
		if cfgErr != nil {
			t.Fatalf("Decode accepts what DecodeConfig refuses: %v", cfgErr)
		}
		if img.Rect.Dx() != info.Width || img.Rect.Dy() != info.Height {
			t.Fatalf("Decode gives %v, DecodeConfig %d×%d", img.Rect, info.Width, info.Height)
		}
	})
}
