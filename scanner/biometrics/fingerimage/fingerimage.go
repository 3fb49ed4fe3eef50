// Package fingerimage decodes a fingerprint image (PNG, JPEG or WSQ) from outside
// (a file given to the CLI, a sample in a request) into grey, after reading its size
// from its header: a few hundred bytes can claim gigapixels.
package fingerimage

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // fingerprints come as PNG, JPEG or WSQ
	_ "image/png"

	"cotejo/scanner/biometrics/wsq"
)

// The bounds are WSQ's (wsq.MaxSide, wsq.MaxPixels): a fingerprint, whatever its
// encoding. Real index-finger sensors give 248 × 338 to 640 × 480 at 500 ppi.
const (
	MaxSide   = wsq.MaxSide
	MaxPixels = wsq.MaxPixels
)

// SizeError is an image larger than a fingerprint, refused from its header.
type SizeError struct{ Width, Height int }

func (e *SizeError) Error() string {
	return fmt.Sprintf("fingerimage: la imagen mide %d × %d pixeles, más que una huella (hasta %d pixeles, %d por lado) "+
		"(the image is %d × %d pixels, more than a fingerprint: at most %d pixels, %d a side)",
		e.Width, e.Height, MaxPixels, MaxSide, e.Width, e.Height, MaxPixels, MaxSide)
}

// Decode decodes a PNG, JPEG or WSQ fingerprint into grey. An image over the bounds is
// a *SizeError (a WSQ one, a *wsq.SizeError); anything else unreadable, an error saying
// so in Spanish and English.
func Decode(data []byte) (*image.Gray, error) {
	if wsq.Sniff(data) {
		return wsq.Decode(bytes.NewReader(data))
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("fingerimage: no es una imagen PNG, JPEG ni WSQ legible (not a readable PNG, JPEG or WSQ image): %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > MaxSide || cfg.Height > MaxSide || cfg.Width*cfg.Height > MaxPixels {
		return nil, &SizeError{Width: cfg.Width, Height: cfg.Height}
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("fingerimage: no es una imagen PNG, JPEG ni WSQ legible (not a readable PNG, JPEG or WSQ image): %w", err)
	}
	if g, ok := img.(*image.Gray); ok {
		return g, nil
	}
	g := image.NewGray(image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy()))
	draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
	return g, nil
}
