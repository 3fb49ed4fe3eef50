package ocr_test

import (
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cotejo/ocr"
	"cotejo/ocr/cardgen"
	"cotejo/ocr/layout"
	"cotejo/ocr/mrz"
	"cotejo/verify/credential"
)

var (
	accuracyCitizens = flag.Int("ocr.accuracy", 0, "run the accuracy benchmark over this many citizens × 6 models per level")
	accuracyOut      = flag.String("ocr.accuracy.out", "", "write the accuracy tables (markdown) to this file")
	accuracyFamily   = flag.String("ocr.family", "", `the cards' layout family: "" (base), a family's name, "mixed" (every tuned family in turn) or "heldout"`)
	accuracyLevels   = flag.String("ocr.levels", "0,1,2,3", "distortion levels to measure")
	accuracyOnly     = flag.String("ocr.only", "", "read only these cards (names, comma-separated: 0016,0021), to look into their failures")
	accuracyDump     = flag.String("ocr.dump", "", "write each card read (front and back, PNG) into this folder")
	accuracyScene    = flag.String("ocr.scene", "", `how the cards are photographed: "" (a plain desk), a scene's name (cardgen.Scenes) or "all" (each scene in turn, as many cards in each)`)
)

func sceneLabel(name string) string {
	if name == "" {
		return ""
	}
	return ", " + name
}

// accuracyScenes are the scenes -ocr.scene names.
func accuracyScenes(t *testing.T) []cardgen.NamedScene {
	if *accuracyScene == "all" {
		return cardgen.Scenes()
	}
	sc, err := cardgen.SceneByName(*accuracyScene)
	if err != nil {
		t.Fatal(err)
	}
	return []cardgen.NamedScene{{Name: *accuracyScene, Scene: sc}}
}

// tally counts right answers by key.
type tally struct{ right, total map[string]int }

func newTally() tally { return tally{map[string]int{}, map[string]int{}} }

func (t tally) add(k string, ok bool) {
	t.total[k]++
	if ok {
		t.right[k]++
	}
}

func (t tally) pct(k string) string {
	if t.total[k] == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f %%", 100*float64(t.right[k])/float64(t.total[k]))
}

