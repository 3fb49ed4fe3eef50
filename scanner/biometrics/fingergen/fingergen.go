// Package fingergen makes synthetic fingerprints whose truth is known, in the manner of
// SFinGe: a master fingerprint grown from noise by Gabor filters that follow an
// orientation field (set by the pattern class's singular points) and a ridge-frequency
// map, with its minutiae found on the grown ridges; then impressions of the master as a
// scanner would take them at different times, with the defects of real captures: moved,
// turned and plastically distorted, touching with another part of the finger, dry
// (broken, pale ridges) or wet (merged ridges, blotches), crossed by creases and scars,
// on a platen with a previous finger's residue, under uneven light. The true minutiae
// move with the skin, and those an impression cannot show are dropped. Everything is
// deterministic for a seed: every citizen of the sandbox register gets their own ten
// fingers.
package fingergen

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"cotejo/scanner/biometrics/ridge"
)

// Class is a pattern class.
type Class int

const (
	Arch Class = iota
	LeftLoop
	RightLoop
	Whorl
	TentedArch
)

func (c Class) String() string {
	return [...]string{"arch", "left loop", "right loop", "whorl", "tented arch"}[c]
}

// Minutia and Kind are the ridge package's: the generator and the extractor share them.
type (
	Minutia = ridge.Minutia
	Kind    = ridge.Kind
)

const (
	Ending      = ridge.Ending
	Bifurcation = ridge.Bifurcation
)

// Size of a master and of impressions: 500 ppi, about 25 × 25 mm.
const (
	Width  = 500
	Height = 500
	// Ridge period at 500 ppi is 8–11 pixels.
	minPeriod, maxPeriod = 8.0, 11.0
)

// Master is a finger's whole print.
type Master struct {
	Class    Class
	Ridges   *image.Gray // dark ridges on white
	Mask     []bool      // the finger's area, Width × Height
	Minutiae []Minutia
	orient   []float64 // ridge orientation, radians in [0, π)
	period   []float64 // ridge period, pixels
	relief   []float32 // Ridges softened to a graded profile, 1 on a crest (see relief)
	skin     uint64    // seed of the finger's creases and scars
}

// Finger position as ANSI 378 numbers them: 1–5 right thumb to little, 6–10 left.
type Finger int

// Citizen makes finger f of the citizen with the given seed (a register identifier's
// hash, say): the class follows real frequencies (loops most common) and is the same
// each time.
func Citizen(seed uint64, f Finger) (*Master, error) {
	if f < 1 || f > 10 {
		return nil, fmt.Errorf("fingergen: finger %d: want 1 to 10", f)
	}
	rnd := rand.New(rand.NewPCG(seed, uint64(f)))
	// Loops ≈ 65 %, whorls ≈ 30 %, arches ≈ 5 %; right hands lean to right loops.
	var class Class
	switch r := rnd.Float64(); {
	case r < 0.04:
		class = Arch
	case r < 0.07:
		class = TentedArch
	case r < 0.37:
		class = Whorl
	case (r < 0.72) == (f <= 5):
		class = RightLoop
	default:
		class = LeftLoop
	}
	return NewMaster(rnd.Uint64(), class), nil
}

// NewMaster grows a master fingerprint of the class from the seed.
func NewMaster(seed uint64, class Class) *Master {
	rnd := rand.New(rand.NewPCG(seed, 0x66696e67))
	m := &Master{Class: class}
	m.Mask = fingerMask(rnd)
	m.orient = orientation(class, rnd)
	m.period = periods(rnd)
	m.Ridges = grow(m, rnd)
	m.Minutiae = findMinutiae(m.Ridges, m.Mask, m.orient)
	m.relief = relief(m.Ridges)
	m.skin = rnd.Uint64() // drawn last: the ridges stay what they were before skin marks
	return m
}

// fingerMask is the fingertip's outline: an ellipse, flatter at the bottom.
func fingerMask(rnd *rand.Rand) []bool {
	mask := make([]bool, Width*Height)
	cx, cy := Width/2+rnd.Float64()*20-10, Height/2+rnd.Float64()*20-10
	rx, ry := 190+rnd.Float64()*30, 230+rnd.Float64()*20
	for y := range Height {
		for x := range Width {
			dx, dy := (float64(x)-cx)/rx, (float64(y)-cy)/ry
			if dy > 0 {
				dy *= 0.75 // the fingertip is rounder at the top
			}
			mask[y*Width+x] = dx*dx+dy*dy <= 1
		}
	}
	return mask
}

// orientation is the zero-pole model (Sherlock and Monro): half the sum of the angles to
// the cores minus those to the deltas, plus a small global turn.
func orientation(class Class, rnd *rand.Rand) []float64 {
	type pt struct{ x, y float64 }
	jit := func(v, d float64) float64 { return v + (rnd.Float64()*2-1)*d }
	var cores, deltas []pt
	switch class {
	case LeftLoop:
		cores = []pt{{jit(270, 30), jit(210, 30)}}
		deltas = []pt{{jit(150, 30), jit(380, 30)}}
	case RightLoop:
		cores = []pt{{jit(230, 30), jit(210, 30)}}
		deltas = []pt{{jit(350, 30), jit(380, 30)}}
	case Whorl:
		cores = []pt{{jit(240, 15), jit(200, 20)}, {jit(260, 15), jit(250, 20)}}
		deltas = []pt{{jit(110, 25), jit(390, 25)}, {jit(390, 25), jit(390, 25)}}
	case TentedArch:
		cores = []pt{{jit(250, 20), jit(230, 20)}}
		deltas = []pt{{jit(250, 20), jit(330, 20)}}
	}
	turn := jit(0, 0.12)
	o := make([]float64, Width*Height)
	for y := range Height {
		for x := range Width {
			var a float64
			if class == Arch {
				// Ridges arch over the finger: steeper at the sides, flat at the bottom.
				fx := (float64(x) - Width/2) / (Width / 2)
				fy := float64(y) / Height
				a = math.Atan(2.2*fx*(1-fy)*(1-fy)) * -1
			} else {
				// The model is stated with y up; turned to image coordinates at the end.
				for _, c := range cores {
					a += math.Atan2(c.y-float64(y), float64(x)-c.x)
				}
				for _, d := range deltas {
					a -= math.Atan2(d.y-float64(y), float64(x)-d.x)
				}
				a = -a / 2
			}
			a += turn
			o[y*Width+x] = math.Mod(math.Mod(a, math.Pi)+math.Pi, math.Pi)
		}
	}
	return o
}

// periods is a smooth ridge-period map: ridges are finer at the tip.
func periods(rnd *rand.Rand) []float64 {
	p := make([]float64, Width*Height)
	base := minPeriod + rnd.Float64()*1.5
	span := maxPeriod - base
	ph := rnd.Float64() * 6
	for y := range Height {
		for x := range Width {
			v := 0.5 + 0.35*math.Sin(float64(x)/90+ph)*math.Cos(float64(y)/110) + 0.3*float64(y)/Height
			p[y*Width+x] = base + span*min(max(v, 0), 1)*0.8
		}
	}
	return p
}
