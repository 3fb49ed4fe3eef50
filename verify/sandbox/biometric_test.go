package sandbox_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"math/rand/v2"
	"testing"
	"time"

	"cotejo/scanner/biometrics/extract"
	"cotejo/scanner/biometrics/fingergen"
	"cotejo/scanner/biometrics/match"
	"cotejo/scanner/biometrics/template"
	"cotejo/scanner/biometrics/wsq"
	"cotejo/scanner/simulated"
	"cotejo/verify"
	"cotejo/verify/sandbox"
	"cotejo/verify/sandbox/sandboxtest"
)

// TestSyntheticMatcher: a citizen's own fingers, taken again, match their enrolment; an
// impostor's do not; unusable samples get INE's codes.
func TestSyntheticMatcher(t *testing.T) {
	m := &sandbox.SyntheticMatcher{}
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(1, 1))
	masters := map[string]*fingergen.Master{} // growing one takes seconds under -race
	sample := func(id string, finger fingergen.Finger, q fingergen.Quality, seed uint64) []byte {
		key := fmt.Sprint(id, finger)
		master, ok := masters[key]
		if !ok {
			var err error
			if master, err = fingergen.Citizen(fingergen.SeedFor(id), finger); err != nil {
				t.Fatal(err)
			}
			masters[key] = master
		}
		return master.Impress(seed, fingergen.Preset(q, rnd)).Image.Pix
	}
	// Every finger and quality as raw images; templates and WSQ on a sample of them (each
	// case extracts two prints, slow under the race detector).
	type form struct {
		name string
		tipo int
		enc  func(finger int, raw []byte) []byte
	}
	raw := form{"raw", verify.TipoRaw, func(_ int, b []byte) []byte { return b }}
	ansi := form{"ANSI 378", verify.TipoANSI, func(f int, b []byte) []byte { return tmpl(t, template.ANSI, f, 0, b) }}
	wsqForm := form{"WSQ 0.75", verify.TipoWSQ, func(_ int, b []byte) []byte { return wsqOf(t, b) }}
	type tc struct {
		finger fingergen.Finger
		q      fingergen.Quality
		form   form
	}
	var matches []tc
	for _, finger := range []fingergen.Finger{2, 7} {
		for q := fingergen.Good; q <= fingergen.Poor; q++ {
			matches = append(matches, tc{finger, q, raw})
		}
	}
	matches = append(matches, tc{2, fingergen.Fair, ansi}, tc{7, fingergen.Poor, ansi}, tc{7, fingergen.Fair, wsqForm}, tc{2, fingergen.Poor, wsqForm})
	for _, c := range matches {
		var sims [2]float64
		for i, id := range []string{"P001", "P002"} {
			sim, err := m.Match(ctx, "P001", int(c.finger), c.form.tipo, c.form.enc(int(c.finger), sample(id, c.finger, c.q, 9)), fingergen.Width, fingergen.Height)
			if err != nil {
				t.Fatal(err)
			}
			sims[i] = sim
		}
		t.Logf("finger %d, %s, %s: genuine %.1f, impostor %.1f", c.finger, c.q, c.form.name, sims[0], sims[1])
		if sims[0] < 70 || sims[1] >= 50 {
			t.Errorf("finger %d, %s, %s: genuine %.1f (want ≥ 70), impostor %.1f (want < 50)", c.finger, c.q, c.form.name, sims[0], sims[1])
		}
	}
	blank := make([]byte, fingergen.Width*fingergen.Height)
	for i := range blank {
		blank[i] = 235
	}
	cases := map[string]struct {
		tipo   int
		sample []byte
		w, h   int
		code   int
	}{
		"a blank reader":   {verify.TipoRaw, blank, fingergen.Width, fingergen.Height, 314},
		"a wrong size":     {verify.TipoRaw, blank, 10, 10, 320},
		"an unknown type":  {9, blank, 0, 0, 312},
		"garbage as WSQ":   {verify.TipoWSQ, blank, 0, 0, 321},
		"garbage as ANSI":  {verify.TipoANSI, blank, 0, 0, 320},
		"an ISO template":  {verify.TipoANSI, tmpl(t, template.ISO, 2, 0, sample("P001", 2, fingergen.Good, 4)), 0, 0, 320},
		"the other finger": {verify.TipoANSI, tmpl(t, template.ANSI, 7, 0, sample("P001", 2, fingergen.Good, 4)), 0, 0, 320},
		"five minutiae":    {verify.TipoANSI, tmpl(t, template.ANSI, 2, 5, sample("P001", 2, fingergen.Good, 4)), 0, 0, 315},
	}
	for name, c := range cases {
		_, err := m.Match(ctx, "P001", 2, c.tipo, c.sample, c.w, c.h)
		var ce *sandbox.CodeError
		if !errors.As(err, &ce) || int(ce.Code) != c.code {
			t.Errorf("%s: %v, want code %d", name, err, c.code)
		}
	}
}

