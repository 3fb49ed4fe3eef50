package locate_test

import (
	"context"
	"errors"
	"image"
	"image/color"
	"math"
	"testing"

	"cotejo/ocr/cardgen"
	"cotejo/ocr/geom"
	"cotejo/ocr/layout"
	"cotejo/ocr/locate"
)

// generated caches each level's cards: generating is most of these tests' time.
var generated = map[[3]uint64][]cardgen.Card{}

func generate(t testing.TB, level, count int, seed uint64) []cardgen.Card {
	t.Helper()
	key := [3]uint64{uint64(level), uint64(count), seed}
	if c, ok := generated[key]; ok {
		return c
	}
	f, err := cardgen.LoadFonts()
	if err != nil {
		t.Skip(err)
	}
	var cards []cardgen.Card
	err = f.Generate(context.Background(), cardgen.Set{Count: count, Level: level, Seed: seed, Models: layout.Models()},
		func(c cardgen.Card) bool { cards = append(cards, c); return true })
	if err != nil {
		t.Fatal(err)
	}
	generated[key] = cards
	return cards
}

// newFinder makes a Finder, failing the test if it cannot.
func newFinder(t testing.TB) *locate.Finder {
	t.Helper()
	f, err := locate.NewFinder()
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// cornerError is the largest distance between found and true corners, allowing the
// found card to be the true one turned by 180°.
func cornerError(found, truth [4]geom.Point) float64 {
	best := math.Inf(1)
	for _, shift := range []int{0, 2} {
		worst := 0.0
		for i := range 4 {
			p, q := found[i], truth[(i+shift)%4]
			worst = math.Max(worst, math.Hypot(p.X-q.X, p.Y-q.Y))
		}
		best = math.Min(best, worst)
	}
	return best
}

func TestFindCorners(t *testing.T) {
	finder := newFinder(t)
	limits := []float64{3, 4, 5, 6}
	for level := range 4 {
		worst := 0.0
		for _, c := range generate(t, level, 6, 11) {
			for side, img := range map[string]struct {
				img     *image.RGBA
				corners [4]geom.Point
			}{"front": {c.Front, c.FrontCorners}, "back": {c.Back, c.BackCorners}} {
				f, err := finder.Find(img.img)
				if err != nil {
					t.Errorf("level %d card %s %s: %v", level, c.Name, side, err)
					continue
				}
				e := cornerError(f.Corners, img.corners)
				worst = math.Max(worst, e)
				if e > limits[level] {
					t.Errorf("level %d card %s %s: corners off by %.1f px", level, c.Name, side, e)
				}
			}
		}
		t.Logf("level %d: worst corner error %.2f px", level, worst)
	}
}

// TestFindPrintedStrip: a band printed along a card's edge (on the backs of the
// held-out family along the foot, of grid along a side and the top, of stacked two
// bands along a side) is part of the card: its outer edge, where card meets desk, is
// the card's, though the band's inner edge is the stronger line and the design
// thumbnails have no band. The held-out model C back is TestReadUnknownLayout's.
func TestFindPrintedStrip(t *testing.T) {
	f, err := cardgen.LoadFonts()
	if err != nil {
		t.Skip(err)
	}
	finder := newFinder(t)
	for _, fam := range []string{"heldout", "grid", "stacked"} {
		var cards []cardgen.Card
		err := f.Generate(context.Background(), cardgen.Set{Count: 6, Level: 0, Seed: 11, Models: layout.Models(), Family: fam},
			func(c cardgen.Card) bool { cards = append(cards, c); return true })
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cards {
			found, err := finder.Find(c.Back)
			if err != nil {
				t.Errorf("%s model %s back: %v", fam, c.Truth.Modelo, err)
				continue
			}
			if e := cornerError(found.Corners, c.BackCorners); e > 3 {
				t.Errorf("%s model %s back: corners off by %.1f px", fam, c.Truth.Modelo, e)
			}
		}
	}
}

func TestFindRejects(t *testing.T) {
	finder := newFinder(t)
	blank := image.NewRGBA(image.Rect(0, 0, 1200, 900))
	for i := range blank.Pix {
		blank.Pix[i] = 60
		if i%4 == 3 {
			blank.Pix[i] = 255
		}
	}
	if _, err := finder.Find(blank); !errors.Is(err, locate.ErrNoCard) {
		t.Errorf("an empty desk: %v", err)
	}
	if _, err := finder.Find(image.NewRGBA(image.Rect(0, 0, 100, 60))); !errors.Is(err, locate.ErrTooSmall) {
		t.Errorf("a thumbnail: %v", err)
	}
	// A square of paper is not a card.
	sq := image.NewRGBA(image.Rect(0, 0, 1200, 900))
	for y := range 900 {
		for x := range 1200 {
			c := color.RGBA{60, 50, 40, 255}
			if x > 300 && x < 900 && y > 150 && y < 750 {
				c = color.RGBA{240, 240, 240, 255}
			}
			sq.SetRGBA(x, y, c)
		}
	}
	if _, err := finder.Find(sq); !errors.Is(err, locate.ErrNoCard) {
		t.Errorf("a square: %v", err)
	}
}

// BenchmarkFind times Find on level-2 photos (1600×1200), the kiosk's usual frame.
func BenchmarkFind(b *testing.B) {
	cards := generate(b, 2, 4, 11)
	finder := newFinder(b)
	for i := 0; b.Loop(); i++ {
		c := cards[i%len(cards)]
		if _, err := finder.Find(c.Front); err != nil {
			b.Fatal(err)
		}
	}
}
