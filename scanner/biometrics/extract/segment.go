package extract

import (
	"math"
	"slices"

	"cotejo/scanner/biometrics/ridge"
)

// segment finds the finger on the cell grid (cw × ch cells of cell pixels) and returns
// the pixel mask and the cells' share of finger (0–1, for weighting). A cell is finger
// when the band-passed grey (ridges' contrast at their own scale) is strong relative to
// the print's own strongest ridges, so that the same rule holds on a faint capacitive
// sensor as on a contrasty optical one, and when its gradients agree in orientation (or
// the contrast is strong enough to stand alone: cores, deltas and dry skin have poor
// coherence). Latent prints left on the glass are fainter than the finger pressed on it,
// and the background's noise has no orientation. The cells kept are then closed, opened,
// reduced to the finger's own regions, their holes filled, and the outline smoothed.
func segment(energy, coh []float64, w, h, cell, cw, ch int, cf config) (mask []bool, share []float64) {
	n := cw * ch
	ref := slices.Clone(energy)
	slices.Sort(ref)
	top := ref[n*95/100]
	fg := make([]float64, n)
	for i := range fg {
		r := math.Sqrt(energy[i] / top)
		// Strong contrast may stand with half the coherence, not with none: noise is
		// as contrasty as it likes.
		if energy[i] >= minEnergy && r > cf.segContrast && (coh[i] > cf.segCoherence || r > cf.segStrong && coh[i] > cf.segCoherence/2) {
			fg[i] = 1
		}
	}
	// Close (bridge the dry gaps), then open (drop specks), on the cell grid.
	fg = threshold(ridge.Gauss(fg, cw, ch, 1.5), 0.3)
	fg = threshold(ridge.Gauss(fg, cw, ch, 1.5), 0.7)
	keep := keepLarge(fg, cw, ch)
	fillHoles(keep, cw, ch)
	share = ridge.Gauss(keep, cw, ch, cf.segSmooth)
	mask = make([]bool, w*h)
	for y := range h {
		for x := range w {
			mask[y*w+x] = sample(share, cw, ch, cell, x, y) > 0.5
		}
	}
	return mask, share
}

// minEnergy is the least mean square of the band-passed grey (grey levels²) that can be
// ridges: a print whose ridges differ from its valleys by less than a few grey levels
// holds nothing to extract, and below it lie the rounding and the noise of a blank
// sensor.
const minEnergy = 2

func threshold(v []float64, t float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		if x > t {
			out[i] = 1
		}
	}
	return out
}

// keepLarge keeps the largest 8-connected region of set cells and the others at least a
// fifth its size: a finger pressed unevenly, or crossed by a deep crease, can fall
// apart into pieces, while dust and the latent prints that pass the contrast test are
// small.
func keepLarge(v []float64, w, h int) []float64 {
	label := make([]int, len(v))
	var sizes []int
	var stack []int
	for s := range v {
		if v[s] == 0 || label[s] != 0 {
			continue
		}
		sizes = append(sizes, 0)
		id := len(sizes)
		label[s] = id
		stack = append(stack[:0], s)
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			sizes[id-1]++
			x, y := p%w, p/w
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					X, Y := x+dx, y+dy
					if X < 0 || Y < 0 || X >= w || Y >= h {
						continue
					}
					if q := Y*w + X; v[q] != 0 && label[q] == 0 {
						label[q] = id
						stack = append(stack, q)
					}
				}
			}
		}
	}
	best := 0
	for _, s := range sizes {
		best = max(best, s)
	}
	out := make([]float64, len(v))
	for i, l := range label {
		if l > 0 && sizes[l-1]*5 >= best {
			out[i] = 1
		}
	}
	return out
}

// fillHoles sets the cells not reachable from the grid's edge through unset cells.
func fillHoles(v []float64, w, h int) {
	outside := make([]bool, len(v))
	var stack []int
	push := func(i int) {
		if v[i] == 0 && !outside[i] {
			outside[i] = true
			stack = append(stack, i)
		}
	}
	for x := range w {
		push(x)
		push((h-1)*w + x)
	}
	for y := range h {
		push(y * w)
		push(y*w + w - 1)
	}
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		x, y := p%w, p/w
		if x > 0 {
			push(p - 1)
		}
		if x < w-1 {
			push(p + 1)
		}
		if y > 0 {
			push(p - w)
		}
		if y < h-1 {
			push(p + w)
		}
	}
	for i := range v {
		if !outside[i] {
			v[i] = 1
		}
	}
}

// sample interpolates a cell grid bilinearly at pixel (x, y), cells' values taken at
// their centres.
func sample(v []float64, cw, ch, cell, x, y int) float64 {
	fx := (float64(x)+0.5)/float64(cell) - 0.5
	fy := (float64(y)+0.5)/float64(cell) - 0.5
	x0, y0 := int(math.Floor(fx)), int(math.Floor(fy))
	ax, ay := fx-float64(x0), fy-float64(y0)
	at := func(X, Y int) float64 {
		return v[min(max(Y, 0), ch-1)*cw+min(max(X, 0), cw-1)]
	}
	return (1-ay)*((1-ax)*at(x0, y0)+ax*at(x0+1, y0)) + ay*((1-ax)*at(x0, y0+1)+ax*at(x0+1, y0+1))
}
