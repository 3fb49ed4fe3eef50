// Package quality scores a fingerprint capture 0–100 in the spirit of NFIQ 2 (ISO/IEC
// 29794-4): how much finger the image holds, how clearly its ridges stand from the
// valleys, how surely they are oriented, how steady their frequency is, and how many
// minutiae it yields. Below Recapture the operator asks for the finger again, told why in
// words: the citizen can act on "press a little harder", not on a number.
package quality

import (
	"image"
	"math"

	"cotejo/scanner/extract"
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
		NoFinger:    {"No se detectó un dedo en el lector.", "No finger detected on the reader."},
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
	Minutiae  int
}

// ramp maps v linearly from [lo, hi] to [0, 1], clamped.
func ramp(v, lo, hi float64) float64 { return math.Max(0, math.Min(1, (v-lo)/(hi-lo))) }

// clarity is, over the finger's 16-pixel blocks, the mean grey gap between the darker
// and the lighter half of each block's pixels, against the full range.
func clarity(img *image.Gray, mask []bool) float64 {
	b := img.Bounds()
	w := b.Dx()
	var sum, blocks float64
	for by := 0; by+16 <= b.Dy(); by += 16 {
		for bx := 0; bx+16 <= w; bx += 16 {
			if !mask[(by+8)*w+bx+8] {
				continue
			}
			var hist [256]int
			for y := by; y < by+16; y++ {
				o := img.PixOffset(b.Min.X+bx, b.Min.Y+y)
				for _, v := range img.Pix[o : o+16] {
					hist[v]++
				}
			}
			var lo, hi float64
			k := 0
			for v, n := range hist {
				for range n {
					if k < 128 {
						lo += float64(v)
					} else {
						hi += float64(v)
					}
					k++
				}
			}
			sum += (hi - lo) / 128 / 255
			blocks++
		}
	}
	return sum / math.Max(blocks, 1)
}

// Assess scores img (500 ppi) and returns the extraction it made on the way.
func Assess(img *image.Gray) (Report, *extract.Result) {
	r, err := extract.Extract(img)
	if err != nil {
		return Report{Problem: NoFinger}, nil
	}
	var rep Report
	var area, coh float64
	for i, m := range r.Mask {
		if m {
			area++
			coh += r.Coherence[i]
		}
	}
	rep.Area = area / float64(len(r.Mask))
	rep.Coherence = coh / math.Max(area, 1)
	rep.Clarity = clarity(img, r.Mask)
	var ps []float64
	for _, p := range r.Periods {
		if p > 0 {
			ps = append(ps, p)
		}
	}
	if len(ps) > 1 {
		var m, v float64
		for _, p := range ps {
			m += p
		}
		m /= float64(len(ps))
		for _, p := range ps {
			v += (p - m) * (p - m)
		}
		rep.Frequency = 1 - math.Min(1, math.Sqrt(v/float64(len(ps)))/m*4)
	}
	rep.Minutiae = len(r.Minutiae)
	finger := ramp(rep.Area, 0.1, 0.55)
	clear := ramp(rep.Clarity, 0.3, 0.75)
	oriented := ramp(rep.Coherence, 0.6, 0.95)
	features := ramp(float64(rep.Minutiae), 12, 70)
	steady := ramp(rep.Frequency, 0.2, 0.65)
	// A geometric mean, pulled down by the worst aspect: one bad aspect spoils matching.
	worst := min(finger, clear, oriented, features, steady)
	geo := math.Exp((math.Log(0.05+0.95*finger) + math.Log(0.05+0.95*clear) + math.Log(0.05+0.95*oriented) +
		math.Log(0.05+0.95*features) + math.Log(0.05+0.95*steady)) / 5)
	rep.Score = int(math.Round(100 * geo * (0.4 + 0.6*worst)))
	if rep.Score >= Recapture {
		return rep, r
	}
	// The reason, in the order a citizen can fix it. Both dry skin and a moving finger
	// leave ridges unclear, but dry skin breaks them into short pieces that lose their
	// orientation while keeping their spacing, and a moving (or wet, pressed) finger
	// smears them along one direction: orientation survives, the spacing does not.
	switch {
	case finger < 0.35 && clear >= 0.5:
		rep.Problem = SmallArea
	case clear < 0.5 && oriented >= steady:
		rep.Problem = Smudged
	case clear < 0.5 || oriented < 0.3:
		rep.Problem = Faint
	case steady == worst:
		rep.Problem = Smudged
	case features == worst:
		rep.Problem = FewMinutiae
	default:
		rep.Problem = SmallArea
	}
	return rep, r
}
