package tuidentidad

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"cotejo/verify/webhook"
)

// CaseState is where a case stands in the app.
type CaseState string

const (
	CaseQueued  CaseState = "queued"  // not yet accepted by the provider: no verificationId
	CaseWaiting CaseState = "waiting" // accepted: waiting for the result
	CaseDone    CaseState = "done"    // a result, confirmed by a status GET
	CaseFailed  CaseState = "failed"  // a final answer without a result: see Code
	CaseExpired CaseState = "expired" // no answer within MaxAge: for the back office
)

// Final reports whether nothing more will happen to the case by itself.
func (s CaseState) Final() bool { return s == CaseDone || s == CaseFailed || s == CaseExpired }

// Case is one verification the app asked for, as the Store keeps it. Request and Record
// carry personal data: the Store must keep them sealed.
type Case struct {
	Key            string          `json:"key"` // the app's id, chosen before anything is sent
	Kind           Kind            `json:"kind"`
	Request        json.RawMessage `json:"request"`
	VerificationID string          `json:"verificationId,omitempty"`
	State          CaseState       `json:"state"`
	Record         *Record         `json:"record,omitempty"` // the confirmed record, once done or failed
	Code           Code            `json:"code,omitempty"`   // why it failed, or the last refusal
	Created        time.Time       `json:"created"`
	Ended          time.Time       `json:"ended,omitzero"` // when it became final: retention counts from here
	NextCheck      time.Time       `json:"nextCheck"`
	Checks         int             `json:"checks"` // polls and submissions tried
	Hints          int             `json:"hints"`  // webhook deliveries received
	LastError      string          `json:"lastError,omitempty"`
}

// Result decodes the confirmed result.
func (c Case) Result() (Result, error) {
	if c.Record == nil {
		return Result{}, ErrNoResult
	}
	return c.Record.Result()
}

// ErrNoCase means the store holds no case with that key.
var ErrNoCase = errors.New("tuidentidad: no such case")

// Store keeps cases durably. The app's implementation seals them in its encrypted
// data file; Save must be durable when it returns.
type Store interface {
	Save(ctx context.Context, c Case) error
	Load(ctx context.Context, key string) (Case, error) // ErrNoCase when absent
	All(ctx context.Context) ([]Case, error)
}

// API is the part of Client the tracker uses.
type API interface {
	Submit(ctx context.Context, kind Kind, body any) (string, error)
	Status(ctx context.Context, id string) (*Record, error)
}

// Tracker drives cases from request to confirmed result: it records each case before
// sending, records the verificationId as soon as it is known, takes webhook deliveries
// as hints and confirms them with a status GET, and polls with back-off when no webhook
// comes. Everything it knows is in the Store, so a new Tracker over the same Store
// carries on after a restart.
type Tracker struct {
	API   API
	Store Store
	Now   func() time.Time // default time.Now
	// Backoff is the wait before the next background check of a case this old;
	// default half its age, from 30 s to 10 minutes. By age, not by count: the kiosk's
	// quick polls while the citizen waits must not push the next check far away.
	Backoff func(age time.Duration) time.Duration
	// MaxAge is how long a case may go unanswered before it is expired; default 90
	// minutes, past the provider's hour of retries.
	MaxAge time.Duration
	Logger *slog.Logger // keys, ids and codes; never requests or results

	mu       sync.Mutex
	inflight map[string]bool // keys being submitted or checked by this process

	sigMu   sync.Mutex
	changed chan struct{} // closed and replaced when a case is delivered or final
}

func (t *Tracker) now() time.Time {
	if t.Now == nil {
		return time.Now()
	}
	return t.Now()
}

func (t *Tracker) backoff(age time.Duration) time.Duration {
	if t.Backoff != nil {
		return t.Backoff(age)
	}
	return min(max(age/2, 30*time.Second), 10*time.Minute)
}

func (t *Tracker) maxAge() time.Duration {
	if t.MaxAge <= 0 {
		return 90 * time.Minute
	}
	return t.MaxAge
}

func (t *Tracker) log() *slog.Logger {
	if t.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return t.Logger
}

// claim marks key as worked on by the caller; false when someone else is.
func (t *Tracker) claim(key string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.inflight == nil {
		t.inflight = map[string]bool{}
	}
	if t.inflight[key] {
		return false
	}
	t.inflight[key] = true
	return true
}

func (t *Tracker) release(key string) {
	t.mu.Lock()
	delete(t.inflight, key)
	t.mu.Unlock()
}

