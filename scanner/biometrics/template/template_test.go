package template_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cotejo/scanner/biometrics/template"
)

var (
	update = flag.Bool("update", false, "rewrite the golden records in testdata")
	real   = flag.String("template.real", "", "directory with third-party ISO 19794-2 records (iso-matching.dat, iso-nonmatching.dat)")
)

// indexes is a record like the kiosk sends: both index fingers, 500 ppi.
func indexes(f template.Format) *template.Record {
	return &template.Record{
		Format: f, Width: 500, Height: 500, XRes: 197, YRes: 197,
		Views: []template.View{
			{Finger: template.RightIndex, Quality: 82, Minutiae: []template.Minutia{
				{Kind: template.Ending, X: 120, Y: 200, Angle: 90, Quality: 80},
				{Kind: template.Bifurcation, X: 499, Y: 0, Angle: 0, Quality: 55},
				{Kind: template.Ending, X: 0, Y: 499, Angle: 270, Quality: 100},
			}},
			{Finger: template.LeftIndex, Quality: 64, Minutiae: []template.Minutia{
				{Kind: template.Bifurcation, X: 250, Y: 251, Angle: 180, Quality: 70},
			}, Extended: []template.Extended{{Type: 0x0002, Data: []byte{0x01, 0x02, 0x03}}}},
		},
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    template.Format
	}{{"indexes.ansi", template.ANSI}, {"indexes.iso", template.ISO}} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := indexes(tc.f).Encode()
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.name)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("encoding changed:\n got %s\nwant %s", hex.EncodeToString(got), hex.EncodeToString(want))
			}
			back, err := template.Decode(want)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, indexes(tc.f)) {
				t.Errorf("decoded %+v\nwant %+v", back, indexes(tc.f))
			}
		})
	}
}

// TestLayout checks the bytes the standards fix, independently of the encoder's own
// reading of them.
func TestLayout(t *testing.T) {
	ansi, _ := indexes(template.ANSI).Encode()
	iso, _ := indexes(template.ISO).Encode()
	// 26-byte header, two 4-byte view headers, 4 minutiae × 6, two 2-byte extended
	// lengths and one 7-byte area.
	if want := 26 + 8 + 24 + 4 + 7; len(ansi) != want || int(ansi[8])<<8|int(ansi[9]) != want {
		t.Errorf("ANSI record is %d bytes, length field %x; want %d", len(ansi), ansi[8:10], want)
	}
	if want := 24 + 8 + 24 + 4 + 7; len(iso) != want || !bytes.Equal(iso[8:12], []byte{0, 0, 0, byte(want)}) {
		t.Errorf("ISO record is %d bytes, length field %x; want %d", len(iso), iso[8:12], want)
	}
	for _, c := range []struct {
		name string
		rec  []byte
		at   int // first view header
		want []byte
	}{
		// finger 2, view 0 / live plain, quality 82, 3 minutiae; then an ending at
		// (120, 200), 90° = 45 ANSI units or 64 ISO units, quality 80.
		{"ANSI", ansi, 26, []byte{2, 0, 82, 3, 0x40, 120, 0, 200, 45, 80}},
		{"ISO", iso, 24, []byte{2, 0, 82, 3, 0x40, 120, 0, 200, 64, 80}},
	} {
		if got := c.rec[c.at : c.at+len(c.want)]; !bytes.Equal(got, c.want) {
			t.Errorf("%s first view: % x, want % x", c.name, got, c.want)
		}
		if got := c.rec[c.at-10 : c.at]; !bytes.Equal(got, []byte{0x01, 0xf4, 0x01, 0xf4, 0, 197, 0, 197, 2, 0}) {
			t.Errorf("%s size, resolution and view count: % x", c.name, got)
		}
	}
}

