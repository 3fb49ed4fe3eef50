// Package simulated is a fingerprint scanner without hardware: it shows impressions of a
// chosen citizen's synthetic fingers (or an impostor's) with a real scanner's timing:
// waiting for the finger, a capture that takes a moment, the finger lifted. It is the
// demo's scanner and the tests' stand-in for a USB reader.
package simulated

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"cotejo/scanner"
	"cotejo/scanner/biometrics/fingergen"
)

// Config chooses whose fingers the scanner shows and how.
type Config struct {
	Citizen  string            // register identifier, e.g. "P001": their fingers
	Impostor bool              // show someone else's fingers instead
	Quality  fingergen.Quality // how well fingers are placed
	// Timing: how long until the finger is placed, how long a capture takes, how long
	// until it is lifted. Zero values take a real reader's (0.8 s, 0.25 s, 0.6 s).
	Place, Scan, Lift time.Duration
	Seed              uint64 // varies the impressions; 0 takes the time
}

// Scanner is an open simulated scanner.
type Scanner struct {
	cfg    Config
	events chan scanner.Event
	rnd    *rand.Rand

	mu      sync.Mutex
	finger  fingergen.Finger
	masters map[fingergen.Finger]*fingergen.Master
	closed  chan struct{}
	once    sync.Once
	n       uint64
}

// Open starts a simulated scanner.
func Open(cfg Config) (*Scanner, error) {
	if cfg.Citizen == "" {
		return nil, fmt.Errorf("simulated scanner: no citizen chosen")
	}
	if cfg.Place == 0 {
		cfg.Place = 800 * time.Millisecond
	}
	if cfg.Scan == 0 {
		cfg.Scan = 250 * time.Millisecond
	}
	if cfg.Lift == 0 {
		cfg.Lift = 600 * time.Millisecond
	}
	if cfg.Seed == 0 {
		cfg.Seed = uint64(time.Now().UnixNano())
	}
	return &Scanner{cfg: cfg, events: make(chan scanner.Event, 8), rnd: rand.New(rand.NewPCG(cfg.Seed, 1)),
		finger: 2, masters: map[fingergen.Finger]*fingergen.Master{}, closed: make(chan struct{})}, nil
}

// Info describes the simulator as a 500 ppi reader.
func (s *Scanner) Info() scanner.Info {
	return scanner.Info{Vendor: "Cotejo", Model: "Simulated fingerprint reader", PPI: 500,
		Width: fingergen.Width, Height: fingergen.Height, Simulated: true}
}

// Expect tells the simulator which finger the operator asked for next (ANSI position:
// 2 right index, 7 left index); a real scanner cannot know, the simulator must.
func (s *Scanner) Expect(finger int) {
	s.mu.Lock()
	s.finger = fingergen.Finger(finger)
	s.mu.Unlock()
}

// Events reports finger on and off.
func (s *Scanner) Events() <-chan scanner.Event { return s.events }

func (s *Scanner) emit(e scanner.Event) {
	select {
	case s.events <- e:
	default: // nobody listening: drop, as the interface says
	}
}

func (s *Scanner) wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.closed:
		return scanner.ErrClosed
	}
}

// Capture waits for the finger, takes an impression of it and waits for it to lift.
func (s *Scanner) Capture(ctx context.Context) (*scanner.Capture, error) {
	select {
	case <-s.closed:
		return nil, scanner.ErrClosed
	default:
	}
	if err := s.wait(ctx, s.cfg.Place); err != nil {
		return nil, err
	}
	s.emit(scanner.FingerOn)
	s.mu.Lock()
	finger := s.finger
	m, ok := s.masters[finger]
	s.n++
	seed := s.cfg.Seed + s.n
	opts := fingergen.Preset(s.cfg.Quality, s.rnd)
	s.mu.Unlock()
	if !ok {
		id := s.cfg.Citizen
		if s.cfg.Impostor {
			id = "impostor of " + id
		}
		var err error
		if m, err = fingergen.Citizen(fingergen.SeedFor(id), finger); err != nil {
			return nil, err
		}
		s.mu.Lock()
		s.masters[finger] = m
		s.mu.Unlock()
	}
	imp := m.Impress(seed, opts)
	if err := s.wait(ctx, s.cfg.Scan); err != nil {
		return nil, err
	}
	c := &scanner.Capture{Image: imp.Image, PPI: 500, At: time.Now()}
	if err := s.wait(ctx, s.cfg.Lift); err != nil {
		return nil, err
	}
	s.emit(scanner.FingerOff)
	return c, nil
}

// Close ends the simulator; a Capture in progress returns ErrClosed.
func (s *Scanner) Close() error {
	s.once.Do(func() { close(s.closed) })
	return nil
}

var _ scanner.Device = (*Scanner)(nil)
