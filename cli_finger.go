package main

import (
	"context"
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

	"cotejo/scanner/fingergen"
	"cotejo/verify/sandbox"
)

func runFinger(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: cotejo finger gen --out DIR [flags]")
	}
	switch args[0] {
	case "gen":
		return runFingerGen(ctx, args[1:], stdout, stderr)
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
			if err := writePrint(base+"-master", m.Ridges, m.Minutiae); err != nil {
				return err
			}
			for k := range *impressions {
				q := fingergen.Quality(k % 3)
				imp := m.Impress(*seed+uint64(n), fingergen.Preset(q, rnd))
				if err := writePrint(fmt.Sprintf("%s-%d-%s", base, k+1, q), imp.Image, imp.Minutiae); err != nil {
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

// writePrint saves an image as BASE.png and its true minutiae as BASE.json.
func writePrint(base string, img *image.Gray, mins []fingergen.Minutia) error {
	f, err := os.Create(base + ".png")
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
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
