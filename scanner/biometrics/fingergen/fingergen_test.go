package fingergen_test

import (
	"flag"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"cotejo/scanner/biometrics/fingergen"
)

var outDir = flag.String("fingergen.out", "", "also write the prints to this directory, to look at")

func TestMasters(t *testing.T) {
	for c := fingergen.Arch; c <= fingergen.TentedArch; c++ {
		m := fingergen.NewMaster(uint64(c)+1, c)
		t.Logf("%s: %d minutiae", c, len(m.Minutiae))
		if *outDir != "" {
			w, _ := os.Create(filepath.Join(*outDir, c.String()+".png"))
			png.Encode(w, m.Ridges)
			w.Close()
		}
	}
}

func TestImpressions(t *testing.T) {
	m := fingergen.NewMaster(7, fingergen.RightLoop)
	for q := fingergen.Good; q <= fingergen.Poor; q++ {
		imp := m.Impress(uint64(q)+10, fingergen.Preset(q, rand.New(rand.NewPCG(uint64(q), 1))))
		t.Logf("%s: %d of %d minutiae", q, len(imp.Minutiae), len(m.Minutiae))
		if *outDir != "" {
			w, _ := os.Create(filepath.Join(*outDir, "imp-"+q.String()+".png"))
			png.Encode(w, imp.Image)
			w.Close()
		}
	}
}

func TestImpressionGeometry(t *testing.T) {
	m := fingergen.NewMaster(3, fingergen.Whorl)
	if len(m.Minutiae) < 40 {
		t.Fatalf("a whorl with %d minutiae", len(m.Minutiae))
	}
	// Untouched: the same minutiae where they were (those near the edge dropped).
	flat := m.Impress(1, fingergen.Options{Contact: 1})
	if len(flat.Minutiae) < len(m.Minutiae)*3/4 {
		t.Errorf("flat impression keeps %d of %d minutiae", len(flat.Minutiae), len(m.Minutiae))
	}
	near := func(a fingergen.Minutia, list []fingergen.Minutia, tol float64) bool {
		for _, b := range list {
			if math.Hypot(a.X-b.X, a.Y-b.Y) < tol && a.Kind == b.Kind && math.Abs(math.Remainder(a.Angle-b.Angle, 2*math.Pi)) < 1e-9 {
				return true
			}
		}
		return false
	}
	for _, mn := range flat.Minutiae {
		if !near(mn, m.Minutiae, 1e-6) {
			t.Fatalf("flat impression moved a minutia: %+v", mn)
		}
	}
	// Deterministic.
	a := m.Impress(9, fingergen.Preset(fingergen.Fair, rand.New(rand.NewPCG(1, 1))))
	b := m.Impress(9, fingergen.Preset(fingergen.Fair, rand.New(rand.NewPCG(1, 1))))
	if string(a.Image.Pix) != string(b.Image.Pix) || len(a.Minutiae) != len(b.Minutiae) {
		t.Error("the same seed made two different impressions")
	}
	// A minutia of an impression sits on the ridge pattern where the master's was: the
	// impression's ridge map around it matches the master's around the original, seen
	// through the same transformation (tested here as: ink under ending minutiae).
	dark := 0
	for _, mn := range a.Minutiae {
		if a.Image.GrayAt(int(mn.X+0.5), int(mn.Y+0.5)).Y < 150 {
			dark++
		}
	}
	if dark*10 < len(a.Minutiae)*6 {
		t.Errorf("only %d of %d impression minutiae sit on ridges", dark, len(a.Minutiae))
	}
}

func TestCitizenFingers(t *testing.T) {
	seed := fingergen.SeedFor("P001")
	r1, err := fingergen.Citizen(seed, 2)
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := fingergen.Citizen(seed, 2)
	l, _ := fingergen.Citizen(seed, 7)
	if string(r1.Ridges.Pix) != string(r2.Ridges.Pix) {
		t.Error("a citizen's finger changed between calls")
	}
	if string(r1.Ridges.Pix) == string(l.Ridges.Pix) {
		t.Error("right and left index fingers are the same")
	}
	if _, err := fingergen.Citizen(seed, 11); err == nil {
		t.Error("finger 11 accepted")
	}
}

func BenchmarkMaster(b *testing.B) {
	for i := 0; b.Loop(); i++ {
		fingergen.NewMaster(uint64(i), fingergen.RightLoop)
	}
}

func BenchmarkImpression(b *testing.B) {
	m := fingergen.NewMaster(1, fingergen.Whorl)
	for q := fingergen.Good; q <= fingergen.Poor; q++ {
		b.Run(q.String(), func(b *testing.B) {
			rnd := rand.New(rand.NewPCG(1, 2))
			for i := 0; b.Loop(); i++ {
				m.Impress(uint64(i), fingergen.Preset(q, rnd))
			}
		})
	}
}
