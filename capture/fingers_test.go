package capture_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"cotejo/capture"
	"cotejo/scanner"
	"cotejo/scanner/biometrics/fingergen"
	"cotejo/scanner/biometrics/quality"
	"cotejo/scanner/biometrics/template"
	"cotejo/scanner/biometrics/wsq"
	"cotejo/scanner/simulated"
	"cotejo/verify"
)

func fastSimulator(t *testing.T, q fingergen.Quality) *simulated.Scanner {
	t.Helper()
	s, err := simulated.Open(simulated.Config{Citizen: "P001", Quality: q, Seed: 7,
		Place: time.Millisecond, Scan: time.Millisecond, Lift: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestCaptureFingersSimulated(t *testing.T) {
	var steps []capture.Step
	fingers, results, err := capture.CaptureFingers(context.Background(), fastSimulator(t, fingergen.Good),
		capture.FingerOptions{Steps: func(s capture.Step) { steps = append(steps, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if fingers.Tipo != verify.TipoANSI || len(results) != 2 {
		t.Fatalf("%+v %+v", fingers, results)
	}
	for _, c := range []struct {
		sample []byte
		finger int
	}{{fingers.Right, template.RightIndex}, {fingers.Left, template.LeftIndex}} {
		rec, err := template.DecodeFormat(c.sample, template.ANSI)
		if err != nil {
			t.Fatal(err)
		}
		v := rec.View(c.finger)
		if v == nil || len(v.Minutiae) < 20 || v.Quality < quality.Recapture || rec.XRes != 197 {
			t.Errorf("finger %d: %+v", c.finger, rec)
		}
	}
	var kinds []capture.StepKind
	for _, s := range steps {
		kinds = append(kinds, s.Kind)
	}
	want := []capture.StepKind{capture.PlaceFinger, capture.Captured, capture.FingerDone, capture.PlaceFinger, capture.Captured, capture.FingerDone}
	if !slices.Equal(kinds, want) {
		t.Errorf("steps %v, want %v", kinds, want)
	}
	if steps[1].Image == nil || steps[0].Finger != 2 || steps[3].Finger != 7 {
		t.Errorf("steps %+v", steps)
	}
}

// scripted is a reader that hands out the given images in turn, then an error.
type scripted struct {
	mu     sync.Mutex
	images []*image.Gray
	err    error
}

func (s *scripted) Info() scanner.Info           { return scanner.Info{Model: "scripted", PPI: 500} }
func (s *scripted) Events() <-chan scanner.Event { return nil }
func (s *scripted) Close() error                 { return nil }
func (s *scripted) Capture(ctx context.Context) (*scanner.Capture, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.images) == 0 {
		return nil, s.err
	}
	img := s.images[0]
	s.images = s.images[1:]
	return &scanner.Capture{Image: img, PPI: 500}, nil
}

func smear(img *image.Gray) *image.Gray {
	for range 3 {
		for y := range img.Rect.Dy() {
			row := img.Pix[y*img.Stride : y*img.Stride+img.Rect.Dx()]
			for x := len(row) - 1; x >= 6; x-- {
				row[x] = uint8((int(row[x]) + int(row[x-3]) + int(row[x-6])) / 3)
			}
		}
	}
	return img
}

func blank() *image.Gray {
	g := image.NewGray(image.Rect(0, 0, 500, 500))
	for i := range g.Pix {
		g.Pix[i] = 235
	}
	return g
}

func TestCaptureFingersRetries(t *testing.T) {
	right, _ := fingergen.Citizen(fingergen.SeedFor("P001"), 2)
	left, _ := fingergen.Citizen(fingergen.SeedFor("P001"), 7)
	other, _ := fingergen.Citizen(fingergen.SeedFor("P002"), 2)
	// The same finger smeared and then placed well is not flagged.
	var flagged bool
	if _, _, err := capture.CaptureFingers(context.Background(), &scripted{images: []*image.Gray{
		smear(right.Impress(1, fingergen.Options{Contact: 1}).Image), right.Impress(5, fingergen.Options{Contact: 1}).Image,
		left.Impress(4, fingergen.Options{Contact: 1}).Image,
	}}, capture.FingerOptions{Steps: func(s capture.Step) { flagged = flagged || s.Kind == capture.DifferentFinger }}); err != nil || flagged {
		t.Errorf("the same finger again: %v, flagged %v", err, flagged)
	}
	good := func(m *fingergen.Master, seed uint64) *image.Gray {
		return m.Impress(seed, fingergen.Options{Contact: 1}).Image
	}
	dev := &scripted{images: []*image.Gray{
		smear(good(right, 1)), // smudged: asked again
		good(other, 2),        // good, but somebody else's finger: taken, and flagged
		good(left, 4),
	}, err: scanner.ErrUnplugged}
	var steps []capture.Step
	fingers, results, err := capture.CaptureFingers(context.Background(), dev,
		capture.FingerOptions{Steps: func(s capture.Step) { steps = append(steps, s) }})
	if err != nil {
		t.Fatal(err)
	}
	if results[0].Tries != 2 || results[1].Tries != 1 || fingers.Right == nil || fingers.Left == nil {
		t.Errorf("results %+v", results)
	}
	var retry, different *capture.Step
	for i, s := range steps {
		switch s.Kind {
		case capture.Retry:
			if retry == nil {
				retry = &steps[i]
			}
		case capture.DifferentFinger:
			different = &steps[i]
		}
	}
	if retry == nil || retry.Try != 1 || retry.Problem != quality.Smudged {
		t.Errorf("first retry %+v; want try 1, smudged", retry)
	}
	if different == nil || different.Try != 2 || different.Finger != 2 {
		t.Errorf("different finger step %+v", different)
	}
}

func TestCaptureFingersFailures(t *testing.T) {
	left, _ := fingergen.Citizen(fingergen.SeedFor("P001"), 7)
	t.Run("unplugged", func(t *testing.T) {
		_, _, err := capture.CaptureFingers(context.Background(), &scripted{err: scanner.ErrUnplugged}, capture.FingerOptions{})
		if !errors.Is(err, scanner.ErrUnplugged) || !strings.Contains(scanner.Message(err, "es"), "desconectó") {
			t.Errorf("%v", err)
		}
	})
	t.Run("no print in three tries", func(t *testing.T) {
		_, _, err := capture.CaptureFingers(context.Background(), &scripted{images: []*image.Gray{blank(), blank(), blank()}}, capture.FingerOptions{})
		var nf *capture.NoFingerprintError
		if !errors.As(err, &nf) || nf.Finger != 2 || !strings.Contains(nf.Message("es"), "índice derecho") {
			t.Errorf("%v", err)
		}
	})
	t.Run("right index skipped", func(t *testing.T) {
		f, res, err := capture.CaptureFingers(context.Background(), &scripted{images: []*image.Gray{left.Impress(1, fingergen.Options{Contact: 1}).Image}},
			capture.FingerOptions{Skip: func(f int) bool { return f == 2 }})
		if err != nil || f.Right != nil || f.Left == nil || len(res) != 1 {
			t.Errorf("%+v %v", f, err)
		}
	})
	t.Run("raw", func(t *testing.T) {
		f, _, err := capture.CaptureFingers(context.Background(), fastSimulator(t, fingergen.Good), capture.FingerOptions{Tipo: verify.TipoRaw})
		if err != nil || f.Width != 500 || f.Height != 500 || len(f.Right) != 500*500 || len(f.Left) != 500*500 {
			t.Errorf("%v", err)
		}
	})
	t.Run("wsq", func(t *testing.T) {
		f, _, err := capture.CaptureFingers(context.Background(), fastSimulator(t, fingergen.Good), capture.FingerOptions{Tipo: verify.TipoWSQ})
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range [][]byte{f.Right, f.Left} {
			img, err := wsq.Decode(bytes.NewReader(b))
			if err != nil || img.Rect.Dx() != 500 || len(b) > 500*500/8 {
				t.Errorf("%d bytes: %v", len(b), err)
			}
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		s, _ := simulated.Open(simulated.Config{Citizen: "P001", Place: time.Hour})
		defer s.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		if _, _, err := capture.CaptureFingers(ctx, s, capture.FingerOptions{}); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%v", err)
		}
	})
}

func TestScannerSettings(t *testing.T) {
	for _, c := range []struct {
		s    capture.ScannerSettings
		want string // "" opens
	}{
		{capture.ScannerSettings{Kind: "simulated", Citizen: "P001"}, ""},
		{capture.ScannerSettings{Kind: "simulated", Citizen: "P001", Quality: "poor", Impostor: true}, ""},
		{capture.ScannerSettings{}, "no fingerprint scanner"},
		{capture.ScannerSettings{Kind: "simulated"}, "no citizen"},
		{capture.ScannerSettings{Kind: "simulated", Citizen: "P001", Quality: "great"}, "good, fair or poor"},
		{capture.ScannerSettings{Kind: "optical"}, `kind "optical"`},
	} {
		d, err := c.s.Open(context.Background())
		if c.want == "" {
			if err != nil || !d.Info().Simulated {
				t.Errorf("%+v: %v", c.s, err)
			}
			d.Close()
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.s, err, c.want)
		}
	}
}
