package locate

import (
	"cotejo/ocr/geom"
	"image"
	"math"
	"slices"
)

// refineSide refits a side at full resolution: at points along it, the few strongest
// steps across it in the colour that tells desk from card, then the line most of the
// points share, the rest (a finger, a shadow's edge, print beside the edge) dropped.
// a and b are the side's ends, centre the card's.
func refineSide(full, small *image.RGBA, l fline, a, b, centre geom.Point, f int) (fline, bool) {
	L := dist(a, b)
	if L < 8 {
		return l, false
	}
	dx, dy := (b.X-a.X)/L, (b.Y-a.Y)/L
	// Inward normal.
	nx, ny := -dy, dx
	if (centre.X-a.X)*nx+(centre.Y-a.Y)*ny < 0 {
		nx, ny = -nx, -ny
	}
	// The colour direction from outside to inside, from the work image.
	fs := float64(f)
	var in, out [3]float64
	cnt := 0
	for k := 1; k < 20; k++ {
		t := L * float64(k) / 20
		px, py := a.X+t*dx, a.Y+t*dy
		ci, ok1 := sample(small, (px+nx*4*fs)/fs, (py+ny*4*fs)/fs)
		co, ok2 := sample(small, (px-nx*4*fs)/fs, (py-ny*4*fs)/fs)
		if !ok1 || !ok2 {
			continue
		}
		for c := range 3 {
			in[c] += ci[c]
			out[c] += co[c]
		}
		cnt++
	}
	var v [3]float64
	norm := 0.0
	for c := range 3 {
		v[c] = in[c] - out[c]
		norm += v[c] * v[c]
	}
	norm = math.Sqrt(norm)
	// Steps are looked for either way: against a checkerboard the card is lighter than
	// some squares and darker than others.
	if cnt == 0 || norm/float64(cnt) < 6 {
		v = [3]float64{0.299, 0.587, 0.114}
	} else {
		for c := range v {
			v[c] /= norm
		}
	}
	S := int(2.5*fs) + 3
	prof := make([]float64, 2*S+3)
	// Each sample keeps its few strongest steps: the card's edge need not be the
	// strongest where print or a desk's pattern lies next to it, but it is the one the
	// samples share.
	type step struct {
		p geom.Point
		d float64
	}
	var samples [][]step
	n := min(max(int(L/8), 12), 80)
	for k := range n {
		t := L * (0.05 + 0.9*(float64(k)+0.5)/float64(n))
		px, py := a.X+t*dx, a.Y+t*dy
		// Start from where the current line is, not the corner chord.
		off := l.nx*px + l.ny*py - l.c
		px, py = px-off*l.nx, py-off*l.ny
		// Near the image's border, the part of the profile inside it.
		lo, hi := len(prof), -1
		for s := range prof {
			o := float64(s - S - 1)
			acc := 0.0
			good := true
			for _, along := range [3]float64{-1, 0, 1} {
				c, in := sample(full, px+o*nx+along*dx, py+o*ny+along*dy)
				good = good && in
				acc += v[0]*c[0] + v[1]*c[1] + v[2]*c[2]
			}
			if good {
				prof[s] = acc / 3
				lo, hi = min(lo, s), max(hi, s)
			}
		}
		var steps []step
		for s := max(2, lo+2); s < min(len(prof)-2, hi-1); s++ {
			d0, d1, d2 := math.Abs(prof[s]-prof[s-2]), math.Abs(prof[s+1]-prof[s-1]), math.Abs(prof[s+2]-prof[s])
			if d1 < 4 || d1 < d0 || d1 <= d2 {
				continue
			}
			delta := 0.0
			if den := d0 - 2*d1 + d2; den < 0 {
				delta = min(max(0.5*(d0-d2)/den, -0.5), 0.5)
			}
			o := float64(s-S-1) + delta
			steps = append(steps, step{geom.Point{X: px + o*nx, Y: py + o*ny}, d1})
		}
		slices.SortFunc(steps, func(a, b step) int { return cmpDesc(a.d, b.d) })
		if len(steps) > 0 {
			samples = append(samples, steps[:min(len(steps), 3)])
		}
	}
	if len(samples) < 8 {
		return l, false
	}
	// support is how many samples have a step within tol of the line, each counted for
	// how clear a step it is (a desk's grain beside a card's edge makes fainter ones),
	// and their points.
	support := func(cand fline, tol float64, in []geom.Point) (float64, []geom.Point) {
		w := 0.0
		for _, st := range samples {
			for _, c := range st {
				if math.Abs(cand.nx*c.p.X+cand.ny*c.p.Y-cand.c) <= tol {
					if in != nil {
						in = append(in, c.p)
					}
					w += min(c.d, clearStep) / clearStep
					break
				}
			}
		}
		return w, in
	}
	// The line through two steps, far apart, that most samples share; of lines shared
	// as widely, the one nearest the line found.
	best, bestN, bestOff := l, 0.0, math.Inf(1)
	h := len(samples) / 2
	for k := range h {
		for _, p := range samples[k] {
			for _, q := range samples[k+h] {
				d := dist(p.p, q.p)
				if d < 1 {
					continue
				}
				cand := fline{nx: -(q.p.Y - p.p.Y) / d, ny: (q.p.X - p.p.X) / d}
				if cand.nx*l.nx+cand.ny*l.ny < 0 {
					cand.nx, cand.ny = -cand.nx, -cand.ny
				}
				if cand.nx*l.nx+cand.ny*l.ny < 0.99 {
					continue
				}
				cand.c = cand.nx*p.p.X + cand.ny*p.p.Y
				in, _ := support(cand, 1.5, nil)
				off := math.Abs(cand.nx*(a.X+b.X)/2 + cand.ny*(a.Y+b.Y)/2 - cand.c)
				if in > bestN || (in == bestN && off < bestOff) {
					best, bestN, bestOff = cand, in, off
				}
			}
		}
	}
	if _, sel := support(best, 1.5, make([]geom.Point, 0, len(samples))); len(sel) < max(6, len(samples)/4) {
		return l, false
	}
	cur := best
	for _, tol := range []float64{1.5, 1.0} {
		_, sel := support(cur, tol, make([]geom.Point, 0, len(samples)))
		if len(sel) < max(6, len(samples)/4) {
			break
		}
		next, ok := tls(sel, cur)
		if !ok {
			break
		}
		cur = next
	}
	return cur, true
}