func TestDetect(t *testing.T) {
	ansi, _ := indexes(template.ANSI).Encode()
	iso, _ := indexes(template.ISO).Encode()
	for _, c := range []struct {
		name string
		data []byte
		want template.Format
	}{
		{"ANSI", ansi, template.ANSI},
		{"ISO", iso, template.ISO},
		{"ANSI padded", append(bytes.Clone(ansi), make([]byte, 300)...), template.ANSI},
		{"ISO padded", append(bytes.Clone(iso), make([]byte, 300)...), template.ISO},
	} {
		if got, err := template.Detect(c.data); err != nil || got != c.want {
			t.Errorf("%s: %v, %v", c.name, got, err)
		}
		if _, err := template.Decode(c.data); err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}

func TestLongANSI(t *testing.T) {
	rec := &template.Record{Format: template.ANSI, Width: 800, Height: 750, XRes: 197, YRes: 197}
	for f := 0; f <= 10; f++ {
		for n := range 4 {
			v := template.View{Finger: f, Number: n, Quality: 50}
			for i := range 255 {
				v.Minutiae = append(v.Minutiae, template.Minutia{Kind: template.Kind(i % 3), X: i * 3, Y: 749 - i, Angle: float64(2 * (i % 180)), Quality: i % 101})
			}
			rec.Views = append(rec.Views, v)
		}
	}
	b, err := rec.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) <= 0xffff || b[8] != 0 || b[9] != 0 {
		t.Fatalf("%d bytes, length field % x: want the long form", len(b), b[8:14])
	}
	back, err := template.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, rec) {
		t.Error("long record changed in the round trip")
	}
}

func TestAngles(t *testing.T) {
	for _, c := range []struct {
		f        template.Format
		in, want float64
	}{
		{template.ANSI, 0, 0}, {template.ANSI, 1.2, 2}, {template.ANSI, 0.9, 0}, {template.ANSI, 359.2, 0}, {template.ANSI, 357, 358},
		{template.ISO, 1.40625, 1.40625}, {template.ISO, 90, 90}, {template.ISO, 359.5, 0}, {template.ISO, 100, 99.84375},
	} {
		rec := indexes(c.f)
		rec.Views[0].Minutiae[0].Angle = c.in
		b, err := rec.Encode()
		if err != nil {
			t.Fatal(err)
		}
		back, err := template.Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		if got := back.Views[0].Minutiae[0].Angle; got != c.want {
			t.Errorf("%v: %g° came back %g°, want %g°", c.f, c.in, got, c.want)
		}
	}
}

// TestMalformed: each way a record can break the rules is refused, naming the field.
func TestMalformed(t *testing.T) {
	good, _ := indexes(template.ANSI).Encode()
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	first := 26 // first view header
	for _, c := range []struct {
		name  string
		data  []byte
		field string
	}{
		{"empty", nil, "format identifier"},
		{"a PNG", []byte("\x89PNG\r\n\x1a\n0000000000000000000000000"), "format identifier"},
		{"version 30", edit(func(b []byte) []byte { b[5] = '3'; return b }), "format identifier"},
		{"length too long", edit(func(b []byte) []byte { b[9] += 10; return b }), "record length"},
		{"length too short", edit(func(b []byte) []byte { b[9] -= 10; return b }), "record length"},
		{"junk after", append(bytes.Clone(good), 1, 2, 3), "record length"},
		{"reserved byte", edit(func(b []byte) []byte { b[25] = 1; return b }), "reserved byte"},
		{"no views", edit(func(b []byte) []byte { b[24] = 0; return b }), "record length"},
		{"zero width", edit(func(b []byte) []byte { b[16], b[17] = 0, 0; return b }), "image size"},
		{"zero resolution", edit(func(b []byte) []byte { b[20], b[21] = 0, 0; return b }), "resolution"},
		{"finger 11", edit(func(b []byte) []byte { b[first] = 11; return b }), "finger position"},
		{"impression 5", edit(func(b []byte) []byte { b[first+1] = 5; return b }), "impression type"},
		{"quality 101", edit(func(b []byte) []byte { b[first+2] = 101; return b }), "quality"},
		{"more minutiae than bytes", edit(func(b []byte) []byte { b[first+3] = 40; return b }), "minutiae"},
		{"type 3", edit(func(b []byte) []byte { b[first+4] |= 0xc0; return b }), "type"},
		{"x outside", edit(func(b []byte) []byte { b[first+4], b[first+5] = 0x41, 0xf4; return b }), "position"},
		{"reserved y bits", edit(func(b []byte) []byte { b[first+6] |= 0x40; return b }), "minutia 1"},
		{"ANSI angle 180", edit(func(b []byte) []byte { b[first+8] = 180; return b }), "angle"},
		{"minutia quality 200", edit(func(b []byte) []byte { b[first+9] = 200; return b }), "quality"},
		{"extended area overruns", edit(func(b []byte) []byte { b[len(b)-4] = 9; return b }), "extended data area"},
		{"extended area too short", edit(func(b []byte) []byte { b[len(b)-4] = 2; return b }), "extended data area"},
		{"same finger twice", edit(func(b []byte) []byte { b[first+4+18+2] = 2; return b }), "appears twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rec, err := template.Decode(c.data)
			var te *template.Error
			if !errors.As(err, &te) {
				t.Fatalf("got %+v, %v; want a *template.Error", rec, err)
			}
			if !strings.Contains(te.Error(), c.field) {
				t.Errorf("%v; want it to name %q", err, c.field)
			}
		})
	}
}

