package match

import (
	"bufio"
	"cmp"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"cotejo/scanner/biometrics/extract"
	"cotejo/scanner/biometrics/fvc"
	"cotejo/scanner/biometrics/ridge"
)

var (
	xytDir  = flag.String("match.xyt", "", "score every pair of each real set from the minutiae in DIR/<set>/xyt/<print>.xyt (NIST mindtct's text format) and compare with bozorth3's DIR/<set>/scores.tsv when there")
	dumpDir = flag.String("match.dump", "", "write this extractor's minutiae of each real set as DIR/<set>/xyt/<print>.xyt, in mindtct's format, to be read back with -match.xyt")
	xytSets = flag.String("match.sets", "", "comma-separated real sets for -match.xyt and -match.dump (default: all)")
)

func xytSetNames() []string {
	if *xytSets != "" {
		return strings.Split(*xytSets, ",")
	}
	var out []string
	for _, s := range fvc.RealSets {
		out = append(out, s.Name)
	}
	return out
}

// The .xyt format of NIST's mindtct: one minutia a line, "x y theta quality", origin at
// the image's bottom left with y up, theta in degrees counter-clockwise from the x axis.
// Only differences of position matter to the matcher, so y up becomes Y = −y.

func readXYT(path string) ([]ridge.Minutia, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []ridge.Minutia
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 0 {
			continue
		}
		if len(fs) < 3 {
			return nil, fmt.Errorf("%s: %q: want x y theta [quality]", path, sc.Text())
		}
		var v [4]float64
		for k := range min(len(fs), 4) {
			if v[k], err = strconv.ParseFloat(fs[k], 64); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
		}
		out = append(out, ridge.Minutia{X: v[0], Y: -v[1], Angle: ridge.Norm(v[2] * math.Pi / 180), Quality: uint8(min(100, max(0, v[3])))})
	}
	return out, sc.Err()
}

func writeXYT(path string, mins []ridge.Minutia, height int) error {
	var b strings.Builder
	for _, m := range mins {
		fmt.Fprintf(&b, "%.1f %.1f %.2f %d\n", m.X, float64(height)-m.Y, m.Angle*180/math.Pi, m.Quality)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// xytSet is a set's prints read from .xyt files, named as the set's images.
type xytSet struct {
	set  *fvc.Set
	mins [][]ridge.Minutia
}

func loadXYT(t testing.TB, dir, name string) *xytSet {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, name, "xyt", "*.xyt"))
	if len(files) == 0 {
		t.Skipf("no .xyt files in %s", filepath.Join(dir, name, "xyt"))
	}
	slices.Sort(files)
	s := &xytSet{set: &fvc.Set{Name: name}}
	for _, f := range files {
		base := strings.TrimSuffix(filepath.Base(f), ".xyt")
		finger, imp, ok := strings.Cut(strings.TrimSuffix(base, ".png"), "_")
		n, err := strconv.Atoi(imp)
		if !ok || err != nil {
			t.Fatalf("%s: want <finger>_<impression>.xyt", f)
		}
		m, err := readXYT(f)
		if err != nil {
			t.Fatal(err)
		}
		s.set.Prints = append(s.set.Prints, fvc.Print{Name: base, Finger: finger, Impression: n})
		s.mins = append(s.mins, m)
	}
	return s
}

// scores of every genuine and impostor pair with the configuration c, on all cores.
func (s *xytSet) scores(c *config) (gen, imp []float64, genP, impP []fvc.Pair) {
	tpl := make([]*Template, len(s.mins))
	fvc.Each(len(tpl), func(i int) { tpl[i] = prepare(c, s.mins[i]) })
	genP, impP = s.set.Pairs()
	score := func(ps []fvc.Pair) []float64 {
		out := make([]float64, len(ps))
		fvc.Each(len(ps), func(k int) { out[k] = tpl[ps[k].A].raw(tpl[ps[k].B]) })
		return out
	}
	return score(genP), score(impP), genP, impP
}

func spread(s []float64) string {
	s = slices.Sorted(slices.Values(s))
	q := func(p float64) float64 { return s[min(len(s)-1, int(p*float64(len(s))))] }
	return fmt.Sprintf("min %.4f, 1%% %.4f, median %.4f, 99%% %.4f, 99.9%% %.4f, 99.99%% %.4f, max %.4f", s[0], q(0.01), q(0.5), q(0.99), q(0.999), q(0.9999), s[len(s)-1])
}

