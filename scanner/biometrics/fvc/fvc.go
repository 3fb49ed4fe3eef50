// Package fvc measures fingerprint accuracy the way the Fingerprint Verification
// Competitions do: a set of prints named <finger>_<impression>, every pair of
// impressions of one finger as a genuine pair, every pair of prints of different fingers
// as an impostor pair, and the error rates those scores give (EER, FNMR at a fixed FMR,
// ZeroFMR). It also draws the DET and error-versus-reject curves the documentation shows.
package fvc

import (
	"cmp"
	"errors"
	"fmt"
	"image"
	"image/draw"
	_ "image/png" // the real sets are PNG
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Print is one impression of a set.
type Print struct {
	Name       string // file name, e.g. 101_3.png
	Finger     string // e.g. 101
	Impression int    // e.g. 3
	Image      *image.Gray
}

// Set is a folder of prints.
type Set struct {
	Name   string
	PPI    int
	Prints []Print
}

// ErrNoFixtures means the real prints are not where they are looked for: they live
// outside the repository, in the workspace's shared fixtures.
var ErrNoFixtures = errors.New("fvc: the real fingerprint sets are not here (they live in ../shared/fixtures/fingerprints/real or $COTEJO_FIXTURES)")

// RealSets lists the shared fixtures' real sets and their documented resolutions.
var RealSets = []struct {
	Name string
	PPI  int
}{
	{"fvc2004_db1_b", 500},
	{"fvc2004_db3_b", 512},
	{"upek", 500},
	{"neurotech_crossmatch", 500},
}

// FixturesDir is the workspace's shared fixtures: $COTEJO_FIXTURES, or ../shared/fixtures
// beside the module root (the directory holding go.mod, found walking up from the
// working directory).
func FixturesDir() (string, error) {
	if d := os.Getenv("COTEJO_FIXTURES"); d != "" {
		return d, nil
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "fixtures"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", ErrNoFixtures
		}
		dir = parent
	}
}

// LoadReal loads one of RealSets from the shared fixtures.
func LoadReal(name string) (*Set, error) {
	root, err := FixturesDir()
	if err != nil {
		return nil, err
	}
	ppi := 500
	for _, s := range RealSets {
		if s.Name == name {
			ppi = s.PPI
		}
	}
	dir := filepath.Join(root, "fingerprints", "real", name)
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNoFixtures, err)
	}
	return Load(dir, name, ppi)
}

// Load reads every <finger>_<impression>.png of dir, in name order.
func Load(dir, name string, ppi int) (*Set, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.png"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("fvc: no PNG prints in %s", dir)
	}
	slices.Sort(files)
	s := &Set{Name: name, PPI: ppi}
	for _, f := range files {
		base := filepath.Base(f)
		finger, imp, ok := strings.Cut(strings.TrimSuffix(base, ".png"), "_")
		n, err := strconv.Atoi(imp)
		if !ok || err != nil {
			return nil, fmt.Errorf("fvc: %s: want <finger>_<impression>.png", base)
		}
		g, err := ReadGray(f)
		if err != nil {
			return nil, err
		}
		s.Prints = append(s.Prints, Print{Name: base, Finger: finger, Impression: n, Image: g})
	}
	return s, nil
}

// ReadGray decodes an image file into 8-bit grey.
func ReadGray(path string) (*image.Gray, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("fvc: %s: %w", filepath.Base(path), err)
	}
	if g, ok := img.(*image.Gray); ok {
		return g, nil
	}
	g := image.NewGray(img.Bounds())
	draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
	return g, nil
}

// Pair is two prints of a set, by index, A before B.
type Pair struct{ A, B int }

// Pairs returns every genuine pair (two impressions of one finger) and every impostor
// pair (two prints of different fingers) of the set.
func (s *Set) Pairs() (genuine, impostor []Pair) {
	for i := range s.Prints {
		for j := i + 1; j < len(s.Prints); j++ {
			if s.Prints[i].Finger == s.Prints[j].Finger {
				genuine = append(genuine, Pair{i, j})
			} else {
				impostor = append(impostor, Pair{i, j})
			}
		}
	}
	return genuine, impostor
}

// Rates are the error rates of a set of genuine and impostor scores, higher meaning
// more alike; a pair is accepted when its score is at least the threshold.
type Rates struct {
	Genuine, Impostor int
	EER               float64 // where the false match and false non-match rates meet
	FNMR1             float64 // false non-match rate at the lowest threshold with FMR ≤ 1 %
	FNMR01            float64 // … with FMR ≤ 0.1 %
	ZeroFMR           float64 // … with no false match at all
	Threshold01       float64 // the threshold that gives FNMR01
}

