package ui

import (
	"testing"
	"time"

	"cotejo/scanner/biometrics/enrolled"
	"cotejo/verify/sandbox/sandboxtest"
)

// TestWalkthrough is a whole verification by touch, from the sign-in screen to the
// result, counting the teller's taps and timing what the kiosk makes them wait for
// (OCR, the fingers' capture, INE's answer). It fails only on the taps: the seconds
// are this machine's, logged for docs/benchmarks.md (go test -v -run TestWalkthrough).
func TestWalkthrough(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	c := start(t, kiosk(t, env, false))
	taps := 0
	var waits []string
	timed := func(what string, f func()) {
		start := time.Now()
		f()
		waits = append(waits, what+" "+time.Since(start).Round(10*time.Millisecond).String())
	}
	tap := func(key string) { taps++; c.tap(t, key) }
	all := time.Now()
	s := on[*signInScreen](t, c)
	tap("op:ana")
	for _, d := range "4821" {
		taps++
		press(t, s.digits, string(d))
	}
	timed("sign-in", func() { tap("enter") })
	c.want(t, "home")
	tap("new")
	timed("credential read", func() { tap("sampleG") })
	timed("fingers captured", func() { tap("next") }) // capture starts by itself
	c.want(t, "fingers")
	tap("next")
	tap("accept")
	tap("next")
	c.want(t, "review")
	timed("INE's answer", func() { tap("send") })
	if v := on[*resultScreen](t, c).verdict; v != "valid" {
		t.Fatalf("verdict %q", v)
	}
	t.Logf("%d taps; the kiosk's own time %s (%v)", taps, time.Since(all).Round(10*time.Millisecond), waits)
	if taps > 13 {
		t.Errorf("%d taps from sign-in to result, want at most 13", taps)
	}
}