func (t *Tracker) signal() {
	t.sigMu.Lock()
	if t.changed != nil {
		close(t.changed)
	}
	t.changed = make(chan struct{})
	t.sigMu.Unlock()
}

func (t *Tracker) changes() <-chan struct{} {
	t.sigMu.Lock()
	defer t.sigMu.Unlock()
	if t.changed == nil {
		t.changed = make(chan struct{})
	}
	return t.changed
}

// Submit records a new case under key and sends it. A key already stored is not sent
// again: its case is returned as it stands. When the provider cannot be reached the case
// stays queued and the background checks send it; the error says why.
func (t *Tracker) Submit(ctx context.Context, key string, kind Kind, body any) (Case, error) {
	if key == "" || kind.Op() == "" {
		return Case{}, errors.New("tuidentidad: a case needs a key and a kind")
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return Case{}, err
	}
	if !t.claim(key) {
		return Case{}, fmt.Errorf("tuidentidad: case %s is being worked on", key)
	}
	defer t.release(key)
	if c, err := t.Store.Load(ctx, key); err == nil {
		return c, nil
	} else if !errors.Is(err, ErrNoCase) {
		return Case{}, err
	}
	now := t.now()
	c := Case{Key: key, Kind: kind, Request: raw, State: CaseQueued, Created: now, NextCheck: now}
	if err := t.Store.Save(ctx, c); err != nil {
		return Case{}, fmt.Errorf("tuidentidad: recording case %s: %w", key, err)
	}
	return t.send(ctx, c)
}

// send creates the verification for a queued case. The caller holds the claim.
func (t *Tracker) send(ctx context.Context, c Case) (Case, error) {
	c.Checks++
	id, err := t.API.Submit(ctx, c.Kind, []byte(c.Request))
	now := t.now()
	var ae *APIError
	switch {
	case err == nil:
		c.VerificationID, c.State, c.NextCheck, c.LastError, c.Code = id, CaseWaiting, now, "", ""
		t.log().Info("tuidentidad: accepted", "key", c.Key, "id", id)
	case errors.As(err, &ae) && ae.Class() != ClassRetryLater:
		c.State, c.Code, c.LastError = CaseFailed, ae.Code, ae.Error()
		t.log().Warn("tuidentidad: refused", "key", c.Key, "code", string(ae.Code))
	default:
		c.LastError, c.NextCheck = err.Error(), now.Add(t.backoff(now.Sub(c.Created)))
		if ae != nil {
			c.Code = ae.Code
		}
		if now.Sub(c.Created) > t.maxAge() {
			c.State = CaseExpired
		}
	}
	if c.State.Final() {
		c.Ended = now
	}
	if serr := t.Store.Save(ctx, c); serr != nil {
		return c, errors.Join(err, fmt.Errorf("tuidentidad: recording case %s: %w", c.Key, serr))
	}
	if c.State.Final() {
		defer t.signal() // other waiters on this case
	}
	return c, err
}

// Get returns a case as stored.
func (t *Tracker) Get(ctx context.Context, key string) (Case, error) { return t.Store.Load(ctx, key) }

// List returns every stored case.
func (t *Tracker) List(ctx context.Context) ([]Case, error) { return t.Store.All(ctx) }

// Check advances one case now: sends it if queued, reads its status if waiting. A
// final case is returned unchanged; so is a case another goroutine is working on.
func (t *Tracker) Check(ctx context.Context, key string) (Case, error) {
	if !t.claim(key) {
		c, err := t.Store.Load(ctx, key)
		return c, err
	}
	defer t.release(key)
	c, err := t.Store.Load(ctx, key)
	if err != nil || c.State.Final() {
		return c, err
	}
	if c.State == CaseQueued {
		return t.send(ctx, c)
	}
	hints := c.Hints
	c.Checks++
	rec, err := t.API.Status(ctx, c.VerificationID)
	// Reload under the lock Deliver takes: a delivery may have been recorded meanwhile.
	t.mu.Lock()
	defer t.mu.Unlock()
	if cur, lerr := t.Store.Load(ctx, key); lerr == nil {
		c.Hints = cur.Hints
	}
	now := t.now()
	var ae *APIError
	switch {
	case err == nil && rec.Status.Done() && rec.VerificationID == c.VerificationID:
		c.Record, c.LastError = rec, ""
		if f := rec.Failure(); f != nil {
			c.State, c.Code = CaseFailed, f.Code
		} else if _, rerr := rec.Result(); rerr != nil {
			c.State, c.Code, c.LastError = CaseFailed, "", rerr.Error()
		} else {
			c.State = CaseDone
		}
		t.log().Info("tuidentidad: answered", "key", c.Key, "id", c.VerificationID, "state", string(c.State), "code", string(c.Code))
	case err != nil && errors.As(err, &ae) && ae.Class() != ClassRetryLater:
		c.State, c.Code, c.LastError = CaseFailed, ae.Code, ae.Error()
	default:
		if err != nil {
			c.LastError = err.Error()
		}
		c.NextCheck = now.Add(t.backoff(now.Sub(c.Created)))
		if c.Hints > hints {
			c.NextCheck = now // a delivery came while we asked: ask again
		}
		if now.Sub(c.Created) > t.maxAge() {
			c.State = CaseExpired
		}
	}
	if c.State.Final() {
		c.Ended = now
	}
	if serr := t.Store.Save(ctx, c); serr != nil {
		return c, fmt.Errorf("tuidentidad: recording case %s: %w", key, serr)
	}
	if c.State.Final() || c.NextCheck.Equal(now) {
		// Wake other waiters: the case is final, or a delivery asks for another look.
		// Only then: a waiter's own check must not wake it, or it would spin.
		defer t.signal()
	}
	return c, nil
}

