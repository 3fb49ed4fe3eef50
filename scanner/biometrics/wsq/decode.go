package wsq

import (
	"bufio"
	"errors"
	"fmt"
	"image"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Decode reads a WSQ image. Malformed or truncated input gives a *FormatError.
func Decode(r io.Reader) (*image.Gray, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	p := parser{data: data}
	return p.decode()
}

// DecodeConfig reads the headers up to the first data block: the size, and what the
// comments say about resolution and bit rate. It reads no image data.
func DecodeConfig(r io.Reader) (Info, error) {
	info, err := decodeConfig(bufio.NewReader(r))
	if err != nil {
		return Info{}, err
	}
	return info, nil
}

func decodeConfig(r *bufio.Reader) (Info, error) {
	var off int
	next := func(n int) ([]byte, error) {
		b := make([]byte, n)
		k, err := io.ReadFull(r, b)
		off += k
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, formatErr(off, "file ends early")
		}
		return b, err
	}
	info := Info{PPI: -1}
	b, err := next(2)
	if err != nil {
		return info, err
	}
	if be16(b) != markerSOI {
		return info, formatErr(0, "no SOI marker: not a WSQ file")
	}
	var frame *frameHeader
	for {
		b, err := next(2)
		if err != nil {
			return info, err
		}
		m := be16(b)
		if m == markerSOB || m == markerEOI {
			break
		}
		if !isHeaderMarker(m) && m != markerSOF {
			return info, formatErr(off-2, "unexpected marker %04X", m)
		}
		if b, err = next(2); err != nil {
			return info, err
		}
		n := int(be16(b))
		if n < 2 {
			return info, formatErr(off-2, "segment length %d", n)
		}
		rest := n - 2
		if m == markerDTT { // its length comes from the filters: see parser.transformTable
			if b, err = next(2); err != nil {
				return info, err
			}
			size := dttSize(b[0], b[1])
			if n != size && n != 58 {
				return info, formatErr(off-4, "transform table length %d, want %d", n, size)
			}
			rest = size - 4
		}
		start := off
		body, err := next(rest)
		if err != nil {
			return info, err
		}
		switch m {
		case markerSOF:
			if frame != nil {
				return info, formatErr(start, "second frame header")
			}
			if frame, err = parseFrame(body, start); err != nil {
				return info, err
			}
		case markerCOM:
			info.Comments = append(info.Comments, commentText(body))
		}
	}
	if frame == nil {
		return info, formatErr(off, "no frame header before the image data")
	}
	info.Width, info.Height = frame.width, frame.height
	for _, c := range info.Comments {
		if !strings.HasPrefix(c, "NIST_COM") {
			continue
		}
		if v, ok := nistValue(c, "PPI"); ok {
			if n, err := strconv.Atoi(v); err == nil {
				info.PPI = n
			}
		}
		if v, ok := nistValue(c, "WSQ_BITRATE"); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				info.BitRate = f
			}
		}
		break // the first NISTCOM is the one that counts, as in NBIS
	}
	return info, nil
}

// nistValue looks name up in a NISTCOM's "NAME value" lines.
func nistValue(com, name string) (string, bool) {
	for line := range strings.SplitSeq(com, "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), " ")
		if k == name {
			return strings.TrimSpace(v), true
		}
	}
	return "", false
}

// commentText is a COM segment's text; some writers end it with NULs.
func commentText(b []byte) string { return strings.TrimRight(string(b), "\x00") }

func be16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }

// isHeaderMarker reports the segments allowed between the others: tables, comments and
// the restart interval.
func isHeaderMarker(m uint16) bool {
	switch m {
	case markerDTT, markerDQT, markerDHT, markerCOM, markerDRT:
		return true
	}
	return false
}

type frameHeader struct {
	width, height int
	shift, scale  float32
}

