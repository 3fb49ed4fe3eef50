package simulated_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"cotejo/scanner"
	"cotejo/scanner/simulated"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func fast(cfg simulated.Config) simulated.Config {
	cfg.Place, cfg.Scan, cfg.Lift = time.Millisecond, time.Millisecond, time.Millisecond
	cfg.Seed = 1
	return cfg
}

func TestCapture(t *testing.T) {
	s, err := simulated.Open(fast(simulated.Config{Citizen: "P001"}))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if info := s.Info(); info.PPI != 500 || !info.Simulated || info.Width == 0 {
		t.Errorf("info %+v", info)
	}
	ctx := context.Background()
	a, err := s.Capture(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := s.Capture(ctx)
	if a.Image.Bounds() != b.Image.Bounds() || string(a.Image.Pix) == string(b.Image.Pix) {
		t.Error("two captures of a finger should differ as impressions do")
	}
	for _, want := range []scanner.Event{scanner.FingerOn, scanner.FingerOff, scanner.FingerOn, scanner.FingerOff} {
		select {
		case e := <-s.Events():
			if e != want {
				t.Fatalf("event %v, want %v", e, want)
			}
		case <-time.After(time.Second):
			t.Fatalf("no %v event", want)
		}
	}
	s.Expect(7)
	if _, err := s.Capture(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := simulated.Open(simulated.Config{}); err == nil {
		t.Error("a simulator without a citizen opened")
	}
}

func TestCancelAndClose(t *testing.T) {
	cfg := simulated.Config{Citizen: "P002", Place: time.Hour, Seed: 1}
	s, _ := simulated.Open(cfg)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := s.Capture(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("timeout: %v", err)
	}
	done := make(chan error)
	go func() {
		_, err := s.Capture(context.Background())
		done <- err
	}()
	time.Sleep(10 * time.Millisecond)
	s.Close()
	if err := <-done; !errors.Is(err, scanner.ErrClosed) {
		t.Errorf("closed mid-capture: %v", err)
	}
	if _, err := s.Capture(context.Background()); !errors.Is(err, scanner.ErrClosed) {
		t.Errorf("capture after close: %v", err)
	}
	if m := scanner.Message(scanner.ErrUnplugged, "es"); m == "" || m == scanner.Message(scanner.ErrUnplugged, "en") {
		t.Errorf("message %q", m)
	}
}
