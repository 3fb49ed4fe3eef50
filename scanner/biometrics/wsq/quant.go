package wsq

import "math"

// binCenter is the reconstruction point inside a non-zero quantisation bin, as a fraction
// of the bin width: the specification's C = 0.44, stored as 44 × 10⁻² as NBIS does.
func binCenter() decimal { return decimal{scale: 2, v: 44} }

// quantTable is the content of a DQT segment: bin widths Q and zero-bin widths Z per
// subband (0 = subband not coded).
type quantTable struct {
	center float32
	q, z   [64]float32
}

// variances estimates each coded subband's variance the way the specification's encoder
// does, so the rate allocation comes out as cwsq's: when the coarsest subbands carry enough
// energy (the usual case) from a central window of each subband, otherwise from all of it.
func variances(plane []float32, width int, l *layout) (v [60]float64) {
	variance := func(r rect) float64 {
		var sum, ssq float64
		for y := r.y; y < r.y+r.h; y++ {
			for _, f := range plane[y*width+r.x : y*width+r.x+r.w] {
				sum += float64(f)
				ssq += float64(f) * float64(f)
			}
		}
		n := float64(r.area())
		if n < 2 {
			return 0
		}
		return (ssq - sum*sum/n) / (n - 1)
	}
	central := func(r rect) rect {
		c := rect{r.x + r.w/8, r.y + 9*r.h/32, 3 * r.w / 4, 7 * r.h / 16}
		if c.area() < 2 { // tiny subband: use all of it
			return r
		}
		return c
	}
	var sum float64
	for k := range 4 {
		v[k] = variance(central(l.bands[k]))
		sum += v[k]
	}
	if sum < 20000 {
		for k := range v {
			v[k] = variance(l.bands[k])
		}
		return v
	}
	for k := 4; k < len(v); k++ {
		v[k] = variance(central(l.bands[k]))
	}
	return v
}

// allocate chooses the bin widths for a target bit rate (bits per pixel) from the subband
// variances: the specification's encoder-one procedure, as NBIS implements it. Each
// subband's width is proportional to a weight that falls with its log-variance; the common
// factor makes the modelled rate of the subbands that get bits equal to the target. Subbands
// the model gives no bits leave the sum, and the factor is found again, until all that
// remain get some. (The model is pessimistic for prints: files come out smaller than the
// target, as cwsq's do.)
func allocate(rate float64, v *[60]float64) (q, z [64]float64) {
	const thresh = 1.01 // below this a subband is flat and is not coded
	var weight, sigma, share [60]float64
	var inK [60]bool
	anyK := false
	for k := range v {
		switch {
		case k < 4:
			share[k] = 1.0 / 1024
		case k < 51:
			share[k] = 1.0 / 256
		default:
			share[k] = 1.0 / 16
		}
		if v[k] < thresh {
			continue
		}
		a := 1.0
		if k >= 52 {
			a = [8]float64{1.32, 1.08, 1.42, 1.08, 1.32, 1.42, 1.08, 1.08}[k-52]
		}
		weight[k] = 1
		if k >= 4 {
			weight[k] = 10 / (a * math.Log(v[k]))
		}
		sigma[k] = math.Sqrt(v[k])
		inK[k] = true
		anyK = true
	}
	if !anyK {
		return q, z
	}
	coded := inK // the first set: these all get a width, even if later dropped
	var factor float64
	for {
		var s, logP float64
		for k := range v {
			if inK[k] {
				s += share[k]
				logP += share[k] * math.Log(sigma[k]/weight[k])
			}
		}
		if s == 0 {
			return q, z // every subband dropped: nothing to code
		}
		factor = math.Pow(2, rate/s-1) / 2.5 / math.Exp(logP/s)
		dropped := false
		for k := range v {
			if inK[k] && weight[k]/factor >= 5*sigma[k] {
				inK[k] = false
				dropped = true
			}
		}
		if !dropped {
			break
		}
	}
	for k := range v {
		if coded[k] {
			q[k] = weight[k] / factor
			z[k] = 1.2 * q[k]
		}
	}
	return q, z
}

// quantize maps coefficient c to its bin index: zero inside the dead zone of width z,
// otherwise counted in steps of q from the dead zone's edge.
func quantize(c, q, halfZ float32) int32 {
	var v float32
	switch {
	case c > halfZ:
		v = (c-halfZ)/q + 1
	case c < -halfZ:
		v = (c+halfZ)/q - 1
	default:
		return 0
	}
	// NBIS stores indices as 16-bit integers; keep far-out values representable.
	return int32(max(-32767, min(32767, v)))
}

// dequantize maps bin index s back to a coefficient.
func dequantize(s int32, q, halfZ, center float32) float32 {
	switch {
	case s > 0:
		return q*(float32(s)-center) + halfZ
	case s < 0:
		return q*(float32(s)+center) - halfZ
	}
	return 0
}

// decimal is a number as WSQ headers store it: an integer and a power of ten to divide it
// by.
type decimal struct {
	scale uint8
	v     uint32
}

// toDecimal stores x ≥ 0 with as many digits as fit below limit (65535 for 16-bit fields,
// 2³²−1 for 32-bit ones), as NBIS does. ok is false when x does not fit at all.
func toDecimal(x float64, limit float64) (d decimal, ok bool) {
	if x == 0 {
		return decimal{}, true
	}
	if !(x > 0) || x >= limit {
		return decimal{}, false
	}
	for x*10 < limit && d.scale < 255 {
		x *= 10
		d.scale++
	}
	d.v = uint32(math.Round(x)) // x < limit, so this fits the field
	return d, true
}

// value decodes d the way NBIS does: in single precision, one division by ten at a time,
// so the decoder and the encoder agree with NBIS to the last bit.
func (d decimal) value() float32 {
	f := float32(d.v)
	for range d.scale {
		f = float32(float64(f) / 10)
	}
	return f
}
