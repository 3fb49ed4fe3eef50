package ocr

import (
	"context"
	"image"
	"slices"
	"sync"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/otiai10/gosseract/v2"

	"cotejo/ocr/layout"
)

// How each field is read: page segmentation and the characters it may contain.
type fieldSpec struct {
	psm       gosseract.PageSegMode
	whitelist string
}

const (
	upper  = "ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"
	digits = "0123456789"
)

func spec(f layout.Field) (fieldSpec, bool) {
	switch f {
	case layout.Nombre:
		return fieldSpec{gosseract.PSM_SINGLE_BLOCK, upper + " "}, true
	case layout.ClaveElector, layout.CURP:
		return fieldSpec{gosseract.PSM_SINGLE_LINE, "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + digits}, true
	case layout.Registro:
		return fieldSpec{gosseract.PSM_SINGLE_LINE, digits + " "}, true
	case layout.Nacimiento:
		return fieldSpec{gosseract.PSM_SINGLE_LINE, digits + "/"}, true
	case layout.Sexo:
		return fieldSpec{gosseract.PSM_SINGLE_CHAR, "HM"}, true
	case layout.Seccion, layout.Emision, layout.OCRLine:
		return fieldSpec{gosseract.PSM_SINGLE_LINE, digits}, true
	case layout.Vigencia:
		return fieldSpec{gosseract.PSM_SINGLE_LINE, digits + " -"}, true
	case layout.MRZ:
		return fieldSpec{gosseract.PSM_SINGLE_BLOCK, "ABCDEFGHIJKLMNOPQRSTUVWXYZ" + digits + "<"}, true
	}
	return fieldSpec{}, false
}

// raw is what was read from one region.
type raw struct {
	lines []Line
	err   error
}

// readFields reads every text region of both sides, and the QR code, with the pool's
// clients in parallel.
func (r *Reader) readFields(ctx context.Context, res *Result, report func(Progress)) (map[layout.Field]raw, error) {
	type job struct {
		card   *image.RGBA
		region layout.Region
	}
	var jobs []job
	for _, s := range []*SideInfo{res.Front, res.Back} {
		if s == nil {
			continue
		}
		for _, reg := range layout.For(s.Model, s.Side).Fields {
			if _, ok := spec(reg.Field); ok || reg.Field == layout.QR {
				jobs = append(jobs, job{s.card, reg})
			}
		}
	}
	// The slowest first: the MRZ and the names are the longest reads.
	slices.SortStableFunc(jobs, func(a, b job) int { return b.region.Lines - a.region.Lines })
	out := make(map[layout.Field]raw, len(jobs))
	var mu sync.Mutex
	var wg sync.WaitGroup
	done := 0
	next := make(chan job)
	for range r.pool.size {
		wg.Go(func() {
			for j := range next {
				var v raw
				if j.region.Field == layout.QR {
					v = readQR(j.card, j.region.Box)
				} else {
					sp, _ := spec(j.region.Field)
					v.lines, v.err = r.pool.Recognise(ctx, crop(j.card, j.region), sp.psm, sp.whitelist)
				}
				mu.Lock()
				out[j.region.Field] = v
				done++
				d := done
				mu.Unlock()
				report(Progress{Step: StepFields, Done: d, Total: len(jobs)})
			}
		})
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		next <- j
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// crop cuts a region's box, with a margin for an imperfect straightening, as grey: the
// largest of R, G and B, so coloured labels and security patterns fade and black ink
// stays dark; then stretched to the full grey range.
func crop(card *image.RGBA, reg layout.Region) *image.Gray {
	padX, padY := 10, 3
	if reg.Lines > 1 {
		padY = 6
	}
	box := image.Rect(reg.Box.Min.X-padX, reg.Box.Min.Y-padY, reg.Box.Max.X+padX, reg.Box.Max.Y+padY).Intersect(card.Bounds())
	g := image.NewGray(image.Rect(0, 0, box.Dx(), box.Dy()))
	var hist [256]int
	for y := range box.Dy() {
		i := card.PixOffset(box.Min.X, box.Min.Y+y)
		for x := range box.Dx() {
			v := max(card.Pix[i], card.Pix[i+1], card.Pix[i+2])
			g.Pix[y*g.Stride+x] = v
			hist[v]++
			i += 4
		}
	}
	// Stretch between the 1st and 99th percentiles.
	n := len(g.Pix)
	lo, hi, acc := 0, 255, 0
	for v := range 256 {
		acc += hist[v]
		if acc >= n/100 {
			lo = v
			break
		}
	}
	acc = 0
	for v := 255; v >= 0; v-- {
		acc += hist[v]
		if acc >= n/100 {
			hi = v
			break
		}
	}
	if hi-lo > 20 {
		var lut [256]uint8
		for v := range 256 {
			lut[v] = uint8(min(max((v-lo)*255/(hi-lo), 0), 255))
		}
		for i, v := range g.Pix {
			g.Pix[i] = lut[v]
		}
	}
	return g
}

// readQR decodes the small QR code from its region of the straightened card.
func readQR(card *image.RGBA, box image.Rectangle) raw {
	b := box.Inset(-20).Intersect(card.Bounds())
	sub := card.SubImage(b)
	bmp, err := gozxing.NewBinaryBitmapFromImage(sub)
	if err != nil {
		return raw{err: err}
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		return raw{err: err}
	}
	return raw{lines: []Line{{Text: res.GetText(), Confidence: 1}}}
}
