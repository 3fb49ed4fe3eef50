// Package quality scores a fingerprint capture 0–100 in the spirit of NFIQ 2 (ISO/IEC
// 29794-4): how much finger the image holds, how clearly its ridges stand from the
// valleys, how surely they are oriented, how steady their frequency is, and how many
// minutiae it yields. Below Recapture the operator asks for the finger again, told why in
// words: the citizen can act on "press a little harder", not on a number.
package quality

import (
	"image"
	"math"
	"slices"

	"cotejo/scanner/biometrics/extract"
)

// Recapture is the score below which a capture should be taken again.
const Recapture = 40

// Problem is the main reason a capture scored low.
type Problem int

const (
	None        Problem = iota
	SmallArea           // too little of the finger touched the glass
	Faint               // ridges faint or broken: a dry or lightly pressed finger
	Smudged             // ridges blurred or merged: the finger moved, or pressed too hard / wet
	FewMinutiae         // too few features to match on
	NoFinger            // no fingerprint at all
)

// Message tells the operator what to ask of the citizen, in "es" or "en".
func (p Problem) Message(lang string) string {
	m := map[Problem][2]string{
		None:        {"Buena captura.", "Good capture."},
		SmallArea:   {"Muy poca huella: pida que coloque el dedo plano y centrado, cubriendo el lector.", "Too little of the finger: ask for the finger flat and centred, covering the reader."},
		Faint:       {"Huella tenue o seca: pida que presione un poco más; si la piel está seca, que se frote los dedos.", "Faint or dry print: ask the citizen to press a little harder; if the skin is dry, to rub the fingers."},
		Smudged:     {"Huella corrida: pida que no mueva el dedo y que no presione de más; limpie el lector si está húmedo.", "Smudged print: ask the citizen to keep the finger still and not press too hard; wipe the reader if damp."},
		FewMinutiae: {"La huella tiene muy pocos detalles: repita la captura con el dedo bien apoyado.", "The print shows too few details: capture again with the finger well placed."},
		NoFinger:    {"No se detectó una huella: pida que coloque el dedo firme sobre el lector.", "No fingerprint detected: ask for the finger pressed firmly on the reader."},
	}[p]
	if lang == "en" {
		return m[1]
	}
	return m[0]
}

// Report is a capture's assessment.
type Report struct {
	Score     int     // 0–100
	Problem   Problem // why it is low; None when it is not
	Area      float64 // share of the image that is finger, 0–1
	Clarity   float64 // ridge–valley separation, 0–1
	Coherence float64 // mean orientation certainty in the finger, 0–1
	Frequency float64 // ridge-frequency consistency, 0–1
	Motion    float64 // how much less clear the ridges of one direction are than another's: a finger that moved
	Minutiae  int
}

// ramp maps v linearly from [lo, hi] to [0, 1], clamped.
func ramp(v, lo, hi float64) float64 { return math.Max(0, math.Min(1, (v-lo)/(hi-lo))) }

// clarity measures, block by block, how cleanly the pixels split into ridge and valley
// (in the spirit of NFIQ 2's local clarity): the grey profile across the ridges, averaged
// along them, says where each pixel should be ridge or valley; the share of pixels on the
// wrong side of the block's mean is the unclarity. Blur, dry breaks and smudges all raise
// it, while mere low contrast, which sensors differ in, does not.
//
// It also returns the ridges' contrast by their direction (four bins of 45°): a finger
// that moved while the sensor read it blurs the ridges that cross the motion and spares
// those along it, so the worst direction falls far below the best, which neither dry nor
// wet skin does.
func clarity(img *image.Gray, r *extract.Result) (all float64, byDir [4]float64) {
	b := img.Bounds()
	w, h := r.W, r.H
	const half = 12
	var sum, blocks float64
	var dirSum, dirN [4]float64
	var prof, cnt [2*half*2 + 3]float64
	for cy := half; cy+half < h; cy += 16 {
		for cx := half; cx+half < w; cx += 16 {
			if !r.Mask[cy*w+cx] {
				continue
			}
			o := r.Orient[cy*w+cx]
			nx, ny := -math.Sin(o), math.Cos(o) // across the ridges
			clear(prof[:])
			clear(cnt[:])
			var mean float64
			for y := cy - half; y < cy+half; y++ {
				for x := cx - half; x < cx+half; x++ {
					v := float64(img.Pix[img.PixOffset(b.Min.X+x, b.Min.Y+y)])
					d := int(math.Round(float64(x-cx)*nx+float64(y-cy)*ny)) + len(prof)/2
					prof[d] += v
					cnt[d]++
					mean += v
				}
			}
			mean /= 4 * half * half
			var wrong float64
			for y := cy - half; y < cy+half; y++ {
				for x := cx - half; x < cx+half; x++ {
					v := float64(img.Pix[img.PixOffset(b.Min.X+x, b.Min.Y+y)])
					d := int(math.Round(float64(x-cx)*nx+float64(y-cy)*ny)) + len(prof)/2
					if (v < mean) != (prof[d]/cnt[d] < mean) {
						wrong++
					}
				}
			}
			c := 1 - 2*wrong/(4*half*half)
			sum += c
			blocks++
			// The ridges' contrast across them: the spread of the profile's means.
			var m, m2, n float64
			for d := range prof {
				if cnt[d] > 0 {
					v := prof[d] / cnt[d]
					m, m2, n = m+v, m2+v*v, n+1
				}
			}
			bin := int(o/(math.Pi/4)+0.5) % 4
			dirSum[bin] += math.Sqrt(max(0, m2/n-(m/n)*(m/n)))
			dirN[bin]++
		}
	}
	for i := range byDir {
		byDir[i] = math.NaN()
		if dirN[i] >= max(3, blocks/10) { // few blocks of a direction (an arch's) say nothing
			byDir[i] = dirSum[i] / dirN[i]
		}
	}
	return math.Max(0, sum/math.Max(blocks, 1)), byDir
}

