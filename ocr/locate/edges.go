package locate

import (
	"image"
	"math"
)

// A step in the density of edge pixels over a window textureRadius pixels each way
// of textureStep makes an edge of gradient textureMag, a faint one.
const (
	textureRadius = 3
	textureStep   = 0.25
	textureMag    = 6
)

// edgeThreshold is the smallest gradient, in grey levels per work pixel, that counts as
// an edge: above a level-2 photo's noise, below a card's faint rim on white paper.
const edgeThreshold = 4

// edgeMap is the work image's edges, thinned to one pixel, each with the direction its
// gradient points (from dark to light).
type edgeMap struct {
	w, h int
	dir  []int16   // degrees 0–359 for an edge pixel, -1 for none
	mag  []float32 // an edge pixel's gradient
	list []int32   // the edge pixels' indices
	lum  []float32 // the image's luminance, smoothed
	// texture marks the edges between a pattern and plain ground (see textureEdges).
	texture []bool
}

// findEdges takes the gradient of luminance and of the two colour differences, each
// pixel keeping the strongest (a cream desk under a white card differs more in colour
// than in brightness, a coloured band from a brown desk too), and thins it to the
// pixels that are maxima across their edge.
func findEdges(img *image.RGBA) *edgeMap {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	// A [1 2 1] smoothing first, each way (weak edges' directions steady enough to vote
	// together), in integers on the colour channels, then the luminance and colour
	// differences of the result. The outermost pixels stay as they are.
	var planes [3][]float32
	for c := range planes {
		planes[c] = make([]float32, w*h)
	}
	hs := make([]int32, 3*w*h) // smoothed across, channel by channel, interleaved
	for y := range h {
		row := img.Pix[y*img.Stride : y*img.Stride+4*w]
		out := hs[3*y*w : 3*(y+1)*w]
		for x := 1; x < w-1; x++ {
			for c := range 3 {
				out[3*x+c] = int32(row[4*x-4+c]) + 2*int32(row[4*x+c]) + int32(row[4*x+4+c])
			}
		}
	}
	for i := range w * h {
		r, g, b := float32(img.Pix[4*i]), float32(img.Pix[4*i+1]), float32(img.Pix[4*i+2])
		y := 0.299*r + 0.587*g + 0.114*b
		planes[0][i], planes[1][i], planes[2][i] = y, b-y, r-y
	}
	for y := 1; y < h-1; y++ {
		u, m, d := hs[3*(y-1)*w:3*y*w], hs[3*y*w:3*(y+1)*w], hs[3*(y+1)*w:3*(y+2)*w]
		p0, p1, p2 := planes[0][y*w:(y+1)*w], planes[1][y*w:(y+1)*w], planes[2][y*w:(y+1)*w]
		for x := 1; x < w-1; x++ {
			k := 3 * x
			r := float32(u[k]+2*m[k]+d[k]) / 16
			g := float32(u[k+1]+2*m[k+1]+d[k+1]) / 16
			b := float32(u[k+2]+2*m[k+2]+d[k+2]) / 16
			l := 0.299*r + 0.587*g + 0.114*b
			p0[x], p1[x], p2[x] = l, b-l, r-l
		}
	}
	gx, gy, mag := make([]float32, w*h), make([]float32, w*h), make([]float32, w*h)
	bs := make([]float32, w) // the strongest gradient so far, squared, along the row
	for y := 1; y < h-1; y++ {
		gxr, gyr, mr := gx[y*w:(y+1)*w], gy[y*w:(y+1)*w], mag[y*w:(y+1)*w]
		clear(bs)
		for _, p := range planes {
			u, m, d := p[(y-1)*w:y*w], p[y*w:(y+1)*w], p[(y+1)*w:(y+2)*w]
			for x := 1; x < w-1; x++ {
				sx := (u[x+1] + 2*m[x+1] + d[x+1]) - (u[x-1] + 2*m[x-1] + d[x-1])
				sy := (d[x-1] + 2*d[x] + d[x+1]) - (u[x-1] + 2*u[x] + u[x+1])
				if q := sx*sx + sy*sy; q > bs[x] {
					bs[x], gxr[x], gyr[x] = q, sx/8, sy/8
				}
			}
		}
		// Squared, ×64: the square root is taken of the edge pixels only.
		copy(mr[1:w-1], bs[1:w-1])
	}
	edge := make([]float32, w*h)
	em := &edgeMap{w: w, h: h, dir: make([]int16, w*h), mag: edge, lum: planes[0], texture: make([]bool, w*h)}
	for i := range em.dir {
		em.dir[i] = -1
	}
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			i := y*w + x
			m := mag[i]
			if m < edgeThreshold*edgeThreshold*64 {
				continue
			}
			if !peak(mag, gx[i], gy[i], i, w) {
				continue
			}
			d := int(math.Round(math.Atan2(float64(gy[i]), float64(gx[i])) * 180 / math.Pi))
			em.dir[i] = int16((d + 360) % 360)
			em.list = append(em.list, int32(i))
			edge[i] = float32(math.Sqrt(float64(m))) / 8
		}
	}
	em.textureEdges()
	return em
}