// tmpl extracts a raw 500 × 500 capture's minutiae into a template of format f for
// finger, keeping the first keep minutiae (0: all).
func tmpl(t *testing.T, f template.Format, finger, keep int, raw []byte) []byte {
	t.Helper()
	r, err := extract.Extract(&image.Gray{Pix: raw, Stride: fingergen.Width, Rect: image.Rect(0, 0, fingergen.Width, fingergen.Height)})
	if err != nil {
		t.Fatal(err)
	}
	mins := r.Minutiae
	if keep > 0 {
		mins = mins[:keep]
	}
	b, err := template.New(f, finger, fingergen.Width, fingergen.Height, 500, 80, mins).Encode()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wsqOf compresses a raw 500 × 500 capture as the kiosk would send it (tipo 2).
func wsqOf(t *testing.T, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	img := &image.Gray{Pix: raw, Stride: fingergen.Width, Rect: image.Rect(0, 0, fingergen.Width, fingergen.Height)}
	if err := wsq.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestFingerprintsMatch sends, over two-way TLS, the captures a simulated scanner takes
// of a genuine citizen's index fingers, then an impostor's: INE's answer carries real
// similarities, and the verdict follows them.
func TestFingerprintsMatch(t *testing.T) {
	e := newEnvWith(t, sandboxtest.Options{Timeout: 15 * time.Minute})
	c := e.find(t, vigenteG)
	capture := func(impostor bool) *verify.Fingers {
		s, err := simulated.Open(simulated.Config{Citizen: c.ID, Impostor: impostor, Quality: fingergen.Fair,
			Place: time.Millisecond, Scan: time.Millisecond, Lift: time.Millisecond, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		f := &verify.Fingers{Tipo: verify.TipoRaw}
		for _, finger := range []int{2, 7} {
			s.Expect(finger)
			cp, err := s.Capture(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			f.Width, f.Height = cp.Image.Rect.Dx(), cp.Image.Rect.Dy()
			if finger == 2 {
				f.Right = cp.Image.Pix
			} else {
				f.Left = cp.Image.Pix
			}
		}
		return f
	}
	genuine := e.verify(t, verify.Verification{Credential: c.Credential(), Location: branch(), Consent: true, Fingers: capture(false)})
	if genuine.FingerCode != 0 || genuine.Right == nil || genuine.Left == nil || *genuine.Right < 70 || *genuine.Left < 70 || genuine.Verdict(70) != verify.VerdictValid {
		t.Errorf("genuine: %+v", genuine)
	}
	impostor := e.verify(t, verify.Verification{Credential: c.Credential(), Location: branch(), Consent: true, Fingers: capture(true)})
	// The scale stands for false match rates (scanner/biometrics/match: 50 is 1 %, 70 is 0.1 %):
	// one impostor pair in a hundred reaches 50; this one must stay below the threshold.
	if impostor.Right == nil || *impostor.Right >= match.Threshold || *impostor.Left >= match.Threshold || impostor.Verdict(70) != verify.VerdictInvalid {
		t.Errorf("impostor: %+v", impostor)
	}
	t.Logf("genuine %.1f / %.1f, impostor %.1f / %.1f", *genuine.Right, *genuine.Left, *impostor.Right, *impostor.Left)
}
