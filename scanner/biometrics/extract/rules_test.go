package extract

import (
	"math"
	"testing"

	"cotejo/scanner/biometrics/ridge"
)

// TestDropBreaks: endings facing each other across a short gap along the ridges are a
// broken ridge; endings side by side, pointing the same way, or far apart are features.
func TestDropBreaks(t *testing.T) {
	period := func(int, int) float64 { return 9 }
	end := func(x, y, deg float64) ridge.Minutia {
		return ridge.Minutia{X: x, Y: y, Angle: ridge.Norm(deg * math.Pi / 180), Kind: ridge.Ending}
	}
	cases := []struct {
		name string
		ms   []ridge.Minutia
		kept int
	}{
		{"a gap along the ridge", []ridge.Minutia{end(50, 50, 0), end(62, 50, 180)}, 0},
		{"a slanted gap", []ridge.Minutia{end(50, 50, 30), end(60, 44, 210)}, 0},
		{"a gap too wide", []ridge.Minutia{end(50, 50, 0), end(75, 50, 180)}, 2},
		{"ends pointing apart", []ridge.Minutia{end(50, 50, 180), end(62, 50, 0)}, 2},
		{"ends side by side", []ridge.Minutia{end(50, 50, 0), end(50, 59, 180)}, 2},
		{"ends pointing the same way", []ridge.Minutia{end(50, 50, 0), end(62, 50, 0)}, 2},
		{"an ending facing a fork", []ridge.Minutia{end(50, 50, 0), {X: 62, Y: 50, Angle: math.Pi, Kind: ridge.Bifurcation}}, 2},
	}
	for _, c := range cases {
		if got := len(dropBreaks(c.ms, period, 2)); got != c.kept {
			t.Errorf("%s: %d kept, want %d", c.name, got, c.kept)
		}
	}
}

func TestDropClusters(t *testing.T) {
	period := func(int, int) float64 { return 9 }
	at := func(xy ...float64) []ridge.Minutia {
		var ms []ridge.Minutia
		for i := 0; i < len(xy); i += 2 {
			ms = append(ms, ridge.Minutia{X: xy[i], Y: xy[i+1], Kind: ridge.Ending})
		}
		return ms
	}
	cases := []struct {
		name string
		ms   []ridge.Minutia
		kept int
	}{
		{"spread out", at(10, 10, 30, 10, 10, 30, 50, 50), 4},
		{"a pair", at(10, 10, 14, 10, 50, 50), 3},
		{"a tangle of three", at(10, 10, 14, 10, 12, 13, 50, 50), 1},
	}
	for _, c := range cases {
		if got := len(dropClusters(c.ms, period, 0.75)); got != c.kept {
			t.Errorf("%s: %d kept, want %d", c.name, got, c.kept)
		}
	}
}
