// Package emulation reproduces what libfprint's drivers do when FP_DEVICE_EMULATION=1
// is set, so that a recording of a reader (made by libfprint's test suite, or by a
// branch with umockdev-record) replays against Cotejo's own drivers: under that switch
// libfprint seeds the random numbers its drivers send to readers with a fixed value, and
// a replay answers only the numbers that were sent when it was recorded.
//
// What it holds is GLib's random number generator (GRand, GLib 2.2 and later): the
// Mersenne Twister MT19937 seeded as its authors' init_genrand does, with GLib's way of
// drawing an integer in a range. It is written from the published algorithm; it is not
// a source of secrets.
package emulation

// Env is the environment variable libfprint reads; "1" switches emulation on.
const Env = "FP_DEVICE_EMULATION"

// Seed is what libfprint seeds its drivers' generators with under emulation.
const Seed = 0xFACADE

// Enabled reports whether getenv (os.Getenv, or a test's) switches emulation on. Only
// "1" does, as in libfprint.
func Enabled(getenv func(string) string) bool { return getenv(Env) == "1" }

// MT19937's parameters.
const (
	n         = 624
	m         = 397
	matrixA   = 0x9908b0df
	upperMask = 0x80000000
	lowerMask = 0x7fffffff
)

// Rand is GLib's GRand: an MT19937 generator. It is not safe for concurrent use.
type Rand struct {
	mt [n]uint32
	i  int // next word of mt to temper; n when mt must be regenerated
}

// NewRand returns the generator g_rand_new_with_seed(seed) gives.
func NewRand(seed uint32) *Rand {
	r := &Rand{i: n}
	r.mt[0] = seed
	for i := 1; i < n; i++ {
		prev := r.mt[i-1]
		r.mt[i] = 1812433253*(prev^prev>>30) + uint32(i)
	}
	return r
}

// Uint32 returns the next 32-bit number, as g_rand_int does.
func (r *Rand) Uint32() uint32 {
	if r.i >= n {
		r.regenerate()
	}
	y := r.mt[r.i]
	r.i++
	y ^= y >> 11
	y ^= y << 7 & 0x9d2c5680
	y ^= y << 15 & 0xefc60000
	y ^= y >> 18
	return y
}

// regenerate twists the whole state at once, as every MT19937 does after n draws.
func (r *Rand) regenerate() {
	for k := range n {
		y := r.mt[k]&upperMask | r.mt[(k+1)%n]&lowerMask
		v := r.mt[(k+m)%n] ^ y>>1
		if y&1 != 0 {
			v ^= matrixA
		}
		r.mt[k] = v
	}
	r.i = 0
}

// Int32Range returns a number in [begin, end), as g_rand_int_range does: GLib draws
// again while the number falls in the last, incomplete multiple of the range's width,
// then takes the remainder, so the count of Uint32 calls it makes depends on the
// numbers drawn. end must be greater than begin; otherwise it returns begin (GLib warns
// and does the same).
func (r *Rand) Int32Range(begin, end int32) int32 {
	if end <= begin {
		return begin
	}
	dist := uint32(end) - uint32(begin)
	// The largest number kept is one less than the greatest multiple of dist that
	// fits in 2³²; computed without 64 bits, as 2³² % dist is twice 2³¹ % dist, less
	// dist when that overflows it.
	var maxValue uint32
	if dist <= 1<<31 {
		leftover := (1 << 31 % dist) * 2
		if leftover >= dist {
			leftover -= dist
		}
		maxValue = 0xffffffff - leftover
	} else {
		maxValue = dist - 1
	}
	v := r.Uint32()
	for v > maxValue {
		v = r.Uint32()
	}
	return int32(uint32(begin) + v%dist)
}