func parseFrame(b []byte, off int) (*frameHeader, error) {
	if len(b) != 15 {
		return nil, formatErr(off, "frame header of %d bytes, want 15", len(b))
	}
	f := &frameHeader{
		height: int(be16(b[2:])),
		width:  int(be16(b[4:])),
		shift:  decimal{b[6], uint32(be16(b[7:]))}.value(),
		scale:  decimal{b[9], uint32(be16(b[10:]))}.value(),
	}
	if f.width == 0 || f.height == 0 {
		return nil, formatErr(off, "image size %d×%d", f.width, f.height)
	}
	if f.width > maxDim || f.height > maxDim {
		return nil, formatErr(off, "image size %d×%d exceeds the %d×%d this decoder accepts", f.width, f.height, maxDim, maxDim)
	}
	return f, nil
}

// parser decodes a whole file held in memory.
type parser struct {
	data  []byte
	pos   int
	bank  *bank
	quant *quantTable
	huff  [8]*decoder
	frame *frameHeader
}

// Limits on what Decode accepts: a fingerprint, not any picture. Real index-finger
// sensors give 248 × 338 to 640 × 480 at 500 ppi; a forged header claiming 10000 ×
// 10000 would cost hundreds of megabytes, the zero runs of the entropy code backing it
// up from a few hundred bytes.
const (
	MaxSide   = 2000
	MaxPixels = 1000 * 1000
)

// SizeError is a WSQ image larger than a fingerprint: refused from its header.
type SizeError struct{ Width, Height int }

func (e *SizeError) Error() string {
	return fmt.Sprintf("wsq: la imagen dice medir %d × %d pixeles, más que una huella (hasta %d pixeles, %d por lado) "+
		"(the image says it is %d × %d pixels, more than a fingerprint: at most %d pixels, %d a side)",
		e.Width, e.Height, MaxPixels, MaxSide, e.Width, e.Height, MaxPixels, MaxSide)
}

func (p *parser) decode() (*image.Gray, error) {
	m, err := p.marker()
	if err != nil {
		return nil, err
	}
	if m != markerSOI {
		return nil, formatErr(0, "no SOI marker: not a WSQ file")
	}
	// Tables and comments, then the frame header.
	for {
		if m, err = p.marker(); err != nil {
			return nil, err
		}
		if m == markerSOF {
			body, off, err := p.segment()
			if err != nil {
				return nil, err
			}
			if p.frame, err = parseFrame(body, off); err != nil {
				return nil, err
			}
			break
		}
		if err := p.table(m, true); err != nil {
			return nil, err
		}
	}
	if w, h := p.frame.width, p.frame.height; w > MaxSide || h > MaxSide || w*h > MaxPixels {
		return nil, &SizeError{Width: w, Height: h}
	}
	l := newLayout(p.frame.width, p.frame.height)

	// Blocks of entropy-coded data, with tables and comments between them, up to EOI. The
	// coefficients of all blocks form one sequence in subband order; the buffer grows as
	// data arrives, so a forged size costs nothing until the data backs it up.
	var coef []int32
	var need, limit int
	started := false
	if m, err = p.marker(); err != nil {
		return nil, err
	}
	for m != markerEOI {
		if m != markerSOB {
			if err := p.table(m, !started); err != nil {
				return nil, err
			}
			if m, err = p.marker(); err != nil {
				return nil, err
			}
			continue
		}
		body, off, err := p.segment()
		if err != nil {
			return nil, err
		}
		if len(body) != 1 {
			return nil, formatErr(off, "block header of %d bytes, want 1", len(body))
		}
		if !started {
			if p.quant == nil {
				return nil, formatErr(off, "no quantisation table before the image data")
			}
			for k, r := range l.bands {
				if p.quant.q[k] != 0 {
					limit += r.area()
					if k < 60 {
						need += r.area()
					}
				}
			}
			coef = make([]int32, 0, min(need, 32*(len(p.data)-p.pos)))
			started = true
		}
		id := int(body[0])
		if id >= len(p.huff) || p.huff[id] == nil {
			return nil, formatErr(off, "block uses Huffman table %d, which is not defined", id)
		}
		if coef, m, err = p.blockData(p.huff[id], coef, limit); err != nil {
			return nil, err
		}
	}
	if p.bank == nil {
		return nil, formatErr(p.pos, "no transform table")
	}
	if !started {
		if p.quant == nil {
			return nil, formatErr(p.pos, "no quantisation table")
		}
		for k, r := range l.bands[:60] {
			if p.quant.q[k] != 0 {
				need += r.area()
			}
		}
	}
	if len(coef) < need {
		return nil, formatErr(p.pos, "image data ends after %d of %d coefficients", len(coef), need)
	}
	return p.reconstruct(coef, l), nil
}

