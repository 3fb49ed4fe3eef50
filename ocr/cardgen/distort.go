package cardgen

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"

	"cotejo/ocr/geom"
	"cotejo/ocr/layout"
)

// Level is how badly a card is photographed: 0 is a flat scan; 1 a careful photo; 2 a
// hurried one; 3 a bad one.
type Level struct {
	Frame       image.Point // the photo's size
	Fill        [2]float64  // card width over frame width, drawn from this range
	Rotate      float64     // degrees, ±
	Perspective float64     // corner jitter, as a fraction of the card's width
	Blur        float64     // Gaussian sigma, pixels
	Noise       float64     // Gaussian sigma, grey levels
	JPEG        int         // quality; 0 leaves the image lossless
	Light       float64     // depth of an uneven-light gradient, 0–1
	Glare       float64     // strength of a glare spot, 0–1
	UpsideDown  float64     // probability the card is photographed rotated by 180°
}

// levels are the four distortion levels.
func levels() [4]Level {
	return [4]Level{
		{Frame: image.Pt(1100, 720), Fill: [2]float64{0.9, 0.92}},
		{Frame: image.Pt(1600, 1200), Fill: [2]float64{0.72, 0.88}, Rotate: 4, Perspective: 0.02, Blur: 0.6, Noise: 4, JPEG: 85, Light: 0.15},
		{Frame: image.Pt(1600, 1200), Fill: [2]float64{0.6, 0.8}, Rotate: 10, Perspective: 0.045, Blur: 1.0, Noise: 7, JPEG: 65, Light: 0.3, Glare: 0.25},
		{Frame: image.Pt(1600, 1200), Fill: [2]float64{0.5, 0.7}, Rotate: 25, Perspective: 0.08, Blur: 1.5, Noise: 10, JPEG: 40, Light: 0.45, Glare: 0.5, UpsideDown: 0.2},
	}
}

// LevelOf returns distortion level n (0–3).
func LevelOf(n int) (Level, error) {
	l := levels()
	if n < 0 || n >= len(l) {
		return Level{}, fmt.Errorf("cardgen: distortion level %d: want 0 to 3", n)
	}
	return l[n], nil
}

// Photograph places a straightened card in a photo as level l describes. It returns the
// photo and where the card's corners landed (top-left, top-right, bottom-right,
// bottom-left of the card as printed).
func Photograph(card *image.RGBA, l Level, rnd *rand.Rand) (*image.RGBA, [4]geom.Point, error) {
	return PhotographScene(card, l, Scene{}, rnd)
}

// PhotographScene is Photograph in the scene s: what the card lies on, how it is turned
// and framed, and whether a finger covers a corner. The zero Scene is Photograph's: the
// same photo for the same rnd.
func PhotographScene(card *image.RGBA, l Level, s Scene, rnd *rand.Rand) (*image.RGBA, [4]geom.Point, error) {
	lit := light(card, l, rnd)
	if s.Desk != DeskGrain {
		rim(lit, rnd)
	}
	var frame image.Point
	var quad [4]geom.Point
	if s.FullFrame {
		frame, quad = fillFrame(l, s, rnd)
	} else {
		frame, quad = place(l, s, rnd)
	}
	src := [4]geom.Point{{X: 0, Y: 0}, {X: float64(layout.Width), Y: 0}, {X: float64(layout.Width), Y: float64(layout.Height)}, {X: 0, Y: float64(layout.Height)}}
	h, err := geom.FromQuad(quad, src)
	if err != nil {
		return nil, quad, fmt.Errorf("cardgen: placing the card: %w", err)
	}
	var photo *image.RGBA
	if s.Desk == DeskGrain {
		photo = desk(frame, rnd)
	} else {
		photo = sceneDesk(s.Desk, frame, rnd)
	}
	warped := geom.Warp(lit, frame.X, frame.Y, h, color.RGBA{})
	if s.Desk != DeskGrain {
		shade(photo, l.Light, rnd)
		shadow(photo, warped, quad, rnd)
	}
	draw.Draw(photo, photo.Bounds(), warped, image.Point{}, draw.Over)
	if s.Finger {
		finger(photo, quad, rnd)
	}
	if l.Blur > 0 {
		photo = blur(photo, l.Blur)
	}
	if l.Noise > 0 {
		noise(photo, l.Noise, rnd)
	}
	if l.JPEG > 0 {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, photo, &jpeg.Options{Quality: l.JPEG}); err != nil {
			return nil, quad, fmt.Errorf("cardgen: compressing the photo: %w", err)
		}
		img, err := jpeg.Decode(&buf)
		if err != nil {
			return nil, quad, fmt.Errorf("cardgen: compressing the photo: %w", err)
		}
		photo = image.NewRGBA(img.Bounds())
		draw.Draw(photo, photo.Bounds(), img, image.Point{}, draw.Src)
	}
	return photo, quad, nil
}

