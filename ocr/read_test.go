package ocr_test

import (
	"context"
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

func TestReadExplore(t *testing.T) {
	r := reader(t)
	for _, c := range cards(t, 1, 6, 3) {
		res, err := r.Read(context.Background(), []image.Image{c.Front, c.Back}, nil)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		got := res.Credential()
		if got != c.Truth {
			t.Errorf("%s model %s:\n got %+v\nwant %+v", c.Name, c.Truth.Modelo, got, c.Truth)
			for k, f := range res.Fields {
				t.Logf("  %s: %+v", k, f)
			}
		}
	}
}
