package sandbox

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"sync"

	"cotejo/scanner/biometrics/extract"
	"cotejo/scanner/biometrics/fingergen"
	"cotejo/scanner/biometrics/match"
	"cotejo/scanner/biometrics/quality"
	"cotejo/scanner/biometrics/ridge"
	"cotejo/scanner/biometrics/template"
	"cotejo/scanner/biometrics/wsq"
	"cotejo/verify"
)

// SyntheticMatcher is the sandbox's biometric library: every citizen of the register was
// "enrolled" with a good impression of their own synthetic fingers (fingergen, seeded by
// the citizen's identifier), and a sample is compared with that, as INE compares with
// what it holds.
type SyntheticMatcher struct {
	mu       sync.Mutex
	enrolled map[string]*match.Template
}

// enrolledTemplate makes (once) the citizen's enrolment template for a finger.
func (m *SyntheticMatcher) enrolledTemplate(citizenID string, finger int) (*match.Template, error) {
	key := fmt.Sprintf("%s/%d", citizenID, finger)
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.enrolled[key]; ok {
		return t, nil
	}
	master, err := fingergen.Citizen(fingergen.SeedFor(citizenID), fingergen.Finger(finger))
	if err != nil {
		return nil, err
	}
	imp := master.Impress(fingergen.SeedFor(key), fingergen.Options{Contact: 1, Noise: 3})
	r, err := extract.Extract(imp.Image)
	if err != nil {
		return nil, err
	}
	if m.enrolled == nil {
		m.enrolled = map[string]*match.Template{}
	}
	t := match.Prepare(r.Minutiae)
	m.enrolled[key] = t
	return t, nil
}

// Match compares a sample with the citizen's enrolled finger: similarity 0–100, or a
// biometric code as INE would give (314 unusable image, 315 too few minutiae, 303
// unsupported format).
func (m *SyntheticMatcher) Match(ctx context.Context, citizenID string, finger, tipo int, sample []byte, width, height int) (float64, error) {
	var mins []ridge.Minutia
	var img *image.Gray
	switch tipo {
	case verify.TipoRaw:
		if width <= 0 || height <= 0 || width*height != len(sample) {
			return 0, &CodeError{Code: 320}
		}
		img = &image.Gray{Pix: sample, Stride: width, Rect: image.Rect(0, 0, width, height)}
	case verify.TipoWSQ:
		var err error
		if img, err = wsq.Decode(bytes.NewReader(sample)); err != nil {
			return 0, &CodeError{Code: 321}
		}
	case verify.TipoANSI:
		var err error
		if mins, err = ansiMinutiae(sample, finger); err != nil {
			return 0, &CodeError{Code: 320}
		}
	default:
		return 0, &CodeError{Code: 312}
	}
	if img != nil {
		rep, r := quality.Assess(img)
		if r == nil || rep.Score < 20 {
			return 0, &CodeError{Code: 314}
		}
		mins = r.Minutiae
	}
	if len(mins) < 8 {
		return 0, &CodeError{Code: 315}
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	enrolled, err := m.enrolledTemplate(citizenID, finger)
	if err != nil {
		return 0, err
	}
	return match.Prepare(mins).Similarity(enrolled), nil
}

// ansiMinutiae reads the view of finger from an ANSI 378 template, as INE does: an ISO
// record, or one whose only view is of another finger, is not what was asked for.
func ansiMinutiae(sample []byte, finger int) ([]ridge.Minutia, error) {
	rec, err := template.DecodeFormat(sample, template.ANSI)
	if err != nil {
		return nil, err
	}
	v := rec.View(finger)
	if v == nil && len(rec.Views) == 1 && rec.Views[0].Finger == template.UnknownFinger {
		v = &rec.Views[0]
	}
	if v == nil {
		return nil, fmt.Errorf("the template holds no view of finger %d", finger)
	}
	return v.Ridge(), nil
}