// Deliver is the webhook's sink: it records the delivery as a hint on the case with
// that verificationId and wakes the checks. The payload is not trusted: the case moves
// only when a status GET confirms it. An id no case has is ignored.
func (t *Tracker) Deliver(ctx context.Context, ev webhook.Event) error {
	cases, err := t.Store.All(ctx)
	if err != nil {
		return err
	}
	for _, c := range cases {
		if c.VerificationID != ev.ID {
			continue
		}
		if c.State.Final() {
			return nil // a duplicate, or late: nothing to do
		}
		t.mu.Lock()
		cur, err := t.Store.Load(ctx, c.Key)
		if err == nil {
			cur.Hints++
			cur.NextCheck = t.now()
			err = t.Store.Save(ctx, cur)
		}
		t.mu.Unlock()
		t.signal()
		return err
	}
	t.log().Warn("tuidentidad: delivery for an unknown verification", "id", ev.ID)
	return nil
}

// Wait checks key every interval, and at once on each webhook delivery, until the case
// is final or ctx ends (then it returns the case as it stands, with ctx's error). The
// kiosk waits this way for a minute and leaves the rest to Run.
func (t *Tracker) Wait(ctx context.Context, key string, interval time.Duration) (Case, error) {
	if interval <= 0 {
		interval = 3 * time.Second
	}
	for {
		changed := t.changes()
		c, err := t.Check(ctx, key)
		if err != nil {
			return c, err
		}
		if c.State.Final() {
			return c, nil
		}
		timer := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			timer.Stop()
			c, _ = t.Store.Load(context.WithoutCancel(ctx), key)
			return c, ctx.Err()
		case <-changed:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// RunOnce checks every case that is due, and returns how many it checked.
func (t *Tracker) RunOnce(ctx context.Context) (int, error) {
	cases, err := t.Store.All(ctx)
	if err != nil {
		return 0, err
	}
	now, n := t.now(), 0
	var errs []error
	for _, c := range cases {
		if c.State.Final() || c.NextCheck.After(now) {
			continue
		}
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		if _, err := t.Check(ctx, c.Key); err != nil {
			errs = append(errs, err)
		}
		n++
	}
	return n, errors.Join(errs...)
}

// Run is the background worker: RunOnce every interval and on each delivery, until ctx
// ends.
func (t *Tracker) Run(ctx context.Context, interval time.Duration) error {
	if interval <= 0 {
		interval = 15 * time.Second
	}
	for {
		changed := t.changes()
		if _, err := t.RunOnce(ctx); err != nil && ctx.Err() == nil {
			t.log().Warn("tuidentidad: background check", "error", err)
		}
		timer := time.NewTimer(interval)
		select {
		case <-ctx.Done():
			timer.Stop()
			return ctx.Err()
		case <-changed:
			timer.Stop()
		case <-timer.C:
		}
	}
}

// WebhookDecoder reads a delivery's verificationId for the webhook receiver.
var _ webhook.Decoder = WebhookDecoder{}

// WebhookDecoder is the provider-specific part of the webhook receiver.
type WebhookDecoder struct{}

// Decode parses the body as a record.
func (WebhookDecoder) Decode(body []byte) (webhook.Event, error) {
	r, err := ParseRecord(body)
	if err != nil {
		return webhook.Event{}, err
	}
	return webhook.Event{Provider: "tuidentidad", ID: r.VerificationID}, nil
}