// TestAccuracy reads generated cards and reports, per level, the exact-match rate of
// each field, the share of zones read with every check digit valid, and the time per
// card; then per level and model the zone's fields (CIC, OCR, surnames, birth date, sex,
// expiry, against the zone as printed) and the front's (CURP, clave de elector, names).
// It runs only with -ocr.accuracy=N (make bench); -ocr.family chooses the layouts.
func TestAccuracy(t *testing.T) {
	if *accuracyCitizens == 0 {
		t.Skip("the accuracy benchmark runs with -ocr.accuracy=N (make bench)")
	}
	f, err := cardgen.LoadFonts()
	if err != nil {
		t.Skip(err)
	}
	r := reader(t)
	fields := []string{"modelo", "cic", "ocr", "claveElector", "numeroEmisionCredencial", "curp", "nombre", "apellidoPaterno", "apellidoMaterno", "anioRegistro", "anioEmision", "searchKey", "all"}
	var report, byModel strings.Builder
	fmt.Fprintf(&report, "| level | cards | %s | zones valid | wrong fields shown as sure | median s | p95 s |\n|---|---|%s---|---|---|---|\n",
		strings.Join(fields, " | "), strings.Repeat("---|", len(fields)))
	fmt.Fprintf(&byModel, "| level | model | cards | zone's fields | front's fields | model told |\n|---|---|---|---|---|---|\n")
	var byScene strings.Builder
	fmt.Fprintf(&byScene, "| level | scene | cards | zone's fields | zones valid | front's fields | model told |\n|---|---|---|---|---|---|---|\n")
	var allTimes []time.Duration
	for _, ls := range strings.Split(*accuracyLevels, ",") {
		level, err := strconv.Atoi(ls)
		if err != nil {
			t.Fatal(err)
		}
		all, per := newTally(), map[credential.Model]tally{}
		zones, zonesValid, cards := 0, 0, 0
		confidentWrong, wrongFields, logged := 0, 0, 0
		var times []time.Duration
		perScene := map[string]tally{}
		for _, sc := range accuracyScenes(t) {
			ps := newTally()
			perScene[sc.Name] = ps
			set := cardgen.Set{Count: *accuracyCitizens * 6, Level: level, Seed: 2026, Models: layout.Models(), Family: *accuracyFamily, Scene: sc.Scene}
			err = f.Generate(context.Background(), set, func(c cardgen.Card) bool {
				if *accuracyOnly != "" && !slices.Contains(strings.Split(*accuracyOnly, ","), c.Name) {
					return true
				}
				cards++
				ps.add("cards", true)
				if *accuracyDump != "" {
					dumpCard(t, *accuracyDump, fmt.Sprintf("L%d-%s-%s", level, c.Name, c.Family), c)
				}
				want := c.Truth
				pm, ok := per[want.Modelo]
				if !ok {
					pm = newTally()
					per[want.Modelo] = pm
				}
				pm.add("cards", true)
				start := time.Now()
				res, err := r.Read(context.Background(), []image.Image{c.Front, c.Back}, nil)
				times = append(times, time.Since(start))
				if err != nil {
					t.Fatalf("level %d card %s: %v", level, c.Name, err)
				}
				got := res.Credential()
				if want.Modelo.HasCIC() {
					zones++
					valid := res.Zone != nil && res.Zone.Checks.AllValid() && len(res.Zone.Lines[2]) == 30
					if valid {
						zonesValid++
					} else if res.Zone != nil {
						t.Logf("level %d card %s (%s) model %s: zone not valid: checks %+v, line 3 of %d", level, c.Name, c.Family, want.Modelo, res.Zone.Checks, len(res.Zone.Lines[2]))
					} else {
						t.Logf("level %d card %s (%s) model %s: no zone: %v", level, c.Name, c.Family, want.Modelo, res.ZoneErr)
					}
					ps.add("valid", valid)
					// The zone's own fields against the zone as printed.
					tz, err := mrz.Parse(strings.Join(c.Zone, "\n"))
					if err != nil {
						t.Fatalf("card %s: the printed zone does not parse: %v", c.Name, err)
					}
					z := res.Zone
					if z == nil {
						z = &mrz.Zone{}
					}
					for _, ok := range []bool{z.CIC == tz.CIC, z.OCR == tz.OCR, z.Paterno == tz.Paterno && z.Materno == tz.Materno,
						z.Birth.Equal(tz.Birth), z.Sex == tz.Sex, z.Expiry.Equal(tz.Expiry)} {
						pm.add("zone", ok)
						ps.add("zone", ok)
					}
				}
				for _, ok := range []bool{got.CURP == want.CURP, got.ClaveElector == want.ClaveElector,
					got.Nombre == want.Nombre && got.ApellidoPaterno == want.ApellidoPaterno && got.ApellidoMaterno == want.ApellidoMaterno} {
					pm.add("front", ok)
					ps.add("front", ok)
				}
				pm.add("model", got.Modelo == want.Modelo)
				ps.add("model", got.Modelo == want.Modelo)
				pairs := map[string][2]string{
					"modelo": {string(got.Modelo), string(want.Modelo)},
					"cic":    {got.CIC, want.CIC}, "ocr": {got.OCR, want.OCR}, "claveElector": {got.ClaveElector, want.ClaveElector},
					"numeroEmisionCredencial": {got.NumeroEmisionCredencial, want.NumeroEmisionCredencial}, "curp": {got.CURP, want.CURP},
					"nombre": {got.Nombre, want.Nombre}, "apellidoPaterno": {got.ApellidoPaterno, want.ApellidoPaterno},
					"apellidoMaterno": {got.ApellidoMaterno, want.ApellidoMaterno}, "anioRegistro": {got.AnioRegistro, want.AnioRegistro},
					"anioEmision": {got.AnioEmision, want.AnioEmision},
				}
				for k, p := range pairs {
					if k == "cic" && !want.Modelo.HasCIC() {
						continue
					}
					all.add(k, p[0] == p[1])
					if p[0] == p[1] {
						continue
					}
					wrongFields++
					if k != "modelo" && res.Fields[k].Confidence >= ocr.Review {
						confidentWrong++
					}
					if logged < 300 {
						logged++
						t.Logf("level %d card %s (%s%s) model %s: %s read %q, is %q", level, c.Name, c.Family, sceneLabel(sc.Name), want.Modelo, k, p[0], p[1])
					}
				}
				gk, _ := got.SearchKey()
				wk, _ := want.SearchKey()
				all.add("searchKey", gk == wk && got.Modelo == want.Modelo)
				all.add("all", got == want)
				return true
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		for _, sc := range accuracyScenes(t) {
			if ps := perScene[sc.Name]; sc.Name != "" {
				fmt.Fprintf(&byScene, "| %d | %s | %d | %s | %s | %s | %s |\n", level, sc.Name, ps.total["cards"], ps.pct("zone"), ps.pct("valid"), ps.pct("front"), ps.pct("model"))
			}
		}
		slices.Sort(times)
		allTimes = append(allTimes, times...)
		fmt.Fprintf(&report, "| %d | %d |", level, cards)
		for _, k := range fields {
			fmt.Fprintf(&report, " %s |", all.pct(k))
		}
		fmt.Fprintf(&report, " %.1f %% | %d of %d | %.2f | %.2f |\n", 100*float64(zonesValid)/float64(max(zones, 1)), confidentWrong, wrongFields,
			times[len(times)/2].Seconds(), times[len(times)*95/100].Seconds())
		for _, m := range layout.Models() {
			if pm, ok := per[m]; ok {
				fmt.Fprintf(&byModel, "| %d | %s | %d | %s | %s | %s |\n", level, m, pm.total["cards"], pm.pct("zone"), pm.pct("front"), pm.pct("model"))
			}
		}
	}
	slices.Sort(allTimes)
	fmt.Fprintf(&report, "\nAll levels: median %.2f s, p95 %.2f s per card (front and back), %d cards.\n\n%s",
		allTimes[len(allTimes)/2].Seconds(), allTimes[len(allTimes)*95/100].Seconds(), len(allTimes), byModel.String())
	if *accuracyScene != "" {
		fmt.Fprintf(&report, "\n%s", byScene.String())
	}
	t.Log("\n" + report.String())
	if *accuracyOut != "" {
		if err := os.WriteFile(*accuracyOut, []byte(report.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// dumpCard writes a card's two sides as PNG, to look at a failure.
func dumpCard(t *testing.T, dir, name string, c cardgen.Card) {
	for side, img := range map[string]image.Image{"front": c.Front, "back": c.Back} {
		f, err := os.Create(filepath.Join(dir, name+"-"+side+".png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
}
