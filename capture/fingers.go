package capture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"

	"cotejo/scanner"
	"cotejo/scanner/biometrics/fingergen"
	"cotejo/scanner/biometrics/match"
	"cotejo/scanner/biometrics/quality"
	"cotejo/scanner/biometrics/ridge"
	"cotejo/scanner/biometrics/template"
	"cotejo/scanner/biometrics/wsq"
	"cotejo/scanner/simulated"
	"cotejo/scanner/uru4000"
	"cotejo/scanner/usb/emulation"
	"cotejo/verify"
)

// ScannerSettings is the [scanner] section of the configuration: which fingerprint
// reader the kiosk uses.
type ScannerSettings struct {
	// Kind is "usb" (the first supported USB reader: DigitalPersona U.are.U 4000/4500
	// and the Microsoft readers built on it), "simulated" (the demo's reader, showing a
	// register citizen's synthetic fingers) or empty for none (data-only verifications).
	Kind string `toml:"kind"`
	// For the simulated reader: whose fingers it shows, an impostor's instead, and how
	// well they are placed (good, fair or poor).
	Citizen  string `toml:"citizen"`
	Impostor bool   `toml:"impostor"`
	Quality  string `toml:"quality"`
	// Emulation makes the USB reader's driver draw its random numbers as libfprint's
	// drivers do under FP_DEVICE_EMULATION=1, so that a recorded reader session replays
	// against cotejo (support, tests). Not a setting of the file: LoadConfig sets it from
	// the environment (EmulationFromEnv), so that a kiosk's file cannot switch it on and
	// leave it on: the numbers it draws are known to anyone.
	Emulation bool `toml:"-"`
}

// EmulationFromEnv reports whether getenv (os.Getenv) asks for libfprint's emulation:
// FP_DEVICE_EMULATION=1. Read once, where the configuration is made.
func EmulationFromEnv(getenv func(string) string) bool { return emulation.Enabled(getenv) }

// ErrNoScanner means the configuration names no fingerprint reader.
var ErrNoScanner = errors.New("capture: no fingerprint scanner is configured ([scanner] kind)")

// Open opens the configured reader; ctx bounds opening (a USB reader's power-up).
func (s ScannerSettings) Open(ctx context.Context) (scanner.Device, error) {
	switch s.Kind {
	case "":
		return nil, ErrNoScanner
	case "usb":
		d, err := uru4000.Open(ctx, uru4000.Config{Emulation: s.Emulation})
		if err != nil {
			return nil, err
		}
		return d, nil
	case "simulated":
		q := map[string]fingergen.Quality{"": fingergen.Good, "good": fingergen.Good, "fair": fingergen.Fair, "poor": fingergen.Poor}
		quality, ok := q[s.Quality]
		if !ok {
			return nil, fmt.Errorf("capture: [scanner] quality %q: use good, fair or poor", s.Quality)
		}
		return simulated.Open(simulated.Config{Citizen: s.Citizen, Impostor: s.Impostor, Quality: quality})
	}
	return nil, fmt.Errorf("capture: [scanner] kind %q: the readers known are \"usb\" and \"simulated\"", s.Kind)
}

// Step is what the finger capture is doing, for the screen to show.
type Step struct {
	Finger  int             // 2 right index, 7 left index
	Try     int             // 1, 2, …
	Kind    StepKind        //
	Problem quality.Problem // for Retry: why
	Score   int             // for Captured and Retry
	Image   *image.Gray     // for Captured: what the reader took
}

// StepKind says what a Step reports.
type StepKind int

const (
	PlaceFinger     StepKind = iota + 1 // ask for the finger on the reader
	Captured                            // an image was taken and scored
	Retry                               // too poor: ask again, for Problem
	DifferentFinger                     // this try does not look like the last one: check the finger
	FingerDone                          // the finger's sample is ready
)

// FingerOptions tune the capture.
type FingerOptions struct {
	Tries int            // attempts per finger before keeping the best; 0 → 3
	Tipo  int            // what to send: verify.TipoANSI (default), TipoWSQ or TipoRaw
	Steps func(Step)     // progress; called from the capturing goroutine
	Skip  func(int) bool // fingers not to capture (an amputated or bandaged finger)
}

// FingerResult is one finger as captured.
type FingerResult struct {
	Finger   int
	Image    *image.Gray
	Quality  quality.Report
	Tries    int
	Minutiae int
}

// The least similarity between two tries for them to be taken as the same finger. On
// the matcher's scale 40 is reached by about 3 % of pairs of different fingers (50 by
// 1 %), while two tries of one finger score above it on the real sets but for a
// distorted few (docs/benchmarks.md): a swapped finger is flagged, a shifted one is not.
const sameFinger = 40

// expecter is a reader that must be told which finger comes next (the simulator).
type expecter interface{ Expect(finger int) }