// reconstruct turns the coefficients back into pixels.
func (p *parser) reconstruct(coef []int32, l *layout) *image.Gray {
	w, h := p.frame.width, p.frame.height
	plane := make([]float32, w*h)
	q := p.quant
	i := 0
	for k, r := range l.bands[:60] {
		if q.q[k] == 0 {
			continue
		}
		step, halfZ := q.q[k], q.z[k]/2
		for y := r.y; y < r.y+r.h; y++ {
			row := plane[y*w+r.x : y*w+r.x+r.w]
			for x := range row {
				row[x] = dequantize(coef[i], step, halfZ, q.center)
				i++
			}
		}
	}
	newTransformer(p.bank, w, h).inverse(plane, l)
	img := image.NewGray(image.Rect(0, 0, w, h))
	shift, scale := p.frame.shift, p.frame.scale
	for i, f := range plane {
		v := f*scale + shift + 0.5
		switch {
		case !(v >= 0): // also NaN
			img.Pix[i] = 0
		case v > 255:
			img.Pix[i] = 255
		default:
			img.Pix[i] = uint8(v)
		}
	}
	return img
}

func (p *parser) marker() (uint16, error) {
	if p.pos+2 > len(p.data) {
		return 0, formatErr(len(p.data), "file ends early")
	}
	m := be16(p.data[p.pos:])
	if m>>8 != 0xff {
		return 0, formatErr(p.pos, "expected a marker, found %02X %02X", m>>8, m&0xff)
	}
	p.pos += 2
	return m, nil
}

// segment reads a marker segment's length and returns its body and the body's offset.
func (p *parser) segment() ([]byte, int, error) {
	if p.pos+2 > len(p.data) {
		return nil, len(p.data), formatErr(len(p.data), "file ends early")
	}
	n := int(be16(p.data[p.pos:]))
	if n < 2 {
		return nil, p.pos, formatErr(p.pos, "segment length %d", n)
	}
	start := p.pos + 2
	if start+n-2 > len(p.data) {
		return nil, start, formatErr(len(p.data), "file ends inside a %d-byte segment", n)
	}
	p.pos = start + n - 2
	return p.data[start:p.pos], start, nil
}

// table reads a table, comment or restart-interval segment. The quantisation table may
// only come before the first block, since it fixes how many coefficients there are.
func (p *parser) table(m uint16, quantOK bool) error {
	at := p.pos - 2
	if !isHeaderMarker(m) || (m == markerDQT && !quantOK) {
		return formatErr(at, "unexpected marker %04X", m)
	}
	if m == markerDTT {
		return p.transformTable()
	}
	body, off, err := p.segment()
	if err != nil {
		return err
	}
	switch m {
	case markerDQT:
		p.quant, err = parseQuant(body, off)
	case markerDHT:
		err = p.parseHuffman(body, off)
	}
	return err
}