// TestTruncated: every prefix of a valid record is refused, none panics.
func TestTruncated(t *testing.T) {
	for _, f := range []template.Format{template.ANSI, template.ISO} {
		good, _ := indexes(f).Encode()
		for n := range len(good) {
			if rec, err := template.DecodeFormat(good[:n], f); err == nil {
				t.Errorf("%v cut to %d bytes decoded: %+v", f, n, rec)
			}
			if rec, err := template.Decode(good[:n]); err == nil {
				t.Errorf("cut to %d bytes decoded: %+v", n, rec)
			}
		}
	}
}

func TestEncodeRefuses(t *testing.T) {
	for name, edit := range map[string]func(r *template.Record){
		"no views":        func(r *template.Record) { r.Views = nil },
		"outside":         func(r *template.Record) { r.Views[0].Minutiae[0].X = 500 },
		"negative angle":  func(r *template.Record) { r.Views[0].Minutiae[0].Angle = -1 },
		"ISO product":     func(r *template.Record) { r.Format, r.Product = template.ISO, 7 },
		"finger 12":       func(r *template.Record) { r.Views[1].Finger = 12 },
		"256 minutiae":    func(r *template.Record) { r.Views[1].Minutiae = make([]template.Minutia, 256) },
		"equipment 13bit": func(r *template.Record) { r.Equipment = 0x1000 },
		"format 0":        func(r *template.Record) { r.Format = 0 },
	} {
		r := indexes(template.ANSI)
		edit(r)
		if _, err := r.Encode(); err == nil {
			t.Errorf("%s: encoded", name)
		}
	}
}

// TestThirdParty reads ISO records written by another project's SDK, with vendor
// extended data and zero padding to a fixed buffer.
func TestThirdParty(t *testing.T) {
	if *real == "" {
		t.Skip("third-party records are not in the repository; give -template.real DIR (iso-matching.dat from SourceAFIS's test resources)")
	}
	for _, name := range []string{"iso-matching.dat", "iso-nonmatching.dat"} {
		data, err := os.ReadFile(filepath.Join(*real, name))
		if err != nil {
			t.Fatal(err)
		}
		rec, err := template.Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		v := rec.Views[0]
		t.Logf("%s: %v, %d × %d at %d ppcm, %d minutiae, %d extended areas", name, rec.Format, rec.Width, rec.Height, rec.XRes, len(v.Minutiae), len(v.Extended))
		if rec.Format != template.ISO || rec.XRes != 197 || len(v.Minutiae) < 20 {
			t.Errorf("%s: %+v", name, rec)
		}
		again, err := rec.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if n := len(again); !bytes.Equal(again, data[:n]) {
			t.Errorf("%s: re-encoding differs from the original's first %d bytes", name, n)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, fm := range []template.Format{template.ANSI, template.ISO} {
		b, _ := indexes(fm).Encode()
		f.Add(b)
		f.Add(b[:30])
	}
	f.Add([]byte("FMR\x00 20\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := template.Decode(data)
		if err != nil {
			return
		}
		// Whatever decodes must encode, and the encoding must read back the same.
		b, err := rec.Encode()
		if err != nil {
			t.Fatalf("decoded record does not encode: %v", err)
		}
		back, err := template.DecodeFormat(b, rec.Format)
		if err != nil || !reflect.DeepEqual(back, rec) {
			t.Fatalf("re-encoded record reads %+v, %v", back, err)
		}
	})
}

func TestSniff(t *testing.T) {
	ansi, _ := indexes(template.ANSI).Encode()
	iso, _ := indexes(template.ISO).Encode()
	for _, c := range []struct {
		data []byte
		want bool
	}{{ansi, true}, {iso, true}, {ansi[:4], true}, {ansi[:3], false}, {nil, false}, {[]byte{0xff, 0xa0, 0xff, 0xa8}, false}} {
		if got := template.Sniff(c.data); got != c.want {
			t.Errorf("% x: %v", c.data, got)
		}
	}
}
