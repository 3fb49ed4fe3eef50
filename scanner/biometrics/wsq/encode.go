package wsq

import (
	"errors"
	"fmt"
	"image"
	"io"
	"math"
)

// Encode writes img to w as WSQ. Images must be at least 81 × 81 pixels (the
// decomposition's five levels need that much) and at most 10000 × 10000 (what Decode
// accepts). A nil o means the zero Options.
func Encode(w io.Writer, img *image.Gray, o *Options) error {
	return encode(w, img, o, standardFilters())
}

// filters is a filter pair as the DTT segment stores it: the lengths and the right halves
// (centre tap first for odd lengths).
type filters struct {
	loLen, hiLen   int
	loHalf, hiHalf []float64
}

func standardFilters() filters { return filters{9, 7, lo97[:], hi97[:]} }

func (f filters) bank() *bank {
	conv := func(h []float64) []float32 {
		out := make([]float32, len(h))
		for i, v := range h {
			out[i] = float32(v)
		}
		return out
	}
	return newBank(conv(f.loHalf), conv(f.hiHalf), f.loLen, f.hiLen)
}

// encode is Encode with a choice of filters, so tests can write the even-length kind.
func encode(w io.Writer, img *image.Gray, o *Options, filt filters) error {
	if o == nil {
		o = &Options{}
	}
	rate := o.BitRate
	if rate == 0 {
		rate = 0.75
	}
	if !(rate > 0 && rate <= 8) {
		return fmt.Errorf("wsq: bit rate %g outside (0, 8] bits per pixel", o.BitRate)
	}
	ppi := o.PPI
	if ppi == 0 {
		ppi = 500
	}
	if ppi < -1 {
		return fmt.Errorf("wsq: PPI %d: want a resolution, 0 (500) or -1 (unknown)", o.PPI)
	}
	for i, c := range o.Comments {
		if len(c) > 0xffff-2 {
			return fmt.Errorf("wsq: comment %d is %d bytes; a COM segment holds at most 65533", i, len(c))
		}
	}
	if img == nil {
		return errors.New("wsq: nil image")
	}
	width, height := img.Rect.Dx(), img.Rect.Dy()
	switch {
	case width <= 0 || height <= 0:
		return errors.New("wsq: empty image")
	case width < minDim || height < minDim:
		return fmt.Errorf("wsq: image is %d×%d pixels; the five-level WSQ decomposition needs at least %d×%d", width, height, minDim, minDim)
	case width > maxDim || height > maxDim:
		return fmt.Errorf("wsq: image is %d×%d pixels; at most %d×%d are supported", width, height, maxDim, maxDim)
	}
	l := newLayout(width, height)
	if !l.fitsSpec() { // cannot happen above minDim; kept as a guard for the tree code
		return fmt.Errorf("wsq: image %d×%d does not fit the decomposition", width, height)
	}

	// Centre the pixels on their mean and scale them to ±128, with the shift and scale the
	// decoder will read back from the frame header.
	var sum int
	lo, hi := 255, 0
	for y := range height {
		row := img.Pix[img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y):][:width]
		for _, p := range row {
			sum += int(p)
			lo, hi = min(lo, int(p)), max(hi, int(p))
		}
	}
	mean := float64(sum) / float64(width*height)
	shiftD, _ := toDecimal(mean, 0xffff)
	scaleD, _ := toDecimal(max(mean-float64(lo), float64(hi)-mean)/128, 0xffff)
	shift, scale := shiftD.value(), scaleD.value()
	if scale == 0 { // a flat image: every coefficient is zero whatever the scale
		scale = 1
	}
	plane := make([]float32, width*height)
	for y := range height {
		row := img.Pix[img.PixOffset(img.Rect.Min.X, img.Rect.Min.Y+y):][:width]
		for x, p := range row {
			plane[y*width+x] = (float32(p) - shift) / scale
		}
	}

	newTransformer(filt.bank(), width, height).forward(plane, l)
	v := variances(plane, width, l)
	qf, zf := allocate(rate, &v)
	var qt quantTable
	var qd, zd [64]decimal
	qt.center = binCenter().value()
	for k := range 60 {
		dq, okQ := toDecimal(qf[k], 0xffff)
		dz, okZ := toDecimal(zf[k], 0xffff)
		if !okQ || !okZ || dq.value() == 0 {
			continue // not coded, or too coarse for the 16-bit field: left out, as if all zero
		}
		qd[k], zd[k] = dq, dz
		qt.q[k], qt.z[k] = dq.value(), dz.value()
	}

	// Quantise the coded subbands, block by block, in coding order.
	var blocks [3][]int32
	for bi := range blocks {
		n := 0
		for k := blockStart[bi]; k < blockStart[bi+1]; k++ {
			if qt.q[k] != 0 {
				n += l.bands[k].area()
			}
		}
		c := make([]int32, 0, n)
		for k := blockStart[bi]; k < blockStart[bi+1]; k++ {
			q, halfZ := qt.q[k], qt.z[k]/2
			if q == 0 {
				continue
			}
			r := l.bands[k]
			for y := r.y; y < r.y+r.h; y++ {
				for _, f := range plane[y*width+r.x : y*width+r.x+r.w] {
					c = append(c, quantize(f, q, halfZ))
				}
			}
		}
		blocks[bi] = c
	}
	plane = nil

	var counts [2][256]int
	for bi, c := range blocks {
		t := &counts[min(bi, 1)] // blocks 2 and 3 share a table
		symbols(c, func(sym int, _ uint32, _ uint) { t[sym]++ })
	}
	tables := [2]huffTable{buildTable(&counts[0]), buildTable(&counts[1])}

	var out writer
	out.u16(markerSOI)
	out.comment(nistcom(width, height, ppi, rate))
	for _, c := range o.Comments {
		out.comment(c)
	}
	out.transformTable(filt)
	out.quantTable(&qd, &zd)
	out.frame(width, height, shiftD, scaleD)
	for bi, c := range blocks {
		ti := min(bi, 1)
		if bi < 2 {
			out.huffTable(ti, &tables[ti])
		}
		out.u16(markerSOB)
		out.u16(3)
		out.u8(uint8(ti))
		code, size := tables[ti].codes()
		bw := bitWriter{buf: out.buf}
		symbols(c, func(sym int, extra uint32, nbits uint) {
			bw.write(uint32(code[sym]), uint(size[sym]))
			if nbits > 0 {
				bw.write(extra, nbits)
			}
		})
		bw.flush()
		out.buf = bw.buf
	}
	out.u16(markerEOI)
	_, err := w.Write(out.buf)
	return err
}

