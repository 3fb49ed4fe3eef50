package fingergen

import (
	"image"
	"math"
	"math/rand/v2"

	"cotejo/scanner/biometrics/ridge"
)

// grow starts from random specks and filters them, again and again, with the Gabor
// kernel the local orientation and period choose, saturating after each pass: ridges
// spread from the specks until they fill the finger.
func grow(m *Master, rnd *rand.Rand) *image.Gray {
	bank := ridge.NewBank(minPeriod, maxPeriod)
	n := Width * Height
	field := ridge.NewField(Width, Height)
	for range 900 {
		x, y := rnd.IntN(Width), rnd.IntN(Height)
		if m.Mask[y*Width+x] {
			field.V[y*Width+x] = rnd.Float64()*2 - 1
		}
	}
	kernels := make([]*ridge.Kernel, n)
	for i := range n {
		kernels[i] = bank.Choose(m.orient[i], m.period[i])
	}
	next := ridge.NewField(Width, Height)
	for range 14 {
		ridge.Filter(field, next, kernels, m.Mask, 1.6)
		field, next = next, field
	}
	img := image.NewGray(image.Rect(0, 0, Width, Height))
	for i, v := range field.V {
		if !m.Mask[i] {
			img.Pix[i] = 255
			continue
		}
		img.Pix[i] = uint8(128 - 127*math.Tanh(2.5*v)) // ridges dark: v > 0 is ridge
	}
	return img
}

// findMinutiae takes the true minutiae on the grown ridges, away from the finger's edge.
func findMinutiae(img *image.Gray, mask []bool, orient []float64) []Minutia {
	on := make([]bool, Width*Height)
	for i, v := range img.Pix {
		on[i] = mask[i] && v < 128
	}
	inner := ridge.Erode(Width, Height, mask, 18)
	return ridge.Thin(Width, Height, on).Minutiae(
		func(x, y int) bool { return inner[y*Width+x] },
		func(x, y int) float64 { return orient[y*Width+x] }, 8)
}
