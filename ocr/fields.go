package ocr

import (
	"context"
	"image"
	"slices"
	"strings"
	"sync"

	"github.com/makiuchi-d/gozxing"
	multiqr "github.com/makiuchi-d/gozxing/multi/qrcode"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/otiai10/gosseract/v2"

	"cotejo/ocr/layout"
	"cotejo/ocr/mrz"
	"cotejo/ocr/qrtext"
	"cotejo/verify/credential"
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
	// Each zone line is read alone, with only the characters its format allows: a 1
	// cannot come out as T in a line of digits.
	case mrzLine1:
		return fieldSpec{gosseract.PSM_SINGLE_LINE, "IDMEX<" + digits}, true
	case mrzLine2:
		return fieldSpec{gosseract.PSM_SINGLE_LINE, "HMEX<" + digits}, true
	case mrzLine3:
		return fieldSpec{gosseract.PSM_SINGLE_LINE, "ABCDEFGHIJKLMNOPQRSTUVWXYZ<"}, true
	}
	return fieldSpec{}, false
}

// The zone's lines, read one by one.
const (
	mrzLine1 layout.Field = "mrz1"
	mrzLine2 layout.Field = "mrz2"
	mrzLine3 layout.Field = "mrz3"
)

// split turns the zone's region into its three lines.
func split(reg layout.Region) []layout.Region {
	if reg.Field != layout.MRZ {
		return []layout.Region{reg}
	}
	step := reg.Box.Dy() / 3
	var out []layout.Region
	for i, f := range []layout.Field{mrzLine1, mrzLine2, mrzLine3} {
		r := reg
		r.Field, r.Lines = f, 1
		r.Box.Min.Y = reg.Box.Min.Y + i*step
		r.Box.Max.Y = r.Box.Min.Y + step
		out = append(out, r)
	}
	return out
}

