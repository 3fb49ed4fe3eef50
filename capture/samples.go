package capture

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // the sample credentials are photos
	"os"
	"path/filepath"

	"cotejo/assets"
)

// SampleModels are the models of the demonstration's sample credentials, photographed
// synthetic citizens of the stand-in's register.
func SampleModels() []string {
	var models []string
	for _, c := range assets.DemoCards() {
		models = append(models, c.Model)
	}
	return models
}

// Sample is the photos, front then back, of the sample credential of model.
func Sample(model string) ([]image.Image, error) {
	for _, c := range assets.DemoCards() {
		if c.Model != model {
			continue
		}
		var sides []image.Image
		for _, b := range [][]byte{c.Front, c.Back} {
			img, _, err := image.Decode(bytes.NewReader(b))
			if err != nil {
				return nil, fmt.Errorf("capture: sample credential %s: %w", model, err)
			}
			sides = append(sides, img)
		}
		return sides, nil
	}
	return nil, fmt.Errorf("capture: no sample credential of model %q", model)
}

// writeSamplePhotos puts the sample credentials' photos in dir (once), for trying the
// photo picker in the demonstration: modelo-G-frente.jpg, modelo-G-reverso.jpg, …
func writeSamplePhotos(dir string) error {
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, c := range assets.DemoCards() {
		for side, b := range map[string][]byte{"frente": c.Front, "reverso": c.Back} {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("modelo-%s-%s.jpg", c.Model, side)), b, 0o600); err != nil {
				return err
			}
		}
	}
	return nil
}
