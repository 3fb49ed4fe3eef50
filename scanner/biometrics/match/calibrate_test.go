package match

import (
	"math"
	"testing"
)

func TestScale(t *testing.T) {
	for _, k := range knots {
		if s := scale(k.raw); math.Abs(s-k.similarity) > 1e-9 {
			t.Errorf("raw %v: %v, want the knot's %v", k.raw, s, k.similarity)
		}
	}
	for _, c := range []struct{ raw, want float64 }{{0, 0}, {-1, 0}, {knots[0].raw / 4, 0}, {knots[0].raw / 8, 0}, {0.5, 100}, {1, 100}} {
		if s := scale(c.raw); s != c.want {
			t.Errorf("raw %v: %v, want %v", c.raw, s, c.want)
		}
	}
	prev := -1.0
	for raw := 0.0; raw <= 1; raw += 1e-4 {
		s := scale(raw)
		if s < prev || s < 0 || s > 100 || math.IsNaN(s) {
			t.Fatalf("raw %v: %v after %v: the scale must rise from 0 to 100", raw, s, prev)
		}
		prev = s
	}
	if scale(knots[2].raw-1e-6) >= Threshold || scale(knots[2].raw) < Threshold {
		t.Errorf("the threshold %v is not at the 0.1 %% knot", Threshold)
	}
}
