package wsq_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"runtime"
	"testing"

	"cotejo/scanner/biometrics/wsq"
)

// claiming re-labels a real WSQ file's frame header with another size: a file of a few
// hundred bytes that says it holds width × height pixels.
func claiming(t *testing.T, width, height int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 96, 96))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var buf bytes.Buffer
	if err := wsq.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	sof := bytes.Index(b, []byte{0xff, 0xa2}) // SOF: length, black, white, height, width
	if sof < 0 {
		t.Fatal("no frame header")
	}
	binary.BigEndian.PutUint16(b[sof+6:], uint16(height))
	binary.BigEndian.PutUint16(b[sof+8:], uint16(width))
	return b
}

// TestDecodeCapsPixels: a small file claiming 10000 × 10000 is refused from its header,
// before the decoder allocates for it; real sensors' sizes pass (issue 15, point 10).
func TestDecodeCapsPixels(t *testing.T) {
	for _, tt := range []struct {
		w, h int
		ok   bool
	}{{10000, 10000, false}, {4000, 300, false}, {1100, 1100, false}, {640, 480, true}, {300, 480, true}, {1000, 1000, true}} {
		data := claiming(t, tt.w, tt.h)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := wsq.Decode(bytes.NewReader(data))
		runtime.ReadMemStats(&after)
		var se *wsq.SizeError
		if tt.ok {
			if errors.As(err, &se) {
				t.Errorf("%d×%d refused: %v", tt.w, tt.h, err)
			}
			continue
		}
		if !errors.As(err, &se) {
			t.Errorf("%d×%d from %d bytes: %v, want *wsq.SizeError", tt.w, tt.h, len(data), err)
		}
		if grew := after.TotalAlloc - before.TotalAlloc; grew > 16<<20 {
			t.Errorf("%d×%d: %d MiB allocated to refuse %d bytes", tt.w, tt.h, grew>>20, len(data))
		}
	}
}
