package zone

import (
	"image"
	"image/color"
)

// maxWork is the widest image detection runs on: larger inputs are shrunk by an integer
// factor first, which keeps a 2500 px card as fast as a 1012 px one and its glyphs
// still 20 px or more tall.
const maxWork = 1400

// darkness returns, for every pixel of img shrunk by the integer factor f, its
// brightness as the largest of R, G and B (0 black, 255 white), in a w×h row-major
// buffer. The largest channel rather than luminance because the zone is printed in
// black while the guilloche and tints behind it are coloured: a saturated colour is
// bright in at least one channel, black ink in none.
func darkness(img image.Image, f int) (buf []uint8, w, h int) {
	b := img.Bounds()
	w, h = b.Dx()/f, b.Dy()/f
	buf = make([]uint8, w*h)
	if f == 1 {
		for y := range h {
			readRow(img, b.Min.Y+y, buf[y*w:(y+1)*w])
		}
		return buf, w, h
	}
	src := make([]uint8, w*f)
	acc := make([]uint32, w)
	for y := range h {
		clear(acc)
		for dy := range f {
			readRow(img, b.Min.Y+y*f+dy, src)
			for x := range acc {
				for _, v := range src[x*f : (x+1)*f] {
					acc[x] += uint32(v)
				}
			}
		}
		row := buf[y*w : (y+1)*w]
		for x, a := range acc {
			row[x] = uint8(a / uint32(f*f))
		}
	}
	return buf, w, h
}

// readRow writes the brightness of the first len(dst) pixels of img's row y.
func readRow(img image.Image, y int, dst []uint8) {
	x0 := img.Bounds().Min.X
	switch src := img.(type) {
	case *image.RGBA:
		pix := src.Pix[src.PixOffset(x0, y):]
		for x := range dst {
			dst[x] = max(pix[4*x], pix[4*x+1], pix[4*x+2])
		}
	case *image.NRGBA: // alpha ignored: a straightened card is opaque
		pix := src.Pix[src.PixOffset(x0, y):]
		for x := range dst {
			dst[x] = max(pix[4*x], pix[4*x+1], pix[4*x+2])
		}
	case *image.Gray:
		copy(dst, src.Pix[src.PixOffset(x0, y):])
	case *image.YCbCr: // what image/jpeg decodes to
		yy := src.Y[src.YOffset(x0, y):]
		for x := range dst {
			c := src.COffset(x0+x, y)
			r, g, b := color.YCbCrToRGB(yy[x], src.Cb[c], src.Cr[c])
			dst[x] = max(r, g, b)
		}
	default:
		for x := range dst {
			r, g, b, _ := img.At(x0+x, y).RGBA()
			dst[x] = uint8(max(r, g, b) >> 8)
		}
	}
}

