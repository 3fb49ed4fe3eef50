package fingergen

import (
	"image"
	"math"
	"math/rand/v2"
	"sync"
)

// Gabor kernels are precomputed for quantised orientations and periods.
const (
	angleBins  = 24
	periodBins = 8
	radius     = 5
	side       = 2*radius + 1
)

type kernels [angleBins][periodBins][side * side]float64

func makeKernels() *kernels {
	var k kernels
	for a := range angleBins {
		th := float64(a) * math.Pi / angleBins
		s, c := math.Sincos(th)
		for p := range periodBins {
			period := minPeriod + (maxPeriod-minPeriod)*float64(p)/(periodBins-1)
			sigma := period * 0.45
			var sum float64
			for dy := -radius; dy <= radius; dy++ {
				for dx := -radius; dx <= radius; dx++ {
					// u along the ridge, v across it.
					u := float64(dx)*c + float64(dy)*s
					v := -float64(dx)*s + float64(dy)*c
					w := math.Exp(-(u*u+v*v)/(2*sigma*sigma)) * math.Cos(2*math.Pi*v/period)
					k[a][p][(dy+radius)*side+dx+radius] = w
					sum += math.Abs(w)
				}
			}
			for i := range k[a][p] {
				k[a][p][i] /= sum / 2
			}
		}
	}
	return &k
}

// grow starts from random specks and filters them, again and again, with the Gabor
// kernel the local orientation and period choose, saturating after each pass: ridges
// spread from the specks until they fill the finger.
func grow(m *Master, rnd *rand.Rand) *image.Gray {
	k := makeKernels()
	n := Width * Height
	field := make([]float64, n)
	for range 900 {
		x, y := rnd.IntN(Width), rnd.IntN(Height)
		if m.Mask[y*Width+x] {
			field[y*Width+x] = rnd.Float64()*2 - 1
		}
	}
	// Each pixel's kernel, chosen once.
	choice := make([]*[side * side]float64, n)
	for i := range n {
		a := int(m.orient[i]/math.Pi*angleBins+0.5) % angleBins
		p := int((m.period[i]-minPeriod)/(maxPeriod-minPeriod)*(periodBins-1) + 0.5)
		choice[i] = &k[a][min(max(p, 0), periodBins-1)]
	}
	next := make([]float64, n)
	for range 14 {
		filter(field, next, choice, m.Mask)
		field, next = next, field
	}
	img := image.NewGray(image.Rect(0, 0, Width, Height))
	for i, v := range field {
		if !m.Mask[i] {
			img.Pix[i] = 255
			continue
		}
		// Ridges dark: v > 0 is ridge.
		g := 128 - 127*math.Tanh(2.5*v)
		img.Pix[i] = uint8(g)
	}
	return img
}

// filter applies each pixel's kernel, in two halves on two goroutines, then saturates.
func filter(in, out []float64, choice []*[side * side]float64, mask []bool) {
	var wg sync.WaitGroup
	rows := func(y0, y1 int) {
		for y := y0; y < y1; y++ {
			for x := range Width {
				i := y*Width + x
				if !mask[i] {
					out[i] = 0
					continue
				}
				kk := choice[i]
				var s float64
				for dy := -radius; dy <= radius; dy++ {
					yy := y + dy
					if yy < 0 || yy >= Height {
						continue
					}
					row := in[yy*Width:]
					kr := kk[(dy+radius)*side:]
					for dx := -radius; dx <= radius; dx++ {
						xx := x + dx
						if xx < 0 || xx >= Width {
							continue
						}
						s += row[xx] * kr[dx+radius]
					}
				}
				out[i] = math.Max(-1, math.Min(1, 1.6*s))
			}
		}
	}
	wg.Go(func() { rows(0, Height/2) })
	wg.Go(func() { rows(Height/2, Height) })
	wg.Wait()
}
