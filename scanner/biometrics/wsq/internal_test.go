package wsq

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The decomposition must tile the image with its 64 subbands, and every size from the
// minimum up must fit the encoder's needs.
func TestLayout(t *testing.T) {
	for _, s := range [][2]int{{500, 500}, {333, 251}, {257, 301}, {81, 81}, {832, 768}, {1, 1}, {7, 3}, {1000, 999}} {
		w, h := s[0], s[1]
		l := newLayout(w, h)
		cover := make([]int8, w*h)
		for _, r := range l.bands {
			for y := r.y; y < r.y+r.h; y++ {
				for x := r.x; x < r.x+r.w; x++ {
					cover[y*w+x]++
				}
			}
		}
		for i, c := range cover {
			if c != 1 {
				t.Fatalf("%d×%d: pixel (%d,%d) is in %d subbands", w, h, i%w, i/w, c)
			}
		}
	}
	for w := minDim; w < minDim+100; w++ {
		for _, h := range []int{minDim, minDim + 1, minDim + 7, 2*minDim + 3} {
			if !newLayout(w, h).fitsSpec() || !newLayout(h, w).fitsSpec() {
				t.Fatalf("%d×%d does not fit", w, h)
			}
		}
	}
	if newLayout(minDim-1, 200).fitsSpec() || newLayout(200, minDim-1).fitsSpec() {
		t.Errorf("minDim %d is not the least size that fits", minDim)
	}
}

// evenFilters is the 8/8 even-length pair NBIS can be built with (FILTBANK_EVEN_8X8_1),
// right halves.
func evenFilters() filters {
	return filters{8, 8,
		[]float64{0.85269867900940344, -0.09789296778409587, -0.12335584105275092, 0.07565691101399093},
		[]float64{-0.60328894481393847, 0.18870142780632693, 0.05261415011924844, -0.03226944131446922},
	}
}

// Analysis then synthesis gives the line back, for any length, both kinds of filter, both
// band orders; and so does the whole 2-D decomposition.
func TestPerfectReconstruction(t *testing.T) {
	rnd := rand.New(rand.NewPCG(1, 2))
	for name, f := range map[string]filters{"9/7": standardFilters(), "8/8": evenFilters()} {
		b := f.bank()
		for n := 1; n <= 64; n++ {
			for _, inv := range []bool{false, true} {
				src := make([]float32, n)
				for i := range src {
					src[i] = float32(rnd.NormFloat64() * 50)
				}
				mid, out := make([]float32, n), make([]float32, n)
				e1, e2 := make([]float32, n+2*b.pad), make([]float32, n+2*b.pad)
				b.analyze(mid, src, inv, e1)
				b.synthesize(out, mid, inv, e1, e2)
				for i := range src {
					if math.Abs(float64(out[i]-src[i])) > 1e-3 {
						t.Fatalf("%s n=%d inv=%v: sample %d: %g, want %g", name, n, inv, i, out[i], src[i])
					}
				}
			}
		}
		for _, s := range [][2]int{{81, 81}, {333, 251}, {128, 97}} {
			w, h := s[0], s[1]
			plane := make([]float32, w*h)
			for i := range plane {
				plane[i] = float32(rnd.NormFloat64() * 50)
			}
			orig := append([]float32(nil), plane...)
			l := newLayout(w, h)
			tr := newTransformer(b, w, h)
			tr.forward(plane, l)
			tr.inverse(plane, l)
			var worst float64
			for i := range plane {
				worst = math.Max(worst, math.Abs(float64(plane[i]-orig[i])))
			}
			if worst > 1e-2 {
				t.Errorf("%s %d×%d: 2-D reconstruction off by %g", name, w, h, worst)
			}
		}
	}
}

// Tables are at most 16 bits, a prefix code and free of the all-ones code, even for counts
// that make a plain Huffman code deeper than 16; symbols survive the bit writer and reader,
// 0xFF stuffing included.
func TestHuffman(t *testing.T) {
	rnd := rand.New(rand.NewPCG(3, 4))
	cases := map[string]*[256]int{}
	var fib, one, all, skew [256]int
	a, b := 1, 1
	for s := 1; s < 40; s++ { // Fibonacci counts: a 38-deep tree
		fib[s] = a
		a, b = b, a+b
	}
	one[7] = 100
	for s := 1; s < 255; s++ {
		all[s] = 1 + rnd.IntN(1000)
		skew[s] = 1
	}
	skew[180] = 1 << 20
	cases["fibonacci"], cases["one symbol"], cases["all"], cases["skewed"] = &fib, &one, &all, &skew
	for name, counts := range cases {
		tab := buildTable(counts)
		d, ok := newDecoder(&tab)
		if !ok {
			t.Fatalf("%s: not a prefix code: %v", name, tab.bits)
		}
		code, size := tab.codes()
		var syms []int
		for s, c := range counts {
			if c == 0 {
				continue
			}
			if size[s] == 0 || size[s] > 16 {
				t.Fatalf("%s: symbol %d has length %d", name, s, size[s])
			}
			if code[s] == 1<<size[s]-1 {
				t.Fatalf("%s: symbol %d has the all-ones code", name, s)
			}
			syms = append(syms, s)
		}
		var stream []int
		var bw bitWriter
		for range 5000 {
			s := syms[rnd.IntN(len(syms))]
			stream = append(stream, s)
			bw.write(uint32(code[s]), uint(size[s]))
			if rnd.IntN(4) == 0 { // extra bits, often 0xFF
				bw.write(0xff, 8)
				stream = append(stream, -1)
			}
		}
		bw.flush()
		br := bitReader{data: append(bw.buf, 0xff, markerEOI&0xff)}
		for i, want := range stream {
			var got int
			var err error
			if want == -1 {
				var v uint32
				v, err = br.bits(8)
				if got = int(v); v == 0xff {
					got = -1
				}
			} else {
				got, err = br.symbol(d)
			}
			if err != nil || got != want {
				t.Fatalf("%s: symbol %d: got %d, %v; want %d", name, i, got, err, want)
			}
		}
		if _, err := br.symbol(d); err != errMarker || br.marker != markerEOI {
			t.Fatalf("%s: end of data: %v, marker %04X", name, err, br.marker)
		}
	}
}

// Headers store numbers as decimals: what the encoder uses must be what a decoder reads.
func TestDecimal(t *testing.T) {
	for _, x := range []float64{0, 1, 0.44, 127.5, 255, 65534, 1e-9, 3.14159265, 0.852698679} {
		d, ok := toDecimal(x, 0xffff)
		if !ok || d.v > 0xffff {
			t.Fatalf("%g: %+v %v", x, d, ok)
		}
		if got := float64(d.value()); math.Abs(got-x) > 1e-4*x {
			t.Errorf("%g stored as %+v reads back %g", x, d, got)
		}
	}
	if _, ok := toDecimal(65535, 0xffff); ok {
		t.Error("65535 fits a 16-bit decimal")
	}
}
