package ridge_test

import (
	"math"
	"testing"

	"cotejo/scanner/ridge"
)

// draw makes a w × h ridge image from strokes (thick lines, 3 px).
func draw(w, h int, strokes [][4]float64) []bool {
	b := make([]bool, w*h)
	for _, s := range strokes {
		n := int(math.Hypot(s[2]-s[0], s[3]-s[1])) + 1
		for k := 0; k <= n; k++ {
			t := float64(k) / float64(n)
			cx, cy := s[0]+(s[2]-s[0])*t, s[1]+(s[3]-s[1])*t
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					x, y := int(cx)+dx, int(cy)+dy
					if x >= 0 && y >= 0 && x < w && y < h {
						b[y*w+x] = true
					}
				}
			}
		}
	}
	return b
}

func TestMinutiae(t *testing.T) {
	all := func(int, int) bool { return true }
	horizontal := func(int, int) float64 { return 0 }
	cases := []struct {
		name                 string
		strokes              [][4]float64
		endings, bifurcation int
	}{
		{"a line", [][4]float64{{10, 30, 70, 30}}, 2, 0},
		{"a fork", [][4]float64{{10, 30, 40, 30}, {40, 30, 70, 15}, {40, 30, 70, 45}}, 3, 1},
	}
	for _, tc := range cases {
		sk := ridge.Thin(80, 60, draw(80, 60, tc.strokes))
		ms := sk.Minutiae(all, horizontal, 5)
		var e, b int
		for _, m := range ms {
			if m.Kind == ridge.Ending {
				e++
			} else {
				b++
			}
		}
		if e != tc.endings || b != tc.bifurcation {
			t.Errorf("%s: %d endings and %d bifurcations, want %d and %d (%+v)", tc.name, e, b, tc.endings, tc.bifurcation, ms)
		}
	}
	// The line's right end points right (0), its left end left (π).
	for _, m := range ridge.Thin(80, 60, draw(80, 60, [][4]float64{{10, 30, 70, 30}})).Minutiae(all, horizontal, 5) {
		want := 0.0
		if m.X < 40 {
			want = math.Pi
		}
		if d := math.Abs(math.Remainder(m.Angle-want, 2*math.Pi)); d > 0.2 {
			t.Errorf("ending at %.0f points %.2f rad, want %.2f", m.X, m.Angle, want)
		}
	}
	// Two minutiae closer than the gap are an artefact: both go.
	if ms := ridge.Thin(80, 60, draw(80, 60, [][4]float64{{10, 30, 14, 30}})).Minutiae(all, horizontal, 8); len(ms) != 0 {
		t.Errorf("a speck gave %+v", ms)
	}
}

func TestErode(t *testing.T) {
	w, h := 50, 40
	m := make([]bool, w*h)
	for i := range m {
		m[i] = true
	}
	e := ridge.Erode(w, h, m, 5)
	n := 0
	for _, v := range e {
		if v {
			n++
		}
	}
	if n != (w-10)*(h-10) {
		t.Errorf("eroded area %d, want %d", n, (w-10)*(h-10))
	}
}
