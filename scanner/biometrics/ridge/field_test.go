package ridge_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"cotejo/scanner/biometrics/ridge"
)

// TestGauss checks the blur's spread (its variance, on an impulse) and that it keeps a
// constant field constant up to the edges, both for the exact kernel and for the box
// approximation taken for wide sigmas.
func TestGauss(t *testing.T) {
	for _, sigma := range []float64{0.8, 1.5, 2.5, 4, 8} {
		const n = 121
		v := make([]float64, n*n)
		v[(n/2)*n+n/2] = 1
		g := ridge.Gauss(v, n, n, sigma)
		var sum, vx float64
		for y := range n {
			for x := range n {
				sum += g[y*n+x]
				vx += g[y*n+x] * float64((x-n/2)*(x-n/2))
			}
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Errorf("sigma %.1f: impulse sums to %.6f", sigma, sum)
		}
		if got := math.Sqrt(vx / sum); math.Abs(got-sigma) > 0.05*sigma {
			t.Errorf("sigma %.1f: spread %.3f", sigma, got)
		}
		c := make([]float64, 30*20)
		for i := range c {
			c[i] = 7
		}
		for i, x := range ridge.Gauss(c, 30, 20, sigma) {
			if math.Abs(x-7) > 1e-9 {
				t.Fatalf("sigma %.1f: a constant field becomes %.6f at %d", sigma, x, i)
			}
		}
	}
}

func TestEdgeDistance(t *testing.T) {
	const w, h = 60, 40
	mask := make([]bool, w*h)
	for y := 5; y < 35; y++ {
		for x := 10; x < 50; x++ {
			mask[y*w+x] = true
		}
	}
	d := ridge.EdgeDistance(w, h, mask)
	cases := []struct {
		x, y int
		want float64
	}{
		{10, 20, 1}, // the first pixel in: one step from the outside
		{20, 20, 11},
		{30, 20, 16}, // nearer the top and bottom edges (15 and 15 away)
		{30, 6, 2},
		{0, 0, 0},
	}
	for _, c := range cases {
		if got := d[c.y*w+c.x]; math.Abs(got-c.want) > 0.1*c.want+0.01 {
			t.Errorf("distance at (%d, %d) = %.2f, want %.0f", c.x, c.y, got, c.want)
		}
	}
}

// pattern draws ridges (dark, 0–255) of a given period with the ridge orientation
// theta(x, y), by the phase phi(x, y), plus Gaussian noise.
func pattern(w, h int, phi func(x, y float64) float64, noise float64, rnd *rand.Rand) []float64 {
	g := make([]float64, w*h)
	for y := range h {
		for x := range w {
			g[y*w+x] = 128 - 80*math.Cos(phi(float64(x), float64(y))) + noise*rnd.NormFloat64()
		}
	}
	return g
}

// angleError is the difference of two orientations, radians, folded into [0, π/2].
func angleError(a, b float64) float64 {
	d := math.Mod(math.Abs(a-b), math.Pi)
	return math.Min(d, math.Pi-d)
}

// TestOrientation estimates the orientation of straight ridges at known angles and of
// concentric rings (a whorl's core, where the orientation turns through every angle),
// with noise.
func TestOrientation(t *testing.T) {
	const w, h, cell = 160, 160, 4
	rnd := rand.New(rand.NewPCG(1, 1))
	type field struct {
		name  string
		phi   func(x, y float64) float64
		theta func(x, y float64) float64 // the true ridge orientation
		skip  float64                    // radius round the centre not checked
	}
	var cases []field
	for _, deg := range []float64{0, 30, 60, 90, 112.5, 150} {
		th := deg * math.Pi / 180
		// Ridges along th: the phase grows across them.
		cases = append(cases, field{
			name:  "straight",
			phi:   func(x, y float64) float64 { return 2 * math.Pi * (-x*math.Sin(th) + y*math.Cos(th)) / 9 },
			theta: func(float64, float64) float64 { return th },
		})
	}
	cases = append(cases, field{
		name: "rings",
		phi:  func(x, y float64) float64 { return 2 * math.Pi * math.Hypot(x-w/2, y-h/2) / 9 },
		theta: func(x, y float64) float64 {
			return math.Mod(math.Atan2(y-h/2, x-w/2)+math.Pi/2+2*math.Pi, math.Pi)
		},
		skip: 12,
	})
	for _, c := range cases {
		g := ridge.Gauss(pattern(w, h, c.phi, 30, rnd), w, h, 1)
		tn := ridge.NewTensor(g, w, h, cell, 1.5)
		weight := make([]float64, tn.W*tn.H)
		for i := range weight {
			weight[i] = 1
		}
		angle := tn.Orientation(weight, []float64{1, 2.5, 6})
		coh := tn.Coherence()
		var sum, worst, n, cs float64
		for cy := 3; cy < tn.H-3; cy++ {
			for cx := 3; cx < tn.W-3; cx++ {
				x, y := float64(cx*cell)+cell/2, float64(cy*cell)+cell/2
				if math.Hypot(x-w/2, y-h/2) < c.skip {
					continue
				}
				e := angleError(angle[cy*tn.W+cx], c.theta(x, y))
				sum += e
				worst = math.Max(worst, e)
				cs += coh[cy*tn.W+cx]
				n++
			}
		}
		mean := sum / n * 180 / math.Pi
		t.Logf("%s: mean error %.2f°, worst %.2f°, coherence %.2f", c.name, mean, worst*180/math.Pi, cs/n)
		if mean > 1 || worst*180/math.Pi > 6 {
			t.Errorf("%s: mean orientation error %.2f°, worst %.2f°", c.name, mean, worst*180/math.Pi)
		}
		if cs/n < 0.5 {
			t.Errorf("%s: mean coherence %.2f on clear ridges", c.name, cs/n)
		}
	}
}