// textureEdges adds the edges between a patterned region and a plain one: against a
// fine pattern (a tablecloth's check, small print) a card's edge may show little but
// where the pattern stops, its margin being plain. They are the steps of the density of
// edge pixels over a window textureRadius each way, counted as faint edges.
func (em *edgeMap) textureEdges() {
	w, h := em.w, em.h
	r := textureRadius
	// The density, by an integral image of the edge pixels.
	integ := make([]int32, (w+1)*(h+1))
	for y := range h {
		run := int32(0)
		row, above, here := em.dir[y*w:(y+1)*w], integ[y*(w+1):(y+1)*(w+1)], integ[(y+1)*(w+1):(y+2)*(w+1)]
		for x := range w {
			if row[x] >= 0 {
				run++
			}
			here[x+1] = above[x+1] + run
		}
	}
	// The density is smooth: take it, its gradient and its steps on a grid of every
	// other pixel, W × H.
	W, H := w/2, h/2
	dens := make([]float32, W*H)
	for Y := range H {
		y := 2*Y + 1
		y0, y1 := max(y-r, 0), min(y+r+1, h)
		a, b := integ[y0*(w+1):(y0+1)*(w+1)], integ[y1*(w+1):(y1+1)*(w+1)]
		for X := range W {
			x := 2*X + 1
			x0, x1 := max(x-r, 0), min(x+r+1, w)
			n := b[x1] - a[x1] - b[x0] + a[x0]
			dens[Y*W+X] = float32(n) / float32((y1-y0)*(x1-x0))
		}
	}
	// Its gradient, thinned as the image's is; then the step a window's width either
	// way must be textureStep: a pattern against a plain margin, not a lone line's
	// surroundings, nor a pattern's unevenness.
	gx, gy, mag := make([]float32, W*H), make([]float32, W*H), make([]float32, W*H)
	for Y := 1; Y < H-1; Y++ {
		for X := 1; X < W-1; X++ {
			i := Y*W + X
			sx, sy := dens[i+1]-dens[i-1], dens[i+W]-dens[i-W]
			gx[i], gy[i] = sx, sy
			mag[i] = float32(math.Sqrt(float64(sx*sx + sy*sy)))
		}
	}
	reach := float64(r+1) / 2
	added := false
	for Y := 1; Y < H-1; Y++ {
		for X := 1; X < W-1; X++ {
			i := Y*W + X
			m := mag[i]
			k := (2*Y+1)*w + 2*X + 1 // the pixel it stands for
			if m < textureStep/4 || em.dir[k] >= 0 {
				continue
			}
			if !peak(mag, gx[i], gy[i], i, W) {
				continue
			}
			ux, uy := float64(gx[i]/m)*reach, float64(gy[i]/m)*reach
			xa, ya := X+int(math.Round(ux)), Y+int(math.Round(uy))
			xb, yb := X-int(math.Round(ux)), Y-int(math.Round(uy))
			if xa < 0 || ya < 0 || xb < 0 || yb < 0 || xa >= W || xb >= W || ya >= H || yb >= H || dens[ya*W+xa]-dens[yb*W+xb] < textureStep {
				continue
			}
			d := int(math.Round(math.Atan2(float64(gy[i]), float64(gx[i])) * 180 / math.Pi))
			// It stands for two pixels along the edge, so that an edge is as continuous
			// as the image's.
			other := k - 1
			if abs32(gx[i]) > abs32(gy[i]) {
				other = k - w
			}
			for _, j := range [2]int{k, other} {
				if em.dir[j] < 0 {
					em.dir[j] = int16((d + 360) % 360)
					em.mag[j] = textureMag
					em.texture[j] = true
				}
			}
			added = true
		}
	}
	if added { // the list in raster order again
		em.list = em.list[:0]
		for i, d := range em.dir {
			if d >= 0 {
				em.list = append(em.list, int32(i))
			}
		}
	}
}

func abs32(v float32) float32 {
	if v < 0 {
		return -v
	}
	return v
}

// peak says whether the gradient magnitude at i, in a row-major map w wide, is the
// largest across the edge (along the gradient, to the nearest of the eight
// neighbours): thinning edges to one pixel.
func peak(mag []float32, gx, gy float32, i, w int) bool {
	ax, ay := abs32(gx), abs32(gy)
	var step int
	switch {
	case ax > 2.414*ay:
		step = 1
	case ay > 2.414*ax:
		step = w
	case (gx > 0) == (gy > 0):
		step = w + 1
	default:
		step = w - 1
	}
	return mag[i] >= mag[i-step] && mag[i] > mag[i+step]
}
