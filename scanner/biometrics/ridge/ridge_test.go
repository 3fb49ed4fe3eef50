package ridge_test

import (
	"math"
	"testing"

	"cotejo/scanner/biometrics/ridge"
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

// TestPrune draws the artefacts thinning leaves on a real print, and a true fork, and
// counts the minutiae left once the skeleton is pruned.
func TestPrune(t *testing.T) {
	all := func(int, int) bool { return true }
	horizontal := func(int, int) float64 { return 0 }
	period := func(int, int) float64 { return 9 }
	params := ridge.PruneParams{Spur: 1, Island: 1.5, Lake: 3, Bridge: 1.5}
	cases := []struct {
		name                 string
		strokes              [][4]float64
		endings, bifurcation int
	}{
		{"a fork", [][4]float64{{10, 40, 50, 40}, {50, 40, 110, 20}, {50, 40, 110, 60}}, 3, 1},
		{"a spur", [][4]float64{{10, 40, 110, 40}, {60, 40, 64, 34}}, 2, 0},
		{"an island beside a ridge", [][4]float64{{10, 40, 110, 40}, {50, 60, 57, 60}}, 2, 0},
		{"a short ridge", [][4]float64{{10, 40, 110, 40}, {40, 60, 80, 60}}, 4, 0},
		{"a lake", [][4]float64{{10, 40, 50, 40}, {50, 40, 53, 36}, {53, 36, 58, 36}, {58, 36, 61, 40}, {50, 40, 53, 44}, {53, 44, 58, 44}, {58, 44, 61, 40}, {61, 40, 110, 40}}, 2, 0},
		{"an enclosure", [][4]float64{{10, 40, 40, 40}, {40, 40, 46, 34}, {46, 34, 74, 34}, {74, 34, 80, 40}, {40, 40, 46, 46}, {46, 46, 74, 46}, {74, 46, 80, 40}, {80, 40, 110, 40}}, 2, 2},
		{"a bridge", [][4]float64{{10, 30, 110, 30}, {10, 42, 110, 42}, {60, 30, 60, 42}}, 4, 0},
		{"a ridge joining along the flow", [][4]float64{{10, 30, 110, 30}, {10, 50, 60, 50}, {60, 50, 80, 31}}, 3, 1},
	}
	for _, tc := range cases {
		sk := ridge.Thin(120, 80, draw(120, 80, tc.strokes))
		sk.Slim()
		sk.Prune(period, horizontal, params)
		ms := sk.Features(all, horizontal, 9)
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
}

// TestFeatureDirections: an ending points out of its ridge, a bifurcation towards its
// stem (ANSI 378), counter-clockwise from the x axis with y up.
func TestFeatureDirections(t *testing.T) {
	all := func(int, int) bool { return true }
	cases := []struct {
		name    string
		strokes [][4]float64
		orient  float64 // of the ridges, image coordinates
		kind    ridge.Kind
		x, y    float64 // near the minutia (where thinning puts a fork: past the strokes' meeting)
		want    float64
	}{
		{"the right end of a line", [][4]float64{{10, 40, 100, 40}}, 0, ridge.Ending, 100, 40, 0},
		{"the left end of a line", [][4]float64{{10, 40, 100, 40}}, 0, ridge.Ending, 10, 40, math.Pi},
		{"the top end of a line", [][4]float64{{60, 10, 60, 70}}, math.Pi / 2, ridge.Ending, 60, 10, math.Pi / 2},
		{"a fork opening right", [][4]float64{{10, 40, 50, 40}, {50, 40, 110, 25}, {50, 40, 110, 55}}, 0, ridge.Bifurcation, 56, 40, math.Pi},
		{"a fork opening left", [][4]float64{{110, 40, 70, 40}, {70, 40, 10, 25}, {70, 40, 10, 55}}, 0, ridge.Bifurcation, 64, 40, 0},
		{"a fork opening down", [][4]float64{{60, 5, 60, 35}, {60, 35, 45, 75}, {60, 35, 75, 75}}, math.Pi / 2, ridge.Bifurcation, 60, 40, math.Pi / 2},
	}
	for _, tc := range cases {
		sk := ridge.Thin(120, 80, draw(120, 80, tc.strokes))
		sk.Slim()
		found := false
		for _, m := range sk.Features(all, func(int, int) float64 { return tc.orient }, 9) {
			if m.Kind != tc.kind || math.Hypot(m.X-tc.x, m.Y-tc.y) > 4 {
				continue
			}
			found = true
			if d := math.Abs(math.Remainder(m.Angle-tc.want, 2*math.Pi)); d > 0.1 {
				t.Errorf("%s: direction %.2f rad, want %.2f", tc.name, m.Angle, tc.want)
			}
		}
		if !found {
			t.Errorf("%s: no minutia of kind %d near (%.0f, %.0f)", tc.name, tc.kind, tc.x, tc.y)
		}
	}
}

// TestSlim: a staircase thinned by Zhang and Suen keeps corners that read as junctions;
// slimmed, a line has two ends and no junction.
func TestSlim(t *testing.T) {
	for _, s := range [][4]float64{{10, 10, 100, 70}, {10, 70, 100, 15}, {20, 5, 40, 75}} {
		sk := ridge.Thin(120, 80, draw(120, 80, [][4]float64{s}))
		sk.Slim()
		ms := sk.Features(func(int, int) bool { return true }, func(int, int) float64 { return 0 }, 9)
		if len(ms) != 2 || ms[0].Kind != ridge.Ending || ms[1].Kind != ridge.Ending {
			t.Errorf("line %v: %+v, want two endings", s, ms)
		}
	}
}
