package locate

import (
	"cotejo/ocr/geom"
	"image"
	"math"
)

// designs are the card designs' thumbnails as vectors (see vector), averaged down by
// fine each way and, to sift many quadrilaterals quickly, by coarse.
type designs struct {
	fine, coarse [][]float64
}

const (
	fine   = 2
	coarse = 4
)

// reduce averages a thumbnail's vector down by k each way.
func reduce(t []float64, k int) []float64 {
	w, h := ThumbW/k, ThumbH/k
	v := make([]float64, 3*w*h)
	for c := range 3 {
		for y := range ThumbH {
			for x := range ThumbW {
				v[c*w*h+(y/k)*w+x/k] += t[c*ThumbW*ThumbH+y*ThumbW+x]
			}
		}
	}
	normalise(v, w*h)
	return v
}

// normalise makes each of v's three channels, n long, zero-mean and of length 1/√3, as
// vector does.
func normalise(v []float64, n int) {
	for c := range 3 {
		ch := v[c*n : (c+1)*n]
		mean := 0.0
		for _, x := range ch {
			mean += x
		}
		mean /= float64(n)
		norm := 0.0
		for i := range ch {
			ch[i] -= mean
			norm += ch[i] * ch[i]
		}
		if norm = math.Sqrt(norm); norm > 0 {
			for i := range ch {
				ch[i] /= norm * math.Sqrt(3)
			}
		}
	}
}

// resemblance is how much the quadrilateral's content in img looks like the design it
// looks most like, either way up: Classify's correlation, on thumbnails half the size
// each way or, if coarser, a quarter, each pixel four samples of img.
func (d *designs) resemblance(img *image.RGBA, q [4]geom.Point, coarser bool) float64 {
	w, h, refs := ThumbW/fine, ThumbH/fine, d.fine
	if coarser {
		w, h, refs = ThumbW/coarse, ThumbH/coarse, d.coarse
	}
	dst := [4]geom.Point{{X: 0, Y: 0}, {X: float64(w), Y: 0}, {X: float64(w), Y: float64(h)}, {X: 0, Y: float64(h)}}
	hm, err := geom.FromQuad(dst, order(q))
	if err != nil {
		return 0
	}
	n := w * h
	v := make([]float64, 3*n)
	W, H := img.Bounds().Dx(), img.Bounds().Dy()
	for ty := range h {
		for tx := range w {
			var sum [3]int
			for sy := range 2 {
				for sx := range 2 {
					p := hm.Apply(geom.Point{X: float64(tx) + (float64(sx)+0.5)/2, Y: float64(ty) + (float64(sy)+0.5)/2})
					if !(p.X >= 0 && p.Y >= 0 && p.X < float64(W) && p.Y < float64(H)) {
						sum[0], sum[1], sum[2] = sum[0]+255, sum[1]+255, sum[2]+255 // as Straighten fills
						continue
					}
					i := img.PixOffset(int(p.X), int(p.Y))
					sum[0] += int(img.Pix[i])
					sum[1] += int(img.Pix[i+1])
					sum[2] += int(img.Pix[i+2])
				}
			}
			for c := range 3 {
				v[c*n+ty*w+tx] = float64(sum[c])
			}
		}
	}
	normalise(v, n)
	best := -1.0
	for _, r := range refs {
		var s, f float64
		for c := range 3 {
			vc, rc := v[c*n:(c+1)*n], r[c*n:(c+1)*n]
			for i, x := range rc {
				s += vc[i] * x
				f += vc[n-1-i] * x // the card turned by 180°
			}
		}
		best = max(best, s, f)
	}
	return best
}