// At returns the false match and false non-match rates at threshold t.
func At(genuine, impostor []float64, t float64) (fmr, fnmr float64) {
	gen, imp := slices.Sorted(slices.Values(genuine)), slices.Sorted(slices.Values(impostor))
	return above(imp, t), 1 - above(gen, t)
}

// above is the share of sorted s at least t.
func above(s []float64, t float64) float64 {
	if len(s) == 0 {
		return 0
	}
	i, _ := slices.BinarySearch(s, t) // the earliest position of t
	return float64(len(s)-i) / float64(len(s))
}

// Measure computes the rates over every threshold the scores themselves suggest.
func Measure(genuine, impostor []float64) Rates {
	gen, imp := slices.Sorted(slices.Values(genuine)), slices.Sorted(slices.Values(impostor))
	r := Rates{Genuine: len(gen), Impostor: len(imp), EER: 1, FNMR1: 1, FNMR01: 1, ZeroFMR: 1, Threshold01: math.Inf(1)}
	ts := append(slices.Clone(gen), imp...)
	ts = append(ts, math.Inf(1))
	slices.Sort(ts)
	ts = slices.Compact(ts)
	// EER as FVC2000 defines it: t1 the last threshold where FNMR ≤ FMR, t2 the first
	// where FNMR ≥ FMR; of the two, the one whose rates sum less bounds the EER, which is
	// the middle of its two rates. Discrete scores (bozorth3's integers) then get the
	// same EER as FVC's tables give them.
	var t1, t2 = math.Inf(-1), math.Inf(1)
	for _, t := range ts {
		fm, fn := above(imp, t), 1-above(gen, t)
		if fn <= fm {
			t1 = t
		}
		if fn >= fm && math.IsInf(t2, 1) {
			t2 = t
		}
		if fm <= 0.01 && fn < r.FNMR1 {
			r.FNMR1 = fn
		}
		if fm <= 0.001 && fn < r.FNMR01 {
			r.FNMR01, r.Threshold01 = fn, t
		}
		if fm == 0 && fn < r.ZeroFMR {
			r.ZeroFMR = fn
		}
	}
	fm1, fn1 := above(imp, t1), 1-above(gen, t1)
	fm2, fn2 := above(imp, t2), 1-above(gen, t2)
	if fm1+fn1 <= fm2+fn2 {
		r.EER = (fn1 + fm1) / 2
	} else {
		r.EER = (fm2 + fn2) / 2
	}
	return r
}

func (r Rates) String() string {
	return fmt.Sprintf("EER %.2f %%, FNMR %.2f %% at FMR 1 %%, %.2f %% at FMR 0.1 %%, ZeroFMR %.2f %% (%d genuine, %d impostor pairs)",
		100*r.EER, 100*r.FNMR1, 100*r.FNMR01, 100*r.ZeroFMR, r.Genuine, r.Impostor)
}

// ERC is the error-versus-reject curve of a set: reject the prints of lowest quality,
// a share at a time up to maxShare, and measure the false non-match rate (score below
// threshold) of the genuine pairs whose prints both remain. A quality measure that
// predicts matching makes the curve fall; one that does not leaves it flat.
func ERC(quality []float64, genuine []Pair, scores []float64, threshold, maxShare float64, steps int) (shares, fnmrs []float64) {
	order := make([]int, len(quality))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(quality[a], quality[b]) })
	rejected := make([]bool, len(quality))
	done := 0
	for k := 0; k <= steps; k++ {
		share := maxShare * float64(k) / float64(steps)
		for ; done < int(math.Round(share*float64(len(order)))); done++ {
			rejected[order[done]] = true
		}
		var n, miss float64
		for i, p := range genuine {
			if rejected[p.A] || rejected[p.B] {
				continue
			}
			n++
			if scores[i] < threshold {
				miss++
			}
		}
		if n == 0 {
			break
		}
		shares, fnmrs = append(shares, share), append(fnmrs, miss/n)
	}
	return shares, fnmrs
}

// Each calls fn(0) … fn(n-1) on as many goroutines as there are cores: extracting and
// scoring a set's prints are independent, and the sets are large.
func Each(n int, fn func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				fn(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