// motion is how much of the best direction's ridge contrast the worst direction lacks:
// near 0 for a still finger, near 1 for one that moved.
func motion(byDir [4]float64) float64 {
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range byDir {
		if !math.IsNaN(v) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if hi <= 0 || hi < lo {
		return 0
	}
	return 1 - lo/hi
}

// steadiness is the share of the finger's blocks whose ridge period was found and agrees,
// within 1.5 pixels, with the median of its neighbours': ridges whose spacing can be read
// and changes smoothly, as skin's does.
func steadiness(r *extract.Result) float64 {
	bw, bh := (r.W+15)/16, (r.H+15)/16
	var good, all float64
	var near []float64
	for by := range bh {
		for bx := range bw {
			cx, cy := min(bx*16+8, r.W-1), min(by*16+8, r.H-1)
			if !r.Mask[cy*r.W+cx] {
				continue
			}
			all++
			p := r.Periods[by*bw+bx]
			if p == 0 {
				continue
			}
			near = near[:0]
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					if X, Y := bx+dx, by+dy; (dx != 0 || dy != 0) && X >= 0 && Y >= 0 && X < bw && Y < bh && r.Periods[Y*bw+X] > 0 {
						near = append(near, r.Periods[Y*bw+X])
					}
				}
			}
			if len(near) < 3 {
				continue
			}
			slices.Sort(near)
			if math.Abs(p-near[len(near)/2]) <= 1.5 {
				good++
			}
		}
	}
	return good / math.Max(all, 1)
}

// Aspects of a capture, each 0 (hopeless) to 1 (good), on ramps set on the real
// fingerprint sets of the shared fixtures (see TestRealQuality in scanner/match): a
// print matches badly when any one of them is low, so the worst decides.
type aspects struct {
	finger, clear, steady, oriented, features, still float64
}

// reliableQuality is the least minutia reliability counted as a reliable feature.
const reliableQuality = 50

func measure(rep *Report, img *image.Gray, r *extract.Result) aspects {
	var area, coh float64
	for i, m := range r.Mask {
		if m {
			area++
			coh += r.Coherence[i]
		}
	}
	reliable := 0
	for _, m := range r.Minutiae {
		if m.Quality >= reliableQuality {
			reliable++
		}
	}
	rep.Area = area / float64(len(r.Mask))
	rep.Coherence = coh / math.Max(area, 1)
	var byDir [4]float64
	rep.Clarity, byDir = clarity(img, r)
	rep.Motion = motion(byDir)
	rep.Frequency = steadiness(r)
	rep.Minutiae = len(r.Minutiae)
	return aspects{
		// Pixels of finger, not a share of the frame: sensors' frames differ in size
		// (248 × 338 to 640 × 480), fingers much less. 15,000 px at 500 ppi is 39 mm².
		finger:   ramp(area, 15000, 40000),
		clear:    ramp(rep.Clarity, 0.45, 0.75),
		steady:   ramp(rep.Frequency, 0.3, 0.85),
		oriented: ramp(rep.Coherence, 0.3, 0.85),
		features: ramp(float64(reliable), 3, 15),
		still:    1 - ramp(rep.Motion, 0.45, 0.55),
	}
}

// Assess scores img (500 ppi) and returns the extraction it made on the way.
func Assess(img *image.Gray) (Report, *extract.Result) {
	r, err := extract.Extract(img)
	if err != nil {
		return Report{Problem: NoFinger}, nil
	}
	var rep Report
	a := measure(&rep, img, r)
	worst := min(a.finger, a.clear, a.steady, a.oriented, a.features, a.still)
	mean := (a.finger + a.clear + a.steady + a.oriented + a.features + a.still) / 6
	rep.Score = int(math.Round(100 * (0.7*worst + 0.3*mean)))
	if rep.Score >= Recapture {
		return rep, r
	}
	// The reason is the worst aspect, said as what the citizen can change. Ridges whose
	// spacing cannot be read, though their direction can, are merged or smeared: a wet
	// finger, one pressed too hard or moved. Ridges broken into pieces that lose
	// clarity and direction are a dry finger or a light touch.
	switch worst {
	case a.finger:
		rep.Problem = SmallArea
	case a.steady, a.still:
		rep.Problem = Smudged
	case a.clear, a.oriented:
		rep.Problem = Faint
	default:
		rep.Problem = FewMinutiae
	}
	return rep, r
}
