// Package extract finds the minutiae of a 500 ppi fingerprint image. It separates the
// finger from the background by the contrast and coherence of its ridges relative to the
// print's own, estimates the ridges' orientation at several scales and their period from
// x-signatures, enhances them with Gabor filters tuned to both (mending the gaps of dry
// skin, pores and creases), thins them, and reads endings and bifurcations off the
// skeleton's graph once the spurs, islands, lakes and bridges that thinning leaves are
// cut. Endings facing each other across a break, minutiae near the finger's edge and
// tight clusters are dropped, and each minutia kept gets a reliability from the ridges
// round it.
package extract

import (
	"errors"
	"image"
	"math"
	"slices"

	"cotejo/scanner/biometrics/ridge"
)

// Result is what extraction found.
type Result struct {
	Minutiae  []ridge.Minutia
	Mask      []bool    // the finger's area
	Orient    []float64 // ridge orientation per pixel, radians in [0, π), image coordinates
	Coherence []float64 // how clearly oriented the ridges are, 0–1, per pixel
	Period    float64   // median ridge period, pixels
	// Periods are the per-block period estimates (0 where the ridges gave none), for
	// judging how consistent the ridge frequency is; blocks of 16 pixels, (W+15)/16 a row.
	Periods []float64
	W, H    int
	// Enhanced is the ridge image after contextual filtering: positive on ridges,
	// negative in valleys, about ±1, 0 outside the mask.
	Enhanced []float64
}

// ErrNoFinger means no ridged area was found.
var ErrNoFinger = errors.New("extract: no fingerprint in the image")

const (
	block = 16 // period blocks, pixels
	cell  = 4  // orientation cells, pixels
)

// Period limits at 500 ppi: FVC's and NIST's prints hold ridges 5 to 15 pixels apart.
const (
	minPeriod = 4.5
	maxPeriod = 16
)

// minCoherence is the least mean coherence of a finger's area: real prints, dry,
// creased or smudged, keep above 0.3; noise stays near 0.1.
const minCoherence = 0.2

// config holds the extractor's settings; defaults are what Extract uses, and tests vary
// them to tune it on the real sets.
type config struct {
	segContrast, segCoherence, segStrong float64   // see segment
	segSigma, segSmooth                  float64   // smoothing of the energy and of the outline, cells
	scales                               []float64 // orientation smoothing, cells
	along, across                        float64   // Gabor sigmas, in periods
	prune                                ridge.PruneParams
	margin                               float64 // least distance to the mask's edge, periods
	breakGap                             float64 // endings facing across a gap shorter than this, periods
	cluster                              float64 // cluster radius, periods
	minQuality                           int     // least reliability kept
}

func defaults() config {
	return config{
		segContrast: 0.25, segCoherence: 0.3, segStrong: 0.5,
		segSigma: 2, segSmooth: 2,
		scales: []float64{1, 2.5, 6},
		along:  0.6, across: 0.45,
		prune:      ridge.PruneParams{Spur: 1, Island: 1.5, Lake: 3, Bridge: 1.5},
		margin:     1.2,
		breakGap:   2,
		cluster:    0.75,
		minQuality: 10,
	}
}

// stages are the intermediate images, for tests and debugging.
type stages struct {
	energy, contrast, coh []float64 // per cell
	norm                  []float64 // normalised band-passed grey, per pixel
	binary                []bool
	skeleton              *ridge.Skeleton
	raw                   []ridge.Minutia // before the break, cluster and quality rules
	cw, ch                int
}

// Extract finds the minutiae of img (500 ppi).
func Extract(img *image.Gray) (*Result, error) {
	r, _, err := extract(img, defaults())
	return r, err
}

