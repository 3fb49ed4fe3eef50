package match_test

import (
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"cotejo/scanner/biometrics/fvc"
	"cotejo/scanner/biometrics/match"
	"cotejo/scanner/biometrics/quality"
	"cotejo/scanner/biometrics/ridge"
	"cotejo/scanner/biometrics/template"
)

var (
	realSets      = flag.String("fvc.sets", "", "comma-separated real sets to measure (default: all in the fixtures)")
	realDET       = flag.String("fvc.det", "", "draw each set's DET curves into this folder (det-<set>.png)")
	realScores    = flag.String("fvc.scores", "", "write each set's scores as <folder>/<set>/scores.tsv")
	realCalibrate = flag.Bool("fvc.calibrate", false, "print the raw scores at which each set's false match rate falls to 10 %, 1 %, 0.1 % and 0.01 %: the knots of the similarity scale")
	realNBIS      = flag.String("fvc.nbis", "", "folder of NIST NBIS's binaries (cjpegl, mindtct, bozorth3), built by hand outside the repository: score every pair with them too, in the same run")
	realRefs      = flag.String("fvc.ref", "", "other systems' scores to set beside ours, as name=folder[,name=folder]: <folder>/<set>/scores.tsv, lines <printA> <printB> <genuine|impostor> <score>")
)

// refScores reads another system's scores of the set's pairs, in the order of the
// genuine and impostor pair lists.
func refScores(path string, r *realResult) (gen, imp []float64, err error) {
	all, err := fvc.ReadScores(path)
	if err != nil {
		return nil, nil, err
	}
	byPair := map[[2]string]float64{}
	for _, sc := range all {
		byPair[[2]string{sc.A, sc.B}] = sc.Value
	}
	look := func(ps []fvc.Pair) ([]float64, error) {
		out := make([]float64, len(ps))
		for k, p := range ps {
			a, b := r.set.Prints[p.A].Name, r.set.Prints[p.B].Name
			v, ok := byPair[[2]string{a, b}]
			if !ok {
				if v, ok = byPair[[2]string{b, a}]; !ok {
					return nil, fmt.Errorf("%s: no score for %s × %s", path, a, b)
				}
			}
			out[k] = v
		}
		return out, nil
	}
	if gen, err = look(r.genuine); err != nil {
		return nil, nil, err
	}
	imp, err = look(r.impostor)
	return gen, imp, err
}

// realFloors are the accuracy each real set must keep (FVC protocol, every pair): the
// figures measured when the extractor and matcher were last tuned, with a margin of a
// few pairs so that a harmless change of rounding does not fail the test.
var realFloors = map[string]struct{ eer, fnmr01 float64 }{
	"fvc2004_db1_b":        {0.050, 0.23},   // measured 3.94 %, 20.0 %
	"fvc2004_db3_b":        {0.030, 0.050},  // 2.18 %, 3.57 %
	"upek":                 {0.006, 0.007},  // 0.22 %, 0.22 %
	"neurotech_crossmatch": {0.003, 0.0035}, // 0.14 %, 0.14 %
}

// realResult is one set's prints, extracted, and the scores of all its pairs.
type realResult struct {
	set                *fvc.Set
	mins               [][]ridge.Minutia
	quality            []quality.Report
	failed             []string // prints where no finger was found
	genuine, impostor  []fvc.Pair
	genScore, impScore []float64
}

// realCache keeps each set's measurement for the tests of one run: extraction and
// scoring take a minute on the largest set.
var realCache = struct {
	sync.Mutex
	sets map[string]*realResult
}{sets: map[string]*realResult{}}

// measureReal extracts every print of the set and scores every pair, on all cores, once
// per run.
func measureReal(t testing.TB, name string) *realResult {
	t.Helper()
	realCache.Lock()
	defer realCache.Unlock()
	if r, ok := realCache.sets[name]; ok {
		return r
	}
	r := measureRealOnce(t, name)
	realCache.sets[name] = r
	return r
}

