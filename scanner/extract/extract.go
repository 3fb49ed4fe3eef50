// Package extract finds the minutiae of a 500 ppi fingerprint image: it separates the
// finger from the background, estimates the ridges' orientation and period, enhances the
// ridges with Gabor filters tuned to both, thins them, and takes the endings and
// bifurcations away from the finger's edge, dropping the breaks, spurs, islands and
// lakes that thinning a real print leaves.
package extract

import (
	"errors"
	"image"
	"math"
	"slices"

	"cotejo/scanner/ridge"
)

// Result is what extraction found.
type Result struct {
	Minutiae  []ridge.Minutia
	Mask      []bool    // the finger's area
	Orient    []float64 // ridge orientation per pixel, radians in [0, π), image coordinates
	Coherence []float64 // how clearly oriented the ridges are, 0–1, per pixel
	Period    float64   // median ridge period, pixels
	// Periods are the per-block period estimates (0 where the ridges gave none), for
	// judging how consistent the ridge frequency is.
	Periods []float64
	W, H    int
}

// ErrNoFinger means no ridged area was found.
var ErrNoFinger = errors.New("extract: no fingerprint in the image")

const block = 16

// minQuality is the least minutia quality kept.
const minQuality = 45

// Extract finds the minutiae of img (500 ppi).
func Extract(img *image.Gray) (*Result, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w < 64 || h < 64 {
		return nil, ErrNoFinger
	}
	g := make([]float64, w*h)
	for y := range h {
		for x := range w {
			g[y*w+x] = float64(img.Pix[img.PixOffset(b.Min.X+x, b.Min.Y+y)])
		}
	}
	mask := segment(g, w, h)
	area := 0
	for _, m := range mask {
		if m {
			area++
		}
	}
	if area < w*h/20 {
		return nil, ErrNoFinger
	}
	// Normalise inside the finger: zero mean, unit spread; ridges (dark) positive.
	var mean, sd float64
	for i, m := range mask {
		if m {
			mean += g[i]
		}
	}
	mean /= float64(area)
	for i, m := range mask {
		if m {
			sd += (g[i] - mean) * (g[i] - mean)
		}
	}
	sd = math.Sqrt(sd/float64(area)) + 1e-9
	norm := ridge.NewField(w, h)
	for i := range g {
		if mask[i] {
			norm.V[i] = (mean - g[i]) / sd
		}
	}
	orient, coh := orientation(g, w, h)
	period, blocks := periods(norm, orient, mask, w, h)
	bank := ridge.NewZeroMeanBank(6, 14)
	kernels := make([]*ridge.Kernel, w*h)
	for i := range kernels {
		kernels[i] = bank.Choose(orient[i], period[i])
	}
	enh := ridge.NewField(w, h)
	ridge.Filter(norm, enh, kernels, mask, 0)
	on := make([]bool, w*h)
	for i, v := range enh.V {
		on[i] = mask[i] && v > 0
	}
	// Islands (specks of ridge) and lakes (specks of valley) become false minutiae.
	removeSmall(on, w, h, true, 30)
	removeSmall(on, w, h, false, 30)
	inner := ridge.Erode(w, h, mask, 17)
	sk := ridge.Thin(w, h, on)
	mins := sk.Minutiae(func(x, y int) bool { return inner[y*w+x] }, func(x, y int) float64 { return orient[y*w+x] }, 8)
	// A minutia's quality is how clearly the ridges round it are oriented; where they
	// are not (creases, scars, the core's tight turns) thinning invents minutiae.
	kept := mins[:0]
	for _, m := range mins {
		c := coh[int(m.Y)*w+int(m.X)]
		m.Quality = uint8(math.Round(100 * math.Min(1, c*1.4)))
		if m.Quality >= minQuality {
			kept = append(kept, m)
		}
	}
	mins = kept
	ps := slices.Clone(period)
	slices.Sort(ps)
	return &Result{Minutiae: mins, Mask: mask, Orient: orient, Coherence: coh, Period: ps[len(ps)/2], Periods: blocks, W: w, H: h}, nil
}

