package fvc

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"
	"os"
	"slices"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Curve is one system's scores, drawn in one colour.
type Curve struct {
	Label              string
	Genuine, Impostor  []float64
	Colour             color.RGBA
	Dashed             bool
	RejectShare, FNMRs []float64 // for an error-versus-reject curve instead of a DET
}

// Palette gives curves distinct colours in turn.
var Palette = []color.RGBA{{20, 60, 200, 255}, {200, 40, 30, 255}, {20, 150, 60, 255}, {150, 60, 170, 255}, {200, 130, 0, 255}, {0, 150, 160, 255}}

type canvas struct {
	img                *image.RGBA
	w, h, margin       int
	xlo, xhi, ylo, yhi float64
	logX, logY         bool
	black, grey        color.RGBA
	legendY            int
}

func newCanvas(title, xlabel, ylabel string, xlo, xhi, ylo, yhi float64, logX, logY bool) *canvas {
	c := &canvas{w: 720, h: 560, margin: 70, xlo: xlo, xhi: xhi, ylo: ylo, yhi: yhi, logX: logX, logY: logY,
		black: color.RGBA{0, 0, 0, 255}, grey: color.RGBA{215, 215, 215, 255}, legendY: 78}
	c.img = image.NewRGBA(image.Rect(0, 0, c.w, c.h))
	draw.Draw(c.img, c.img.Bounds(), image.White, image.Point{}, draw.Src)
	c.label(c.w/2-len(xlabel)*7/2, c.h-18, xlabel, c.black)
	c.label(10, 30, ylabel, c.black)
	c.label(c.margin, 52, title, c.black)
	return c
}

func (c *canvas) label(x, y int, s string, col color.RGBA) {
	(&font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}).DrawString(s)
}

func (c *canvas) scale(v, lo, hi float64, lg bool) float64 {
	if lg {
		v, lo, hi = math.Log10(math.Max(v, lo)), math.Log10(lo), math.Log10(hi)
	}
	return (math.Min(math.Max(v, lo), hi) - lo) / (hi - lo)
}

func (c *canvas) px(v float64) int {
	return c.margin + int(c.scale(v, c.xlo, c.xhi, c.logX)*float64(c.w-2*c.margin))
}

func (c *canvas) py(v float64) int {
	return c.h - c.margin - int(c.scale(v, c.ylo, c.yhi, c.logY)*float64(c.h-2*c.margin))
}

func (c *canvas) grid(xs, ys []float64, name func(float64) string) {
	for _, v := range xs {
		for y := c.margin; y <= c.h-c.margin; y++ {
			c.img.SetRGBA(c.px(v), y, c.grey)
		}
		c.label(c.px(v)-15, c.h-c.margin+18, name(v), c.black)
	}
	for _, v := range ys {
		for x := c.margin; x <= c.w-c.margin; x++ {
			c.img.SetRGBA(x, c.py(v), c.grey)
		}
		c.label(c.margin-52, c.py(v)+4, name(v), c.black)
	}
}

// polyline draws the points joined, three pixels wide.
func (c *canvas) polyline(xs, ys []float64, col color.RGBA, dashed bool) {
	prevX, prevY := -1, -1
	step := 0
	for k := range xs {
		x, y := c.px(xs[k]), c.py(ys[k])
		if prevX >= 0 {
			n := max(abs(x-prevX), abs(y-prevY), 1)
			for i := 0; i <= n; i++ {
				step++
				if dashed && step/6%2 == 1 {
					continue
				}
				cx, cy := prevX+(x-prevX)*i/n, prevY+(y-prevY)*i/n
				for d := -1; d <= 1; d++ {
					c.img.SetRGBA(cx+d, cy, col)
					c.img.SetRGBA(cx, cy+d, col)
				}
			}
		}
		prevX, prevY = x, y
	}
}

func (c *canvas) legend(s string, col color.RGBA, dashed bool) {
	x := c.w - c.margin - 250
	for i := range 24 {
		if dashed && i/6%2 == 1 {
			continue
		}
		for d := -1; d <= 1; d++ {
			c.img.SetRGBA(x+i, c.legendY-4+d, col)
		}
	}
	c.label(x+30, c.legendY, s, c.black)
	c.legendY += 16
}

func (c *canvas) save(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, c.img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func percent(v float64) string { return strconv.FormatFloat(100*v, 'g', 3, 64) + "%" }

// WriteDET draws the detection error trade-off curves (FNMR against FMR, both on log
// scales from 0.01 % to 100 %) of each curve's scores, as a PNG.
func WriteDET(path, title string, curves ...Curve) error {
	c := newCanvas(title, "false match rate (FMR)", "false non-match rate (FNMR)", 1e-4, 1, 1e-4, 1, true, true)
	decades := []float64{1e-4, 1e-3, 1e-2, 1e-1, 1}
	c.grid(decades, decades, percent)
	for k, cv := range curves {
		col := cv.Colour
		if col == (color.RGBA{}) {
			col = Palette[k%len(Palette)]
		}
		gen, imp := slices.Sorted(slices.Values(cv.Genuine)), slices.Sorted(slices.Values(cv.Impostor))
		ts := append(slices.Clone(gen), imp...)
		slices.Sort(ts)
		ts = slices.Compact(ts)
		var xs, ys []float64
		for _, t := range ts {
			fm, fn := above(imp, t), 1-above(gen, t)
			if fm <= 0 || fn <= 0 {
				continue
			}
			xs, ys = append(xs, fm), append(ys, fn)
		}
		c.polyline(xs, ys, col, cv.Dashed)
		c.legend(cv.Label, col, cv.Dashed)
	}
	return c.save(path)
}

// WriteERC draws error-versus-reject curves: the FNMR of the genuine pairs that remain
// (y, linear) after rejecting the lowest-quality share of prints (x, 0–50 %).
func WriteERC(path, title string, curves ...Curve) error {
	top, right := 0.0, 0.1
	for _, cv := range curves {
		for _, v := range cv.FNMRs {
			top = math.Max(top, v)
		}
		for _, v := range cv.RejectShare {
			right = math.Max(right, v)
		}
	}
	top = math.Max(0.05, math.Ceil(top*20)/20)
	c := newCanvas(title, "share of prints rejected for low quality", "FNMR of the pairs left", 0, right, 0, top, false, false)
	var ys []float64
	for v := 0.0; v <= top+1e-9; v += top / 5 {
		ys = append(ys, v)
	}
	var xs []float64
	for v := 0.0; v <= right+1e-9; v += right / 5 {
		xs = append(xs, v)
	}
	c.grid(xs, ys, percent)
	for k, cv := range curves {
		col := cv.Colour
		if col == (color.RGBA{}) {
			col = Palette[k%len(Palette)]
		}
		c.polyline(cv.RejectShare, cv.FNMRs, col, cv.Dashed)
		c.legend(cv.Label, col, cv.Dashed)
	}
	return c.save(path)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
