package ridge

import "math"

// Tensor is the grey gradients' structure tensor of an image, summed over square cells
// and smoothed: the ridges' orientation and how clear it is, on a grid coarser than the
// pixels (a ridge period holds two cells at 500 ppi, enough for the orientation, which
// changes slowly, and four times cheaper to smooth at every scale).
type Tensor struct {
	Cell       int // pixels per cell side
	W, H       int // cells
	XX, YY, XY []float64
}

// NewTensor sums the gradient products of img (w × h, lightly blurred already) over
// cells of cell × cell pixels and smooths them with a Gaussian of sigma cells.
func NewTensor(img []float64, w, h, cell int, sigma float64) *Tensor {
	gw, gh := (w+cell-1)/cell, (h+cell-1)/cell
	t := &Tensor{Cell: cell, W: gw, H: gh, XX: make([]float64, gw*gh), YY: make([]float64, gw*gh), XY: make([]float64, gw*gh)}
	for y := 1; y < h-1; y++ {
		row := img[y*w : (y+1)*w]
		up, down := img[(y-1)*w:y*w], img[(y+1)*w:(y+2)*w]
		cy := (y / cell) * gw
		for x := 1; x < w-1; x++ {
			// Scharr's derivatives: the most nearly isotropic of the 3 × 3 ones, so
			// that no orientation is favoured.
			gx := 10*(row[x+1]-row[x-1]) + 3*(up[x+1]-up[x-1]+down[x+1]-down[x-1])
			gy := 10*(down[x]-up[x]) + 3*(down[x-1]-up[x-1]+down[x+1]-up[x+1])
			c := cy + x/cell
			t.XX[c] += gx * gx
			t.YY[c] += gy * gy
			t.XY[c] += gx * gy
		}
	}
	t.XX, t.YY, t.XY = Gauss(t.XX, gw, gh, sigma), Gauss(t.YY, gw, gh, sigma), Gauss(t.XY, gw, gh, sigma)
	return t
}

// Coherence is, per cell, how much the gradients agree in orientation: 1 for perfectly
// parallel ridges, 0 for no preferred orientation. It does not depend on contrast.
func (t *Tensor) Coherence() []float64 {
	out := make([]float64, len(t.XX))
	for i := range out {
		if s := t.XX[i] + t.YY[i]; s > 0 {
			out[i] = math.Hypot(t.XX[i]-t.YY[i], 2*t.XY[i]) / s
		}
	}
	return out
}

// Orientation estimates the ridge orientation per cell, radians in [0, π) in image
// coordinates (x right, y down), at several scales. Each cell's doubled-angle vector,
// of length its coherence, is averaged over Gaussians of the given sigmas (cells, finest
// first), weighted by weight (0–1, the finger's extent: the background must not pull
// the ridges at the edge). Then, from the coarsest scale down, each finer estimate
// replaces the coarser in proportion to how consistent it is: where the ridges are clear
// the fine scale keeps the tight turns round a core or delta; where creases, scars and
// dry skin scramble them, the wide scales carry the flow across.
func (t *Tensor) Orientation(weight []float64, sigmas []float64) []float64 {
	n := len(t.XX)
	ux, uy := make([]float64, n), make([]float64, n)
	for i := range ux {
		s := t.XX[i] + t.YY[i]
		if s <= 0 {
			continue
		}
		ux[i] = (t.XX[i] - t.YY[i]) / s * weight[i]
		uy[i] = 2 * t.XY[i] / s * weight[i]
	}
	ox, oy := make([]float64, n), make([]float64, n)
	for k := len(sigmas) - 1; k >= 0; k-- {
		vx, vy, wt := Gauss(ux, t.W, t.H, sigmas[k]), Gauss(uy, t.W, t.H, sigmas[k]), Gauss(weight, t.W, t.H, sigmas[k])
		for i := range vx {
			m := math.Hypot(vx[i], vy[i])
			if m == 0 || wt[i] <= 1e-9 {
				continue
			}
			if k == len(sigmas)-1 {
				ox[i], oy[i] = vx[i]/m, vy[i]/m
				continue
			}
			// Consistency: the averaged vector's length over the weight averaged.
			a := math.Max(0, math.Min(1, (m/wt[i]-0.25)/0.4))
			bx, by := a*vx[i]/m+(1-a)*ox[i], a*vy[i]/m+(1-a)*oy[i]
			if l := math.Hypot(bx, by); l > 0 {
				ox[i], oy[i] = bx/l, by/l
			}
		}
	}
	out := make([]float64, n)
	for i := range out {
		// The gradients' mean orientation, turned a quarter: the ridges'.
		o := 0.5*math.Atan2(oy[i], ox[i]) + math.Pi/2
		if o >= math.Pi {
			o -= math.Pi
		}
		out[i] = o
	}
	return out
}