// TestXYTSets rates the matcher alone on minutiae found by another extractor (or dumped
// by this one with -match.dump), beside bozorth3's own scores when they are there.
func TestXYTSets(t *testing.T) {
	if *xytDir == "" {
		t.Skip("minutiae files are scored with -match.xyt DIR")
	}
	for _, name := range xytSetNames() {
		t.Run(name, func(t *testing.T) {
			s := loadXYT(t, *xytDir, name)
			gen, imp, _, _ := s.scores(tuned(t, strings.Split(*tune, ",")[0]))
			counts := make([]int, len(s.mins))
			for i, m := range s.mins {
				counts[i] = len(m)
			}
			slices.Sort(counts)
			t.Logf("%s: %d prints, median %d minutiae; MCC: %v", name, len(s.mins), counts[len(counts)/2], fvc.Measure(gen, imp))
			t.Logf("%s: raw genuine %s", name, spread(gen))
			t.Logf("%s: raw impostor %s", name, spread(imp))
			line := name + ": on the 0–100 scale,"
			for _, th := range []float64{40, 50, 70} {
				var sg, si []float64
				for _, v := range gen {
					sg = append(sg, scale(v))
				}
				for _, v := range imp {
					si = append(si, scale(v))
				}
				fm, fn := fvc.At(sg, si, th)
				line += fmt.Sprintf(" at %.0f FMR %.3f %% FNMR %.2f %%;", th, 100*fm, 100*fn)
			}
			t.Log(line)
			bg, bi, err := readBozorth(filepath.Join(*xytDir, name, "scores.tsv"))
			if errors.Is(err, os.ErrNotExist) {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: bozorth3: %v", name, fvc.Measure(bg, bi))
		})
	}
}

// readBozorth reads scores.tsv as real_test.go writes it: a, b, genuine|impostor, score.
func readBozorth(path string) (gen, imp []float64, err error) {
	all, err := fvc.ReadScores(path)
	if err != nil {
		return nil, nil, err
	}
	for _, sc := range all {
		if sc.Genuine {
			gen = append(gen, sc.Value)
		} else {
			imp = append(imp, sc.Value)
		}
	}
	return gen, imp, nil
}

// TestDumpXYT writes this extractor's minutiae for -match.xyt, so that the matcher can
// be tuned on fixed minutiae while the extractor changes.
func TestDumpXYT(t *testing.T) {
	if *dumpDir == "" {
		t.Skip("minutiae are written with -match.dump DIR")
	}
	for _, name := range xytSetNames() {
		set, err := fvc.LoadReal(name)
		if errors.Is(err, fvc.ErrNoFixtures) {
			t.Skipf("skipping: %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(*dumpDir, name, "xyt")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		errs := make([]error, len(set.Prints))
		fvc.Each(len(set.Prints), func(i int) {
			p := set.Prints[i]
			var mins []ridge.Minutia
			if r, err := extract.Extract(p.Image); err == nil {
				mins = r.Minutiae
			}
			errs[i] = writeXYT(filepath.Join(dir, strings.TrimSuffix(p.Name, ".png")+".xyt"), mins, p.Image.Rect.Dy())
		})
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d prints written to %s", name, len(set.Prints), dir)
	}
}

var (
	tune     = flag.String("match.tune", "", "with -match.xyt: comma-separated variants of the parameters for TestTune to rate, each a list joined by + (see variants); the first is the one TestWorst and TestPerturbed use")
	diagnose = flag.Bool("match.diagnose", false, "with -match.xyt: list each set's worst pairs (TestWorst) and how far rounding the minutiae moves the rates (TestPerturbed)")
)

// variants are changes of the parameters that TestTune can rate.
func variants() map[string]func(c *config) {
	return map[string]func(c *config){
		"base":    func(c *config) {},
		"paper":   func(c *config) { c.mu1, c.mu1Rel = 5, 0 },
		"turn60":  func(c *config) { c.maxTurn = math.Pi / 3 },
		"np20":    func(c *config) { c.maxNP = 20 },
		"mu1_10":  func(c *config) { c.mu1 = 10 },
		"rel05":   func(c *config) { c.mu1Rel = 0.05 },
		"mu23_20": func(c *config) { c.mu2, c.mu3 = math.Pi/9, math.Pi/9 },
		"minme50": func(c *config) { c.minME = 0.5 },
		"minvc60": func(c *config) { c.minVC = 0.6 },
		"rounds3": func(c *config) { c.rounds = 3 },
		"wr07":    func(c *config) { c.wR = 0.7 },
	}
}

// tuned is the defaults changed by the variants of v ("a+b"; "" for none).
func tuned(t testing.TB, v string) *config {
	t.Helper()
	c := defaults()
	if v == "" {
		return c
	}
	for _, part := range strings.Split(v, "+") {
		f, ok := variants()[part]
		if !ok {
			t.Fatalf("no variant %q", part)
		}
		f(c)
	}
	return c
}

// TestTune rates variants of the parameters on every set: EER, FNMR at FMR 1 % and at
// 0.1 %, in per cent.
func TestTune(t *testing.T) {
	if *tune == "" || *xytDir == "" {
		t.Skip("variants are rated with -match.tune V1,V2 -match.xyt DIR")
	}
	sets := map[string]*xytSet{}
	for _, name := range xytSetNames() {
		sets[name] = loadXYT(t, *xytDir, name)
	}
	for _, v := range strings.Split(*tune, ",") {
		c := tuned(t, v)
		var line strings.Builder
		var sum float64
		for _, name := range xytSetNames() {
			gen, imp, _, _ := sets[name].scores(c)
			r := fvc.Measure(gen, imp)
			sum += r.EER + r.FNMR1
			fmt.Fprintf(&line, " | %.12s %5.2f %5.2f %5.2f", name, 100*r.EER, 100*r.FNMR1, 100*r.FNMR01)
		}
		t.Logf("%-20s mean EER+FNMR1 %5.2f%s", v, 100*sum/float64(len(xytSetNames())), line.String())
	}
}

// TestWorst lists each set's lowest genuine and highest impostor pairs, with their
// minutiae and valid cylinders.
func TestWorst(t *testing.T) {
	if !*diagnose || *xytDir == "" {
		t.Skip("with -match.diagnose -match.xyt DIR")
	}
	c := tuned(t, strings.Split(*tune, ",")[0])
	for _, name := range xytSetNames() {
		s := loadXYT(t, *xytDir, name)
		gen, imp, gp, ip := s.scores(c)
		desc := func(p fvc.Pair, v float64) string {
			a, b := prepare(c, s.mins[p.A]), prepare(c, s.mins[p.B])
			return fmt.Sprintf("%s (%d/%d) × %s (%d/%d): %.4f", s.set.Prints[p.A].Name, len(s.mins[p.A]), len(a.cyl), s.set.Prints[p.B].Name, len(s.mins[p.B]), len(b.cyl), v)
		}
		order := func(v []float64, up bool) []int {
			idx := make([]int, len(v))
			for i := range idx {
				idx[i] = i
			}
			slices.SortFunc(idx, func(x, y int) int {
				if up {
					return cmp.Compare(v[x], v[y])
				}
				return cmp.Compare(v[y], v[x])
			})
			return idx
		}
		for _, i := range order(gen, true)[:min(12, len(gen))] {
			t.Logf("%s genuine  %s", name, desc(gp[i], gen[i]))
		}
		for _, i := range order(imp, false)[:min(5, len(imp))] {
			t.Logf("%s impostor %s", name, desc(ip[i], imp[i]))
		}
	}
}

// TestPerturbed: how far the rates (EER/FNMR at FMR 1 %) move when every minutia moves
// by a rounding's worth: whole pixels and 2° angles, as an ANSI 378 template keeps them,
// then three draws of random shifts of up to ±0.5 px and ±1°. The differences are the
// noise under any comparison of two runs.
func TestPerturbed(t *testing.T) {
	if !*diagnose || *xytDir == "" {
		t.Skip("with -match.diagnose -match.xyt DIR")
	}
	c := tuned(t, strings.Split(*tune, ",")[0])
	const deg = math.Pi / 180
	for _, name := range xytSetNames() {
		s := loadXYT(t, *xytDir, name)
		gen, imp, _, _ := s.scores(c)
		base := fvc.Measure(gen, imp)
		line := fmt.Sprintf("%s: as read %.2f/%.2f", name, 100*base.EER, 100*base.FNMR1)
		for k := range 4 {
			q := &xytSet{set: s.set, mins: make([][]ridge.Minutia, len(s.mins))}
			rnd := rand.New(rand.NewPCG(uint64(k), 1))
			for i, ms := range s.mins {
				for _, m := range ms {
					if k == 0 {
						m.X, m.Y = math.Round(m.X), math.Round(m.Y)
						m.Angle = ridge.Norm(math.Round(m.Angle/(2*deg)) * 2 * deg)
					} else {
						m.X += rnd.Float64() - 0.5
						m.Y += rnd.Float64() - 0.5
						m.Angle = ridge.Norm(m.Angle + (2*rnd.Float64()-1)*deg)
					}
					q.mins[i] = append(q.mins[i], m)
				}
			}
			g, im, _, _ := q.scores(c)
			r := fvc.Measure(g, im)
			label := "rounded"
			if k > 0 {
				label = fmt.Sprintf("shifted %d", k)
			}
			line += fmt.Sprintf(", %s %.2f/%.2f", label, 100*r.EER, 100*r.FNMR1)
		}
		t.Log(line)
	}
}
