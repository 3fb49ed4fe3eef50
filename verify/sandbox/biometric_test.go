package sandbox_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"cotejo/scanner/biometrics/enrolled"
	"cotejo/scanner/biometrics/fingergen"
	"cotejo/scanner/biometrics/match"
	"cotejo/scanner/simulated"
	"cotejo/verify"
	"cotejo/verify/sandbox"
	"cotejo/verify/sandbox/sandboxtest"
)

// The demo's matcher is a sandbox.Matcher, and the formats the sandbox gives are the
// ones it understands (they are spelled twice, as neither package may import the other).
var _ sandbox.Matcher = (*enrolled.Matcher)(nil)

func TestFormatsAgree(t *testing.T) {
	for _, f := range [][2]string{{sandbox.FormatANSI, enrolled.ANSI}, {sandbox.FormatWSQ, enrolled.WSQ}, {sandbox.FormatRaw, enrolled.Raw}} {
		if f[0] != f[1] {
			t.Errorf("sandbox gives %q, enrolled understands %q", f[0], f[1])
		}
	}
}

// TestOpenTakesTheMatcher: the synthetic biometrics need the caller's matcher; "off"
// needs none; anything else is refused as before.
func TestOpenTakesTheMatcher(t *testing.T) {
	dir, err := sandboxtest.PKI()
	if err != nil {
		t.Fatal(err)
	}
	fc, err := sandboxtest.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		biometrics string
		matcher    sandbox.Matcher
		ok         bool
	}{
		{"", &enrolled.Matcher{}, true},
		{"synthetic", &enrolled.Matcher{}, true},
		{"", nil, false},
		{"synthetic", nil, false},
		{"off", nil, true},
		{"off", &enrolled.Matcher{}, true},
		{"real", &enrolled.Matcher{}, false},
	} {
		st := fc.Sandbox
		st.Biometrics = tt.biometrics
		if _, _, err := st.Open(dir, nil, tt.matcher); (err == nil) != tt.ok {
			t.Errorf("biometrics %q, matcher %v: %v", tt.biometrics, tt.matcher != nil, err)
		}
	}
}

// scripted is a matcher that notes what it was given and answers as told.
type scripted struct {
	mu     sync.Mutex
	calls  []string
	answer func(finger int) (float64, error)
}

func (r *scripted) Match(_ context.Context, citizenID string, finger int, format string, sample []byte, width, height int) (float64, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf("%s %d %s %q %dx%d", citizenID, finger, format, sample, width, height))
	return r.answer(finger)
}

// set starts a new round: answer is what the matcher will say, calls what it saw
// before. The lock orders them with the server's goroutines.
func (r *scripted) set(answer func(finger int) (float64, error)) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	calls := r.calls
	r.calls, r.answer = nil, answer
	return calls
}

// coded is a refusal of another package's making: the sandbox knows it only by its
// BiometricCode method.
type coded struct{ code int }

func (c coded) Error() string      { return fmt.Sprint("refused ", c.code) }
func (c coded) BiometricCode() int { return c.code }

// TestMatcherGivenFormatAndCodes: INE's tipo reaches the matcher as its format (with the
// raw image's size), its similarities come back per finger, and its refusals become their
// codes (a plain error, 304).
func TestMatcherGivenFormatAndCodes(t *testing.T) {
	rec := &scripted{}
	e := newEnvWith(t, sandboxtest.Options{Matcher: rec})
	c := e.find(t, vigenteG)
	send := func(f *verify.Fingers) *verify.Result {
		return e.verify(t, verify.Verification{Credential: c.Credential(), Location: branch(), Consent: true, Fingers: f})
	}
	similar := func(finger int) (float64, error) { return float64(80 + finger), nil }
	rec.set(similar)
	for _, tt := range []struct {
		f    *verify.Fingers
		want []string
	}{
		{&verify.Fingers{Tipo: verify.TipoANSI, Right: []byte("r"), Left: []byte("l")}, []string{c.ID + ` 2 ansi "r" 0x0`, c.ID + ` 7 ansi "l" 0x0`}},
		{&verify.Fingers{Tipo: verify.TipoWSQ, Left: []byte("w")}, []string{c.ID + ` 7 wsq "w" 0x0`}},
		{&verify.Fingers{Tipo: verify.TipoRaw, Width: 2, Height: 1, Right: []byte("ab")}, []string{c.ID + ` 2 raw "ab" 2x1`}},
	} {
		r := send(tt.f)
		calls := rec.set(similar)
		slices.Sort(calls) // the fingers are compared in no particular order
		if !slices.Equal(calls, tt.want) {
			t.Errorf("tipo %d: the matcher saw %q, want %q", tt.f.Tipo, calls, tt.want)
		}
		if r.FingerCode != 0 || (tt.f.Right != nil) != (r.Right != nil) || (tt.f.Left != nil) != (r.Left != nil) ||
			r.Right != nil && *r.Right != 82 || r.Left != nil && *r.Left != 87 {
			t.Errorf("tipo %d: %+v", tt.f.Tipo, r)
		}
	}
	for _, tt := range []struct {
		name string
		err  error
		want int
	}{
		{"CodeError", &sandbox.CodeError{Code: 315}, 315},
		{"another package's refusal", coded{314}, 314},
		{"a wrapped refusal", fmt.Errorf("matcher: %w", coded{321}), 321},
		{"a plain error", errors.New("library down"), 304},
	} {
		rec.set(func(int) (float64, error) { return 0, tt.err })
		r := send(&verify.Fingers{Tipo: verify.TipoANSI, Right: []byte("r")})
		if int(r.FingerCode) != tt.want || r.Right != nil {
			t.Errorf("%s: code %d, right %v, want code %d", tt.name, r.FingerCode, r.Right, tt.want)
		}
	}
}

// TestFingerprintsMatch sends, over two-way TLS, the captures a simulated scanner takes
// of a genuine citizen's index fingers, then an impostor's: INE's answer carries real
// similarities, and the verdict follows them.
func TestFingerprintsMatch(t *testing.T) {
	e := newEnvWith(t, sandboxtest.Options{Timeout: 15 * time.Minute, Matcher: &enrolled.Matcher{}})
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