// segment keeps the blocks whose grey varies like ridges do, then the largest such
// region with its holes filled.
func segment(g []float64, w, h int) []bool {
	bw, bh := (w+block-1)/block, (h+block-1)/block
	fg := make([]bool, bw*bh)
	for by := range bh {
		for bx := range bw {
			var s, s2, n float64
			for y := by * block; y < min((by+1)*block, h); y++ {
				for x := bx * block; x < min((bx+1)*block, w); x++ {
					v := g[y*w+x]
					s += v
					s2 += v * v
					n++
				}
			}
			m := s / n
			fg[by*bw+bx] = s2/n-m*m > 24*24 && m < 240
		}
	}
	// Largest 4-connected region of blocks, then fill what it encloses.
	fg = largest(fg, bw, bh)
	bg := largest(invert(fg), bw, bh)
	for i := range fg {
		fg[i] = !bg[i]
	}
	// Only the background touching the border is background.
	mask := make([]bool, w*h)
	for y := range h {
		for x := range w {
			mask[y*w+x] = fg[(y/block)*bw+x/block]
		}
	}
	return mask
}

func invert(b []bool) []bool {
	out := make([]bool, len(b))
	for i, v := range b {
		out[i] = !v
	}
	return out
}

// largest keeps the largest 4-connected true region (the first found, on a tie).
func largest(b []bool, w, h int) []bool {
	var best []int
	regions(b, w, h, true, func(r []int) {
		if len(r) > len(best) {
			best = append(best[:0], r...)
		}
	})
	out := make([]bool, len(b))
	for _, p := range best {
		out[p] = true
	}
	return out
}

// removeSmall flips connected regions of value v smaller than n pixels.
func removeSmall(b []bool, w, h int, v bool, n int) {
	regions(b, w, h, v, func(r []int) {
		if len(r) <= n {
			for _, p := range r {
				b[p] = !v
			}
		}
	})
}

// regions calls fn with each 4-connected region of pixels equal to v, as indices, in
// the order of their first pixel. fn may change the region's own pixels. Each region is
// filled whole: stopping early would leave its rest to be taken, piece by piece, for
// small regions.
func regions(b []bool, w, h int, v bool, fn func(region []int)) {
	seen := make([]bool, len(b))
	var stack, region []int
	for s := range b {
		if b[s] != v || seen[s] {
			continue
		}
		region = region[:0]
		stack = append(stack[:0], s)
		seen[s] = true
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			region = append(region, p)
			x, y := p%w, p/w
			for _, q := range [4][2]int{{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}} {
				if q[0] < 0 || q[1] < 0 || q[0] >= w || q[1] >= h {
					continue
				}
				i := q[1]*w + q[0]
				if b[i] == v && !seen[i] {
					seen[i] = true
					stack = append(stack, i)
				}
			}
		}
		fn(region)
	}
}

// orientation estimates the ridge orientation from the grey gradients' doubled angles,
// averaged over a 17-pixel window and smoothed again; coherence is how consistent they
// are there.
func orientation(g []float64, w, h int) (orient, coh []float64) {
	gxx, gyy, gxy := make([]float64, w*h), make([]float64, w*h), make([]float64, w*h)
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			p := func(dx, dy int) float64 { return g[(y+dy)*w+x+dx] }
			gx := (p(1, -1) + 2*p(1, 0) + p(1, 1)) - (p(-1, -1) + 2*p(-1, 0) + p(-1, 1))
			gy := (p(-1, 1) + 2*p(0, 1) + p(1, 1)) - (p(-1, -1) + 2*p(0, -1) + p(1, -1))
			i := y*w + x
			gxx[i], gyy[i], gxy[i] = gx*gx, gy*gy, gx*gy
		}
	}
	sxx, syy, sxy := boxFilter(gxx, w, h, 8), boxFilter(gyy, w, h, 8), boxFilter(gxy, w, h, 8)
	c2, s2 := make([]float64, w*h), make([]float64, w*h)
	coh = make([]float64, w*h)
	for i := range c2 {
		a, b := sxx[i]-syy[i], 2*sxy[i]
		c2[i], s2[i] = a, b
		if t := sxx[i] + syy[i]; t > 0 {
			coh[i] = math.Hypot(a, b) / t
		}
	}
	c2, s2 = boxFilter(c2, w, h, 6), boxFilter(s2, w, h, 6)
	orient = make([]float64, w*h)
	for i := range orient {
		// The gradient's mean direction, turned a quarter: the ridge's.
		o := 0.5*math.Atan2(s2[i], c2[i]) + math.Pi/2
		orient[i] = math.Mod(o+math.Pi, math.Pi)
	}
	return orient, coh
}

