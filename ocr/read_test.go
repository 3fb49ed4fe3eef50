package ocr_test

import (
	"context"
	"errors"
	"image"
	"os"
	"testing"

	"cotejo/ocr"
	"cotejo/ocr/cardgen"
	"cotejo/ocr/layout"
)

func TestMain(m *testing.M) {
	// OpenMP reads its thread limit when the process starts.
	if err := ocr.LimitThreads(); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

func reader(t testing.TB) *ocr.Reader {
	t.Helper()
	r, err := ocr.NewReader(2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func cards(t testing.TB, level, count int, seed uint64) []cardgen.Card {
	t.Helper()
	f, err := cardgen.LoadFonts()
	if err != nil {
		t.Skip(err)
	}
	var out []cardgen.Card
	if err := f.Generate(context.Background(), cardgen.Set{Count: count, Level: level, Seed: seed, Models: layout.Models()},
		func(c cardgen.Card) bool { out = append(out, c); return true }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReadBadInput(t *testing.T) {
	r := reader(t)
	cs := cards(t, 0, 2, 9)
	desk := image.NewRGBA(image.Rect(0, 0, 1200, 800))
	for i := range desk.Pix {
		desk.Pix[i] = uint8(40 + i%7)
	}
	cases := map[string]struct {
		imgs   []image.Image
		reason ocr.Reason
	}{
		"an empty desk":      {[]image.Image{desk}, ocr.NotACard},
		"a thumbnail":        {[]image.Image{image.NewRGBA(image.Rect(0, 0, 90, 60))}, ocr.TooSmall},
		"two fronts":         {[]image.Image{cs[0].Front, cs[1].Front}, ocr.SameSide},
		"a card and no card": {[]image.Image{cs[0].Front, desk}, ocr.NotACard},
	}
	for name, tc := range cases {
		_, err := r.Read(context.Background(), tc.imgs, nil)
		var p *ocr.Problem
		if !errors.As(err, &p) || p.Reason != tc.reason {
			t.Errorf("%s: %v, want reason %d", name, err, tc.reason)
			continue
		}
		if p.Message("es") == "" || p.Message("en") == "" || p.Message("es") == p.Message("en") {
			t.Errorf("%s: messages %q / %q", name, p.Message("es"), p.Message("en"))
		}
	}
	if _, err := r.Read(context.Background(), nil, nil); err == nil {
		t.Error("no images accepted")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.Read(ctx, []image.Image{cs[0].Front, cs[0].Back}, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

// TestReadUpsideDown: a card photographed upside down reads the same; the front alone
// gives its fields (no CIC without the back).
func TestReadUpsideDown(t *testing.T) {
	r := reader(t)
	c := cards(t, 0, 6, 4)[4] // model G
	turn := func(img *image.RGBA) *image.RGBA {
		b := img.Bounds()
		out := image.NewRGBA(b)
		for y := range b.Dy() {
			for x := range b.Dx() {
				out.SetRGBA(b.Dx()-1-x, b.Dy()-1-y, img.RGBAAt(x, y))
			}
		}
		return out
	}
	var steps []ocr.Progress
	res, err := r.Read(context.Background(), []image.Image{turn(c.Back), turn(c.Front)}, func(p ocr.Progress) { steps = append(steps, p) })
	if err != nil {
		t.Fatal(err)
	}
	if !res.Front.Flipped || !res.Back.Flipped {
		t.Error("the turn was not noticed")
	}
	if got := res.Credential(); got != c.Truth {
		t.Errorf("got  %+v\nwant %+v", got, c.Truth)
	}
	if len(steps) < 3 || steps[len(steps)-1].Step != ocr.StepDone {
		t.Errorf("progress: %+v", steps)
	}
	front, err := r.Read(context.Background(), []image.Image{c.Front}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := front.Credential(); got.CURP != c.Truth.CURP || got.CIC != "" {
		t.Errorf("front only: %+v", got)
	}
}

func BenchmarkRead(b *testing.B) {
	r := reader(b)
	cs := cards(b, 1, 6, 8)
	b.ResetTimer()
	i := 0
	for b.Loop() {
		c := cs[i%len(cs)]
		if _, err := r.Read(context.Background(), []image.Image{c.Front, c.Back}, nil); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