// raw is what was read from one region.
type raw struct {
	lines []Line
	err   error
	// others are the other readings of a voted line (voteLine) that differ from the
	// vote: a second opinion another side of the card can side with.
	others []string
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
		s.by = map[layout.Field]string{}
		for _, l := range s.plan() {
			if _, ok := spec(l.Field); ok || l.Field == layout.QR {
				jobs = append(jobs, job{s.card, l.Region})
				s.by[l.Field] = l.by
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
					if v.err != nil && j.region.Box != j.card.Bounds() {
						// Not where the design it resembles has it: another design's
						// back (the resemblance is only a prior), so the whole card.
						v = readQR(j.card, j.card.Bounds())
					}
				} else {
					sp, _ := spec(j.region.Field)
					v.lines, v.err = r.pool.Recognise(ctx, crop(j.card, j.region), sp.psm, sp.whitelist)
				}
				// Reported under the lock, so the caller's callback is never called twice at once.
				mu.Lock()
				out[j.region.Field] = v
				done++
				report(Progress{Step: StepFields, Done: done, Total: len(jobs)})
				mu.Unlock()
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
	for _, j := range jobs {
		switch j.region.Field {
		case layout.CURP:
			// The CURP has a check digit: read it again while it fails.
			valid := func(v raw) bool {
				return credential.ValidateCURP(shape(squeeze(v.text()), "LLLLDDDDDDSLLLLLAD")) == nil
			}
			if err := r.rereadLine(ctx, j.card, j.region, out, valid); err != nil {
				return nil, err
			}
		case layout.OCRLine:
			if err := r.voteLine(ctx, j.card, j.region, out); err != nil {
				return nil, err
			}
		case mrzLine1:
			var lines []layout.Region
			for _, k := range jobs {
				if k.region.Field == mrzLine1 || k.region.Field == mrzLine2 || k.region.Field == mrzLine3 {
					lines = append(lines, k.region)
				}
			}
			if len(lines) == 3 {
				if err := r.rereadZone(ctx, j.card, lines, out); err != nil {
					return nil, err
				}
				// The names' line has no check digit: vote it across the crop's
				// variants as model C's OCR line is (a guilloche's blot makes an I a T
				// in one reading, not in all).
				if err := r.voteLine(ctx, j.card, lines[2], out); err != nil {
					return nil, err
				}
			}
		}
	}
	if err := r.keysElsewhere(ctx, res.Front, out); err != nil {
		return nil, err
	}
	return out, nil
}

// keysElsewhere: a CURP that fails its check digit, or a clave de elector that is not
// shaped like one, is looked for at the other places on the front where words of about
// its length stand, read with its own characters.
func (r *Reader) keysElsewhere(ctx context.Context, front *SideInfo, out map[layout.Field]raw) error {
	if front == nil || len(front.words) == 0 {
		return nil
	}
	valid := map[layout.Field]func(raw) bool{
		layout.CURP: func(v raw) bool {
			return v.err == nil && credential.ValidateCURP(shape(squeeze(v.text()), "LLLLDDDDDDSLLLLLAD")) == nil
		},
		layout.ClaveElector: func(v raw) bool {
			return v.err == nil && claveReading.MatchString(shape(squeeze(v.text()), "LLLLLLDDDDDDDDSDDD"))
		},
	}
	for _, f := range []layout.Field{layout.CURP, layout.ClaveElector} {
		if valid[f](out[f]) {
			continue
		}
		sp, _ := spec(f)
		tried := 0
		for _, c := range front.keyCandidates(f) {
			if tried == 4 {
				break
			}
			tried++
			var x raw
			x.lines, x.err = r.pool.Recognise(ctx, crop(front.card, c.Region), sp.psm, sp.whitelist)
			if err := ctx.Err(); err != nil {
				return err
			}
			if valid[f](x) {
				out[f] = x
				front.by[f] = ByShape
				break
			}
		}
	}
	return nil
}

// rereadLine reads a region again from other variants of its crop until valid accepts
// a reading; the first reading stands if none does.
func (r *Reader) rereadLine(ctx context.Context, card *image.RGBA, reg layout.Region, out map[layout.Field]raw, valid func(raw) bool) error {
	if valid(out[reg.Field]) {
		return nil
	}
	sp, _ := spec(reg.Field)
	for v := 1; v < variants; v++ {
		var x raw
		x.lines, x.err = r.pool.Recognise(ctx, cropVariant(card, reg, v), sp.psm, sp.whitelist)
		if err := ctx.Err(); err != nil {
			return err
		}
		if x.err == nil && valid(x) {
			out[reg.Field] = x
			return nil
		}
	}
	return nil
}

// doubtful is the confidence of a line whose readings differ among themselves: below
// Review, so the operator checks it.
const doubtful = 0.6

// voteLine reads a line of digits with no check digit (model C's OCR) from every
// variant of its crop and keeps, place by place, the digit most readings of the right
// length agree on: one variant's misread (a 7 as 1) is outvoted by the others. Where
// they differ at all, the line is left for the operator to check.
func (r *Reader) voteLine(ctx context.Context, card *image.RGBA, reg layout.Region, out map[layout.Field]raw) error {
	first := out[reg.Field]
	want := len(squeeze(first.text()))
	if first.err != nil || want == 0 {
		return nil
	}
	sp, _ := spec(reg.Field)
	readings := []string{squeeze(first.text())}
	weights := []float64{first.conf()}
	conf := first.conf()
	for v := 1; v < variants; v++ {
		lines, err := r.pool.Recognise(ctx, cropVariant(card, reg, v), sp.psm, sp.whitelist)
		if err := ctx.Err(); err != nil {
			return err
		}
		x := raw{lines: lines}
		if t := squeeze(x.text()); err == nil && len(t) == want {
			readings = append(readings, t)
			weights = append(weights, x.conf())
		}
	}
	if len(readings) < 3 {
		return nil // no majority to be had
	}
	text, split, others := vote(readings, weights)
	if split {
		conf = min(conf, doubtful) // the readings differ: the operator checks it
	}
	out[reg.Field] = raw{lines: []Line{{Text: text, Confidence: conf}}, others: others}
	return nil
}

// vote keeps, place by place, the character most readings (all of one length) agree
// on; between as many, the one whose readings tesseract was surer of (its confidence
// drops on the variant a blot spoils). split tells whether the readings differ
// anywhere; others are the distinct readings the vote did not give.
func vote(readings []string, weights []float64) (text string, split bool, others []string) {
	b := []byte(readings[0])
	for i := range b {
		votes, sure := map[byte]int{}, map[byte]float64{}
		for k, t := range readings {
			votes[t[i]]++
			sure[t[i]] += weights[k]
		}
		for c, n := range votes {
			if n > votes[b[i]] || n == votes[b[i]] && sure[c] > sure[b[i]] {
				b[i] = c
			}
		}
		split = split || votes[b[i]] < len(readings)
	}
	for _, t := range readings {
		if t != string(b) && !slices.Contains(others, t) {
			others = append(others, t)
		}
	}
	return string(b), split, others
}

// rereadZone reads the zone's lines again from other variants of their crops while the
// zone fails its check digits, and keeps the first combination of readings that passes
// them all (or the one passing most).
func (r *Reader) rereadZone(ctx context.Context, card *image.RGBA, lines []layout.Region, out map[layout.Field]raw) error {
	readings := make([][]raw, len(lines)) // per line, per variant
	for i, l := range lines {
		readings[i] = append(readings[i], out[l.Field])
	}
	score := func(combo []raw) int {
		var text []string
		for _, v := range combo {
			if v.err != nil {
				return -1
			}
			text = append(text, v.text())
		}
		z, err := mrz.Parse(strings.Join(text, "\n"))
		if err != nil {
			return 0
		}
		n := 1
		for _, ok := range []bool{z.Checks.CIC, z.Checks.Birth, z.Checks.Expiry, z.Checks.Composite, len(z.Lines[2]) == 30} {
			if ok {
				n++
			}
		}
		return n
	}
	const perfect = 6
	best, bestScore := []raw{readings[0][0], readings[1][0], readings[2][0]}, -2
	for v := 0; v < variants; v++ {
		if v > 0 {
			var wg sync.WaitGroup
			for i, l := range lines {
				readings[i] = append(readings[i], raw{})
				wg.Go(func() {
					sp, _ := spec(l.Field)
					var x raw
					x.lines, x.err = r.pool.Recognise(ctx, cropVariant(card, l, v), sp.psm, sp.whitelist)
					readings[i][v] = x
				})
			}
			wg.Wait()
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		// Every combination of the readings so far.
		for a := range readings[0] {
			for b := range readings[1] {
				for c := range readings[2] {
					combo := []raw{readings[0][a], readings[1][b], readings[2][c]}
					if s := score(combo); s > bestScore {
						best, bestScore = combo, s
					}
				}
			}
		}
		if bestScore == perfect {
			break
		}
	}
	for i, l := range lines {
		out[l.Field] = best[i]
	}
	return nil
}

// crop cuts a region's box, with a margin for an imperfect straightening, as grey: the
// largest of R, G and B, so coloured labels and security patterns fade and black ink
// stays dark; then stretched to the full grey range.
func crop(card *image.RGBA, reg layout.Region) *image.Gray { return cropVariant(card, reg, 0) }

// Variants of a crop, for second readings: tesseract's output changes with small
// changes of the image, and check digits can tell a right reading from a wrong one.
const variants = 4

// cropVariant is crop with variant v: 0 as crop; 1 scaled by 3/2; 2 luminance instead
// of the brightest channel, and no margin; 3 scaled by 3/4.
func cropVariant(card *image.RGBA, reg layout.Region, v int) *image.Gray {
	g := cropGrey(card, reg, v != 2, v != 2)
	switch v {
	case 1:
		return scale(g, 3, 2)
	case 3:
		return scale(g, 3, 4)
	}
	return g
}

// scale resizes a grey image by num/den, bilinearly.
func scale(g *image.Gray, num, den int) *image.Gray {
	b := g.Bounds()
	w, h := b.Dx()*num/den, b.Dy()*num/den
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		fy := (float64(y)+0.5)*float64(den)/float64(num) - 0.5
		y0 := min(max(int(fy), 0), b.Dy()-1)
		y1 := min(y0+1, b.Dy()-1)
		ay := fy - float64(y0)
		for x := range w {
			fx := (float64(x)+0.5)*float64(den)/float64(num) - 0.5
			x0 := min(max(int(fx), 0), b.Dx()-1)
			x1 := min(x0+1, b.Dx()-1)
			ax := fx - float64(x0)
			p := func(x, y int) float64 { return float64(g.Pix[y*g.Stride+x]) }
			v := p(x0, y0)*(1-ax)*(1-ay) + p(x1, y0)*ax*(1-ay) + p(x0, y1)*(1-ax)*ay + p(x1, y1)*ax*ay
			out.Pix[y*out.Stride+x] = uint8(min(max(v+0.5, 0), 255))
		}
	}
	return out
}

func cropGrey(card *image.RGBA, reg layout.Region, brightest, withMargin bool) *image.Gray {
	padX, padY := 10, 3
	if reg.Lines > 1 {
		padY = 6
	}
	box := image.Rect(reg.Box.Min.X-padX, reg.Box.Min.Y-padY, reg.Box.Max.X+padX, reg.Box.Max.Y+padY).Intersect(card.Bounds())
	// A white margin round the crop: tesseract drops thin letters (I, 1) that touch or
	// nearly touch the image's edge.
	margin := 16
	if !withMargin {
		margin = 0
	}
	g := image.NewGray(image.Rect(0, 0, box.Dx()+2*margin, box.Dy()+2*margin))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	var hist [256]int
	for y := range box.Dy() {
		i := card.PixOffset(box.Min.X, box.Min.Y+y)
		o := (y+margin)*g.Stride + margin
		for x := range box.Dx() {
			var v uint8
			if brightest {
				v = max(card.Pix[i], card.Pix[i+1], card.Pix[i+2])
			} else {
				v = uint8((299*int(card.Pix[i]) + 587*int(card.Pix[i+1]) + 114*int(card.Pix[i+2])) / 1000)
			}
			g.Pix[o+x] = v
			hist[v]++
			i += 4
		}
	}
	// Stretch between the 1st and 99th percentiles.
	n := box.Dx() * box.Dy()
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

// readQR decodes the small QR code from its region of the straightened card. A region
// holding other 2D codes too (the whole card, when the design is unknown) gives the code
// that reads as INE's, else the first.
func readQR(card *image.RGBA, box image.Rectangle) raw {
	b := box.Inset(-20).Intersect(card.Bounds())
	sub := card.SubImage(b)
	bmp, err := gozxing.NewBinaryBitmapFromImage(sub)
	if err != nil {
		return raw{err: err}
	}
	hints := map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true}
	res, err := multiqr.NewQRCodeMultiReader().DecodeMultiple(bmp, hints)
	if err != nil || len(res) == 0 {
		one, err := qrcode.NewQRCodeReader().Decode(bmp, hints)
		if err != nil {
			return raw{err: err}
		}
		res = []*gozxing.Result{one}
	}
	text := res[0].GetText()
	for _, r := range res {
		if _, err := qrtext.Parse(r.GetText()); err == nil {
			text = r.GetText()
			break
		}
	}
	return raw{lines: []Line{{Text: text, Confidence: 1}}}
}
