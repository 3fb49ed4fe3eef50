package wsq

// The transform is separable: each split filters the rows of a region, then its columns,
// each line into a low-pass half and a high-pass half, decimated by two. Lines are extended
// symmetrically at both ends, which keeps the transform invertible on any length:
// odd-length filters (the standard 9/7 pair) use whole-sample symmetry, even-length ones
// half-sample symmetry, with the high-pass band antisymmetric.

// Analysis filters of encoder number one (the specification's 9/7 biorthogonal pair),
// centre tap first, as the DTT segment stores them.
var (
	lo97 = [5]float64{0.85269867900940344, 0.37740285561265380, -0.11062440441842342, -0.02384946501938000, 0.03782845550699546}
	hi97 = [4]float64{0.78848561640566439, -0.41809227322221221, -0.04068941760955844, 0.06453888262893845}
)

// bank is a filter pair with the taps written out in full.
type bank struct {
	even   bool
	lo, hi []float32 // analysis, applied as correlations
	g0, g1 []float32 // synthesis, for the low and the high band
	pad    int       // samples of extension either side of a line (even)
	poly   [2][2]taps
}

// newBank builds a bank from the half filters a DTT segment carries: for odd lengths the
// centre tap and those to its right, for even lengths the right half. Synthesis filters are
// the analysis ones modulated by (-1)^k, swapped between the bands, as NBIS derives them.
func newBank(loHalf, hiHalf []float32, loLen, hiLen int) *bank {
	b := &bank{even: loLen%2 == 0}
	b.lo = make([]float32, loLen)
	b.hi = make([]float32, hiLen)
	b.g1 = make([]float32, loLen)
	b.g0 = make([]float32, hiLen)
	sign := func(k int) float32 {
		if k%2 == 0 {
			return 1
		}
		return -1
	}
	if !b.even {
		cl, ch := loLen/2, hiLen/2
		for k, v := range loHalf {
			b.lo[cl+k], b.lo[cl-k] = v, v
			b.g1[cl+k], b.g1[cl-k] = sign(k)*v, sign(k)*v
		}
		for k, v := range hiHalf {
			b.hi[ch+k], b.hi[ch-k] = v, v
			b.g0[ch+k], b.g0[ch-k] = sign(k)*v, sign(k)*v
		}
	} else {
		cl, ch := loLen/2, hiLen/2
		for k, v := range loHalf {
			b.lo[cl+k], b.lo[cl-1-k] = v, v
			b.g1[cl+k], b.g1[cl-1-k] = sign(k)*v, -sign(k)*v
		}
		for k, v := range hiHalf {
			b.hi[ch+k], b.hi[ch-1-k] = v, -v
			b.g0[ch+k], b.g0[ch-1-k] = -sign(k)*v, -sign(k)*v
		}
	}
	p := max(loLen, hiLen) + 4
	b.pad = p + p%2
	b.polyphase()
	return b
}

// taps are the synthesis filter taps one output parity takes from one band: c[i] meets
// band sample m+off+i for output 2m+π.
type taps struct {
	c   []float32
	off int
}

// polyphase splits the synthesis filters by output parity. Output sample j = 2m+π takes
// filter tap k from band sample m+d/2, d = π+a-k-phase, for the k that make d even: for odd
// filters the low band sits on even positions and the high band on odd ones, for even
// filters both sit on positions 2q+½.
func (b *bank) polyphase() {
	for par := range 2 {
		for band, g := range [2][]float32{b.g0, b.g1} {
			a, phase := len(g)/2, band // centre tap; band parity on the grid
			if b.even {
				a, phase = len(g)/2-1, 0
			}
			t := &b.poly[par][band]
			// Offsets fall as k rises; collect the taps in order of rising offset.
			for k := len(g) - 1; k >= 0; k-- {
				if d := par + a - k - phase; d%2 == 0 {
					if t.c == nil {
						t.off = d / 2
					}
					t.c = append(t.c, g[k])
				}
			}
		}
	}
}

// mirror maps position p of the extended line onto [0, n): whole-sample symmetry about 0
// and n-1 (odd filters) or half-sample symmetry about -½ and n-½ (even filters).
func mirror(p, n int, even bool) int {
	if even {
		period := 2 * n
		p %= period
		if p < 0 {
			p += period
		}
		if p >= n {
			p = period - 1 - p
		}
		return p
	}
	if n == 1 {
		return 0
	}
	period := 2 * (n - 1)
	p %= period
	if p < 0 {
		p += period
	}
	if p >= n {
		p = period - p
	}
	return p
}

// analyze splits line src (length n) into dst: the low band ((n+1)/2 samples) then the
// high band (n/2), or the other way round when inv is set. ext is scratch of at least
// n+2*b.pad.
func (b *bank) analyze(dst, src []float32, inv bool, ext []float32) {
	n := len(src)
	if n == 0 {
		return
	}
	pad := b.pad
	ext = ext[:n+2*pad]
	copy(ext[pad:], src)
	for i := 0; i < pad; i++ {
		ext[pad-1-i] = src[mirror(-1-i, n, b.even)]
		ext[pad+n+i] = src[mirror(n+i, n, b.even)]
	}
	llen, hlen := (n+1)/2, n/2
	low, high := dst[:llen], dst[llen:n]
	if inv {
		high, low = dst[:hlen], dst[hlen:n]
	}
	// Odd filters centre low output i on sample 2i and high output i on 2i+1; even
	// ones centre both on 2i+½.
	var ol, oh int
	if b.even {
		ol, oh = 1-len(b.lo)/2, 1-len(b.hi)/2
	} else {
		ol, oh = -(len(b.lo) / 2), 1-len(b.hi)/2
	}
	for i := range low {
		x := ext[pad+2*i+ol:]
		x = x[:len(b.lo)]
		var s float32
		for k, f := range b.lo {
			s += float32(f * x[k]) // no fused multiply-add: the same files on every platform
		}
		low[i] = s
	}
	hsign := float32(1)
	if b.even {
		hsign = -1 // NBIS's sign for the antisymmetric band
	}
	for i := range high {
		x := ext[pad+2*i+oh:]
		x = x[:len(b.hi)]
		var s float32
		for k, f := range b.hi {
			s += float32(f * x[k])
		}
		high[i] = hsign * s
	}
}

