package cli

import (
	"context"
	"cotejo/capture"
	"cotejo/scanner/biometrics/fingerimage"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"cotejo/scanner/biometrics/extract"
	"cotejo/scanner/biometrics/fingergen"
	"cotejo/scanner/biometrics/match"
	"cotejo/scanner/biometrics/quality"
	"cotejo/scanner/biometrics/ridge"
	"cotejo/scanner/biometrics/template"
	"cotejo/verify/sandbox"
)

func runFinger(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: cotejo finger gen|extract|quality|match|info|encode|decode|capture …")
	}
	switch args[0] {
	case "gen":
		return runFingerGen(ctx, args[1:], stdout, stderr)
	case "quality":
		return runFingerQuality(args[1:], stdout, stderr)
	case "match":
		return runFingerMatch(args[1:], stdout, stderr)
	case "extract":
		return runFingerExtract(args[1:], stdout, stderr)
	case "info":
		return runFingerInfo(args[1:], stdout, stderr)
	case "capture":
		return runFingerCapture(ctx, args[1:], stdout, stderr)
	case "encode":
		return runFingerEncode(args[1:], stdout, stderr)
	case "decode":
		return runFingerDecode(args[1:], stdout, stderr)
	}
	return fmt.Errorf("no finger command %q", args[0])
}

// minutiaJSON is a true minutia as written beside the images: angle in degrees.
type minutiaJSON struct {
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
	Angle float64 `json:"angle"`
	Type  string  `json:"type"`
}

func runFingerGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("finger gen", stderr)
	out := fs.String("out", "", "folder for the images and their true minutiae (required)")
	citizens := fs.Int("citizens", 3, "how many citizens of the sandbox register (their right and left index fingers)")
	impressions := fs.Int("impressions", 4, "impressions per finger, good, fair and poor in turn")
	seed := fs.Uint64("seed", 1, "seed for the impressions")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("usage: cotejo finger gen --out DIR [--citizens N] [--impressions K] [--seed S]")
	}
	p, err := sandbox.DefaultPadron()
	if err != nil {
		return err
	}
	if *citizens > len(p.Ciudadanos) {
		return fmt.Errorf("the register has %d citizens", len(p.Ciudadanos))
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	rnd := rand.New(rand.NewPCG(*seed, 2))
	n := 0
	for _, c := range p.Ciudadanos[:*citizens] {
		for _, f := range []fingergen.Finger{2, 7} {
			if err := ctx.Err(); err != nil {
				return err
			}
			m, err := fingergen.Citizen(fingergen.SeedFor(c.ID), f)
			if err != nil {
				return err
			}
			base := filepath.Join(*out, fmt.Sprintf("%s-%d", c.ID, f))
			if err := writePrint(base+"-master", int(f), m.Ridges, m.Minutiae); err != nil {
				return err
			}
			for k := range *impressions {
				q := fingergen.Quality(k % 3)
				imp := m.Impress(*seed+uint64(n), fingergen.Preset(q, rnd))
				if err := writePrint(fmt.Sprintf("%s-%d-%s", base, k+1, q), int(f), imp.Image, imp.Minutiae); err != nil {
					return err
				}
				n++
			}
			fmt.Fprintf(stderr, "\r%s finger %d", c.ID, f)
		}
	}
	fmt.Fprintln(stderr)
	fmt.Fprintf(stdout, "%d masters and %d impressions in %s\n", *citizens*2, n, *out)
	return nil
}

