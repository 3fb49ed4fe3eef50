package storage

import (
	"context"
	"errors"
	bolt "go.etcd.io/bbolt"
	"math/rand/v2"
	"sync"
	"time"

	"cotejo/verify"
)

// EventKind names what happened to an entry.
type EventKind string

const (
	EventQueued   EventKind = "queued"
	EventSent     EventKind = "sent"
	EventAnswered EventKind = "answered"
	EventRetry    EventKind = "retry"
	EventFailed   EventKind = "failed"
)

// Event tells the GUI what happened to an entry.
type Event struct {
	Kind  EventKind
	Entry Entry
	Err   error // for retry and failed, the reason
}

// Sender drains the outbox through INE's client while the service answers.
type Sender struct {
	DB          *DB
	Client      *verify.Client
	Concurrency int           // requests in flight at once; default 2
	Poll        time.Duration // how often to look for due entries; default 5 s
	Backoff     Backoff       // zero: DefaultBackoff
	Events      func(Event)   // called one event at a time, from the sender's goroutines; may be nil
	// Force sends pending entries now whatever their schedule: an operator's drain.
	Force bool

	emitMu sync.Mutex // events reach Events one at a time
}

func (s *Sender) defaults() {
	if s.Concurrency <= 0 {
		s.Concurrency = 2
	}
	if s.Poll <= 0 {
		s.Poll = 5 * time.Second
	}
	if s.Backoff == (Backoff{}) {
		s.Backoff = DefaultBackoff()
	}
}

func (s *Sender) emit(ev Event) {
	if s.Events != nil {
		s.emitMu.Lock()
		defer s.emitMu.Unlock()
		s.Events(ev)
	}
}

// Run drains until ctx ends, looking for due entries every Poll.
func (s *Sender) Run(ctx context.Context) error {
	s.defaults()
	if _, err := s.pass(ctx); err != nil && ctx.Err() == nil {
		return err
	}
	t := time.NewTicker(s.Poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if _, err := s.Drain(ctx); err != nil && ctx.Err() == nil {
				return err
			}
		}
	}
}

// Drain sends every entry that is due now and returns how many attempts it made.
func (s *Sender) Drain(ctx context.Context) (int, error) {
	s.defaults()
	return s.pass(ctx)
}

func (s *Sender) pass(ctx context.Context) (int, error) {
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x636f74656a6f))
	total := 0
	for ctx.Err() == nil {
		now := s.DB.opts.Now()
		entries, bodies, err := s.DB.claim(s.Concurrency, func(e Entry) bool {
			return e.State == StatePending && (s.Force || !e.NextAttempt.After(now))
		})
		if err != nil {
			return total, err
		}
		if len(entries) == 0 {
			return total, nil
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var firstErr error
		for i := range entries {
			wg.Add(1)
			go func(e Entry, body []byte) {
				defer wg.Done()
				o := s.attempt(ctx, e, body)
				if ctx.Err() != nil && o.retry {
					// Shutting down mid-request: leave it in sending; the next start
					// sends it again.
					return
				}
				mu.Lock() // rnd is not safe for concurrent use
				delay := s.Backoff.Delay(e.Attempts, rnd)
				mu.Unlock()
				e2, err := s.DB.settle(e, o, s.Backoff.MaxAge, delay)
				switch {
				case errors.Is(err, ErrAlreadyAnswered):
				case err != nil:
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				default:
					s.emit(eventFor(e2, o))
				}
			}(entries[i], bodies[i])
		}
		wg.Wait()
		total += len(entries)
		if firstErr != nil {
			return total, firstErr
		}
	}
	return total, ctx.Err()
}

// Submit makes a request durable in the outbox, announces it as queued, and, with
// sendNow, sends it at once: the entry comes back answered, or pending when INE could
// not be reached (it then goes out with the next drain).
func (s *Sender) Submit(ctx context.Context, r Request, sendNow bool) (Entry, error) {
	e, err := s.DB.Enqueue(ctx, r)
	if err != nil {
		return e, err
	}
	s.emit(Event{Kind: EventQueued, Entry: e})
	if !sendNow {
		return e, nil
	}
	return s.SendOne(ctx, e.ID)
}

// SendOne sends one pending entry now, whatever its schedule, and returns it as it
// stands afterwards: answered, back to pending (with the reason), or failed.
func (s *Sender) SendOne(ctx context.Context, ref string) (Entry, error) {
	s.defaults()
	var e Entry
	var body []byte
	err := s.DB.bolt.Update(func(tx *bolt.Tx) error {
		ind, err := resolve(tx, ref)
		if err != nil {
			return err
		}
		e, body, err = s.DB.claimTx(tx, ind, func(e Entry) bool { return e.State == StatePending })
		if err == nil && body == nil {
			err = &StateError{ID: e.ID, State: e.State, Op: "send"}
		}
		return err
	})
	if err != nil {
		return e, err
	}
	o := s.attempt(ctx, e, body)
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	e2, err := s.DB.settle(e, o, s.Backoff.MaxAge, s.Backoff.Delay(e.Attempts, rnd))
	if err != nil {
		return e, err
	}
	s.emit(eventFor(e2, o))
	return e2, nil
}

func (s *Sender) attempt(ctx context.Context, e Entry, body []byte) outcome {
	s.emit(Event{Kind: EventSent, Entry: e})
	raw, err := s.Client.Post(ctx, body)
	if err != nil {
		return classify(nil, err)
	}
	res, err := verify.OpenResponse(raw, s.Client.INECert, e.Indice)
	o := classify(res, err)
	if o.result != nil {
		o.raw = raw
	}
	return o
}

func eventFor(e Entry, o outcome) Event {
	switch e.State {
	case StateAnswered:
		return Event{Kind: EventAnswered, Entry: e}
	case StatePending:
		return Event{Kind: EventRetry, Entry: e, Err: errors.New(o.reason)}
	}
	return Event{Kind: EventFailed, Entry: e, Err: errors.New(o.reason)}
}
