package ocr_test

import (
	"context"
	"flag"
	"fmt"
	"image"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"cotejo/ocr"
	"cotejo/ocr/cardgen"
	"cotejo/ocr/layout"
	"cotejo/verify/credential"
)

var (
	accuracyCitizens = flag.Int("ocr.accuracy", 0, "run the accuracy benchmark over this many citizens × 6 models × levels 0–3")
	accuracyOut      = flag.String("ocr.accuracy.out", "", "write the accuracy tables (markdown) to this file")
)

// TestAccuracy reads generated cards and reports, per level, the exact-match rate of
// each field, the share of zones read with every check digit valid, and the time per
// card. It runs only with -ocr.accuracy=N (make bench).
func TestAccuracy(t *testing.T) {
	if *accuracyCitizens == 0 {
		t.Skip("the accuracy benchmark runs with -ocr.accuracy=N (make bench)")
	}
	f, err := cardgen.LoadFonts()
	if err != nil {
		t.Skip(err)
	}
	r := reader(t)
	fields := []string{"cic", "ocr", "claveElector", "numeroEmisionCredencial", "curp", "nombre", "apellidoPaterno", "apellidoMaterno", "anioRegistro", "anioEmision", "searchKey", "all"}
	var report strings.Builder
	fmt.Fprintf(&report, "| level | cards | %s | zones valid | wrong fields shown as sure | median s | p95 s |\n|---|---|%s---|---|---|---|\n",
		strings.Join(fields, " | "), strings.Repeat("---|", len(fields)))
	var allTimes []time.Duration
	for level := range 4 {
		right := map[string]int{}
		total := map[string]int{}
		zones, zonesValid, cards := 0, 0, 0
		confidentWrong, wrongFields := 0, 0
		var times []time.Duration
		set := cardgen.Set{Count: *accuracyCitizens * 6, Level: level, Seed: 2026, Models: layout.Models()}
		err := f.Generate(context.Background(), set, func(c cardgen.Card) bool {
			cards++
			start := time.Now()
			res, err := r.Read(context.Background(), []image.Image{c.Front, c.Back}, nil)
			times = append(times, time.Since(start))
			var got credential.Credential
			if err == nil {
				got = res.Credential()
				if c.Truth.Modelo.HasCIC() {
					zones++
					if res.Zone != nil && res.Zone.Checks.AllValid() && len(res.Zone.Lines[2]) == 30 {
						zonesValid++
					}
				}
			} else {
				t.Logf("level %d card %s: %v", level, c.Name, err)
			}
			want := c.Truth
			pairs := map[string][2]string{
				"cic": {got.CIC, want.CIC}, "ocr": {got.OCR, want.OCR}, "claveElector": {got.ClaveElector, want.ClaveElector},
				"numeroEmisionCredencial": {got.NumeroEmisionCredencial, want.NumeroEmisionCredencial}, "curp": {got.CURP, want.CURP},
				"nombre": {got.Nombre, want.Nombre}, "apellidoPaterno": {got.ApellidoPaterno, want.ApellidoPaterno},
				"apellidoMaterno": {got.ApellidoMaterno, want.ApellidoMaterno}, "anioRegistro": {got.AnioRegistro, want.AnioRegistro},
				"anioEmision": {got.AnioEmision, want.AnioEmision},
			}
			for k, p := range pairs {
				if k == "cic" && !want.Modelo.HasCIC() {
					continue
				}
				total[k]++
				if p[0] == p[1] {
					right[k]++
					continue
				}
				wrongFields++
				if res != nil && res.Fields[k].Confidence >= ocr.Review {
					confidentWrong++
				}
				if level < 2 {
					t.Logf("level %d card %s model %s: %s read %q, is %q", level, c.Name, want.Modelo, k, p[0], p[1])
				}
			}
			total["searchKey"]++
			gk, _ := got.SearchKey()
			wk, _ := want.SearchKey()
			if gk == wk && got.Modelo == want.Modelo {
				right["searchKey"]++
			}
			total["all"]++
			if got == want {
				right["all"]++
			}
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(times)
		allTimes = append(allTimes, times...)
		fmt.Fprintf(&report, "| %d | %d |", level, cards)
		for _, k := range fields {
			fmt.Fprintf(&report, " %.1f %% |", 100*float64(right[k])/float64(max(total[k], 1)))
		}
		fmt.Fprintf(&report, " %.1f %% | %d of %d | %.2f | %.2f |\n", 100*float64(zonesValid)/float64(max(zones, 1)), confidentWrong, wrongFields,
			times[len(times)/2].Seconds(), times[len(times)*95/100].Seconds())
	}
	slices.Sort(allTimes)
	fmt.Fprintf(&report, "\nAll levels: median %.2f s, p95 %.2f s per card (front and back), %d cards.\n",
		allTimes[len(allTimes)/2].Seconds(), allTimes[len(allTimes)*95/100].Seconds(), len(allTimes))
	t.Log("\n" + report.String())
	if *accuracyOut != "" {
		if err := os.WriteFile(*accuracyOut, []byte(report.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