func extract(img *image.Gray, cf config) (*Result, *stages, error) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w < 64 || h < 64 {
		return nil, nil, ErrNoFinger
	}
	g := make([]float64, w*h)
	for y := range h {
		row := img.Pix[img.PixOffset(b.Min.X, b.Min.Y+y):]
		for x := range w {
			g[y*w+x] = float64(row[x])
		}
	}
	st := &stages{cw: (w + cell - 1) / cell, ch: (h + cell - 1) / cell}
	cw, ch := st.cw, st.ch
	// Pixel noise and pores off; then the ridges against their surroundings, about two
	// periods wide, so that uneven pressure and lighting drop out.
	lp := ridge.Gauss(g, w, h, 1)
	// The buffers are reused as they fall free: at this size allocating is not free.
	band := ridge.BoxMean(lp, w, h, 8)
	sq := g
	for i := range band {
		band[i] -= lp[i] // ridges (dark) positive
		sq[i] = band[i] * band[i]
	}
	st.energy = ridge.Gauss(cellMean(sq, w, h, cw, ch), cw, ch, cf.segSigma)
	tensor := ridge.NewTensor(lp, w, h, cell, 1.5)
	st.coh = tensor.Coherence()
	mask, share := segment(st.energy, st.coh, w, h, cell, cw, ch, cf)
	// Ridges are oriented: an area of noise that passed as strong contrast is not.
	area := 0
	var meanCoh float64
	for i, m := range mask {
		if m {
			area++
			meanCoh += st.coh[(i/w/cell)*cw+(i%w)/cell]
		}
	}
	if area < w*h/25 || meanCoh < minCoherence*float64(area) {
		return nil, st, ErrNoFinger
	}
	// Contrast relative to the finger's typical ridges, for the minutiae's reliability.
	var fe []float64
	for i, s := range share {
		if s > 0.5 {
			fe = append(fe, st.energy[i])
		}
	}
	slices.Sort(fe)
	typical := fe[len(fe)*3/4] + 1e-9
	st.contrast = make([]float64, cw*ch)
	for i, e := range st.energy {
		st.contrast[i] = math.Min(1, math.Sqrt(e/typical))
	}
	angle := tensor.Orientation(share, cf.scales)
	// Normalise the band-passed grey by its local spread, so faint and dark areas come
	// to one amplitude; the floor keeps the background's noise from being blown up.
	st.norm = ridge.BoxMean(sq, w, h, 12)
	floor := 0.02 * typical
	for i, b := range band {
		if mask[i] {
			st.norm[i] = b / math.Sqrt(st.norm[i]+floor)
		} else {
			st.norm[i] = 0
		}
	}
	period, blocks, median := periods(st.norm, angle, mask, w, h, cw)
	enh := ridge.Enhance(st.norm, w, h, mask, angle, period, cw, cell, ridge.EnhanceParams{Along: cf.along, Across: cf.across, MinP: minPeriod, MaxP: maxPeriod})
	on := make([]bool, w*h)
	for i, v := range enh {
		on[i] = mask[i] && v > 0
	}
	// Specks of ridge and of valley (pores, sweat) left after filtering become islands
	// and lakes.
	speck := int(median * median / 2)
	removeSmall(on, mask, w, h, true, speck)
	removeSmall(on, mask, w, h, false, speck)
	st.binary = on // Thin works on its own copy
	sk := ridge.Thin(w, h, on)
	sk.Slim()
	atCell := func(v []float64) func(x, y int) float64 {
		return func(x, y int) float64 { return v[(y/cell)*cw+x/cell] }
	}
	orient, per := atCell(angle), atCell(period)
	sk.Prune(per, orient, cf.prune)
	st.skeleton = sk
	dist := ridge.EdgeDistance(w, h, mask)
	margin := cf.margin * median
	mins := sk.Features(func(x, y int) bool { return dist[y*w+x] >= margin }, orient, int(math.Round(median)))
	st.raw = slices.Clone(mins)
	mins = dropBreaks(mins, per, cf.breakGap)
	mins = dropClusters(mins, per, cf.cluster)
	// Reliability (ANSI 378's minutia quality): how clearly oriented and how
	// contrasty the ridges are round the minutia, over a couple of periods (the
	// minutia itself disturbs the orientation at its own cell), and how far it lies
	// inside the finger. Where the ridges are poor the minutia is more likely made up,
	// and near the edge the ridges are cut and distorted.
	cohWide := ridge.Gauss(st.coh, cw, ch, 2)
	kept := mins[:0]
	for _, m := range mins {
		x, y := int(m.X), int(m.Y)
		c := (y/cell)*cw + x/cell
		certain := ramp(cohWide[c], 0.15, 0.65)
		clear := ramp(st.contrast[c], 0.1, 0.6)
		inside := 0.4 + 0.6*ramp(dist[y*w+x]-margin, 0, 2*median)
		m.Quality = uint8(math.Round(100 * certain * clear * inside))
		if int(m.Quality) >= cf.minQuality {
			kept = append(kept, m)
		}
	}
	mins = kept
	orientPx := make([]float64, w*h)
	cohPx := make([]float64, w*h)
	for y := range h {
		for x := range w {
			orientPx[y*w+x] = angle[(y/cell)*cw+x/cell]
			cohPx[y*w+x] = st.coh[(y/cell)*cw+x/cell]
		}
	}
	return &Result{Minutiae: mins, Mask: mask, Orient: orientPx, Coherence: cohPx, Period: median, Periods: blocks, W: w, H: h, Enhanced: enh}, st, nil
}

// ramp maps v linearly from [lo, hi] onto [0, 1], clamped.
func ramp(v, lo, hi float64) float64 { return math.Max(0, math.Min(1, (v-lo)/(hi-lo))) }

// cellMean averages a pixel grid over the cells.
func cellMean(v []float64, w, h, cw, ch int) []float64 {
	out := make([]float64, cw*ch)
	n := make([]float64, cw*ch)
	for y := range h {
		for x := range w {
			c := (y/cell)*cw + x/cell
			out[c] += v[y*w+x]
			n[c]++
		}
	}
	for i := range out {
		out[i] /= n[i]
	}
	return out
}

