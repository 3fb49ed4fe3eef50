// Package outbox is sending the outbox: when, how often, and what INE's answer means for
// the entry. The store (storage) keeps the entries' bytes and states; the Sender claims
// the due ones, posts them through INE's client, classifies each answer or transport
// error and settles the entry with the store's primitives.
package outbox

import (
	"context"
	"errors"
	"fmt"
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
	// OnStatus, when set, is called from Run's goroutine each time Status changes, so a
	// screen can say whether the sender works.
	OnStatus func(Status)
	// Force sends pending entries now whatever their schedule: an operator's drain.
	// Even forced, a pass sends each entry at most once.
	Force bool

	emitMu sync.Mutex // events reach Events one at a time

	statusMu sync.Mutex
	status   Status
}

// SenderState is where Run stands.
type SenderState string

const (
	SenderStopped SenderState = "stopped" // Run not running (never started, or returned)
	SenderRunning SenderState = "running" // the last pass went through
	SenderFailing SenderState = "failing" // the last pass failed; Run tries again after a pause
)

// Status is Run's state for the home screen: whether the sender works and, when it
// does not, the last error and how many passes in a row failed.
type Status struct {
	State     SenderState
	LastError error     // the last failed pass's error; nil while passes go through
	Failures  int       // passes failed in a row
	Since     time.Time // when State last changed
	Retry     time.Time // while failing, when the next pass starts
}

// Message says the status in the operator's words (lang "es" or "en"); the error's
// text stays in the log, not on screen.
func (st Status) Message(lang string) string {
	es, en := "", ""
	switch st.State {
	case SenderRunning:
		es, en = "Envío de la cola en marcha", "The queue is being sent"
	case SenderFailing:
		es = fmt.Sprintf("El envío de la cola falla (%d veces seguidas); se reintenta solo. Si sigue, avise a soporte.", st.Failures)
		en = fmt.Sprintf("Sending the queue fails (%d times in a row); it retries by itself. If it goes on, call support.", st.Failures)
	default:
		es, en = "El envío de la cola está detenido", "Sending the queue is stopped"
	}
	if lang == "en" {
		return en
	}
	return es
}

// Status is Run's current state; safe from any goroutine.
func (s *Sender) Status() Status {
	s.statusMu.Lock()
	defer s.statusMu.Unlock()
	if s.status.State == "" {
		return Status{State: SenderStopped}
	}
	return s.status
}

func (s *Sender) setStatus(st Status) {
	s.statusMu.Lock()
	old := s.status
	if st.State != old.State {
		st.Since = time.Now()
	} else {
		st.Since = old.Since
	}
	s.status = st
	s.statusMu.Unlock()
	if s.OnStatus != nil && (st.State != old.State || st.LastError != old.LastError || st.Failures != old.Failures) {
		s.OnStatus(st)
	}
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

// Run drains until ctx ends, looking for due entries every Poll. A pass that fails
// (the data file unwritable, say) does not end it: it records the error in Status,
// waits by the retry schedule (longer after each failure in a row) and tries again. It
// returns nil when ctx ends.
func (s *Sender) Run(ctx context.Context) error {
	s.defaults()
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x72756e))
	defer s.setStatus(Status{State: SenderStopped})
	s.setStatus(Status{State: SenderRunning})
	failures := 0
	wait := time.Duration(0)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		_, err := s.Drain(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			failures++
			wait = max(s.Poll, s.Backoff.Delay(failures, rnd))
			s.setStatus(Status{State: SenderFailing, LastError: err, Failures: failures, Retry: time.Now().Add(wait)})
			continue
		}
		failures, wait = 0, s.Poll
		s.setStatus(Status{State: SenderRunning})
	}
}

// Drain sends every entry that is due now (with Force, every pending one), each at
// most once, and returns how many attempts it made.
func (s *Sender) Drain(ctx context.Context) (int, error) {
	s.defaults()
	return s.pass(ctx)
}

func (s *Sender) pass(ctx context.Context) (int, error) {
	rnd := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0x636f74656a6f))
	if _, err := s.DB.BoundSchedule(s.Backoff.Max); err != nil {
		return 0, err
	}
	// tried keeps a pass from sending an entry twice: an entry put back to pending by
	// its attempt (INE down) is due again at once when forced, and would be claimed
	// again and again while the entries behind it waited.
	tried := map[string]bool{}
	total := 0
	for ctx.Err() == nil {
		now := s.DB.Now()
		entries, bodies, err := s.DB.Claim(s.Concurrency, func(e storage.Entry) bool {
			return e.State == storage.StatePending && !tried[e.Indice] && (s.Force || !e.NextAttempt.After(now))
		})
		if err != nil {
			return total, err
		}
		if len(entries) == 0 {
			return total, nil
		}
		for _, e := range entries {
			tried[e.Indice] = true
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var errs []error
		for i := range entries {
			wg.Add(1)
			go func(e storage.Entry, body []byte) {
				defer wg.Done()
				var err error
				o := s.attempt(ctx, e, body)
				if ctx.Err() != nil && o.Retry {
					// Abandoned mid-request: back to pending, not left in sending until
					// the next start.
					_, err = s.DB.Release(e)
				} else {
					err = s.settle(e, o, rnd, &mu)
				}
				if err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}(entries[i], bodies[i])
		}
		wg.Wait()
		total += len(entries)
		if err := errors.Join(errs...); err != nil {
			return total, err
		}
	}
	return total, ctx.Err()
}

// settle records an attempt's outcome with the schedule's delay and announces it.
func (s *Sender) settle(e storage.Entry, o storage.Outcome, rnd *rand.Rand, mu *sync.Mutex) error {
	mu.Lock() // rnd is not safe for concurrent use
	o.Delay = s.Backoff.Delay(e.Attempts, rnd)
	mu.Unlock()
	o.MaxAge = s.Backoff.MaxAge
	e2, err := s.DB.Settle(e, o)
	switch {
	case errors.Is(err, storage.ErrAlreadyAnswered):
		return nil
	case err != nil:
		return err
	}
	s.emit(eventFor(e2, o))
	return nil
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
	if res != nil {
		res.FingersSent = e.FingersSent // the answer cannot tell; the entry can
	}
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