// synthesize is the inverse of analyze: src holds the two bands of a line of length
// len(dst). extL and extH are scratch of at least len(dst)+2*b.pad.
//
// Conceptually both bands are put back on the line's grid with zeros between their
// samples, extended, and filtered with the synthesis filters. Only every other tap meets a
// sample, so each output parity has its own short list of taps into the bands.
func (b *bank) synthesize(dst, src []float32, inv bool, extL, extH []float32) {
	n := len(dst)
	if n == 0 {
		return
	}
	llen, hlen := (n+1)/2, n/2
	low, high := src[:llen], src[llen:n]
	if inv {
		high, low = src[:hlen], src[hlen:n]
	}
	// The bands, extended: entry padB+q is low-band sample q (odd filters: at position
	// 2q; even ones: at 2q+½) and high-band sample q (2q+1, or 2q+½).
	padB := b.pad / 2
	m := (n+1)/2 + 2*padB
	extL, extH = extL[:m], extH[:m]
	for q := -padB; q < m-padB; q++ {
		var l, h float32
		switch {
		case q >= 0 && q < llen && (q < hlen || b.even && q == hlen):
			l = low[q]
			if q < hlen {
				h = high[q]
			}
		case b.even:
			l, h = upsampleHalf(low, high, 2*q, n)
		default:
			if p := mirror(2*q, n, false); p%2 == 0 {
				l = low[p/2]
			}
			if p := mirror(2*q+1, n, false); p%2 == 1 {
				h = high[p/2]
			}
		}
		extL[padB+q], extH[padB+q] = l, h
	}
	for j := range dst {
		pl, ph := &b.poly[j&1][0], &b.poly[j&1][1]
		el := extL[padB+j/2+pl.off:]
		el = el[:len(pl.c)]
		eh := extH[padB+j/2+ph.off:]
		eh = eh[:len(ph.c)]
		var s float32
		for i, c := range pl.c {
			s += float32(c * el[i])
		}
		for i, c := range ph.c {
			s += float32(c * eh[i])
		}
		dst[j] = s
	}
}

// upsampleHalf gives the low and high band values at slot s (position s+½) of a line of
// length n under the even filters' extension: both bands symmetric about -½ and n-½, the
// high band antisymmetric (so zero at a centre it falls on).
func upsampleHalf(low, high []float32, s, n int) (l, h float32) {
	// Work in doubled positions: slot s is 2s+1, the centres are -1 and 2n-1.
	p := 2*s + 1
	period := 4 * n
	p = (p+1)%period - 1
	if p < -1 {
		p += period
	}
	sign := float32(1)
	if p > 2*n-1 {
		p = 4*n - 2 - p
		sign = -1
	}
	if p%4 != 1 && p%4 != -3 { // odd slot: nothing there
		return 0, 0
	}
	i := (p - 1) / 4
	if i < len(low) {
		l = low[i]
	}
	if i < len(high) {
		h = sign * high[i]
	}
	return l, h
}

// transformer runs the 2-D splits of a layout over a plane of width w.
type transformer struct {
	b          *bank
	w          int
	line, tmp  []float32
	ext1, ext2 []float32
}

func newTransformer(b *bank, w, h int) *transformer {
	n := max(w, h)
	return &transformer{
		b: b, w: w,
		line: make([]float32, n), tmp: make([]float32, n),
		ext1: make([]float32, n+2*b.pad), ext2: make([]float32, n+2*b.pad),
	}
}

// forward decomposes plane in place.
func (t *transformer) forward(plane []float32, l *layout) {
	for _, nd := range l.nodes {
		r := nd.r
		for y := r.y; y < r.y+r.h; y++ {
			row := plane[y*t.w+r.x : y*t.w+r.x+r.w]
			line := t.line[:r.w]
			copy(line, row)
			t.b.analyze(row, line, nd.invX, t.ext1)
		}
		for x := r.x; x < r.x+r.w; x++ {
			col, out := t.line[:r.h], t.tmp[:r.h]
			for i := range col {
				col[i] = plane[(r.y+i)*t.w+x]
			}
			t.b.analyze(out, col, nd.invY, t.ext1)
			for i, v := range out {
				plane[(r.y+i)*t.w+x] = v
			}
		}
	}
}

// inverse reconstructs plane in place, undoing forward.
func (t *transformer) inverse(plane []float32, l *layout) {
	for ni := len(l.nodes) - 1; ni >= 0; ni-- {
		nd := l.nodes[ni]
		r := nd.r
		for x := r.x; x < r.x+r.w; x++ {
			col, out := t.line[:r.h], t.tmp[:r.h]
			for i := range col {
				col[i] = plane[(r.y+i)*t.w+x]
			}
			t.b.synthesize(out, col, nd.invY, t.ext1, t.ext2)
			for i, v := range out {
				plane[(r.y+i)*t.w+x] = v
			}
		}
		for y := r.y; y < r.y+r.h; y++ {
			row := plane[y*t.w+r.x : y*t.w+r.x+r.w]
			line := t.line[:r.w]
			copy(line, row)
			t.b.synthesize(row, line, nd.invX, t.ext1, t.ext2)
		}
	}
}
