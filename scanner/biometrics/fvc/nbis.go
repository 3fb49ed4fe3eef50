package fvc

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// Bozorth3 scores pairs of minutiae files (NIST's .xyt) with NIST's bozorth3, the
// reference matcher the accuracy figures are set beside: one mates list per core, the
// scores in the order of pairs. file names each print's .xyt; extra are options put
// before the list (e.g. -m1 for ANSI 378 angles).
func Bozorth3(bin string, pairs []Pair, file func(i int) string, extra ...string) ([]float64, error) {
	n := max(1, min(runtime.GOMAXPROCS(0), len(pairs)))
	scores := make([]float64, len(pairs))
	errs := make([]error, n)
	Each(n, func(k int) {
		lo, hi := k*len(pairs)/n, (k+1)*len(pairs)/n
		var list strings.Builder
		for _, p := range pairs[lo:hi] {
			fmt.Fprintf(&list, "%s\n%s\n", file(p.A), file(p.B))
		}
		f, err := os.CreateTemp("", "mates-*.lis")
		if err != nil {
			errs[k] = err
			return
		}
		defer os.Remove(f.Name())
		_, err = f.WriteString(list.String())
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			errs[k] = err
			return
		}
		args := slices.Concat(extra, []string{"-A", "outfmt=s", "-A", fmt.Sprintf("maxfiles=%d", 2*(hi-lo)+1), "-M", f.Name()})
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			errs[k] = fmt.Errorf("bozorth3: %w", err)
			return
		}
		i := lo
		for line := range strings.Lines(string(out)) {
			v, err := strconv.ParseFloat(strings.TrimSpace(line), 64)
			if err != nil || i >= hi {
				errs[k] = fmt.Errorf("bozorth3 printed %q (score %d of %d)", line, i-lo+1, hi-lo)
				return
			}
			scores[i] = v
			i++
		}
		if i != hi {
			errs[k] = fmt.Errorf("bozorth3 gave %d scores for %d pairs", i-lo, hi-lo)
		}
	})
	return scores, errors.Join(errs...)
}

// Score is one line of a scores file: two prints by name, whether they are one finger,
// and a system's score.
type Score struct {
	A, B    string
	Genuine bool
	Value   float64
}

// ReadScores reads a scores file (lines "<printA> <printB> <genuine|impostor> <score>",
// as the tests write and other systems' runs are kept), skipping lines that are not
// scores, such as a header.
func ReadScores(path string) ([]Score, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Score
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		if len(f) != 4 || (f[2] != "genuine" && f[2] != "impostor") {
			continue
		}
		v, err := strconv.ParseFloat(f[3], 64)
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %w", path, line, err)
		}
		out = append(out, Score{A: f[0], B: f[1], Genuine: f[2] == "genuine", Value: v})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no scores", path)
	}
	return out, nil
}
