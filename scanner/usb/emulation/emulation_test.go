package emulation

import (
	"context"
	"fmt"
	"math"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMT19937 checks the generator against the reference outputs of MT19937 for its
// authors' default seed, 5489: the first ten, and the 10,000th, which C++'s std::mt19937
// is required to give (4123659995).
func TestMT19937(t *testing.T) {
	r := NewRand(5489)
	first := []uint32{3499211612, 581869302, 3890346734, 3586334585, 545404204,
		4161255391, 3922919429, 949333985, 2715962298, 1323567403}
	for i, want := range first {
		if got := r.Uint32(); got != want {
			t.Fatalf("output %d = %d, want %d", i+1, got, want)
		}
	}
	var v uint32
	for range 10000 - len(first) {
		v = r.Uint32()
	}
	if v != 4123659995 {
		t.Errorf("output 10000 = %d, want 4123659995", v)
	}
}

// TestFacade pins what libfprint's drivers draw under emulation: GLib's numbers from
// 0xFACADE, and the seeds the uru4000 driver sends (g_rand_int_range(0, RAND_MAX)).
// The first, 0x51ea2124, is the seed in the U.are.U 4500 recording libfprint's test
// suite made. The values are what GLib 2.74 gives (TestGLib checks them there).
func TestFacade(t *testing.T) {
	r := NewRand(Seed)
	for i, want := range []uint32{0xd1ea2123, 0xf35a311f, 0x63735d1f, 0xd97e3283, 0xb60d0cf2, 0x4af06f24} {
		if got := r.Uint32(); got != want {
			t.Errorf("g_rand_int %d = %#x, want %#x", i+1, got, want)
		}
	}
	r = NewRand(Seed)
	for i, want := range []int32{0x51ea2124, 0x735a3120, 0x63735d1f, 0x597e3284, 0x360d0cf3, 0x4af06f24} {
		if got := r.Int32Range(0, math.MaxInt32); got != want {
			t.Errorf("g_rand_int_range %d = %#x, want %#x", i+1, got, want)
		}
	}
}

func TestInt32Range(t *testing.T) {
	tests := []struct {
		begin, end int32
	}{
		{0, 1}, {0, 2}, {0, 10}, {-5, 5}, {0, 1 << 16}, {0, 1<<16 + 1}, {0, math.MaxInt32},
		{math.MinInt32, math.MaxInt32}, {math.MinInt32, 0}, {100, 1 << 30},
	}
	for _, tt := range tests {
		r := NewRand(1)
		for range 1000 {
			v := r.Int32Range(tt.begin, tt.end)
			if v < tt.begin || v >= tt.end {
				t.Fatalf("Int32Range(%d, %d) = %d, out of range", tt.begin, tt.end, v)
			}
		}
	}
	if got := NewRand(1).Int32Range(3, 3); got != 3 {
		t.Errorf("empty range: %d, want its begin", got)
	}
}

// TestGLib compares the generator with GLib itself, called through Python's ctypes:
// g_rand_int and g_rand_int_range over several seeds and ranges, past the first
// regeneration of the state (624 numbers).
func TestGLib(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("skipping: no python3 to call GLib through ctypes (Debian package python3)")
	}
	const script = `
import ctypes, sys
g = ctypes.CDLL("libglib-2.0.so.0")
g.g_rand_new_with_seed.restype = ctypes.c_void_p
g.g_rand_new_with_seed.argtypes = [ctypes.c_uint32]
g.g_rand_int.restype = ctypes.c_uint32
g.g_rand_int.argtypes = [ctypes.c_void_p]
g.g_rand_int_range.restype = ctypes.c_int32
g.g_rand_int_range.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_int32]
for line in sys.argv[1:]:
    seed, begin, end, count = (int(x) for x in line.split(","))
    r = g.g_rand_new_with_seed(seed)
    if begin == end:
        out = [g.g_rand_int(r) for _ in range(count)]
    else:
        out = [g.g_rand_int_range(r, begin, end) for _ in range(count)]
    print(" ".join(str(v) for v in out))
`
	type run struct {
		seed       uint32
		begin, end int32 // equal: Uint32
		count      int
	}
	runs := []run{
		{Seed, 0, 0, 1500}, {5489, 0, 0, 700}, {0, 0, 0, 700}, {0xffffffff, 0, 0, 700},
		{Seed, 0, math.MaxInt32, 1500}, {7, 0, 10, 700}, {7, -1000, 1000, 700},
		{9, 0, 1 << 16, 700}, {9, 0, 1<<16 + 1, 700}, {11, math.MinInt32, math.MaxInt32, 700},
		{13, 0, 3 << 29, 700},
	}
	args := []string{"-c", script}
	for _, r := range runs {
		args = append(args, fmt.Sprintf("%d,%d,%d,%d", r.seed, r.begin, r.end, r.count))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, py, args...).CombinedOutput()
	if err != nil {
		if strings.Contains(string(out), "libglib-2.0.so.0") {
			t.Skipf("skipping: GLib is not installed (Debian package libglib2.0-0): %s", out)
		}
		t.Fatalf("python3: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(runs) {
		t.Fatalf("%d lines from python3, want %d:\n%s", len(lines), len(runs), out)
	}
	for i, run := range runs {
		r := NewRand(run.seed)
		for j, f := range strings.Fields(lines[i]) {
			want, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			var got int64
			if run.begin == run.end {
				got = int64(r.Uint32())
			} else {
				got = int64(r.Int32Range(run.begin, run.end))
			}
			if got != want {
				t.Errorf("seed %d range [%d, %d): number %d is %d, GLib gives %d", run.seed, run.begin, run.end, j+1, got, want)
				break
			}
		}
	}
}

func TestEnabled(t *testing.T) {
	for v, want := range map[string]bool{"1": true, "": false, "0": false, "true": false, "yes": false} {
		if got := Enabled(func(k string) string {
			if k == Env {
				return v
			}
			return ""
		}); got != want {
			t.Errorf("%s=%q: %v, want %v", Env, v, got, want)
		}
	}
}

// The seed libfprint's uru4000 driver sends with the first key it asks a reader for,
// under FP_DEVICE_EMULATION=1.
func ExampleRand_Int32Range() {
	r := NewRand(Seed)
	fmt.Printf("%#x\n", r.Int32Range(0, math.MaxInt32))
	// Output: 0x51ea2124
}