// TestSignaturePeriod reads known periods off x-signatures taken from ridge images at
// several orientations, and reads none from flat or noisy grey.
func TestSignaturePeriod(t *testing.T) {
	const w, h = 80, 80
	rnd := rand.New(rand.NewPCG(2, 2))
	cases := []struct {
		period, deg, noise float64
		want               float64 // 0: no period
	}{
		{6, 0, 0, 6},
		{9, 30, 20, 9},
		{9, 100, 40, 9},
		{12.5, 45, 20, 12.5},
		{15, 160, 10, 15},
		{3, 0, 0, 0}, // shorter than the least period asked for
		{9, 0, 400, 0},
		{math.Inf(1), 0, 0, 0}, // flat
	}
	for _, c := range cases {
		th := c.deg * math.Pi / 180
		g := pattern(w, h, func(x, y float64) float64 { return 2 * math.Pi * (-x*math.Sin(th) + y*math.Cos(th)) / c.period }, c.noise, rnd)
		sig := ridge.Signature(g, w, h, w/2, h/2, th, 40, 16)
		got := ridge.SignaturePeriod(sig, 4, 16)
		if c.want == 0 && got != 0 || c.want != 0 && math.Abs(got-c.want) > 0.05*c.want {
			t.Errorf("period %.1f at %.0f°, noise %.0f: got %.2f, want %.2f", c.period, c.deg, c.noise, got, c.want)
		}
	}
}

func TestFillPeriods(t *testing.T) {
	const w, h = 8, 6
	est := make([]float64, w*h)
	for i := range est {
		if i%3 != 0 {
			est[i] = 10
		}
	}
	est[5] = 0
	for i, v := range ridge.FillPeriods(est, w, h, 1) {
		if math.Abs(v-10) > 1e-9 {
			t.Fatalf("cell %d filled with %.3f, want 10", i, v)
		}
	}
	for _, v := range ridge.FillPeriods(make([]float64, w*h), w, h, 1) {
		if v != 9 {
			t.Fatalf("no estimate at all gave %.2f, want the default 9", v)
		}
	}
}

// TestEnhance filters ridges broken by dry-skin gaps and noise: the result must follow
// the clean ridges and close the gaps.
func TestEnhance(t *testing.T) {
	const w, h, cell, T = 120, 120, 4, 9.0
	th := 0.5
	rnd := rand.New(rand.NewPCG(3, 3))
	clean := make([]float64, w*h)
	img := make([]float64, w*h)
	mask := make([]bool, w*h)
	for y := range h {
		for x := range w {
			i := y*w + x
			u := -float64(x)*math.Sin(th) + float64(y)*math.Cos(th)
			clean[i] = math.Cos(2 * math.Pi * u / T)
			img[i] = clean[i] + 0.8*rnd.NormFloat64()
			// Gaps across the ridges every 30 pixels along them, 5 wide.
			if along := float64(x)*math.Cos(th) + float64(y)*math.Sin(th); math.Mod(along+300, 30) < 5 {
				img[i] = 0.1 * rnd.NormFloat64()
			}
			mask[i] = true
		}
	}
	cw, ch := w/cell, h/cell
	angle, period := make([]float64, cw*ch), make([]float64, cw*ch)
	for i := range angle {
		angle[i], period[i] = th, T
	}
	out := ridge.Enhance(img, w, h, mask, angle, period, cw, cell, ridge.EnhanceParams{Along: 0.5, Across: 0.45, MinP: 4, MaxP: 16})
	var agree, n float64
	for y := 20; y < h-20; y++ {
		for x := 20; x < w-20; x++ {
			i := y*w + x
			if math.Abs(clean[i]) < 0.3 {
				continue // near the ridge's edge the sign is a toss-up
			}
			n++
			if (out[i] > 0) == (clean[i] > 0) {
				agree++
			}
		}
	}
	if agree/n < 0.97 {
		t.Errorf("enhanced ridges agree with the clean ones on %.1f %% of pixels, want ≥ 97 %%", 100*agree/n)
	}
}

