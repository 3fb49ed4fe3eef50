package wsq

import (
	"cmp"
	"slices"
)

// Huffman symbols, as the specification assigns them: 1–100 are runs of that many zeros;
// after 101/102 an 8-bit positive/negative coefficient follows, after 103/104 a 16-bit one;
// after 105/106 an 8- or 16-bit zero-run length; 107–254 are the coefficients −73…74
// (symbol − 180).
const (
	maxRunSym  = 100
	symPos8    = 101
	symNeg8    = 102
	symPos16   = 103
	symNeg16   = 104
	symRun8    = 105
	symRun16   = 106
	coeffBias  = 180
	maxInTable = 74  // largest coefficient with its own symbol
	minInTable = -73 // smallest
	maxRun     = 0xffff
)

// huffTable is a canonical Huffman table as a DHT segment carries it.
type huffTable struct {
	bits   [16]uint8 // how many codes have each length 1…16
	values []uint8   // the symbols, in code order
}

// symbols walks the coded form of a block of quantised coefficients, calling emit for each
// symbol with the extra bits that follow it (nbits 0, 8 or 16).
func symbols(coef []int32, emit func(sym int, extra uint32, nbits uint)) {
	coeff := func(c int32) {
		switch {
		case c > maxInTable && c > 255:
			emit(symPos16, uint32(c), 16)
		case c > maxInTable:
			emit(symPos8, uint32(c), 8)
		case c < minInTable && c < -255:
			emit(symNeg16, uint32(-c), 16)
		case c < minInTable:
			emit(symNeg8, uint32(-c), 8)
		default:
			emit(int(c)+coeffBias, 0, 0)
		}
	}
	run := func(n int) {
		switch {
		case n <= maxRunSym:
			emit(n, 0, 0)
		case n <= 0xff:
			emit(symRun8, uint32(n), 8)
		default:
			emit(symRun16, uint32(n), 16)
		}
	}
	zeros := 0
	for _, c := range coef {
		if c == 0 {
			if zeros == maxRun {
				run(zeros)
				zeros = 0
			}
			zeros++
			continue
		}
		if zeros > 0 {
			run(zeros)
			zeros = 0
		}
		coeff(c)
	}
	if zeros > 0 {
		run(zeros)
	}
}

