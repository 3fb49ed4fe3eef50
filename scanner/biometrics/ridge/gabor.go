// Package ridge holds the ridge-pattern tools the fingerprint generator and the minutiae
// extractor share: oriented Gabor filtering, thinning ridges to one-pixel lines, and
// finding minutiae on those lines by their crossing number. Sharing them means the
// extractor finds minutiae where the generator put them, by the same definition.
package ridge

import (
	"math"
	"sync"
)

// Field is a grid of values, row-major, W × H.
type Field struct {
	W, H int
	V    []float64
}

// NewField makes a zero field.
func NewField(w, h int) *Field { return &Field{W: w, H: h, V: make([]float64, w*h)} }

// Gabor kernels are precomputed for quantised orientations and periods.
const (
	AngleBins  = 24
	PeriodBins = 8
	Radius     = 5
	side       = 2*Radius + 1
)

// Kernel is one Gabor kernel, side × side.
type Kernel [side * side]float64

// Bank is a set of Gabor kernels for ridge periods from Min to Max pixels.
type Bank struct {
	Min, Max float64
	k        [AngleBins][PeriodBins]Kernel
}

// NewBank makes the kernels: a cosine across the ridges of the given period under a
// Gaussian envelope, normalised to unit absolute gain (times two, so filtering a
// saturated pattern keeps it saturated).
func NewBank(minPeriod, maxPeriod float64) *Bank { return newBank(minPeriod, maxPeriod, false) }

// NewZeroMeanBank is NewBank with each kernel's mean removed, so uneven brightness (dry
// patches, the edge of contact) does not shift the response: for enhancing real images.
func NewZeroMeanBank(minPeriod, maxPeriod float64) *Bank { return newBank(minPeriod, maxPeriod, true) }

func newBank(minPeriod, maxPeriod float64, zeroMean bool) *Bank {
	b := &Bank{Min: minPeriod, Max: maxPeriod}
	for a := range AngleBins {
		th := float64(a) * math.Pi / AngleBins
		s, c := math.Sincos(th)
		for p := range PeriodBins {
			period := minPeriod + (maxPeriod-minPeriod)*float64(p)/(PeriodBins-1)
			sigma := period * 0.45
			k := &b.k[a][p]
			var mean float64
			for dy := -Radius; dy <= Radius; dy++ {
				for dx := -Radius; dx <= Radius; dx++ {
					// u along the ridge, v across it.
					u := float64(dx)*c + float64(dy)*s
					v := -float64(dx)*s + float64(dy)*c
					w := math.Exp(-(u*u+v*v)/(2*sigma*sigma)) * math.Cos(2*math.Pi*v/period)
					k[(dy+Radius)*side+dx+Radius] = w
					mean += w
				}
			}
			mean /= side * side
			var sum float64
			for i := range k {
				if zeroMean {
					k[i] -= mean
				}
				sum += math.Abs(k[i])
			}
			for i := range b.k[a][p] {
				b.k[a][p][i] /= sum / 2
			}
		}
	}
	return b
}

// Choose returns the kernel for a ridge orientation (radians, [0, π)) and period.
func (b *Bank) Choose(orient, period float64) *Kernel {
	a := int(orient/math.Pi*AngleBins+0.5) % AngleBins
	if a < 0 {
		a += AngleBins
	}
	p := int((period-b.Min)/(b.Max-b.Min)*(PeriodBins-1) + 0.5)
	return &b.k[a][min(max(p, 0), PeriodBins-1)]
}

// Filter applies each pixel's kernel to in, writing gain·response clamped to ±1 into
// out (or the raw response when gain is 0); pixels outside mask are 0. It uses two
// goroutines, each on half the rows.
func Filter(in, out *Field, kernels []*Kernel, mask []bool, gain float64) {
	w, h := in.W, in.H
	var wg sync.WaitGroup
	rows := func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			for x := range w {
				i := y*w + x
				if !mask[i] {
					out.V[i] = 0
					continue
				}
				kk := kernels[i]
				var s float64
				for dy := -Radius; dy <= Radius; dy++ {
					yy := y + dy
					if yy < 0 || yy >= h {
						continue
					}
					row := in.V[yy*w:]
					kr := kk[(dy+Radius)*side:]
					for dx := -Radius; dx <= Radius; dx++ {
						xx := x + dx
						if xx < 0 || xx >= w {
							continue
						}
						s += row[xx] * kr[dx+Radius]
					}
				}
				if gain != 0 {
					s = math.Max(-1, math.Min(1, gain*s))
				}
				out.V[i] = s
			}
		}
	}
	wg.Go(func() { rows(0, h/2) })
	wg.Go(func() { rows(h/2, h) })
	wg.Wait()
}