// nistcom is the attribute list NIST's tools put in the first comment.
func nistcom(width, height, ppi int, rate float64) string {
	return fmt.Sprintf("NIST_COM 9\nPIX_WIDTH %d\nPIX_HEIGHT %d\nPIX_DEPTH 8\nPPI %d\nLOSSY 1\n"+
		"COLORSPACE GRAY\nCOMPRESSION WSQ\nWSQ_BITRATE %f", width, height, ppi, rate)
}

// writer assembles the file; the whole of it is small next to the image.
type writer struct{ buf []byte }

func (w *writer) u8(v uint8)   { w.buf = append(w.buf, v) }
func (w *writer) u16(v uint16) { w.buf = append(w.buf, byte(v>>8), byte(v)) }
func (w *writer) u32(v uint32) { w.buf = append(w.buf, byte(v>>24), byte(v>>16), byte(v>>8), byte(v)) }

func (w *writer) comment(s string) {
	w.u16(markerCOM)
	w.u16(uint16(2 + len(s)))
	w.buf = append(w.buf, s...)
}

func (w *writer) transformTable(f filters) {
	w.u16(markerDTT)
	w.u16(uint16(dttSize(byte(f.loLen), byte(f.hiLen))))
	w.u8(uint8(f.loLen))
	w.u8(uint8(f.hiLen))
	for _, half := range [][]float64{f.loHalf, f.hiHalf} {
		for _, f := range half {
			d, _ := toDecimal(math.Abs(f), math.MaxUint32)
			w.u8(b2u8(f < 0))
			w.u8(d.scale)
			w.u32(d.v)
		}
	}
}

func b2u8(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

func (w *writer) quantTable(q, z *[64]decimal) {
	w.u16(markerDQT)
	w.u16(2 + 3 + 64*6)
	w.u8(binCenter().scale)
	w.u16(uint16(binCenter().v))
	for k := range 64 {
		w.u8(q[k].scale)
		w.u16(uint16(q[k].v))
		w.u8(z[k].scale)
		w.u16(uint16(z[k].v))
	}
}

func (w *writer) frame(width, height int, shift, scale decimal) {
	w.u16(markerSOF)
	w.u16(17)
	w.u8(0)   // black
	w.u8(255) // white
	w.u16(uint16(height))
	w.u16(uint16(width))
	w.u8(shift.scale)
	w.u16(uint16(shift.v))
	w.u8(scale.scale)
	w.u16(uint16(scale.v))
	w.u8(2)  // encoder number, as NBIS writes it
	w.u16(0) // software implementation number
}

func (w *writer) huffTable(id int, t *huffTable) {
	w.u16(markerDHT)
	w.u16(uint16(2 + 1 + 16 + len(t.values)))
	w.u8(uint8(id))
	w.buf = append(w.buf, t.bits[:]...)
	w.buf = append(w.buf, t.values...)
}