// transformTable reads a DTT segment. Its length is implied by the filter lengths; NBIS
// writes 58, right for the 9/7 pair only, whatever the filters, and reads by the
// structure, so a 58 that disagrees is taken as that quirk.
func (p *parser) transformTable() error {
	if p.pos+4 > len(p.data) {
		return formatErr(len(p.data), "file ends early")
	}
	n := int(be16(p.data[p.pos:]))
	size := dttSize(p.data[p.pos+2], p.data[p.pos+3])
	if n != size && n != 58 {
		return formatErr(p.pos, "transform table length %d, want %d", n, size)
	}
	start := p.pos + 2
	if start+size-2 > len(p.data) {
		return formatErr(len(p.data), "file ends inside the transform table")
	}
	p.pos = start + size - 2
	var err error
	p.bank, err = parseTransform(p.data[start:p.pos], start)
	return err
}

// dttSize is the length of a DTT segment for filters of these lengths.
func dttSize(loLen, hiLen byte) int { return 2 + 2 + 6*((int(loLen)+1)/2+(int(hiLen)+1)/2) }

// parseTransform reads a DTT segment: the lengths of the analysis low- and high-pass
// filters, then the right half of each as sign, decimal exponent and 32-bit integer.
func parseTransform(b []byte, off int) (*bank, error) {
	if len(b) < 2 {
		return nil, formatErr(off, "transform table of %d bytes", len(b))
	}
	loLen, hiLen := int(b[0]), int(b[1])
	// Longer filters than a few dozen taps are no wavelet anyone uses, and would make a
	// forged file slow to decode.
	if loLen == 0 || hiLen == 0 || loLen%2 != hiLen%2 || loLen > 32 || hiLen > 32 {
		return nil, formatErr(off, "filter lengths %d and %d are not supported", loLen, hiLen)
	}
	nLo, nHi := (loLen+1)/2, (hiLen+1)/2
	if len(b) != 2+6*(nLo+nHi) {
		return nil, formatErr(off, "transform table of %d bytes, want %d", len(b), 2+6*(nLo+nHi))
	}
	taps := make([]float32, nLo+nHi)
	for i := range taps {
		c := b[2+6*i:]
		taps[i] = decimal{c[1], uint32(c[2])<<24 | uint32(c[3])<<16 | uint32(c[4])<<8 | uint32(c[5])}.value()
		if c[0] != 0 {
			taps[i] = -taps[i]
		}
	}
	return newBank(taps[:nLo], taps[nLo:], loLen, hiLen), nil
}

// parseQuant reads a DQT segment: the bin centre, then bin and zero-bin widths for the 64
// subbands.
func parseQuant(b []byte, off int) (*quantTable, error) {
	if len(b) != 3+64*6 {
		return nil, formatErr(off, "quantisation table of %d bytes, want %d", len(b), 3+64*6)
	}
	q := &quantTable{center: decimal{b[0], uint32(be16(b[1:]))}.value()}
	for k := range 64 {
		c := b[3+6*k:]
		q.q[k] = decimal{c[0], uint32(be16(c[1:]))}.value()
		q.z[k] = decimal{c[3], uint32(be16(c[4:]))}.value()
	}
	return q, nil
}

// parseHuffman reads a DHT segment, which may define several tables.
func (p *parser) parseHuffman(b []byte, off int) error {
	for len(b) > 0 {
		if len(b) < 17 {
			return formatErr(off, "Huffman table cut short")
		}
		id := int(b[0])
		if id >= len(p.huff) {
			return formatErr(off, "Huffman table number %d (at most %d)", id, len(p.huff)-1)
		}
		var t huffTable
		copy(t.bits[:], b[1:17])
		n := 0
		for _, c := range t.bits {
			n += int(c)
		}
		if n > 257 || len(b) < 17+n {
			return formatErr(off, "Huffman table %d promises %d values, has %d", id, n, len(b)-17)
		}
		t.values = slices.Clone(b[17 : 17+n])
		d, ok := newDecoder(&t)
		if !ok {
			return formatErr(off, "Huffman table %d has more codes than its lengths allow", id)
		}
		p.huff[id] = d
		b = b[17+n:]
		off += 17 + n
	}
	return nil
}

