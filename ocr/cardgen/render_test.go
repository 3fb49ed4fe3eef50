package cardgen_test

import (
	"context"
	"flag"
	"fmt"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"cotejo/ocr/cardgen"
	"cotejo/ocr/layout"
	"cotejo/verify/credential/synthetic"
)

var outDir = flag.String("cardgen.out", "", "also write the rendered cards to this directory, to look at")

func fonts(t testing.TB) *cardgen.Fonts {
	t.Helper()
	f, err := cardgen.LoadFonts()
	if err != nil {
		t.Skip(err)
	}
	return f
}

func TestRenderEveryDesign(t *testing.T) {
	f := fonts(t)
	g := synthetic.NewGenerator(1, 2)
	for _, m := range layout.Models() {
		h := cardgen.NewHolder(g.Citizen(m, synthetic.Options{}), g.Rand())
		for _, side := range []layout.Side{layout.Front, layout.Back} {
			img, err := f.Render(h, m, side, rand.New(rand.NewPCG(3, 4)))
			if err != nil {
				t.Fatalf("%s %s: %v", m, side, err)
			}
			if *outDir != "" {
				w, err := os.Create(filepath.Join(*outDir, string(m)+"-"+side.String()+".png"))
				if err != nil {
					t.Fatal(err)
				}
				png.Encode(w, img)
				w.Close()
			}
		}
	}
}

func TestGenerateLevels(t *testing.T) {
	f := fonts(t)
	for level := range 4 {
		var cards []cardgen.Card
		set := cardgen.Set{Count: 3, Level: level, Seed: 7, Models: layout.Models()[3:]}
		if err := f.Generate(context.Background(), set, func(c cardgen.Card) bool { cards = append(cards, c); return true }); err != nil {
			t.Fatal(err)
		}
		if len(cards) != 3 {
			t.Fatalf("level %d: %d cards", level, len(cards))
		}
		for i, c := range cards {
			if c.Truth.Modelo != layout.Models()[3+i] {
				t.Errorf("card %d is model %s", i, c.Truth.Modelo)
			}
			if err := c.Truth.Validate(); err != nil {
				t.Errorf("card %d: %v", i, err)
			}
			if i > 0 && c.Truth.CURP != cards[0].Truth.CURP {
				t.Errorf("card %d shows another citizen", i)
			}
			if *outDir != "" {
				c.Name = fmt.Sprintf("L%d-%s", level, c.Truth.Modelo)
				if err := c.Write(*outDir); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// BenchmarkCard: one card, both sides rendered and photographed at level 2.
func BenchmarkCard(b *testing.B) {
	f := fonts(b)
	n := 0
	for b.Loop() {
		n++
		err := f.Generate(context.Background(), cardgen.Set{Count: 1, Level: 2, Seed: uint64(n)}, func(cardgen.Card) bool { return true })
		if err != nil {
			b.Fatal(err)
		}
	}
}
