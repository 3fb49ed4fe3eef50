package template

import (
	"math"

	"cotejo/scanner/biometrics/ridge"
)

// FromRidge turns extracted minutiae (pixels as floats, radians) into a record's, for an
// image w × h pixels: positions rounded into the image, angles into [0, 360).
func FromRidge(ms []ridge.Minutia, w, h int) []Minutia {
	out := make([]Minutia, 0, len(ms))
	for _, m := range ms {
		deg := math.Mod(m.Angle*180/math.Pi, 360)
		if deg < 0 {
			deg += 360
		}
		out = append(out, Minutia{
			Kind:    Kind(m.Kind),
			X:       min(max(int(math.Round(m.X)), 0), w-1),
			Y:       min(max(int(math.Round(m.Y)), 0), h-1),
			Angle:   deg,
			Quality: int(min(m.Quality, 100)),
		})
	}
	return out
}

// Ridge turns a view's minutiae back into the matcher's form. Minutiae of type "other"
// are kept as endings: the matcher weighs direction and position, not type, most.
func (v *View) Ridge() []ridge.Minutia {
	out := make([]ridge.Minutia, 0, len(v.Minutiae))
	for _, m := range v.Minutiae {
		k := ridge.Kind(m.Kind)
		if m.Kind == Other {
			k = ridge.Ending
		}
		out = append(out, ridge.Minutia{X: float64(m.X), Y: float64(m.Y), Angle: ridge.Norm(m.Angle * math.Pi / 180), Kind: k, Quality: uint8(m.Quality)})
	}
	return out
}

// New makes a one-view record for a live-scan plain capture of finger at ppi.
func New(f Format, finger, w, h, ppi, quality int, ms []ridge.Minutia) *Record {
	return &Record{
		Format: f, Width: w, Height: h, XRes: PPCM(ppi), YRes: PPCM(ppi),
		Views: []View{{Finger: finger, Impression: LivePlain, Quality: quality, Minutiae: FromRidge(ms, w, h)}},
	}
}