// CaptureFingers takes the right and then the left index finger from dev, asking again
// when a capture is too poor (at most Tries times, then keeping the best), and returns
// them as INE's minucias element. A finger skipped is sent as absent; INE needs at least
// one.
func CaptureFingers(ctx context.Context, dev scanner.Device, o FingerOptions) (*verify.Fingers, []FingerResult, error) {
	if o.Tries <= 0 {
		o.Tries = 3
	}
	if o.Tipo == 0 {
		o.Tipo = verify.TipoANSI
	}
	if o.Tipo != verify.TipoANSI && o.Tipo != verify.TipoWSQ && o.Tipo != verify.TipoRaw {
		return nil, nil, fmt.Errorf("capture: fingerprints of tipo %d are not produced here", o.Tipo)
	}
	step := func(s Step) {
		if o.Steps != nil {
			o.Steps(s)
		}
	}
	info := dev.Info()
	out := &verify.Fingers{Tipo: o.Tipo}
	var results []FingerResult
	for _, finger := range []int{template.RightIndex, template.LeftIndex} {
		if o.Skip != nil && o.Skip(finger) {
			continue
		}
		if e, ok := dev.(expecter); ok {
			e.Expect(finger)
		}
		var best FingerResult
		var bestMins []ridge.Minutia
		var last *match.Template
		for try := 1; try <= o.Tries; try++ {
			step(Step{Finger: finger, Try: try, Kind: PlaceFinger})
			c, err := dev.Capture(ctx)
			if err != nil {
				return nil, nil, fmt.Errorf("capture: finger %d: %w", finger, err)
			}
			rep, r := quality.Assess(c.Image)
			step(Step{Finger: finger, Try: try, Kind: Captured, Score: rep.Score, Image: c.Image})
			var t *match.Template
			if r != nil {
				t = match.Prepare(r.Minutiae)
				if last != nil && len(r.Minutiae) >= 12 && t.Similarity(last) < sameFinger {
					step(Step{Finger: finger, Try: try, Kind: DifferentFinger})
				}
				last = t
			}
			if best.Image == nil || rep.Score > best.Quality.Score {
				best = FingerResult{Finger: finger, Image: c.Image, Quality: rep}
				if r != nil {
					bestMins, best.Minutiae = r.Minutiae, len(r.Minutiae)
				}
			}
			best.Tries = try
			if rep.Score >= quality.Recapture {
				break
			}
			if try < o.Tries {
				step(Step{Finger: finger, Try: try, Kind: Retry, Problem: rep.Problem, Score: rep.Score})
			}
		}
		if len(bestMins) == 0 {
			return nil, nil, &NoFingerprintError{Finger: finger, Problem: best.Quality.Problem}
		}
		sample, err := encodeFinger(o.Tipo, finger, info, best, bestMins)
		if err != nil {
			return nil, nil, err
		}
		if finger == template.RightIndex {
			out.Right = sample
		} else {
			out.Left = sample
		}
		if o.Tipo == verify.TipoRaw {
			out.Width, out.Height = best.Image.Rect.Dx(), best.Image.Rect.Dy()
		}
		results = append(results, best)
		step(Step{Finger: finger, Try: best.Tries, Kind: FingerDone, Score: best.Quality.Score})
	}
	if out.Right == nil && out.Left == nil {
		return nil, nil, errors.New("capture: both fingers skipped: INE needs at least one, or none at all (data only)")
	}
	return out, results, nil
}

func encodeFinger(tipo, finger int, info scanner.Info, r FingerResult, mins []ridge.Minutia) ([]byte, error) {
	img := r.Image
	if tipo == verify.TipoRaw {
		w, h := img.Rect.Dx(), img.Rect.Dy()
		raw := make([]byte, 0, w*h)
		for y := range h {
			o := img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y)
			raw = append(raw, img.Pix[o:o+w]...)
		}
		return raw, nil
	}
	ppi := info.PPI
	if ppi == 0 {
		ppi = 500
	}
	if tipo == verify.TipoWSQ {
		var b bytes.Buffer
		if err := wsq.Encode(&b, img, &wsq.Options{PPI: ppi}); err != nil {
			return nil, fmt.Errorf("capture: finger %d WSQ: %w", finger, err)
		}
		return b.Bytes(), nil
	}
	b, err := template.New(template.ANSI, finger, img.Rect.Dx(), img.Rect.Dy(), ppi, r.Quality.Score, mins).Encode()
	if err != nil {
		return nil, fmt.Errorf("capture: finger %d template: %w", finger, err)
	}
	return b, nil
}

// NoFingerprintError is a finger whose every try gave no usable print.
type NoFingerprintError struct {
	Finger  int
	Problem quality.Problem
}

func (e *NoFingerprintError) Error() string {
	return fmt.Sprintf("capture: finger %d: no usable print (%s)", e.Finger, e.Problem.Message("en"))
}

// Message is the operator's sentence for it.
func (e *NoFingerprintError) Message(lang string) string {
	if lang == "en" {
		return fmt.Sprintf("No usable print of the %s. %s", scanner.FingerName(e.Finger, lang), e.Problem.Message(lang))
	}
	return fmt.Sprintf("No se obtuvo una huella útil del %s. %s", scanner.FingerName(e.Finger, lang), e.Problem.Message(lang))
}

// FingerName is a finger's name, lower case, for sentences (scanner.FingerName).
func FingerName(finger int, lang string) string { return scanner.FingerName(finger, lang) }

// FingerLabel is a finger's name as a label (scanner.FingerLabel).
func FingerLabel(finger int, lang string) string { return scanner.FingerLabel(finger, lang) }
