package match_test

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"slices"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// writeDET draws the detection error trade-off curve (FNMR against FMR, both on log
// scales from 0.01 % to 100 %) of the genuine and impostor scores, as a PNG.
func writeDET(path string, gen, imp []float64, title string) error {
	gen, imp = slices.Clone(gen), slices.Clone(imp)
	slices.Sort(gen)
	slices.Sort(imp)
	const W, H, m = 640, 520, 70
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	lo, hi := math.Log10(1e-4), 0.0
	px := func(v float64) int { return m + int((math.Log10(math.Max(v, 1e-4))-lo)/(hi-lo)*float64(W-2*m)) }
	py := func(v float64) int { return H - m - int((math.Log10(math.Max(v, 1e-4))-lo)/(hi-lo)*float64(H-2*m)) }
	grey, black, blue := color.RGBA{210, 210, 210, 255}, color.RGBA{0, 0, 0, 255}, color.RGBA{20, 60, 200, 255}
	label := func(x, y int, s string) {
		(&font.Drawer{Dst: img, Src: image.NewUniform(black), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}).DrawString(s)
	}
	for _, v := range []float64{1e-4, 1e-3, 1e-2, 1e-1, 1} {
		for y := m; y <= H-m; y++ {
			img.SetRGBA(px(v), y, grey)
		}
		for x := m; x <= W-m; x++ {
			img.SetRGBA(x, py(v), grey)
		}
		s := map[float64]string{1e-4: "0.01%", 1e-3: "0.1%", 1e-2: "1%", 1e-1: "10%", 1: "100%"}[v]
		label(px(v)-15, H-m+18, s)
		label(m-48, py(v)+4, s)
	}
	label(W/2-60, H-20, "false match rate (FMR)")
	label(10, 30, "false non-match rate (FNMR)")
	label(m, 50, title)
	above := func(s []float64, th float64) float64 {
		i, _ := slices.BinarySearch(s, th)
		return float64(len(s)-i) / float64(len(s))
	}
	prevX, prevY := -1, -1
	for th := 0.0; th <= 100; th += 0.1 {
		fm, fn := above(imp, th), 1-above(gen, th)
		if fm <= 0 || fn <= 0 {
			continue
		}
		x, y := px(fm), py(fn)
		if prevX >= 0 {
			n := max(abs(x-prevX), abs(y-prevY), 1)
			for k := 0; k <= n; k++ {
				cx, cy := prevX+(x-prevX)*k/n, prevY+(y-prevY)*k/n
				for d := -1; d <= 1; d++ {
					img.SetRGBA(cx+d, cy, blue)
					img.SetRGBA(cx, cy+d, blue)
				}
			}
		}
		prevX, prevY = x, y
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
