package wsq

// rect is a region of the coefficient plane, which has the image's size.
type rect struct{ x, y, w, h int }

func (r rect) area() int { return r.w * r.h }

// split divides r the way one level of the transform does: the low-pass half comes first
// and takes the extra sample of an odd length, unless the axis is spectrally inverted, when
// the high-pass half comes first. The four quarters come back in reading order.
func split(r rect, invX, invY bool) [4]rect {
	w0, h0 := (r.w+1)/2, (r.h+1)/2
	if invX {
		w0 = r.w / 2
	}
	if invY {
		h0 = r.h / 2
	}
	w1, h1 := r.w-w0, r.h-h0
	return [4]rect{
		{r.x, r.y, w0, h0},
		{r.x + w0, r.y, w1, h0},
		{r.x, r.y + h0, w0, h1},
		{r.x + w0, r.y + h0, w1, h1},
	}
}

// node is one 2-D split of the decomposition: rows are filtered (inverted or not), then
// columns.
type node struct {
	r          rect
	invX, invY bool
}

// layout is the specification's fixed decomposition of a width × height image: the 20
// splits in an order where every parent comes before its children, and the 64 subbands
// in the order their coefficients are coded. Subbands 60–63 (the finest diagonal detail)
// are never coded.
type layout struct {
	nodes [20]node
	bands [64]rect
}

// Blocks of subbands that share a data block: 0–18, 19–51 and 52–59.
var blockStart = [4]int{0, 19, 52, 60}

func newLayout(width, height int) *layout {
	l := new(layout)
	n := 0
	add := func(r rect, invX, invY bool) [4]rect {
		l.nodes[n] = node{r, invX, invY}
		n++
		return split(r, invX, invY)
	}
	// A 4 × 4 group: a region split once, then each quarter split again. The second
	// split of a quarter that came out of a high-pass filter is inverted on that axis, so
	// the subbands stay in order of frequency.
	group := func(r rect, invX, invY bool) (sub [16]rect) {
		q := add(r, invX, invY)
		for i, c := range q {
			s := add(c, i&1 == 1, i&2 == 2)
			copy(sub[4*i:], s[:])
		}
		return sub
	}

	img := add(rect{0, 0, width, height}, false, false)
	ll1 := add(img[0], false, false)
	hl1 := add(img[1], true, false)
	lh1 := add(img[2], false, true)
	hl2 := group(ll1[1], true, false)
	lh2 := group(ll1[2], false, true)
	ll2 := group(ll1[0], false, false)
	ll4 := add(ll2[0], false, false)

	b := l.bands[:0]
	b = append(b, ll4[:]...)         // 0–3
	b = append(b, ll2[1:]...)        // 4–18
	b = append(b, hl2[:]...)         // 19–34
	b = append(b, lh2[:]...)         // 35–50
	b = append(b, ll1[3])            // 51
	b = append(b, hl1[:]...)         // 52–55
	b = append(b, lh1[:]...)         // 56–59
	hh1 := split(img[3], true, true) // as NBIS lays them out
	_ = append(b, hh1[:]...)         // 60–63
	return l
}

// fitsSpec reports whether every split line is at least five samples long and every coded
// subband at least 3 × 3, which is what the encoder needs (see minDim).
func (l *layout) fitsSpec() bool {
	for _, nd := range l.nodes {
		if nd.r.w < 5 || nd.r.h < 5 {
			return false
		}
	}
	for _, r := range l.bands[:60] {
		if r.w < 3 || r.h < 3 {
			return false
		}
	}
	return true
}