// writePrint saves an image as BASE.png and its true minutiae as BASE.json and as an
// ANSI 378 template, BASE.ansi.
func writePrint(base string, finger int, img *image.Gray, mins []fingergen.Minutia) error {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	rec, err := template.New(template.ANSI, finger, w, h, 500, 100, mins).Encode()
	if err != nil {
		return err
	}
	if err := os.WriteFile(base+".ansi", rec, 0o644); err != nil {
		return err
	}
	if err := writePNG(base+".png", img); err != nil {
		return err
	}
	list := make([]minutiaJSON, 0, len(mins))
	for _, m := range mins {
		t := "ending"
		if m.Kind == fingergen.Bifurcation {
			t = "bifurcation"
		}
		list = append(list, minutiaJSON{X: math.Round(m.X*10) / 10, Y: math.Round(m.Y*10) / 10, Angle: math.Round(m.Angle*180/math.Pi*10) / 10, Type: t})
	}
	b, err := json.MarshalIndent(map[string]any{"ppi": 500, "width": img.Bounds().Dx(), "height": img.Bounds().Dy(), "minutiae": list}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(base+".json", append(b, '\n'), 0o644)
}

// loadGrey reads a PNG, JPEG or WSQ fingerprint as grey, its size capped before reading
// and its pixels from its header before decoding.
func loadGrey(path string) (*image.Gray, error) {
	data, err := capture.ReadFileLimited(path, capture.MaxFingerImageBytes)
	if err != nil {
		return nil, err
	}
	return decodeGrey(path, data)
}

// decodeGrey decodes a PNG, JPEG or WSQ fingerprint read from path.
func decodeGrey(path string, data []byte) (*image.Gray, error) {
	g, err := fingerimage.Decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return g, nil
}

func runFingerQuality(args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("finger quality", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	lang := fs.String("lang", "es", "language of the advice: es or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: cotejo finger quality [--json] IN.png")
	}
	g, err := loadGrey(fs.Arg(0))
	if err != nil {
		return err
	}
	rep, _ := quality.Assess(g)
	advice := rep.Problem.Message(*lang)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(map[string]any{"score": rep.Score, "recapture": rep.Score < quality.Recapture, "advice": advice,
			"area": round3(rep.Area), "clarity": round3(rep.Clarity), "coherence": round3(rep.Coherence),
			"frequency": round3(rep.Frequency), "minutiae": rep.Minutiae})
	}
	fmt.Fprintf(stdout, "%d/100 — %s\n", rep.Score, advice)
	return nil
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

func runFingerMatch(args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("finger match", stderr)
	asJSON := fs.Bool("json", false, "print JSON with the similarity")
	finger := fs.Int("finger", 0, "with templates holding several fingers, the finger position to compare (2 right index, 7 left index)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return errors.New("usage: cotejo finger match [--json] A B (each an image or an ANSI/ISO template)")
	}
	var sets [2][]ridge.Minutia
	for i, path := range fs.Args() {
		mins, err := loadMinutiae(path, *finger)
		if err != nil {
			return err
		}
		sets[i] = mins
	}
	sim := match.Similarity(sets[0], sets[1])
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"similarity": math.Round(sim*10) / 10,
			"minutiae": []int{len(sets[0]), len(sets[1])}})
	}
	fmt.Fprintf(stdout, "minutiae: %d and %d\n%.1f\n", len(sets[0]), len(sets[1]), sim)
	return nil
}

// loadMinutiae reads a fingerprint file as minutiae: a template is read, an image
// extracted. finger picks the view of a template holding several (0: the only one).
func loadMinutiae(path string, finger int) ([]ridge.Minutia, error) {
	data, err := capture.ReadFileLimited(path, capture.MaxFingerImageBytes)
	if err != nil {
		return nil, err
	}
	if template.Sniff(data) {
		rec, err := template.Decode(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		v, err := pickView(rec, finger)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return v.Ridge(), nil
	}
	g, err := decodeGrey(path, data)
	if err != nil {
		return nil, err
	}
	r, err := extract.Extract(g)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r.Minutiae, nil
}

func pickView(rec *template.Record, finger int) (*template.View, error) {
	if finger != 0 {
		if v := rec.View(finger); v != nil {
			return v, nil
		}
		return nil, fmt.Errorf("the template holds no view of finger %d", finger)
	}
	if len(rec.Views) != 1 {
		return nil, fmt.Errorf("the template holds %d views: say which finger with --finger", len(rec.Views))
	}
	return &rec.Views[0], nil
}

// writePNG saves an image as a PNG file.
func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