// place puts the card somewhere in the level's frame, turned by up to ±l.Rotate (any
// angle with s.Rotate360) and kept inside the frame.
func place(l Level, s Scene, rnd *rand.Rand) (image.Point, [4]geom.Point) {
	W, H := float64(l.Frame.X), float64(l.Frame.Y)
	cw := W * (l.Fill[0] + rnd.Float64()*(l.Fill[1]-l.Fill[0]))
	ch := cw * float64(layout.Height) / float64(layout.Width)
	u := rnd.Float64()
	theta := (u*2 - 1) * l.Rotate * math.Pi / 180
	if s.Rotate360 {
		theta = u * 2 * math.Pi
	}
	if rnd.Float64() < l.UpsideDown {
		theta += math.Pi
	}
	// Keep the rotated card inside the frame: shrink it if its bounding box overflows.
	bw := math.Abs(cw*math.Cos(theta)) + math.Abs(ch*math.Sin(theta))
	bh := math.Abs(cw*math.Sin(theta)) + math.Abs(ch*math.Cos(theta))
	if k := min(W*0.96/bw, H*0.96/bh); k < 1 {
		cw, ch, bw, bh = cw*k, ch*k, bw*k, bh*k
	}
	centre := geom.Point{X: W/2 + (rnd.Float64()*2-1)*(W-bw)*0.4, Y: H/2 + (rnd.Float64()*2-1)*(H-bh)*0.4}
	quad := corners(centre, cw, ch, theta, l.Perspective*cw, rnd)
	// Perspective jitter can push a corner out of the frame: pull the card in.
	for range 20 {
		inside := true
		for _, q := range quad {
			inside = inside && q.X >= 4 && q.Y >= 4 && q.X <= W-4 && q.Y <= H-4
		}
		if inside {
			break
		}
		for i := range quad {
			quad[i] = geom.Point{X: W/2 + (quad[i].X-W/2)*0.95, Y: H/2 + (quad[i].Y-H/2)*0.95}
		}
	}
	return l.Frame, quad
}

// corners are those of a cw × ch card centred at c, turned by theta, each moved at random
// by up to jitter in x and y (perspective).
func corners(c geom.Point, cw, ch, theta, jitter float64, rnd *rand.Rand) [4]geom.Point {
	var quad [4]geom.Point
	for i, p := range [4]geom.Point{{X: -cw / 2, Y: -ch / 2}, {X: cw / 2, Y: -ch / 2}, {X: cw / 2, Y: ch / 2}, {X: -cw / 2, Y: ch / 2}} {
		p = geom.Rotate(p, geom.Point{}, theta)
		quad[i] = geom.Point{X: c.X + p.X + (rnd.Float64()*2-1)*jitter, Y: c.Y + p.Y + (rnd.Float64()*2-1)*jitter}
	}
	return quad
}

// light applies an uneven-light gradient and a glare spot to a copy of the card.
func light(card *image.RGBA, l Level, rnd *rand.Rand) *image.RGBA {
	out := image.NewRGBA(card.Bounds())
	copy(out.Pix, card.Pix)
	if l.Light == 0 && l.Glare == 0 {
		return out
	}
	a := rnd.Float64() * 2 * math.Pi
	dx, dy := math.Cos(a), math.Sin(a)
	gx, gy := rnd.Float64()*float64(layout.Width), rnd.Float64()*float64(layout.Height)
	sigma := 60 + rnd.Float64()*80
	diag := math.Hypot(float64(layout.Width), float64(layout.Height))
	b := out.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			// Projection on the light's direction, 0 at one corner to 1 at the other.
			t := ((float64(x)-float64(layout.Width)/2)*dx+(float64(y)-float64(layout.Height)/2)*dy)/diag + 0.5
			k := 1 - l.Light*t
			d2 := (float64(x)-gx)*(float64(x)-gx) + (float64(y)-gy)*(float64(y)-gy)
			g := l.Glare * 255 * math.Exp(-d2/(2*sigma*sigma))
			i := out.PixOffset(x, y)
			for c := range 3 {
				v := float64(out.Pix[i+c])*k + g
				out.Pix[i+c] = uint8(min(max(v, 0), 255))
			}
		}
	}
	return out
}