// buildTable makes a code for symbol counts, no longer than 16 bits and without the all-ones
// code, which the specification forbids (the padding at the end of a block is ones). That
// is JPEG's method (ITU T.81 annex K.2): a dummy symbol takes part in the tree and its
// code, the all-ones one, is thrown away.
func buildTable(counts *[256]int) huffTable {
	type item struct {
		count int
		sym   int // ≥ 0 a leaf, < 0 an inner node
	}
	var leaves []item
	for s, c := range counts {
		if c > 0 {
			leaves = append(leaves, item{c, s})
		}
	}
	if len(leaves) == 0 { // keep the table usable by every decoder
		leaves = append(leaves, item{1, 1})
	}
	leaves = append(leaves, item{1, 256}) // the dummy, counted once as in JPEG
	slices.SortFunc(leaves, func(a, b item) int {
		return cmp.Or(cmp.Compare(a.count, b.count), cmp.Compare(b.sym, a.sym))
	})
	// Two-queue Huffman: leaves in count order, inner nodes in creation order (which is
	// also count order).
	parent := make([]int, len(leaves)+len(leaves)-1)
	var inner []item
	li, ii := 0, 0
	take := func() (item, int) {
		if ii >= len(inner) || (li < len(leaves) && leaves[li].count <= inner[ii].count) {
			li++
			return leaves[li-1], li - 1
		}
		ii++
		return inner[ii-1], len(leaves) + ii - 1
	}
	for len(leaves)-li+len(inner)-ii > 1 {
		a, ia := take()
		b, ib := take()
		id := len(leaves) + len(inner)
		parent[ia], parent[ib] = id, id
		inner = append(inner, item{a.count + b.count, -1})
	}
	root := len(leaves) + len(inner) - 1
	depth := make([]int, root+1)
	for i := root - 1; i >= 0; i-- {
		depth[i] = depth[parent[i]] + 1
	}
	maxLen := 0
	for i := range leaves {
		maxLen = max(maxLen, depth[i])
	}
	bits := make([]int, maxLen+1)
	for i := range leaves {
		bits[depth[i]]++
	}
	// Limit lengths to 16 (annex K.3): a pair at the longest length gives way to one code
	// there and a longer code for a shorter one.
	for i := maxLen; i > 16; i-- {
		for bits[i] > 0 {
			j := i - 2
			for bits[j] == 0 {
				j--
			}
			bits[i] -= 2
			bits[i-1]++
			bits[j+1] += 2
			bits[j]--
		}
	}
	// Drop the dummy's code, the last (all-ones) one at the longest length.
	for i := min(maxLen, 16); i > 0; i-- {
		if bits[i] > 0 {
			bits[i]--
			break
		}
	}
	// Real symbols take the lengths in order of their tree depth. Within a length the
	// commoner symbols come first and get the codes with fewer ones, which makes fewer
	// 0xFF bytes to stuff; decoders take the values in any order.
	type ranked struct{ depth, count, sym int }
	syms := make([]ranked, 0, len(leaves)-1)
	for i, lf := range leaves {
		if lf.sym < 256 {
			syms = append(syms, ranked{depth[i], lf.count, lf.sym})
		}
	}
	slices.SortFunc(syms, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(a.depth, b.depth), cmp.Compare(b.count, a.count), cmp.Compare(a.sym, b.sym))
	})
	var t huffTable
	for l := 1; l <= 16 && l < len(bits); l++ {
		t.bits[l-1] = uint8(bits[l])
	}
	for _, r := range syms {
		t.values = append(t.values, uint8(r.sym))
	}
	return t
}

// codes gives each symbol's code and length (0 = no code).
func (t *huffTable) codes() (code [256]uint16, size [256]uint8) {
	c, k := 0, 0
	for l := 1; l <= 16; l++ {
		for range t.bits[l-1] {
			code[t.values[k]], size[t.values[k]] = uint16(c), uint8(l)
			c++
			k++
		}
		c <<= 1
	}
	return code, size
}

// decoder is a canonical table ready for decoding, the codes of each length being
// consecutive integers.
type decoder struct {
	maxCode [17]int32 // largest code of each length, -1 if none
	minCode [17]int32
	valPtr  [17]int32
	values  []uint8
}

// newDecoder checks that the table is a prefix code (a forged table may promise more codes
// than the lengths allow) and prepares it.
func newDecoder(t *huffTable) (*decoder, bool) {
	d := &decoder{values: t.values}
	code, k := int32(0), int32(0)
	for l := 1; l <= 16; l++ {
		n := int32(t.bits[l-1])
		d.maxCode[l] = -1
		if n > 0 {
			d.valPtr[l] = k
			d.minCode[l] = code
			d.maxCode[l] = code + n - 1
			code += n
			k += n
		}
		if code > 1<<l {
			return nil, false
		}
		code <<= 1
	}
	return d, true
}

// bitWriter packs Huffman-coded data, stuffing a zero byte after each 0xFF so no marker
// appears inside.
type bitWriter struct {
	buf []byte
	acc uint32
	n   uint
}

func (w *bitWriter) write(bits uint32, n uint) {
	w.acc = w.acc<<n | bits&(1<<n-1)
	w.n += n
	for w.n >= 8 {
		w.n -= 8
		b := byte(w.acc >> w.n)
		w.buf = append(w.buf, b)
		if b == 0xff {
			w.buf = append(w.buf, 0)
		}
	}
}

// flush pads the last byte with ones.
func (w *bitWriter) flush() {
	if w.n > 0 {
		w.write(1<<(8-w.n)-1, 8-w.n)
	}
	w.acc = 0
}