// periods estimates the ridge period on blocks from x-signatures, fills the blocks that
// gave none and smooths (Hong et al.), and returns it per cell, the raw block estimates
// and the median over the finger.
func periods(norm, angle []float64, mask []bool, w, h, cw int) (perCell, est []float64, median float64) {
	bw, bh := (w+block-1)/block, (h+block-1)/block
	est = make([]float64, bw*bh)
	var found []float64
	for by := range bh {
		for bx := range bw {
			cx, cy := min(bx*block+block/2, w-1), min(by*block+block/2, h-1)
			if !mask[cy*w+cx] {
				continue
			}
			o := angle[(cy/cell)*cw+cx/cell]
			sig := ridge.Signature(norm, w, h, float64(cx), float64(cy), o, 2*block, block)
			if p := ridge.SignaturePeriod(sig, minPeriod, maxPeriod); p > 0 {
				est[by*bw+bx] = p
				found = append(found, p)
			}
		}
	}
	median = 9
	if len(found) > 0 {
		slices.Sort(found)
		median = found[len(found)/2]
	}
	filled := ridge.FillPeriods(est, bw, bh, 1)
	ch := (h + cell - 1) / cell
	perCell = make([]float64, cw*ch)
	for y := range ch {
		for x := range cw {
			perCell[y*cw+x] = sample(filled, bw, bh, block/cell, x, y)
		}
	}
	return perCell, est, median
}

// dropBreaks removes pairs of endings that face each other across a short gap along the
// ridges: a ridge broken by a crease, a scar or dry skin, not two features.
func dropBreaks(ms []ridge.Minutia, period func(x, y int) float64, gap float64) []ridge.Minutia {
	drop := make([]bool, len(ms))
	for i, a := range ms {
		if a.Kind != ridge.Ending {
			continue
		}
		T := period(int(a.X), int(a.Y))
		for j := i + 1; j < len(ms); j++ {
			b := ms[j]
			if b.Kind != ridge.Ending {
				continue
			}
			dx, dy := b.X-a.X, -(b.Y - a.Y) // y up, as the angles
			d := math.Hypot(dx, dy)
			if d > gap*T || d == 0 {
				continue
			}
			// Opposite directions, and each pointing at the other.
			if math.Cos(a.Angle-b.Angle) > -math.Cos(math.Pi/6) {
				continue
			}
			ca := (math.Cos(a.Angle)*dx + math.Sin(a.Angle)*dy) / d
			cb := -(math.Cos(b.Angle)*dx + math.Sin(b.Angle)*dy) / d
			if ca > math.Cos(math.Pi/4) && cb > math.Cos(math.Pi/4) {
				drop[i], drop[j] = true, true
			}
		}
	}
	return keep(ms, drop)
}

// dropClusters removes minutiae with two or more others within radius periods: skin
// does not pack features that tightly, noise does.
func dropClusters(ms []ridge.Minutia, period func(x, y int) float64, radius float64) []ridge.Minutia {
	drop := make([]bool, len(ms))
	for i, a := range ms {
		r := radius * period(int(a.X), int(a.Y))
		n := 0
		for j, b := range ms {
			if i != j && math.Hypot(a.X-b.X, a.Y-b.Y) < r {
				n++
			}
		}
		drop[i] = n >= 2
	}
	return keep(ms, drop)
}

func keep(ms []ridge.Minutia, drop []bool) []ridge.Minutia {
	var out []ridge.Minutia
	for i, m := range ms {
		if !drop[i] {
			out = append(out, m)
		}
	}
	return out
}

// removeSmall flips the 4-connected regions of pixels of value v, inside mask, of at
// most n pixels. A region touching the mask's edge is left alone: it is open, not an
// island or a lake, and the background is not flooded for nothing.
func removeSmall(b, mask []bool, w, h int, v bool, n int) {
	seen := make([]bool, len(b))
	var stack, region []int32
	for s := range b {
		if b[s] != v || seen[s] || !mask[s] {
			continue
		}
		region = region[:0]
		stack = append(stack[:0], int32(s))
		seen[s] = true
		open := false
		for len(stack) > 0 {
			p := int(stack[len(stack)-1])
			stack = stack[:len(stack)-1]
			region = append(region, int32(p))
			x, y := p%w, p/w
			if x == 0 || y == 0 || x == w-1 || y == h-1 {
				open = true
				continue
			}
			for _, q := range [4]int{p - 1, p + 1, p - w, p + w} {
				switch {
				case !mask[q]:
					open = true
				case b[q] == v && !seen[q]:
					seen[q] = true
					stack = append(stack, int32(q))
				}
			}
		}
		if !open && len(region) <= n {
			for _, p := range region {
				b[p] = !v
			}
		}
	}
}
