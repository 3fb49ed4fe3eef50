// Package outbox is sending the outbox: when, how often, and what INE's answer means for
// the entry. The store (storage) keeps the entries' bytes and states; the Sender claims
// the due ones, posts them through INE's client, classifies each answer or transport
// error and settles the entry with the store's primitives.
package outbox

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"cotejo/storage"
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
	Entry storage.Entry
	Err   error // for retry and failed, the reason
}

// Sender drains the outbox through INE's client while the service answers.
type Sender struct {
	DB          *storage.DB
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
		now := s.DB.Now()
		entries, bodies, err := s.DB.Claim(s.Concurrency, func(e storage.Entry) bool {
			return e.State == storage.StatePending && (s.Force || !e.NextAttempt.After(now))
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
			go func(e storage.Entry, body []byte) {
				defer wg.Done()
				o := s.attempt(ctx, e, body)
				if ctx.Err() != nil && o.Retry {
					// Shutting down mid-request: leave it in sending; the next start
					// sends it again.
					return
				}
				mu.Lock() // rnd is not safe for concurrent use
				o.Delay = s.Backoff.Delay(e.Attempts, rnd)
				mu.Unlock()
				o.MaxAge = s.Backoff.MaxAge
				e2, err := s.DB.Settle(e, o)
				switch {
				case errors.Is(err, storage.ErrAlreadyAnswered):
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
func (s *Sender) Submit(ctx context.Context, r storage.Request, sendNow bool) (storage.Entry, error) {
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
func (s *Sender) SendOne(ctx context.Context, ref string) (storage.Entry, error) {
	s.defaults()
	e, body, err := s.DB.ClaimOne(ref)
	if err != nil {
		return e, err
	}
	o := s.attempt(ctx, e, body)
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	o.Delay, o.MaxAge = s.Backoff.Delay(e.Attempts, rnd), s.Backoff.MaxAge
	e2, err := s.DB.Settle(e, o)
	if err != nil {
		return e, err
	}
	s.emit(eventFor(e2, o))
	return e2, nil
}

// attempt posts an entry's body and classifies what came of it.
func (s *Sender) attempt(ctx context.Context, e storage.Entry, body []byte) storage.Outcome {
	s.emit(Event{Kind: EventSent, Entry: e})
	raw, err := s.Client.Post(ctx, body)
	if err != nil {
		return classify(nil, nil, err)
	}
	res, err := verify.OpenResponse(raw, s.Client.INECert, e.Indice)
	return classify(raw, res, err)
}

func eventFor(e storage.Entry, o storage.Outcome) Event {
	switch e.State {
	case storage.StateAnswered:
		return Event{Kind: EventAnswered, Entry: e}
	case storage.StatePending:
		return Event{Kind: EventRetry, Entry: e, Err: errors.New(o.Reason)}
	}
	return Event{Kind: EventFailed, Entry: e, Err: errors.New(o.Reason)}
}
