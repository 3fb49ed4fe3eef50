package capture

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // the sample credentials are photos

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
