package ridge

import "math"

// Gauss blurs a w × h grid with a Gaussian of the given sigma (in grid steps), in two
// separable passes, the rows shared between the cores (or, for a sigma over 3, as three
// box means). Near the edges the weights are renormalised over the samples that exist,
// so the edge is not darkened as zero padding would.
func Gauss(v []float64, w, h int, sigma float64) []float64 {
	r := int(math.Ceil(3 * sigma))
	if r < 1 {
		return append([]float64(nil), v...)
	}
	if sigma > 3 {
		// Wide: three box means of the right widths (Kovesi's), within a few per cent
		// of the Gaussian at a cost that does not grow with sigma.
		const n = 3
		ideal := math.Sqrt(12*sigma*sigma/n + 1)
		lo := int(ideal)
		if lo%2 == 0 {
			lo--
		}
		m := int(math.Round((12*sigma*sigma - n*float64(lo*lo) - 4*n*float64(lo) - 3*n) / (-4*float64(lo) - 4)))
		out := v
		for i := range n {
			size := lo
			if i >= m {
				size = lo + 2
			}
			out = BoxMean(out, w, h, (size-1)/2)
		}
		return out
	}
	k := make([]float64, 2*r+1)
	var sum float64
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	// Down the columns first, into the result; then along each row in place, from a
	// copy of the row: no second buffer the size of the grid.
	out := make([]float64, w*h)
	parallelRows(h, func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			i0, i1 := max(-r, -y), min(r, h-1-y)
			var n float64
			for i := i0; i <= i1; i++ {
				n += k[i+r]
			}
			o := out[y*w : (y+1)*w]
			for i := i0; i <= i1; i++ {
				kk := k[i+r] / n
				src := v[(y+i)*w : (y+i+1)*w]
				for x := range o {
					o[x] += kk * src[x]
				}
			}
		}
	})
	parallelRows(h, func(y0, y1 int) {
		row := make([]float64, w)
		for y := y0; y < y1; y++ {
			o := out[y*w : (y+1)*w]
			copy(row, o)
			for x := range w {
				if x >= r && x < w-r {
					var s float64
					seg := row[x-r : x+r+1 : x+r+1]
					for i, kk := range k[:len(seg)] {
						s += seg[i] * kk
					}
					o[x] = s
					continue
				}
				var s, n float64
				for i := max(-r, -x); i <= min(r, w-1-x); i++ {
					s += row[x+i] * k[i+r]
					n += k[i+r]
				}
				o[x] = s / n
			}
		}
	})
	return out
}

// BoxMean averages a w × h grid over a (2r+1)² window, clipped at the edges, with
// running sums along the rows and then down the columns: its cost does not grow with r,
// and it needs no buffer the size of the grid beyond its result.
func BoxMean(v []float64, w, h, r int) []float64 {
	out := make([]float64, w*h)
	for y := range h {
		row, o := v[y*w:(y+1)*w], out[y*w:(y+1)*w]
		var s float64
		for x := range min(r, w) {
			s += row[x]
		}
		for x := range w {
			if x+r < w {
				s += row[x+r]
			}
			if x-r-1 >= 0 {
				s -= row[x-r-1]
			}
			o[x] = s / float64(min(x+r, w-1)-max(x-r, 0)+1)
		}
	}
	// Down the columns, in place: the rows about to leave the window are kept in a
	// ring of r+1 rows, since their own place has been written by then.
	acc := make([]float64, w)
	ring := make([]float64, (r+1)*w)
	for y := range min(r, h) {
		for x, v := range out[y*w : (y+1)*w] {
			acc[x] += v
		}
	}
	for y := range h {
		o := out[y*w : (y+1)*w]
		slot := ring[(y%(r+1))*w : (y%(r+1)+1)*w] // row y-r-1's, now done with
		if y-r-1 >= 0 {
			for x, v := range slot {
				acc[x] -= v
			}
		}
		copy(slot, o)
		if y+r < h {
			for x, v := range out[(y+r)*w : (y+r+1)*w] {
				acc[x] += v
			}
		}
		n := float64(min(y+r, h-1) - max(y-r, 0) + 1)
		for x := range o {
			o[x] = acc[x] / n
		}
	}
	return out
}

// EdgeDistance gives, for every pixel of a w × h mask, the distance in pixels to the
// nearest pixel outside it (the image's own edge counts as outside), by a two-pass
// chamfer (3–4) transform: within a few per cent of the Euclidean distance.
func EdgeDistance(w, h int, mask []bool) []float64 {
	d := make([]float64, w*h)
	for i, m := range mask {
		if m {
			d[i] = math.Inf(1)
		}
	}
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= w || y >= h {
			return 0
		}
		return d[y*w+x]
	}
	const side, diag = 1, 4.0 / 3 // the 3–4 chamfer, in pixels
	for y := range h {
		for x := range w {
			if i := y*w + x; d[i] > 0 {
				d[i] = min(d[i], at(x-1, y)+side, at(x, y-1)+side, at(x-1, y-1)+diag, at(x+1, y-1)+diag)
			}
		}
	}
	for y := h - 1; y >= 0; y-- {
		for x := w - 1; x >= 0; x-- {
			if i := y*w + x; d[i] > 0 {
				d[i] = min(d[i], at(x+1, y)+side, at(x, y+1)+side, at(x+1, y+1)+diag, at(x-1, y+1)+diag)
			}
		}
	}
	return d
}
