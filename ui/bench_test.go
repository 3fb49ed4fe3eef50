package ui

import (
	"runtime"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"cotejo/capture"
	"cotejo/scanner/biometrics/enrolled"
	"cotejo/verify/sandbox/sandboxtest"
)

// BenchmarkStartup is the time from nothing to the sign-in screen with real services
// already opened (the window's own part of start-up).
func BenchmarkStartup(b *testing.B) {
	test.NewTempApp(b)
	k := &capture.Kiosk{}
	for b.Loop() {
		w := test.NewWindow(nil)
		c := New(k, w, Options{Poll: time.Hour, NoAutoSend: true})
		c.Start()
		if c.Screen() != "signin" {
			b.Fatal(c.Screen())
		}
		c.Close()
		w.Close()
	}
}

// BenchmarkTenVerifications walks ten whole verifications through the window (OCR of a
// sample credential, both fingers from the simulated reader, the sandbox over two-way
// TLS) and reports the heap in use afterwards, after a collection.
func BenchmarkTenVerifications(b *testing.B) {
	env := sandboxtest.Start(b, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	k := kioskTB(b, env)
	test.NewTempApp(b)
	w := test.NewTempWindow(b, nil)
	c := New(k, w, Options{Demo: true, Poll: time.Hour, NoAutoSend: true})
	c.Start()
	defer c.Close()
	c.signInAs(b, "ana", "4821")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for b.Loop() {
		for range 10 {
			for _, key := range []string{"new", "sampleG", "next", "next", "accept", "next", "send", "home"} {
				c.tap(b, key)
			}
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.HeapInuse)/(1<<20), "MB-heap-after")
	b.ReportMetric(float64(before.HeapInuse)/(1<<20), "MB-heap-before")
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(10*b.N), "ms/verification")
}
