package ocr

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // photos come as JPEG or PNG
	_ "image/png"
	"io"
)

// MaxPhotoPixels bounds a credential photo: 25 Mpx is more than a phone's or a
// document camera's usual shot, and a PNG of a few kilobytes can claim far more.
const MaxPhotoPixels = 25_000_000

// MaxPhotoBytes bounds a photo's file.
const MaxPhotoBytes = 64 << 20

// SizeError is a photo larger than MaxPhotoPixels: refused from its header, before it
// is decoded.
type SizeError struct{ Width, Height int }

func (e *SizeError) Error() string {
	return fmt.Sprintf("ocr: la foto mide %d × %d pixeles, más de los %d millones que se aceptan: tómela con menor resolución "+
		"(the photo is %d × %d pixels, over the %d million accepted: take it at a lower resolution)",
		e.Width, e.Height, MaxPhotoPixels/1_000_000, e.Width, e.Height, MaxPhotoPixels/1_000_000)
}

// DecodePhoto decodes a PNG or JPEG photo of a credential after reading its size from
// the header: anything over MaxPhotoPixels is a *SizeError. The CLI and the window
// decode photos with it, never with image.Decode directly.
func DecodePhoto(r io.Reader) (image.Image, error) {
	// Held in memory (a photo's file is a few megabytes; MaxPhotoBytes bounds it) so the
	// header is read first and the decode starts again from the first byte.
	data, err := io.ReadAll(io.LimitReader(r, MaxPhotoBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxPhotoBytes {
		return nil, fmt.Errorf("ocr: la foto pesa más de %d MB (the photo's file is over %d MB)", MaxPhotoBytes>>20, MaxPhotoBytes>>20)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("ocr: no es una imagen PNG o JPEG legible (not a readable PNG or JPEG image): %w", err)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPhotoPixels {
		return nil, &SizeError{Width: cfg.Width, Height: cfg.Height}
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("ocr: no es una imagen PNG o JPEG legible (not a readable PNG or JPEG image): %w", err)
	}
	return img, nil
}
