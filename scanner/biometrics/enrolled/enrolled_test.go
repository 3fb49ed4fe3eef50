package enrolled_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"math/rand/v2"
	"testing"

	"cotejo/scanner/biometrics/enrolled"
	"cotejo/scanner/biometrics/extract"
	"cotejo/scanner/biometrics/fingergen"
	"cotejo/scanner/biometrics/template"
	"cotejo/scanner/biometrics/wsq"
)

// TestMatcher: a citizen's own fingers, taken again, match their enrolment; an
// impostor's do not; unusable samples get INE's codes.
func TestMatcher(t *testing.T) {
	m := &enrolled.Matcher{}
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
		name   string
		format string
		enc    func(finger int, raw []byte) []byte
	}
	raw := form{"raw", enrolled.Raw, func(_ int, b []byte) []byte { return b }}
	ansi := form{"ANSI 378", enrolled.ANSI, func(f int, b []byte) []byte { return tmpl(t, template.ANSI, f, 0, b) }}
	wsqForm := form{"WSQ 0.75", enrolled.WSQ, func(_ int, b []byte) []byte { return wsqOf(t, b) }}
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
			sim, err := m.Match(ctx, "P001", int(c.finger), c.form.format, c.form.enc(int(c.finger), sample(id, c.finger, c.q, 9)), fingergen.Width, fingergen.Height)
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
		format string
		sample []byte
		w, h   int
		code   int
	}{
		"a blank reader":    {enrolled.Raw, blank, fingergen.Width, fingergen.Height, 314},
		"a wrong size":      {enrolled.Raw, blank, 10, 10, 320},
		"an unknown format": {"jpeg", blank, 0, 0, 312},
		"garbage as WSQ":    {enrolled.WSQ, blank, 0, 0, 321},
		"garbage as ANSI":   {enrolled.ANSI, blank, 0, 0, 320},
		"an ISO template":   {enrolled.ANSI, tmpl(t, template.ISO, 2, 0, sample("P001", 2, fingergen.Good, 4)), 0, 0, 320},
		"the other finger":  {enrolled.ANSI, tmpl(t, template.ANSI, 7, 0, sample("P001", 2, fingergen.Good, 4)), 0, 0, 320},
		"five minutiae":     {enrolled.ANSI, tmpl(t, template.ANSI, 2, 5, sample("P001", 2, fingergen.Good, 4)), 0, 0, 315},
	}
	for name, c := range cases {
		_, err := m.Match(ctx, "P001", 2, c.format, c.sample, c.w, c.h)
		// The sandbox recognises a refusal by this behaviour, not by the type.
		var coded interface{ BiometricCode() int }
		var ee *enrolled.Error
		if !errors.As(err, &coded) || coded.BiometricCode() != c.code || !errors.As(err, &ee) || ee.Code != c.code {
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
