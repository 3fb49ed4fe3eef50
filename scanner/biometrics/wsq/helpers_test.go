package wsq

import (
	"bytes"
	"errors"
	"flag"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"cotejo/scanner/biometrics/fingergen"
)

var realDir = flag.String("wsq.real", "", "directory with third-party test files: NIST's wsq-original.wsq and its decoding wsq-converted.png, and real prints (probe.png)")

// needReal gives the path of a third-party file, or skips: those files may not be copied
// into the repository.
func needReal(t testing.TB, name string) string {
	t.Helper()
	if *realDir == "" {
		t.Skip("third-party test files are not in the repository; run with -wsq.real DIR to use them")
	}
	return filepath.Join(*realDir, name)
}

// impression is a 500 × 500 synthetic print at 500 ppi; growing the master takes a
// noticeable fraction of a second, so it is made once.
var impression = sync.OnceValue(func() *image.Gray {
	m := fingergen.NewMaster(7, fingergen.RightLoop)
	return m.Impress(11, fingergen.Options{Contact: 1}).Image
})

// crop copies a w × h piece of img from (x, y), with its own origin.
func crop(img *image.Gray, x, y, w, h int) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, w, h))
	for r := range h {
		copy(out.Pix[r*w:(r+1)*w], img.Pix[img.PixOffset(x, y+r):])
	}
	return out
}

func psnr(a, b *image.Gray) float64 {
	var se float64
	w, h := a.Rect.Dx(), a.Rect.Dy()
	for y := range h {
		for x := range w {
			d := float64(a.GrayAt(a.Rect.Min.X+x, a.Rect.Min.Y+y).Y) - float64(b.GrayAt(b.Rect.Min.X+x, b.Rect.Min.Y+y).Y)
			se += d * d
		}
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255*float64(w*h)/se)
}

func encodeBytes(t testing.TB, img *image.Gray, o *Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, img, o); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func decodeBytes(t testing.TB, data []byte) *image.Gray {
	t.Helper()
	img, err := Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func loadPNG(t testing.TB, path string) *image.Gray {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	im, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	b := im.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := range b.Dy() {
		for x := range b.Dx() {
			g.SetGray(x, y, color.GrayModel.Convert(im.At(b.Min.X+x, b.Min.Y+y)).(color.Gray))
		}
	}
	return g
}

// wantFormatError fails unless err is a *FormatError.
func wantFormatError(t testing.TB, what string, err error) {
	t.Helper()
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Errorf("%s: got %v, want a *FormatError", what, err)
	}
}

// seg is one piece of a WSQ file, for tests that take files apart and put them back
// together differently.
type seg struct {
	m    uint16
	body []byte // without the length field
	ecs  []byte // entropy-coded data after an SOB
}

// segments takes a file this package wrote apart into its segments (SOI and EOI included).
func segments(t testing.TB, data []byte) []seg {
	t.Helper()
	out := []seg{{m: markerSOI}}
	i := 2
	for {
		m := be16(data[i:])
		if m == markerEOI {
			return append(out, seg{m: m})
		}
		n := int(be16(data[i+2:]))
		s := seg{m: m, body: data[i+4 : i+2+n]}
		i += 2 + n
		if m == markerSOB {
			j := i
			for data[j] != 0xff || data[j+1] == 0 {
				j++
			}
			s.ecs = data[i:j]
			i = j
		}
		out = append(out, s)
	}
}

// offsetOf is where the first m marker of a file this package wrote starts.
func offsetOf(t testing.TB, data []byte, m uint16) int {
	t.Helper()
	off := 0
	for _, s := range segments(t, data) {
		if s.m == m {
			return off
		}
		off += 2
		if s.m != markerSOI && s.m != markerEOI {
			off += 2 + len(s.body) + len(s.ecs)
		}
	}
	t.Fatalf("no %04X marker", m)
	return 0
}

func assemble(segs []seg) []byte {
	var w writer
	for _, s := range segs {
		w.u16(s.m)
		if s.m == markerSOI || s.m == markerEOI {
			continue
		}
		w.u16(uint16(2 + len(s.body)))
		w.buf = append(w.buf, s.body...)
		w.buf = append(w.buf, s.ecs...)
	}
	return w.buf
}
