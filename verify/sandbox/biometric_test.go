package sandbox_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"math/rand/v2"
	"testing"
	"time"

	"cotejo/scanner/extract"
	"cotejo/scanner/fingergen"
	"cotejo/scanner/simulated"
	"cotejo/scanner/template"
	"cotejo/scanner/wsq"
	"cotejo/verify"
	"cotejo/verify/sandbox"
)

// TestSyntheticMatcher: a citizen's own fingers, taken again, match their enrolment; an
// impostor's do not; unusable samples get INE's codes.
func TestSyntheticMatcher(t *testing.T) {
	m := &sandbox.SyntheticMatcher{}
	ctx := context.Background()
	rnd := rand.New(rand.NewPCG(1, 1))
	sample := func(id string, finger fingergen.Finger, q fingergen.Quality, seed uint64) []byte {
		master, err := fingergen.Citizen(fingergen.SeedFor(id), finger)
		if err != nil {
			t.Fatal(err)
		}
		return master.Impress(seed, fingergen.Preset(q, rnd)).Image.Pix
	}
	for _, finger := range []fingergen.Finger{2, 7} {
		for q := fingergen.Good; q <= fingergen.Poor; q++ {
			gen, err := m.Match(ctx, "P001", int(finger), verify.TipoRaw, sample("P001", finger, q, 9), fingergen.Width, fingergen.Height)
			if err != nil {
				t.Fatal(err)
			}
			imp, err := m.Match(ctx, "P001", int(finger), verify.TipoRaw, sample("P002", finger, q, 9), fingergen.Width, fingergen.Height)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("finger %d, %s: genuine %.1f, impostor %.1f", finger, q, gen, imp)
			if gen < 70 || imp >= 50 {
				t.Errorf("finger %d, %s: genuine %.1f (want ≥ 70), impostor %.1f (want < 50)", finger, q, gen, imp)
			}
			// The same captures as the ANSI 378 templates a kiosk would send.
			genT, err := m.Match(ctx, "P001", int(finger), verify.TipoANSI, tmpl(t, template.ANSI, int(finger), 0, sample("P001", finger, q, 9)), 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			impT, err := m.Match(ctx, "P001", int(finger), verify.TipoANSI, tmpl(t, template.ANSI, int(finger), 0, sample("P002", finger, q, 9)), 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("  as templates: genuine %.1f, impostor %.1f", genT, impT)
			// And as WSQ images at the FBI's 0.75 bits per pixel.
			genW, err := m.Match(ctx, "P001", int(finger), verify.TipoWSQ, wsqOf(t, sample("P001", finger, q, 9)), 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			impW, err := m.Match(ctx, "P001", int(finger), verify.TipoWSQ, wsqOf(t, sample("P002", finger, q, 9)), 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("  as WSQ: genuine %.1f, impostor %.1f", genW, impW)
			if genW < 70 || impW >= 50 {
				t.Errorf("finger %d, %s WSQ: genuine %.1f (want ≥ 70), impostor %.1f (want < 50)", finger, q, genW, impW)
			}
			if genT < 70 || impT >= 50 {
				t.Errorf("finger %d, %s templates: genuine %.1f (want ≥ 70), impostor %.1f (want < 50)", finger, q, genT, impT)
			}
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
	e := newEnv(t, nil)
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
	if impostor.Right == nil || *impostor.Right >= 50 || *impostor.Left >= 50 || impostor.Verdict(70) != verify.VerdictInvalid {
		t.Errorf("impostor: %+v", impostor)
	}
	t.Logf("genuine %.1f / %.1f, impostor %.1f / %.1f", *genuine.Right, *genuine.Left, *impostor.Right, *impostor.Left)
}