// tls fits a line to points by total least squares, its normal the sense of ref's.
func tls(pts []geom.Point, ref fline) (fline, bool) {
	var mx, my float64
	for _, p := range pts {
		mx += p.X
		my += p.Y
	}
	n := float64(len(pts))
	mx, my = mx/n, my/n
	var sxx, sxy, syy float64
	for _, p := range pts {
		sxx += (p.X - mx) * (p.X - mx)
		sxy += (p.X - mx) * (p.Y - my)
		syy += (p.Y - my) * (p.Y - my)
	}
	th := 0.5*math.Atan2(2*sxy, sxx-syy) + math.Pi/2
	nx, ny := math.Cos(th), math.Sin(th)
	if nx*ref.nx+ny*ref.ny < 0 {
		nx, ny = -nx, -ny
	}
	if nx*ref.nx+ny*ref.ny < 0.99 {
		return ref, false
	}
	return fline{nx, ny, nx*mx + ny*my}, true
}

// sample is img's colour at (x, y), bilinearly; false outside it.
func sample(img *image.RGBA, x, y float64) ([3]float64, bool) {
	x, y = x-0.5, y-0.5
	W, H := img.Bounds().Dx(), img.Bounds().Dy()
	if !(x >= 0 && y >= 0 && x < float64(W-1) && y < float64(H-1)) {
		return [3]float64{}, false
	}
	x0, y0 := int(x), int(y)
	fx, fy := x-float64(x0), y-float64(y0)
	i := img.PixOffset(x0, y0)
	j := i + img.Stride
	var c [3]float64
	for k := range 3 {
		top := float64(img.Pix[i+k])*(1-fx) + float64(img.Pix[i+4+k])*fx
		bot := float64(img.Pix[j+k])*(1-fx) + float64(img.Pix[j+4+k])*fx
		c[k] = top*(1-fy) + bot*fy
	}
	return c, true
}