// TestOrientationCoreDelta grows ridges along a known loop's orientation field (Sherlock
// and Monro's zero-pole model: a core and a delta) and checks the estimate everywhere,
// and close round the singular points, where the orientation turns fastest.
func TestOrientationCoreDelta(t *testing.T) {
	const w, h, cell = 240, 240, 4
	core, delta := [2]float64{120, 90}, [2]float64{80, 170}
	truth := make([]float64, w*h)
	for y := range h {
		for x := range w {
			a := math.Atan2(core[1]-float64(y), float64(x)-core[0]) - math.Atan2(delta[1]-float64(y), float64(x)-delta[0])
			truth[y*w+x] = math.Mod(math.Mod(-a/2, math.Pi)+math.Pi, math.Pi)
		}
	}
	bank := ridge.NewBank(6, 12)
	kernels := make([]*ridge.Kernel, w*h)
	mask := make([]bool, w*h)
	for i := range kernels {
		kernels[i] = bank.Choose(truth[i], 9)
		mask[i] = true
	}
	rnd := rand.New(rand.NewPCG(4, 4))
	field, next := ridge.NewField(w, h), ridge.NewField(w, h)
	for range 300 {
		field.V[rnd.IntN(w*h)] = rnd.Float64()*2 - 1
	}
	for range 14 {
		ridge.Filter(field, next, kernels, mask, 1.6)
		field, next = next, field
	}
	img := make([]float64, w*h)
	for i, v := range field.V {
		img[i] = 128 - 100*math.Tanh(2.5*v) + 25*rnd.NormFloat64()
	}
	tn := ridge.NewTensor(ridge.Gauss(img, w, h, 1), w, h, cell, 1.5)
	weight := make([]float64, tn.W*tn.H)
	for i := range weight {
		weight[i] = 1
	}
	angle := tn.Orientation(weight, []float64{1, 2.5, 6})
	var near, far, nNear, nFar float64
	for cy := 4; cy < tn.H-4; cy++ {
		for cx := 4; cx < tn.W-4; cx++ {
			x, y := cx*cell+cell/2, cy*cell+cell/2
			e := angleError(angle[cy*tn.W+cx], truth[y*w+x]) * 180 / math.Pi
			d := math.Min(math.Hypot(float64(x)-core[0], float64(y)-core[1]), math.Hypot(float64(x)-delta[0], float64(y)-delta[1]))
			switch {
			case d < 10:
			case d < 30:
				near += e
				nNear++
			default:
				far += e
				nFar++
			}
		}
	}
	t.Logf("mean error %.2f° within 10–30 px of the core and delta, %.2f° further", near/nNear, far/nFar)
	if near/nNear > 5 || far/nFar > 4 {
		t.Errorf("mean orientation error %.2f° near the core and delta, %.2f° elsewhere; want ≤ 5° and ≤ 4° (the grown ridges follow the field to the bank's 7.5° steps)", near/nNear, far/nFar)
	}
}

// TestBoxMean compares the running sums with the mean taken pixel by pixel, window
// clipped at the edges.
func TestBoxMean(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 5))
	for _, c := range []struct{ w, h, r int }{{17, 11, 0}, {17, 11, 1}, {30, 20, 4}, {9, 25, 12}, {5, 5, 8}} {
		v := make([]float64, c.w*c.h)
		for i := range v {
			v[i] = rnd.Float64()
		}
		got := ridge.BoxMean(v, c.w, c.h, c.r)
		for y := range c.h {
			for x := range c.w {
				var s, n float64
				for yy := max(0, y-c.r); yy <= min(c.h-1, y+c.r); yy++ {
					for xx := max(0, x-c.r); xx <= min(c.w-1, x+c.r); xx++ {
						s += v[yy*c.w+xx]
						n++
					}
				}
				if math.Abs(got[y*c.w+x]-s/n) > 1e-9 {
					t.Fatalf("%d × %d, r %d: mean at (%d, %d) = %.6f, want %.6f", c.w, c.h, c.r, x, y, got[y*c.w+x], s/n)
				}
			}
		}
	}
}