// boxFilter averages over a (2r+1)² window with an integral image.
func boxFilter(v []float64, w, h, r int) []float64 {
	in := make([]float64, (w+1)*(h+1))
	for y := range h {
		row := 0.0
		for x := range w {
			row += v[y*w+x]
			in[(y+1)*(w+1)+x+1] = in[y*(w+1)+x+1] + row
		}
	}
	out := make([]float64, w*h)
	for y := range h {
		y0, y1 := max(y-r, 0), min(y+r+1, h)
		for x := range w {
			x0, x1 := max(x-r, 0), min(x+r+1, w)
			s := in[y1*(w+1)+x1] - in[y0*(w+1)+x1] - in[y1*(w+1)+x0] + in[y0*(w+1)+x0]
			out[y*w+x] = s / float64((y1-y0)*(x1-x0))
		}
	}
	return out
}

// periods estimates the ridge period block by block from the autocorrelation of the
// grey profile across the ridges, then fills gaps and smooths with the median.
func periods(norm *ridge.Field, orient []float64, mask []bool, w, h int) ([]float64, []float64) {
	bw, bh := (w+block-1)/block, (h+block-1)/block
	est := make([]float64, bw*bh)
	var all []float64
	for by := range bh {
		for bx := range bw {
			cx, cy := bx*block+block/2, by*block+block/2
			if cy >= h || cx >= w || !mask[cy*w+cx] {
				continue
			}
			o := orient[cy*w+cx]
			ux, uy := math.Cos(o), math.Sin(o) // along the ridge
			nx, ny := -uy, ux                  // across it
			const half = 20
			var prof [2*half + 1]float64
			for k := -half; k <= half; k++ {
				s, n := 0.0, 0.0
				for t := -6; t <= 6; t += 2 {
					x := int(float64(cx) + float64(k)*nx + float64(t)*ux)
					y := int(float64(cy) + float64(k)*ny + float64(t)*uy)
					if x >= 0 && y >= 0 && x < w && y < h {
						s += norm.V[y*w+x]
						n++
					}
				}
				if n > 0 {
					prof[k+half] = s / n
				}
			}
			best, bestLag := -1.0, 0
			for lag := 6; lag <= 14; lag++ {
				var c float64
				for i := 0; i+lag < len(prof); i++ {
					c += prof[i] * prof[i+lag]
				}
				c /= float64(len(prof) - lag)
				if c > best {
					best, bestLag = c, lag
				}
			}
			if best > 0.1 {
				est[by*bw+bx] = float64(bestLag)
				all = append(all, float64(bestLag))
			}
		}
	}
	med := 9.0
	if len(all) > 0 {
		slices.Sort(all)
		med = all[len(all)/2]
	}
	// Median of the 3 × 3 blocks around each block, the global median where none
	// estimated; then spread over the block's pixels.
	smooth := make([]float64, bw*bh)
	var near []float64
	for by := range bh {
		for bx := range bw {
			near = near[:0]
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if X, Y := bx+dx, by+dy; X >= 0 && Y >= 0 && X < bw && Y < bh && est[Y*bw+X] > 0 {
						near = append(near, est[Y*bw+X])
					}
				}
			}
			smooth[by*bw+bx] = med
			if len(near) > 0 {
				slices.Sort(near)
				smooth[by*bw+bx] = near[len(near)/2]
			}
		}
	}
	out := make([]float64, w*h)
	for y := range h {
		for x := range w {
			out[y*w+x] = smooth[(y/block)*bw+x/block]
		}
	}
	return out, est
}