// binarise turns the brightness buffer into an ink mask in place (1 ink, 0 paper).
// A pixel is ink when it is much darker than the paper around it: the paper's
// brightness is estimated per block of bs×bs pixels as the brightest block mean within
// ±3 blocks, which follows gradients and glare but not the text (the neighbourhood is
// wider than a glyph stroke and reaches the paper between lines). A ratio to the paper
// rather than to the local mean because it keeps light guilloche out even where the
// window holds no text.
func binarise(buf []uint8, w, h, bs int) {
	bw, bh := (w+bs-1)/bs, (h+bs-1)/bs
	mean := make([]int32, bw*bh)
	cnt := make([]int32, bw*bh)
	for y := range h {
		row := buf[y*w : (y+1)*w]
		o := (y / bs) * bw
		for x, v := range row {
			mean[o+x/bs] += int32(v)
			cnt[o+x/bs]++
		}
	}
	for i := range mean {
		mean[i] /= max(cnt[i], 1)
	}
	// Separable max filter, radius 3 blocks.
	const r = 3
	tmp := make([]int32, bw*bh)
	for by := range bh {
		for bx := range bw {
			m := int32(0)
			for k := max(bx-r, 0); k <= min(bx+r, bw-1); k++ {
				m = max(m, mean[by*bw+k])
			}
			tmp[by*bw+bx] = m
		}
	}
	for by := range bh {
		for bx := range bw {
			m := int32(0)
			for k := max(by-r, 0); k <= min(by+r, bh-1); k++ {
				m = max(m, tmp[k*bw+bx])
			}
			mean[by*bw+bx] = m
		}
	}
	paper := mean
	// Bilinear interpolation between block centres: the horizontal weights once, the
	// vertical per row.
	ix := make([]int32, w)
	tx := make([]int32, w)
	for x := range w {
		fx := (float64(x)+0.5)/float64(bs) - 0.5
		i := min(max(int(fx), 0), bw-1)
		ix[x], tx[x] = int32(i), int32(min(max(fx-float64(i), 0), 1)*256)
	}
	line := make([]int32, bw+1)
	for y := range h {
		fy := (float64(y)+0.5)/float64(bs) - 0.5
		y0 := min(max(int(fy), 0), bh-1)
		y1 := min(y0+1, bh-1)
		ty := int32(min(max(fy-float64(y0), 0), 1) * 256)
		for bx := range bw {
			line[bx] = (paper[y0*bw+bx]*(256-ty) + paper[y1*bw+bx]*ty) >> 8
		}
		line[bw] = line[bw-1]
		row := buf[y*w : (y+1)*w]
		for x, v := range row {
			i := ix[x]
			p := (line[i]*(256-tx[x]) + line[i+1]*tx[x]) >> 8
			// Ink: below 75% of the paper (glare lifts black ink to 2/3 of it; the
			// guilloche stays above 90%), and by a margin that noise in dark
			// regions (the photograph, a code's solid areas) cannot reach.
			if t := min(p*3/4, p-40); int32(v) < t {
				row[x] = 1
			} else {
				row[x] = 0
			}
		}
	}
}

// comp is one connected component of ink: its bounding box [x0,x1)×[y0,y1) and pixels.
type comp struct {
	x0, y0, x1, y1 int
	area           int
}

func (c comp) w() int      { return c.x1 - c.x0 }
func (c comp) h() int      { return c.y1 - c.y0 }
func (c comp) cx() float64 { return float64(c.x0+c.x1) / 2 }
func (c comp) cy() float64 { return float64(c.y0+c.y1) / 2 }
func (c *comp) add(o comp) {
	c.x0, c.y0, c.x1, c.y1, c.area = min(c.x0, o.x0), min(c.y0, o.y0), max(c.x1, o.x1), max(c.y1, o.y1), c.area+o.area
}
func (c comp) rect() image.Rectangle { return image.Rect(c.x0, c.y0, c.x1, c.y1) }

// components labels the mask's 8-connected ink by runs (union–find over horizontal
// runs: far fewer nodes than pixels) and returns each component's box and area.
func components(mask []uint8, w, h int) []comp {
	type run struct{ x0, x1, y int32 }
	var runs []run
	var parent []int32
	find := func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	prevStart, prevEnd := 0, 0
	for y := range h {
		row := mask[y*w : (y+1)*w]
		start := len(runs)
		p := prevStart
		for x := 0; x < w; {
			if row[x] == 0 {
				x++
				continue
			}
			x0 := x
			for x < w && row[x] != 0 {
				x++
			}
			id := int32(len(runs))
			runs = append(runs, run{int32(x0), int32(x), int32(y)})
			parent = append(parent, id)
			// Runs of the previous row touching this one, diagonals included.
			for p < prevEnd && runs[p].x1 < int32(x0) {
				p++
			}
			for q := p; q < prevEnd && runs[q].x0 <= int32(x); q++ {
				a, b := find(int32(q)), find(id)
				if a != b {
					parent[max(a, b)] = min(a, b)
				}
			}
		}
		prevStart, prevEnd = start, len(runs)
	}
	index := make([]int32, len(runs))
	var out []comp
	for i, r := range runs {
		root := find(int32(i))
		if root == int32(i) {
			index[i] = int32(len(out))
			out = append(out, comp{int(r.x0), int(r.y), int(r.x1), int(r.y) + 1, int(r.x1 - r.x0)})
			continue
		}
		// A root is always the run of lowest index in its set, so it is seen first.
		c := &out[index[root]]
		c.add(comp{int(r.x0), int(r.y), int(r.x1), int(r.y) + 1, int(r.x1 - r.x0)})
	}
	return out
}
