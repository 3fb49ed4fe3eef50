package ridge

import (
	"math"
	"runtime"
	"sync"
)

// Contextual enhancement: a Gabor filter tuned, pixel by pixel, to the local ridge
// orientation and period, applied as two one-dimensional passes in the rotated frame,
// first a Gaussian along the ridges and then a Gabor across them. Along the ridges the
// Gaussian bridges the gaps that dry skin, pores and creases leave in a ridge; across
// them the Gabor keeps only the ridge period. Split this way the filter costs about
// fifty multiplications a pixel instead of the several hundred of a 2-D kernel of the
// same reach.

// enhanceBins quantise the kernels: orientation in π/enhanceAngles steps, period in
// steps of 1/enhancePeriodStep pixel.
const (
	enhanceAngles     = 32
	enhancePeriodStep = 2
)

// EnhanceParams shape the filter, in ridge periods.
type EnhanceParams struct {
	Along  float64 // sigma of the Gaussian along the ridges
	Across float64 // sigma of the Gabor's envelope across them
	MinP   float64 // least period, pixels
	MaxP   float64 // greatest period, pixels
}

// sparse is a kernel as offsets into the image (and the same as dx, dy, for pixels
// near the image's edge) and their weights.
type sparse struct {
	off, dx, dy []int
	w           []float64
}

// apply is the kernel's response at (x, y) of img (w × h), whose offsets reach r
// pixels; taps off the image count as 0.
func (k *sparse) apply(img []float64, w, h, x, y, r int) float64 {
	var s float64
	if x >= r && y >= r && x < w-r && y < h-r {
		i := y*w + x
		for j, o := range k.off {
			s += k.w[j] * img[i+o]
		}
		return s
	}
	for j := range k.off {
		if X, Y := x+k.dx[j], y+k.dy[j]; X >= 0 && Y >= 0 && X < w && Y < h {
			s += k.w[j] * img[Y*w+X]
		}
	}
	return s
}

// line makes a kernel of the pixels nearest the line through the origin along the unit
// vector (ux, uy), at t = -r, -r+step, … r, each weighted by f(u, v) at its own
// offset: u along the line, v across it. Weighting each pixel where it really lies,
// rather than where the line meant it to, keeps the kernel exact without interpolating
// between pixels, which would double or triple the taps.
func line(ux, uy float64, r, step, stride int, f func(u, v float64) float64) sparse {
	var s sparse
	for t := -r; t <= r; t += step {
		dx, dy := math.Round(float64(t)*ux), math.Round(float64(t)*uy)
		u, v := dx*ux+dy*uy, -dx*uy+dy*ux
		s.off = append(s.off, int(dy)*stride+int(dx))
		s.dx, s.dy = append(s.dx, int(dx)), append(s.dy, int(dy))
		s.w = append(s.w, f(u, v))
	}
	return s
}

// Enhance filters img (w × h, ridges positive, locally normalised) where mask is set;
// angle and period are given per cell of cell × cell pixels (cw cells a row). The
// result is about the ridges' amplitude in img: positive on ridges, negative in the
// valleys, 0 outside the mask.
func Enhance(img []float64, w, h int, mask []bool, angle, period []float64, cw, cell int, p EnhanceParams) []float64 {
	rAlong := int(math.Ceil(2.5 * p.Along * p.MaxP))
	rAcross := int(math.Ceil(2.2 * p.Across * p.MaxP))
	ch := (h + cell - 1) / cell
	nP := int(math.Round((p.MaxP-p.MinP)*enhancePeriodStep)) + 1
	// Kernels are built on demand: an image uses a fraction of the combinations.
	alongK := make([]*sparse, enhanceAngles*nP)
	acrossK := make([]*sparse, enhanceAngles*nP)
	bins := make([]int, cw*ch)
	for i := range bins {
		a := int(math.Round(angle[i]/math.Pi*enhanceAngles)) % enhanceAngles
		q := int(math.Round((math.Max(p.MinP, math.Min(p.MaxP, period[i])) - p.MinP) * enhancePeriodStep))
		bins[i] = a*nP + q
		if alongK[bins[i]] != nil {
			continue
		}
		th := float64(a) * math.Pi / enhanceAngles
		T := p.MinP + float64(q)/enhancePeriodStep
		s, c := math.Sincos(th)
		su, sv := p.Along*T, p.Across*T
		ra := min(rAlong, int(math.Ceil(2.5*su)))
		// Along the ridges the grey barely changes: every other pixel is enough for a
		// Gaussian this wide, at half the cost.
		k := line(c, s, ra-ra%2, 2, w, func(u, v float64) float64 { return math.Exp(-u * u / (2 * su * su)) })
		normalise(k.w, 1)
		alongK[bins[i]] = &k
		// Across the ridges (u, v swap roles: the line runs across), a Gabor of period
		// T with its mean removed, so that uneven brightness gives no response, and
		// unit gain for a ridge pattern of period T.
		rc := min(rAcross, int(math.Ceil(2.2*sv)))
		g := line(-s, c, rc, 1, w, func(u, _ float64) float64 { return math.Exp(-u * u / (2 * sv * sv)) })
		pos := line(-s, c, rc, 1, w, func(u, _ float64) float64 { return u })
		var env, cosEnv float64
		for j, e := range g.w {
			env += e
			cosEnv += e * math.Cos(2*math.Pi*pos.w[j]/T)
		}
		dc := cosEnv / env
		var gain float64
		for j, e := range g.w {
			cs := math.Cos(2 * math.Pi * pos.w[j] / T)
			g.w[j] = e * (cs - dc)
			gain += g.w[j] * cs
		}
		for j := range g.w {
			g.w[j] /= gain
		}
		acrossK[bins[i]] = &g
	}
	// The cells the first pass must cover: the mask's, and those within reach of the
	// second pass.
	reach := (rAcross + cell - 1) / cell
	near := make([]float64, cw*ch)
	for y := range h {
		for x := range w {
			if mask[y*w+x] {
				near[(y/cell)*cw+x/cell] = 1
			}
		}
	}
	near = BoxMean(near, cw, ch, reach)
	mid := make([]float64, w*h)
	parallelRows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			for x := range w {
				if c := (y/cell)*cw + x/cell; near[c] > 0 {
					mid[y*w+x] = alongK[bins[c]].apply(img, w, h, x, y, rAlong)
				}
			}
		}
	})
	out := make([]float64, w*h)
	parallelRows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			for x := range w {
				if mask[y*w+x] {
					out[y*w+x] = acrossK[bins[(y/cell)*cw+x/cell]].apply(mid, w, h, x, y, rAcross)
				}
			}
		}
	})
	return out
}

func normalise(w []float64, to float64) {
	var s float64
	for _, v := range w {
		s += v
	}
	for i := range w {
		w[i] *= to / s
	}
}

// parallelRows splits rows [0, h) between the cores.
func parallelRows(h int, fn func(y0, y1 int)) {
	n := max(1, min(runtime.GOMAXPROCS(0), h/16))
	var wg sync.WaitGroup
	for k := range n {
		wg.Go(func() { fn(k*h/n, (k+1)*h/n) })
	}
	wg.Wait()
}