func measureRealOnce(t testing.TB, name string) *realResult {
	t.Helper()
	set, err := fvc.LoadReal(name)
	if errors.Is(err, fvc.ErrNoFixtures) {
		t.Skipf("skipping: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	r := &realResult{set: set, mins: make([][]ridge.Minutia, len(set.Prints)), quality: make([]quality.Report, len(set.Prints))}
	tpl := make([]*match.Template, len(set.Prints))
	fvc.Each(len(set.Prints), func(i int) {
		// The quality check extracts the minutiae on its way, as the kiosk does.
		rep, res := quality.Assess(set.Prints[i].Image)
		r.quality[i] = rep
		if res != nil {
			r.mins[i] = res.Minutiae
		}
		tpl[i] = match.Prepare(r.mins[i])
	})
	for i, rep := range r.quality {
		if rep.Problem == quality.NoFinger {
			r.failed = append(r.failed, set.Prints[i].Name)
		}
	}
	r.genuine, r.impostor = set.Pairs()
	r.genScore, r.impScore = scorePairs(tpl, r.genuine), scorePairs(tpl, r.impostor)
	return r
}

// scorePairs compares the templates of every pair, on all cores.
func scorePairs(tpl []*match.Template, ps []fvc.Pair) []float64 {
	out := make([]float64, len(ps))
	fvc.Each(len(ps), func(k int) { out[k] = tpl[ps[k].A].Similarity(tpl[ps[k].B]) })
	return out
}

// throughTemplate is what a print's minutiae become once written to a template of the
// format and read back: whole pixels, the format's angle unit, quality kept.
func throughTemplate(t testing.TB, mins []ridge.Minutia, img *image.Gray, ppi int, f template.Format) []ridge.Minutia {
	b, err := template.New(f, template.RightIndex, img.Rect.Dx(), img.Rect.Dy(), ppi, 60, mins).Encode()
	if err != nil {
		t.Fatal(err)
	}
	rec, err := template.DecodeFormat(b, f)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Views[0].Ridge()
}

func realSetNames() []string {
	if *realSets != "" {
		return strings.Split(*realSets, ",")
	}
	var out []string
	for _, s := range fvc.RealSets {
		out = append(out, s.Name)
	}
	return out
}

// TestRealSets measures extraction and matching on the real prints of the shared
// fixtures, FVC protocol with every cross-finger impostor pair, and holds each set to its
// floor. It is an accuracy test, not a timed one.
func TestRealSets(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the real sets in -short mode")
	}
	for _, name := range realSetNames() {
		t.Run(name, func(t *testing.T) {
			r := measureReal(t, name)
			rates := fvc.Measure(r.genScore, r.impScore)
			counts := make([]int, len(r.mins))
			for i, m := range r.mins {
				counts[i] = len(m)
			}
			slices.Sort(counts)
			t.Logf("%s: %d prints, median %d minutiae; %v", name, len(r.mins), counts[len(counts)/2], rates)
			fm, fn := fvc.At(r.genScore, r.impScore, match.Threshold)
			t.Logf("%s: at the default threshold %.0f: FMR %.3f %%, FNMR %.2f %% (%.1f × the FNMR at FMR 0.1 %%)", name, match.Threshold, 100*fm, 100*fn, fn/max(rates.FNMR01, 1e-9))
			if fm > 0.001 {
				t.Errorf("%s: at the default threshold %.0f the false match rate is %.3f %% (at most 0.1 %%: the scale says so)", name, match.Threshold, 100*fm)
			}
			curves := []fvc.Curve{{Label: fmt.Sprintf("Cotejo EER %.2f%%", 100*rates.EER), Genuine: r.genScore, Impostor: r.impScore}}
			if *realNBIS != "" {
				gen, imp, err := nbisScores(t, *realNBIS, r)
				if err != nil {
					t.Fatalf("NBIS: %v", err)
				}
				rr := fvc.Measure(gen, imp)
				t.Logf("%s: NBIS (mindtct + bozorth3): %v", name, rr)
				curves = append(curves, fvc.Curve{Label: fmt.Sprintf("NBIS EER %.2f%%", 100*rr.EER), Genuine: gen, Impostor: imp})
			}
			if *realRefs != "" {
				for _, ref := range strings.Split(*realRefs, ",") {
					sys, dir, _ := strings.Cut(ref, "=")
					gen, imp, err := refScores(filepath.Join(dir, name, "scores.tsv"), r)
					if err != nil {
						t.Errorf("%s: %v", sys, err)
						continue
					}
					rr := fvc.Measure(gen, imp)
					t.Logf("%s: %s: %v", name, sys, rr)
					curves = append(curves, fvc.Curve{Label: fmt.Sprintf("%s EER %.2f%%", sys, 100*rr.EER), Genuine: gen, Impostor: imp})
				}
			}
			if *realDET != "" {
				path := filepath.Join(*realDET, "det-"+name+".png")
				if err := fvc.WriteDET(path, fmt.Sprintf("%s: %d genuine, %d impostor pairs", name, rates.Genuine, rates.Impostor), curves...); err != nil {
					t.Fatal(err)
				}
			}
			if *realScores != "" {
				if err := writeScores(filepath.Join(*realScores, name, "scores.tsv"), r); err != nil {
					t.Fatal(err)
				}
			}
			if len(r.failed) > 0 {
				t.Errorf("%s: no fingerprint found in %d prints: %v", name, len(r.failed), r.failed)
			}
			floor := realFloors[name]
			if rates.EER > floor.eer || rates.FNMR01 > floor.fnmr01 {
				t.Errorf("%s: EER %.2f %% (floor %.2f %%), FNMR at FMR 0.1 %% %.2f %% (floor %.2f %%)", name,
					100*rates.EER, 100*floor.eer, 100*rates.FNMR01, 100*floor.fnmr01)
			}
		})
	}
}

func writeScores(path string, r *realResult) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	var b strings.Builder
	for k, p := range r.genuine {
		fmt.Fprintf(&b, "%s\t%s\tgenuine\t%.3f\n", r.set.Prints[p.A].Name, r.set.Prints[p.B].Name, r.genScore[k])
	}
	for k, p := range r.impostor {
		fmt.Fprintf(&b, "%s\t%s\timpostor\t%.3f\n", r.set.Prints[p.A].Name, r.set.Prints[p.B].Name, r.impScore[k])
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

var (
	realERC      = flag.String("fvc.erc", "", "draw the error-versus-reject curves of every real set into this PNG")
	realFeatures = flag.String("fvc.features", "", "append each print's quality report and how often it failed to match to this TSV file, for tuning the quality check")
	realRejected = flag.String("fvc.rejected", "", "draw a contact sheet of each set's prints sent back for recapture into this folder (rejected-<set>.png)")
)

// TestRealQuality holds the quality check to what it is for, on real prints: it sends
// back few prints of ordinary captures, the prints it sends back are the ones that fail
// to match, and rejecting by it lowers the false non-match rate faster than rejecting at
// random (the error-versus-reject curve, as NFIQ 2 is validated).
func TestRealQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the real sets in -short mode")
	}
	var curves []fvc.Curve
	for k, name := range realSetNames() {
		t.Run(name, func(t *testing.T) {
			r := measureReal(t, name)
			n := len(r.quality)
			q := make([]float64, n)
			var back []int
			for i, rep := range r.quality {
				q[i] = float64(rep.Score)
				if rep.Score < quality.Recapture {
					back = append(back, i)
				}
			}
			// A print fails to match when more than a quarter of its genuine pairs fall
			// below the threshold (two of its seven on an FVC set).
			tries, misses := make([]int, n), make([]int, n)
			for k, p := range r.genuine {
				for _, i := range []int{p.A, p.B} {
					tries[i]++
					if r.genScore[k] < match.Threshold {
						misses[i]++
					}
				}
			}
			failing, caught := 0, 0
			for i := range n {
				if 4*misses[i] > tries[i] {
					failing++
				}
			}
			for _, i := range back {
				if 4*misses[i] > tries[i] {
					caught++
				}
			}
			if *realFeatures != "" {
				f, err := os.OpenFile(*realFeatures, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
				if err != nil {
					t.Fatal(err)
				}
				for i, rep := range r.quality {
					var good, sumQ int
					for _, m := range r.mins[i] {
						sumQ += int(m.Quality)
						if m.Quality >= 50 {
							good++
						}
					}
					fmt.Fprintf(f, "%s\t%s\t%d\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%d\t%d\t%d\t%d\t%d\t%.3f\n", name, r.set.Prints[i].Name, rep.Score, rep.Problem,
						rep.Area, rep.Clarity, rep.Coherence, rep.Frequency, rep.Minutiae, good, sumQ, misses[i], tries[i], rep.Motion)
				}
				f.Close()
			}
			shares, fnmrs := fvc.ERC(q, r.genuine, r.genScore, match.Threshold, 0.3, 30)
			// Rejecting at random, averaged over many draws, for comparison.
			rnd := rand.New(rand.NewPCG(1, uint64(k)))
			random := make([]float64, len(fnmrs))
			const draws = 50
			for range draws {
				rq := make([]float64, n)
				for i := range rq {
					rq[i] = rnd.Float64()
				}
				_, f := fvc.ERC(rq, r.genuine, r.genScore, match.Threshold, 0.3, 30)
				for i := range random {
					random[i] += f[i] / draws
				}
			}
			at := len(shares) / 3 // 10 % rejected
			t.Logf("%s: %d of %d prints sent back (%.1f %%); %d prints fail to match at %.0f, %d of them sent back; FNMR %.2f %% → %.2f %% rejecting the worst 10 %% (at random: %.2f %%)",
				name, len(back), n, 100*float64(len(back))/float64(n), failing, match.Threshold, caught, 100*fnmrs[0], 100*fnmrs[at], 100*random[at])
			col := fvc.Palette[k%len(fvc.Palette)]
			curves = append(curves, fvc.Curve{Label: name, RejectShare: shares, FNMRs: fnmrs, Colour: col},
				fvc.Curve{Label: name + " (random)", RejectShare: shares, FNMRs: random, Colour: col, Dashed: true})
			if *realRejected != "" {
				if err := rejectedSheet(filepath.Join(*realRejected, "rejected-"+name+".png"), r, back); err != nil {
					t.Fatal(err)
				}
			}
			// Where enough genuine pairs fail to tell (ten or more), rejecting by quality
			// must beat rejecting at random.
			if fails := fnmrs[0] * float64(len(r.genuine)); fails >= 10 && fnmrs[at] >= random[at] {
				t.Errorf("%s: rejecting the 10 %% of lowest quality leaves FNMR %.2f %%, no better than at random (%.2f %%)", name, 100*fnmrs[at], 100*random[at])
			}
			// Ordinary captures are seldom sent back; of the sets poor on purpose, what is
			// sent back must mostly be what fails to match.
			if ordinary := name == "upek" || name == "neurotech_crossmatch"; ordinary && 10*len(back) > n {
				t.Errorf("%s: %d of %d ordinary captures sent back (at most 10 %%)", name, len(back), n)
			} else if !ordinary && 2*caught < len(back) {
				t.Errorf("%s: of %d prints sent back only %d fail to match", name, len(back), caught)
			}
		})
	}
	if *realERC != "" && len(curves) > 0 {
		if err := fvc.WriteERC(*realERC, "error versus reject, real prints (dashed: rejecting at random)", curves...); err != nil {
			t.Fatal(err)
		}
	}
}

// rejectedSheet draws the prints sent back, each with its score and the reason the
// teller reads, so that a person can check the reason against the print.
func rejectedSheet(path string, r *realResult, back []int) error {
	const cell, cols = 200, 5
	rows := max(1, (len(back)+cols-1)/cols)
	sheet := image.NewGray(image.Rect(0, 0, cols*cell, rows*(cell+20)))
	for i := range sheet.Pix {
		sheet.Pix[i] = 255
	}
	for k, i := range back {
		img := r.set.Prints[i].Image
		b := img.Bounds()
		scale := max(float64(b.Dx()), float64(b.Dy())) / float64(cell-8)
		ox, oy := (k%cols)*cell+4, (k/cols)*(cell+20)+4
		for y := range cell - 8 {
			for x := range cell - 8 {
				sx, sy := b.Min.X+int(float64(x)*scale), b.Min.Y+int(float64(y)*scale)
				if sx < b.Max.X && sy < b.Max.Y {
					sheet.SetGray(ox+x, oy+y, img.GrayAt(sx, sy))
				}
			}
		}
		rep := r.quality[i]
		label := fmt.Sprintf("%s %d %s", strings.TrimSuffix(r.set.Prints[i].Name, ".png"), rep.Score, problemWord(rep.Problem))
		(&font.Drawer{Dst: sheet, Src: image.Black, Face: basicfont.Face7x13, Dot: fixed.P(ox, oy+cell+4)}).DrawString(label)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, sheet); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func problemWord(p quality.Problem) string {
	return map[quality.Problem]string{quality.SmallArea: "small", quality.Faint: "faint/dry", quality.Smudged: "smudged",
		quality.FewMinutiae: "few minutiae", quality.NoFinger: "no finger"}[p]
}

// nbisScores runs NIST's reference system on the set: each print losslessly to JPEG-L
// (cjpegl), minutiae by mindtct, every pair scored by bozorth3 from one mates list, in the
// order of the genuine and impostor pair lists.
func nbisScores(t testing.TB, bin string, r *realResult) (gen, imp []float64, err error) {
	dir := t.TempDir()
	errs := make([]error, len(r.set.Prints))
	fvc.Each(len(r.set.Prints), func(i int) {
		p := r.set.Prints[i]
		base := filepath.Join(dir, strings.TrimSuffix(p.Name, ".png"))
		b := p.Image.Bounds()
		raw := make([]byte, 0, b.Dx()*b.Dy())
		for y := b.Min.Y; y < b.Max.Y; y++ {
			raw = append(raw, p.Image.Pix[p.Image.PixOffset(b.Min.X, y):p.Image.PixOffset(b.Max.X, y)]...)
		}
		if errs[i] = os.WriteFile(base+".raw", raw, 0o600); errs[i] != nil {
			return
		}
		for _, cmd := range [][]string{
			{filepath.Join(bin, "cjpegl"), "jpl", base + ".raw", "-raw_in", fmt.Sprintf("%d,%d,8,%d", b.Dx(), b.Dy(), r.set.PPI)},
			{filepath.Join(bin, "mindtct"), base + ".jpl", base},
		} {
			if out, err := exec.Command(cmd[0], cmd[1:]...).CombinedOutput(); err != nil {
				errs[i] = fmt.Errorf("%s %s: %v: %s", filepath.Base(cmd[0]), p.Name, err, out)
				return
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		return nil, nil, err
	}
	all := append(slices.Clone(r.genuine), r.impostor...)
	scores, err := fvc.Bozorth3(filepath.Join(bin, "bozorth3"), all, func(i int) string {
		return filepath.Join(dir, strings.TrimSuffix(r.set.Prints[i].Name, ".png")+".xyt")
	})
	if err != nil {
		return nil, nil, err
	}
	return scores[:len(r.genuine)], scores[len(r.genuine):], nil
}

// TestCalibrate prints the knots of the similarity scale (scanner/match/calibrate.go) from
// the real sets' impostor pairs: for each false match rate, the raw score above which no
// more than that share of any set's impostor pairs lie (the largest over the sets, so that
// the rate holds on each), and over all sets pooled.
func TestCalibrate(t *testing.T) {
	if !*realCalibrate {
		t.Skip("the scale is recomputed with -fvc.calibrate")
	}
	levels := []float64{1e-1, 1e-2, 1e-3, 1e-4}
	worst := make([]float64, len(levels))
	var pooled []float64
	for _, name := range realSetNames() {
		r := measureReal(t, name)
		set, err := fvc.LoadReal(name)
		if err != nil {
			t.Fatal(err)
		}
		tpl := make([]*match.Template, len(set.Prints))
		for i := range tpl {
			tpl[i] = match.Prepare(r.mins[i])
		}
		raw := make([]float64, len(r.impostor))
		fvc.Each(len(raw), func(k int) { raw[k] = match.Raw(tpl[r.impostor[k].A], tpl[r.impostor[k].B]) })
		gen := make([]float64, len(r.genuine))
		fvc.Each(len(gen), func(k int) { gen[k] = match.Raw(tpl[r.genuine[k].A], tpl[r.genuine[k].B]) })
		for _, th := range []float64{0.026, 0.028, 0.030, 0.032, 0.034, 0.036} {
			fm, fn := fvc.At(gen, raw, th)
			t.Logf("%s: at raw %.3f: FMR %.3f %%, FNMR %.2f %%", name, th, 100*fm, 100*fn)
		}
		t.Logf("%s: %v", name, fvc.Measure(gen, raw))
		pooled = append(pooled, raw...)
		slices.Sort(raw)
		for i, l := range levels {
			if float64(len(raw))*l < 1 {
				continue // too few impostor pairs to tell this rate
			}
			v := rawAt(raw, l)
			t.Logf("%s: FMR %g above raw %.5f", name, l, v)
			worst[i] = max(worst[i], v)
		}
	}
	slices.Sort(pooled)
	for i, l := range levels {
		t.Logf("FMR %g: raw %.5f on every set, %.5f pooled (%d impostor pairs)", l, worst[i], rawAt(pooled, l), len(pooled))
	}
}

// rawAt is the least score that at most the share l of sorted scores exceed.
func rawAt(sorted []float64, l float64) float64 {
	k := len(sorted) - int(l*float64(len(sorted))) // the scores from k on may be passed
	if k <= 0 {
		return sorted[0]
	}
	return math.Nextafter(sorted[k-1], math.Inf(1))
}

// TestTemplateRoundTrip: what INE receives is an ANSI 378 template (tipo 1), and ISO
// 19794-2 is its twin; writing the minutiae to either and reading them back (whole
// pixels, the format's angle unit) must not cost accuracy. One genuine pair is 0.36
// points of EER on a 280-pair set, and sub-pixel jitter alone moves a small set's EER by
// more than that, so the cost is judged over all the sets' pairs together.
func TestTemplateRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the real sets in -short mode")
	}
	type scores struct{ gen, imp []float64 }
	pooled := map[string]*scores{"direct": {}, "ANSI 378": {}, "ISO 19794-2": {}}
	for _, name := range realSetNames() {
		r := measureReal(t, name)
		pooled["direct"].gen = append(pooled["direct"].gen, r.genScore...)
		pooled["direct"].imp = append(pooled["direct"].imp, r.impScore...)
		for label, f := range map[string]template.Format{"ANSI 378": template.ANSI, "ISO 19794-2": template.ISO} {
			tpl := make([]*match.Template, len(r.mins))
			fvc.Each(len(r.mins), func(i int) {
				tpl[i] = match.Prepare(throughTemplate(t, r.mins[i], r.set.Prints[i].Image, r.set.PPI, f))
			})
			gen, imp := scorePairs(tpl, r.genuine), scorePairs(tpl, r.impostor)
			t.Logf("%s: through %s: %v (direct: EER %.2f %%)", name, label, fvc.Measure(gen, imp), 100*fvc.Measure(r.genScore, r.impScore).EER)
			pooled[label].gen = append(pooled[label].gen, gen...)
			pooled[label].imp = append(pooled[label].imp, imp...)
		}
	}
	direct := fvc.Measure(pooled["direct"].gen, pooled["direct"].imp)
	for _, label := range []string{"ANSI 378", "ISO 19794-2"} {
		via := fvc.Measure(pooled[label].gen, pooled[label].imp)
		t.Logf("all sets: through %s: EER %.3f %%, direct %.3f %%", label, 100*via.EER, 100*direct.EER)
		if d := via.EER - direct.EER; d > 0.002 {
			t.Errorf("the %s round trip costs %.2f points of EER (at most 0.2)", label, 100*d)
		}
	}
}
