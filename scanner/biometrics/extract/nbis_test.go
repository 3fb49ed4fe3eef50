package extract

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"cotejo/scanner/biometrics/fvc"
)

var (
	bozorth3 = flag.String("extract.bozorth3", "", "NIST's bozorth3: score every pair of the real sets with it, on our minutiae and on mindtct's")
	nbisSets = flag.String("extract.sets", "fvc2004_db1_b,fvc2004_db3_b,upek,neurotech_crossmatch", "real sets for -extract.bozorth3")
	nbisOut  = flag.String("extract.xyt", "/tmp/cotejo-xyt", "where to write our minutiae as .xyt files, <dir>/<set>/<print>.xyt")
	mindtct  = flag.String("extract.mindtct", "/tmp/nbis-out", "mindtct's minutiae, <dir>/<set>/xyt/<print>.xyt, for the same matcher's figures")
	sparse   = flag.Int("extract.every", 1, "score only every n-th impostor pair, for quicker runs while tuning")
	tune     = flag.String("extract.tune", "", "settings to try instead of the defaults, name=value,… (see tuned)")
)

// tuned applies -extract.tune to the defaults.
func tuned(t *testing.T) config {
	cf := defaults()
	if *tune == "" {
		return cf
	}
	for _, kv := range strings.Split(*tune, ",") {
		k, v, _ := strings.Cut(kv, "=")
		if k == "scales" {
			cf.scales = nil
			for _, s := range strings.Split(v, ":") {
				f, err := strconv.ParseFloat(s, 64)
				if err != nil {
					t.Fatal(err)
				}
				cf.scales = append(cf.scales, f)
			}
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			t.Fatalf("-extract.tune: %s: %v", kv, err)
		}
		p := map[string]*float64{
			"segContrast": &cf.segContrast, "segCoherence": &cf.segCoherence, "segStrong": &cf.segStrong,
			"segSigma": &cf.segSigma, "segSmooth": &cf.segSmooth,
			"along": &cf.along, "across": &cf.across, "spur": &cf.prune.Spur, "island": &cf.prune.Island,
			"lake": &cf.prune.Lake, "bridge": &cf.prune.Bridge, "margin": &cf.margin, "breakGap": &cf.breakGap,
			"cluster": &cf.cluster,
		}[k]
		switch {
		case k == "minQuality":
			cf.minQuality = int(f)
		case p != nil:
			*p = f
		default:
			t.Fatalf("-extract.tune: no setting %q", k)
		}
	}
	return cf
}

// TestBozorth3 judges the extractor alone: it scores every pair of each real set with
// NIST's bozorth3 on our minutiae and on NIST mindtct's, so that the matcher is the same
// and only the minutiae differ. Ours should do better.
func TestBozorth3(t *testing.T) {
	if *bozorth3 == "" {
		t.Skip("no -extract.bozorth3")
	}
	cf := tuned(t)
	for _, name := range strings.Split(*nbisSets, ",") {
		t.Run(name, func(t *testing.T) {
			set, err := fvc.LoadReal(name)
			if errors.Is(err, fvc.ErrNoFixtures) {
				t.Skip(err)
			}
			if err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(*nbisOut, name)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			counts := make([]int, len(set.Prints))
			errs := make([]error, len(set.Prints))
			fvc.Each(len(set.Prints), func(i int) {
				r, _, err := extract(set.Prints[i].Image, cf)
				if err != nil {
					errs[i] = fmt.Errorf("%s: %w", set.Prints[i].Name, err)
					r = &Result{}
				}
				counts[i] = len(r.Minutiae)
				var b bytes.Buffer
				for _, m := range r.Minutiae {
					// ANSI 378's representation (bozorth3 -m1): origin top left, angle
					// counter-clockwise in degrees.
					fmt.Fprintf(&b, "%d %d %d %d\n", int(math.Round(m.X)), int(math.Round(m.Y)), int(math.Round(m.Angle*180/math.Pi))%360, m.Quality)
				}
				errs[i] = errors.Join(errs[i], os.WriteFile(filepath.Join(dir, xyt(set.Prints[i].Name)), b.Bytes(), 0o644))
			})
			if err := errors.Join(errs...); err != nil {
				t.Error(err)
			}
			slices.Sort(counts)
			genuine, impostor := set.Pairs()
			if *sparse > 1 {
				var some []fvc.Pair
				for i := 0; i < len(impostor); i += *sparse {
					some = append(some, impostor[i])
				}
				impostor = some
			}
			ours, err := bozorth(dir, "ours", set, genuine, impostor, true)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: ours, median %d minutiae: %v", name, counts[len(counts)/2], ours)
			theirs := filepath.Join(*mindtct, name, "xyt")
			if _, err := os.Stat(theirs); err != nil {
				t.Logf("no mindtct minutiae in %s", theirs)
				return
			}
			nist, err := bozorth(theirs, "mindtct", set, genuine, impostor, false)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: mindtct, median %d minutiae: %v", name, medianLines(theirs, set), nist)
			if ours.EER > nist.EER {
				t.Errorf("%s: under bozorth3 our minutiae give EER %.2f %%, mindtct's %.2f %%", name, 100*ours.EER, 100*nist.EER)
			}
		})
	}
}

func xyt(png string) string { return strings.TrimSuffix(png, ".png") + ".xyt" }

// bozorth runs bozorth3 over every pair, the mates list split between the cores, and
// writes the scores to <-extract.xyt>/<set>-<label>.tsv.
func bozorth(dir, label string, set *fvc.Set, genuine, impostor []fvc.Pair, m1 bool) (fvc.Rates, error) {
	pairs := append(slices.Clone(genuine), impostor...)
	var extra []string
	if m1 {
		extra = []string{"-m1"}
	}
	scores, err := fvc.Bozorth3(*bozorth3, pairs, func(i int) string { return filepath.Join(dir, xyt(set.Prints[i].Name)) }, extra...)
	if err != nil {
		return fvc.Rates{}, err
	}
	var tsv bytes.Buffer
	for i, p := range pairs {
		kind := "genuine"
		if i >= len(genuine) {
			kind = "impostor"
		}
		fmt.Fprintf(&tsv, "%s\t%s\t%s\t%g\n", set.Prints[p.A].Name, set.Prints[p.B].Name, kind, scores[i])
	}
	if err := os.WriteFile(filepath.Join(*nbisOut, set.Name+"-"+label+".tsv"), tsv.Bytes(), 0o644); err != nil {
		return fvc.Rates{}, err
	}
	return fvc.Measure(scores[:len(genuine)], scores[len(genuine):]), nil
}

// medianLines is the median count of minutiae in a folder of .xyt files.
func medianLines(dir string, set *fvc.Set) int {
	var counts []int
	for _, p := range set.Prints {
		b, err := os.ReadFile(filepath.Join(dir, xyt(p.Name)))
		if err != nil {
			continue
		}
		counts = append(counts, bytes.Count(b, []byte("\n")))
	}
	if len(counts) == 0 {
		return 0
	}
	slices.Sort(counts)
	return counts[len(counts)/2]
}