// errMarker stops the bit reader at a marker.
var errMarker = errors.New("marker")

// bitReader reads entropy-coded data, unstuffing 0xFF 00 and stopping at markers.
type bitReader struct {
	data   []byte
	pos    int
	cur    uint32
	n      uint
	marker uint16
}

func (br *bitReader) bit() (uint32, error) {
	if br.n == 0 {
		if br.pos >= len(br.data) {
			return 0, formatErr(br.pos, "file ends inside the image data")
		}
		b := br.data[br.pos]
		if b == 0xff {
			if br.pos+1 >= len(br.data) {
				return 0, formatErr(br.pos+1, "file ends inside the image data")
			}
			if b2 := br.data[br.pos+1]; b2 != 0 {
				br.marker = 0xff00 | uint16(b2)
				br.pos += 2
				return 0, errMarker
			}
			br.pos++
		}
		br.pos++
		br.cur, br.n = uint32(b), 8
	}
	br.n--
	return br.cur >> br.n & 1, nil
}

// bits reads an n-bit number that follows an escape symbol.
func (br *bitReader) bits(n int) (uint32, error) {
	var v uint32
	for range n {
		b, err := br.bit()
		if err == errMarker {
			return 0, formatErr(br.pos-2, "marker %04X inside a coefficient", br.marker)
		}
		if err != nil {
			return 0, err
		}
		v = v<<1 | b
	}
	return v, nil
}

// symbol decodes one Huffman symbol. Restart markers realign to the byte that follows
// them; any other marker ends the block (errMarker), dropping the bits of a code begun in
// the padding.
func (br *bitReader) symbol(d *decoder) (int, error) {
restart:
	code := int32(0)
	for l := 1; l <= 16; l++ {
		b, err := br.bit()
		if err == errMarker && isRestart(br.marker) {
			goto restart
		}
		if err != nil {
			return 0, err
		}
		code = code<<1 | int32(b)
		if code <= d.maxCode[l] {
			return int(d.values[d.valPtr[l]+code-d.minCode[l]]), nil
		}
	}
	return 0, formatErr(br.pos, "invalid Huffman code")
}

// blockData decodes one block's coefficients onto coef, until the marker that ends the
// block, which it returns.
func (p *parser) blockData(d *decoder, coef []int32, limit int) ([]int32, uint16, error) {
	br := bitReader{data: p.data, pos: p.pos}
	for {
		sym, err := br.symbol(d)
		if err == errMarker {
			p.pos = br.pos
			return coef, br.marker, nil
		}
		if err != nil {
			return nil, 0, err
		}
		var v uint32
		switch {
		case sym >= 1 && sym <= maxRunSym:
			v = uint32(sym)
		case sym == symRun8 || sym == symPos8 || sym == symNeg8:
			v, err = br.bits(8)
		case sym == symRun16 || sym == symPos16 || sym == symNeg16:
			v, err = br.bits(16)
		case sym > symRun16 && sym < 0xff:
		default:
			return nil, 0, formatErr(br.pos, "invalid Huffman symbol %d", sym)
		}
		if err != nil {
			return nil, 0, err
		}
		if sym <= maxRunSym || sym == symRun8 || sym == symRun16 {
			if len(coef)+int(v) > limit {
				return nil, 0, formatErr(br.pos, "more coefficients than the subbands hold")
			}
			n := len(coef)
			coef = slices.Grow(coef, int(v))[:n+int(v)]
			clear(coef[n:])
			continue
		}
		if len(coef) >= limit {
			return nil, 0, formatErr(br.pos, "more coefficients than the subbands hold")
		}
		var c int32
		switch sym {
		case symPos8, symPos16:
			c = int32(v)
		case symNeg8, symNeg16:
			c = -int32(v)
		default:
			c = int32(sym - coeffBias)
		}
		coef = append(coef, c)
	}
}