// desk is a dark, grained surface for the card to lie on.
func desk(size image.Point, rnd *rand.Rand) *image.RGBA {
	img := image.NewRGBA(image.Rectangle{Max: size})
	base := [3]float64{50 + rnd.Float64()*60, 40 + rnd.Float64()*40, 30 + rnd.Float64()*30}
	f1, f2, ph := 0.01+rnd.Float64()*0.03, 0.002+rnd.Float64()*0.01, rnd.Float64()*6
	// 12 sin(y f1 + 6 sin(x f2 + φ)) + 6 sin(0.37 x + 0.11 y), by the sum formula from
	// per-column and per-row tables.
	su, cu, sa, ca := make([]float64, size.X), make([]float64, size.X), make([]float64, size.X), make([]float64, size.X)
	for x := range size.X {
		su[x], cu[x] = math.Sincos(6 * math.Sin(float64(x)*f2+ph))
		sa[x], ca[x] = math.Sincos(float64(x) * 0.37)
	}
	for y := range size.Y {
		sy, cy := math.Sincos(float64(y) * f1)
		sb, cb := math.Sincos(float64(y) * 0.11)
		for x := range size.X {
			g := 12*(sy*cu[x]+cy*su[x]) + 6*(sa[x]*cb+ca[x]*sb)
			i := img.PixOffset(x, y)
			for c := range 3 {
				img.Pix[i+c] = uint8(min(max(base[c]+g, 0), 255))
			}
			img.Pix[i+3] = 255
		}
	}
	return img
}

// blur is a separable Gaussian blur.
func blur(src *image.RGBA, sigma float64) *image.RGBA {
	r := int(math.Ceil(sigma * 3))
	k := make([]float64, 2*r+1)
	sum := 0.0
	for i := range k {
		d := float64(i - r)
		k[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	b := src.Bounds()
	W, H := b.Dx(), b.Dy()
	// Each pass runs along lines (rows, then columns) of n pixels, step bytes apart;
	// taps[p] is the offset of the pixel p-r along a line, clamped to the line. The sums
	// are those of a tap-by-tap loop, in the same order: the same photo for a seed.
	pass := func(in *image.RGBA, horizontal bool) *image.RGBA {
		out := image.NewRGBA(b)
		n, lines := W, H
		inStep, inLine, outStep, outLine := 4, in.Stride, 4, out.Stride
		if !horizontal {
			n, lines = H, W
			inStep, inLine, outStep, outLine = in.Stride, 4, out.Stride, 4
		}
		taps := make([]int, n+2*r)
		for p := range taps {
			taps[p] = min(max(p-r, 0), n-1) * inStep
		}
		for ln := range lines {
			base := ln * inLine
			for p := range n {
				var a0, a1, a2 float64
				for j, w := range k {
					i := base + taps[p+j]
					a0 += w * float64(in.Pix[i])
					a1 += w * float64(in.Pix[i+1])
					a2 += w * float64(in.Pix[i+2])
				}
				o := ln*outLine + p*outStep
				out.Pix[o], out.Pix[o+1], out.Pix[o+2], out.Pix[o+3] = uint8(a0+0.5), uint8(a1+0.5), uint8(a2+0.5), 255
			}
		}
		return out
	}
	return pass(pass(src, true), false)
}

func noise(img *image.RGBA, sigma float64, rnd *rand.Rand) {
	for i := 0; i < len(img.Pix); i += 4 {
		n := rnd.NormFloat64() * sigma // luminance noise, as a camera sensor's
		for c := range 3 {
			img.Pix[i+c] = uint8(min(max(float64(img.Pix[i+c])+n+rnd.NormFloat64()*sigma*0.3, 0), 255))
		}
	}
}
