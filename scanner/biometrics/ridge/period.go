package ridge

import (
	"math"
	"slices"
)

// Signature is the x-signature of Hong, Wan and Jain (1998): the grey profile across the
// ridges through (cx, cy), the image averaged along the ridge orientation o (radians,
// image coordinates) over `along` pixels, at `across` points one pixel apart. img is
// sampled bilinearly; points off the image count as 0.
func Signature(img []float64, w, h int, cx, cy, o float64, across, along int) []float64 {
	s, c := math.Sincos(o)
	ux, uy := c, s  // along the ridge
	nx, ny := -s, c // across it
	out := make([]float64, across)
	for k := range across {
		v := float64(k) - float64(across-1)/2
		var sum float64
		for d := range along {
			u := float64(d) - float64(along-1)/2
			sum += bilinear(img, w, h, cx+v*nx+u*ux, cy+v*ny+u*uy)
		}
		out[k] = sum / float64(along)
	}
	return out
}

func bilinear(img []float64, w, h int, x, y float64) float64 {
	x0, y0 := math.Floor(x), math.Floor(y)
	ix, iy := int(x0), int(y0)
	if ix < 0 || iy < 0 || ix >= w-1 || iy >= h-1 {
		return 0
	}
	fx, fy := x-x0, y-y0
	i := iy*w + ix
	return (1-fy)*((1-fx)*img[i]+fx*img[i+1]) + fy*((1-fx)*img[i+w]+fx*img[i+w+1])
}

// SignaturePeriod reads the ridge period from an x-signature: the mean distance between
// successive peaks, and between successive troughs, each found to a fraction of a pixel.
// Only swings of at least half the signature's spread count as ridges, so the pores and
// specks of dry skin do not halve the period; and the distances must agree within a
// third and lie in [minP, maxP]. It returns 0 when the signature gives no period.
func SignaturePeriod(sig []float64, minP, maxP float64) float64 {
	n := len(sig)
	if n < 5 {
		return 0
	}
	var mean, sd float64
	for _, v := range sig {
		mean += v
	}
	mean /= float64(n)
	for _, v := range sig {
		sd += (v - mean) * (v - mean)
	}
	sd = math.Sqrt(sd / float64(n))
	if sd == 0 {
		return 0
	}
	delta := sd
	// Alternating extrema with hysteresis: an extremum counts once the signal has moved
	// delta away from it.
	type ext struct {
		pos  float64
		peak bool
	}
	var exts []ext
	refine := func(i int) float64 {
		if i <= 0 || i >= n-1 {
			return float64(i)
		}
		a, b, c := sig[i-1], sig[i], sig[i+1]
		if d := a - 2*b + c; d != 0 {
			return float64(i) + math.Max(-0.5, math.Min(0.5, 0.5*(a-c)/d))
		}
		return float64(i)
	}
	hi, lo := 0, 0
	dir := 0 // +1 looking for a peak, -1 for a trough, 0 either
	for i := 1; i < n; i++ {
		if sig[i] > sig[hi] {
			hi = i
		}
		if sig[i] < sig[lo] {
			lo = i
		}
		switch {
		case dir >= 0 && sig[hi]-sig[i] >= delta:
			if hi > 0 {
				exts = append(exts, ext{refine(hi), true})
			}
			dir, lo = -1, i
		case dir <= 0 && sig[i]-sig[lo] >= delta:
			if lo > 0 {
				exts = append(exts, ext{refine(lo), false})
			}
			dir, hi = 1, i
		}
	}
	var gaps []float64
	for _, peak := range []bool{true, false} {
		last := -1.0
		for _, e := range exts {
			if e.peak != peak {
				continue
			}
			if last >= 0 {
				gaps = append(gaps, e.pos-last)
			}
			last = e.pos
		}
	}
	if len(gaps) < 2 {
		return 0
	}
	var p float64
	for _, g := range gaps {
		p += g
	}
	p /= float64(len(gaps))
	for _, g := range gaps {
		if math.Abs(g-p) > p/3 {
			return 0
		}
	}
	if p < minP || p > maxP {
		return 0
	}
	return p
}

// FillPeriods completes a grid of period estimates (0 where none) as Hong et al. do:
// each missing cell takes the Gaussian-weighted mean of its known neighbours, ring by
// ring until the grid is full, and then the whole is smoothed with a Gaussian of sigma
// cells, since the ridge period of skin changes slowly. With no estimate at all, every
// cell gets 9 pixels, typical at 500 ppi.
func FillPeriods(est []float64, w, h int, sigma float64) []float64 {
	cur := slices.Clone(est)
	if !slices.ContainsFunc(est, func(v float64) bool { return v > 0 }) {
		// Nothing to go by: a period typical of 500 ppi prints.
		for i := range cur {
			cur[i] = 9
		}
		return cur
	}
	weights := [3]float64{1, 0.61, 0.37} // exp(-d²/2) at d = 0, 1, √2, by |dx|+|dy|
	for missing := true; missing; {
		missing = false
		next := slices.Clone(cur)
		for y := range h {
			for x := range w {
				i := y*w + x
				if cur[i] > 0 {
					continue
				}
				var s, n float64
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						X, Y := x+dx, y+dy
						if X < 0 || Y < 0 || X >= w || Y >= h || cur[Y*w+X] <= 0 {
							continue
						}
						k := weights[abs(dx)+abs(dy)]
						s += k * cur[Y*w+X]
						n += k
					}
				}
				if n > 0 {
					next[i] = s / n
				} else {
					missing = true
				}
			}
		}
		cur = next
	}
	return Gauss(cur, w, h, sigma)
}

func abs(a int) int {
	if a < 0 {
		return -a
	}
	return a
}
