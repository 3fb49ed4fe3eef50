// Package enrolled is a synthetic register's enrolled fingers, compared as INE compares a
// sample: every citizen of the register was "enrolled" with a good impression of their own
// synthetic fingers (fingergen, seeded by the citizen's identifier), and a sample is
// compared with that. The INE sandbox uses it as its biometric library; it knows nothing
// of INE's protocol (the sandbox translates its tipo into a Format and a refusal's
// BiometricCode into its answer).
package enrolled

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
)

// The sample formats Match understands. They are plain strings, not a named type, so
// that a caller's interface (the sandbox's Matcher) can name them without importing
// this package.
const (
	Raw  = "raw"  // 8-bit grey pixels, width × height, 500 ppi
	WSQ  = "wsq"  // a WSQ (FBI 3.1) compressed image
	ANSI = "ansi" // an ANSI INCITS 378-2004 minutiae template
)

// Error is a refusal of a sample, with the biometric code INE gives for it.
type Error struct {
	Code   int
	Reason string
}

func (e *Error) Error() string {
	return fmt.Sprintf("enrolled: biometric code %d: %s", e.Code, e.Reason)
}

// BiometricCode is INE's code for the refusal: 312 unsupported format, 314 unusable
// image, 315 too few minutiae, 320 malformed sample, 321 undecodable WSQ.
func (e *Error) BiometricCode() int { return e.Code }

// Matcher holds the register's enrolled fingers, made on first use. The zero value is
// ready; it is safe for concurrent use.
type Matcher struct {
	mu       sync.Mutex
	enrolled map[string]*match.Template
}

// enrolledTemplate makes (once) the citizen's enrolment template for a finger.
func (m *Matcher) enrolledTemplate(citizenID string, finger int) (*match.Template, error) {
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

// Match compares a sample of finger (the ANSI position: 2 right index, 7 left index) in
// format (Raw, WSQ or ANSI; width and height are the size of a Raw image) with the
// citizen's enrolled finger: similarity 0–100, or an *Error with INE's code for a sample
// that cannot be compared.
func (m *Matcher) Match(ctx context.Context, citizenID string, finger int, format string, sample []byte, width, height int) (float64, error) {
	var mins []ridge.Minutia
	var img *image.Gray
	switch format {
	case Raw:
		if width <= 0 || height <= 0 || width > wsq.MaxSide || height > wsq.MaxSide || width*height != len(sample) {
			return 0, &Error{Code: 320, Reason: fmt.Sprintf("%d bytes are not a %d × %d image", len(sample), width, height)}
		}
		img = &image.Gray{Pix: sample, Stride: width, Rect: image.Rect(0, 0, width, height)}
	case WSQ:
		var err error
		if img, err = wsq.Decode(bytes.NewReader(sample)); err != nil {
			return 0, &Error{Code: 321, Reason: err.Error()}
		}
	case ANSI:
		var err error
		if mins, err = ansiMinutiae(sample, finger); err != nil {
			return 0, &Error{Code: 320, Reason: err.Error()}
		}
	default:
		return 0, &Error{Code: 312, Reason: fmt.Sprintf("format %q", format)}
	}
	if img != nil {
		rep, r := quality.Assess(img)
		if r == nil || rep.Score < 20 {
			return 0, &Error{Code: 314, Reason: "unusable image"}
		}
		mins = r.Minutiae
	}
	if len(mins) < 8 {
		return 0, &Error{Code: 315, Reason: fmt.Sprintf("%d minutiae", len(mins))}
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
