package tuidentidad_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"cotejo/verify/tuidentidad"
	"cotejo/verify/tuidentidad/standin"
	"cotejo/verify/webhook"
)

func (e *env) tracker(s tuidentidad.Store) *tuidentidad.Tracker {
	return &tuidentidad.Tracker{API: e.client, Store: s, Now: e.clock.Now}
}

var foundINE = ine("D", "115568150", "4855115346145", "")

func runOnce(t *testing.T, tr *tuidentidad.Tracker) {
	t.Helper()
	if _, err := tr.RunOnce(t.Context()); err != nil {
		t.Fatal(err)
	}
}

func mustGet(t *testing.T, tr *tuidentidad.Tracker, key string) tuidentidad.Case {
	t.Helper()
	c, err := tr.Get(t.Context(), key)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func checkDoneINE(t *testing.T, c tuidentidad.Case) {
	t.Helper()
	if c.State != tuidentidad.CaseDone {
		t.Fatalf("case %s: %s (%s %s)", c.Key, c.State, c.Code, c.LastError)
	}
	res, err := c.Result()
	if err != nil || res.INE == nil || !res.INE.Valid || !res.INE.CanVote || res.INE.Data.CICNumber != foundINE.ID {
		t.Fatalf("result %+v %v", res, err)
	}
}

// TestWebhookAfter: the usual order, with each authorization method: the record shows
// 3, the webhook arrives, the tracker confirms it with a GET, and the stand-in moves
// to 4 on the 200.
func TestWebhookAfter(t *testing.T) {
	for _, auth := range []webhook.Auth{webhook.Basic("user", "password"), webhook.Bearer("123456")} {
		t.Run(auth.String(), func(t *testing.T) {
			e := newEnv(t, envOptions{auth: auth})
			tr := e.tracker(openStore(t, storePath(t)))
			e.setSink(tr.Deliver)
			c, err := tr.Submit(t.Context(), "k1", tuidentidad.KindINE, foundINE)
			if err != nil || c.State != tuidentidad.CaseWaiting || c.VerificationID == "" {
				t.Fatalf("%+v %v", c, err)
			}
			e.advance(t, 0)
			if e.srv.Delivered() != 1 {
				t.Fatalf("%d deliveries acknowledged", e.srv.Delivered())
			}
			c = mustGet(t, tr, "k1")
			if c.Hints != 1 || c.State != tuidentidad.CaseWaiting {
				t.Fatalf("after the webhook, before the check: %+v", c)
			}
			runOnce(t, tr)
			c = mustGet(t, tr, "k1")
			checkDoneINE(t, c)
			if c.Record.Status != tuidentidad.StatusCompleted {
				t.Errorf("status %v, want completed after the 200", c.Record.Status)
			}
		})
	}
}

// TestWebhookBefore: the webhook arrives while the GET still shows processing (the
// stand-in's early delivery); the confirming GET does not take the payload's word, and
// the case completes on a later check.
func TestWebhookBefore(t *testing.T) {
	e := newEnv(t, envOptions{auth: webhook.Bearer("123456"), configure: func(c *standin.Config) { c.EarlyDelivery = true }})
	tr := e.tracker(openStore(t, storePath(t)))
	var during tuidentidad.Case
	e.setSink(func(ctx context.Context, ev webhook.Event) error {
		if err := tr.Deliver(ctx, ev); err != nil {
			return err
		}
		// Confirm at once, as an eager app would: the provider still says 1.
		var err error
		during, err = tr.Check(ctx, "k1")
		return err
	})
	if _, err := tr.Submit(t.Context(), "k1", tuidentidad.KindINE, foundINE); err != nil {
		t.Fatal(err)
	}
	e.advance(t, 0)
	if during.State != tuidentidad.CaseWaiting || during.Record != nil {
		t.Fatalf("the payload was trusted before the GET showed it: %+v", during)
	}
	e.clock.Add(time.Minute)
	runOnce(t, tr)
	checkDoneINE(t, mustGet(t, tr, "k1"))
}

// TestWebhookTwice: duplicate deliveries, a late one after the case is done, and one
// for an id no case has are all harmless.
func TestWebhookTwice(t *testing.T) {
	e := newEnv(t, envOptions{auth: webhook.Basic("user", "password"), configure: func(c *standin.Config) { c.Duplicates = true }})
	tr := e.tracker(openStore(t, storePath(t)))
	e.setSink(tr.Deliver)
	if _, err := tr.Submit(t.Context(), "k1", tuidentidad.KindINE, foundINE); err != nil {
		t.Fatal(err)
	}
	e.advance(t, 0)
	c := mustGet(t, tr, "k1")
	if c.Hints != 2 {
		t.Fatalf("%d hints, want 2 (the stand-in delivered twice)", c.Hints)
	}
	runOnce(t, tr)
	done := mustGet(t, tr, "k1")
	checkDoneINE(t, done)
	if err := tr.Deliver(t.Context(), webhook.Event{Provider: "tuidentidad", ID: c.VerificationID}); err != nil {
		t.Fatal(err)
	}
	if err := tr.Deliver(t.Context(), webhook.Event{Provider: "tuidentidad", ID: "not-ours"}); err != nil {
		t.Fatal(err)
	}
	runOnce(t, tr)
	after := mustGet(t, tr, "k1")
	if after.Hints != done.Hints || after.Checks != done.Checks || after.State != tuidentidad.CaseDone {
		t.Errorf("a late duplicate changed the case: %+v → %+v", done, after)
	}
	if all, _ := tr.List(t.Context()); len(all) != 1 {
		t.Errorf("%d cases", len(all))
	}
}

// TestWebhookNever: the receiver refuses the stand-in's authorization, every delivery
// fails, the record stays at 3; background polling completes the case.
func TestWebhookNever(t *testing.T) {
	e := newEnv(t, envOptions{auth: webhook.Bearer("123456"), sendAuth: "Bearer 654321"})
	tr := e.tracker(openStore(t, storePath(t)))
	e.setSink(tr.Deliver)
	if _, err := tr.Submit(t.Context(), "k1", tuidentidad.KindINE, foundINE); err != nil {
		t.Fatal(err)
	}
	e.advance(t, 0)
	for range 5 {
		e.advance(t, 15*time.Minute)
		runOnce(t, tr)
	}
	if e.srv.Delivered() != 0 || e.srv.Pending() != 0 {
		t.Fatalf("delivered %d, pending %d", e.srv.Delivered(), e.srv.Pending())
	}
	c := mustGet(t, tr, "k1")
	checkDoneINE(t, c)
	if c.Hints != 0 || c.Record.Status != tuidentidad.StatusDelivering {
		t.Errorf("hints %d, status %v", c.Hints, c.Record.Status)
	}
}

// TestRestart: the process stops between the request and the answer (twice: once
// after the create, once before the provider could be reached); new trackers over the
// same file finish both, and each case keeps one result.
func TestRestart(t *testing.T) {
	e := newEnv(t, envOptions{})
	path := storePath(t)

	s1 := openStore(t, path)
	tr1 := e.tracker(s1)
	c1, err := tr1.Submit(t.Context(), "sent", tuidentidad.KindINE, foundINE)
	if err != nil {
		t.Fatal(err)
	}
	down := &tuidentidad.Tracker{API: &tuidentidad.Client{BaseURL: "https://127.0.0.1:1", APIKey: apiKey, HTTP: e.client.HTTP}, Store: s1, Now: e.clock.Now}
	c2, err := down.Submit(t.Context(), "unsent", tuidentidad.KindRFC, tuidentidad.RFCRequest{CURP: curp('0'), State: 9})
	if err == nil || !tuidentidad.Transient(err) || c2.State != tuidentidad.CaseQueued {
		t.Fatalf("unreachable provider: %+v %v", c2, err)
	}
	if err := s1.db.Close(); err != nil {
		t.Fatal(err)
	}

	e.advance(t, 0) // the provider answers while the app is down

	s2 := openStore(t, path)
	defer s2.db.Close()
	tr2 := e.tracker(s2)
	again, err := tr2.Submit(t.Context(), "sent", tuidentidad.KindINE, foundINE)
	if err != nil || again.VerificationID != c1.VerificationID {
		t.Fatalf("resubmitting a stored key created anew: %+v %v", again, err)
	}
	e.clock.Add(time.Minute) // the unsent case's back-off
	runOnce(t, tr2)
	checkDoneINE(t, mustGet(t, tr2, "sent"))
	unsent := mustGet(t, tr2, "unsent")
	if unsent.State != tuidentidad.CaseWaiting || unsent.VerificationID == "" {
		t.Fatalf("unsent after restart: %+v", unsent)
	}
	e.advance(t, 0)
	e.clock.Add(time.Minute)
	runOnce(t, tr2)
	unsent = mustGet(t, tr2, "unsent")
	if res, err := unsent.Result(); unsent.State != tuidentidad.CaseDone || err != nil || len(res.RFC) != 13 {
		t.Fatalf("unsent: %+v %+v %v", unsent, res, err)
	}
	all, _ := tr2.List(t.Context())
	if len(all) != 2 {
		t.Errorf("%d cases, want 2", len(all))
	}
}

// TestQuota: the third NSS look-up of a CURP in a day fails at once with the quota's
// class, and is not retried.
func TestQuota(t *testing.T) {
	e := newEnv(t, envOptions{})
	tr := e.tracker(openStore(t, storePath(t)))
	req := tuidentidad.NSSRequest{CURP: curp('0')}
	for _, k := range []string{"n1", "n2"} {
		if c, err := tr.Submit(t.Context(), k, tuidentidad.KindNSS, req); err != nil || c.State != tuidentidad.CaseWaiting {
			t.Fatalf("%s: %+v %v", k, c, err)
		}
	}
	c, err := tr.Submit(t.Context(), "n3", tuidentidad.KindNSS, req)
	if ae := apiErr(t, err); ae.Class() != tuidentidad.ClassQuota || c.State != tuidentidad.CaseFailed || c.Code != "NSS008" {
		t.Fatalf("%+v %v", c, err)
	}
	e.advance(t, 0)
	e.clock.Add(time.Hour)
	if n, _ := tr.RunOnce(t.Context()); n != 2 {
		t.Errorf("%d cases checked, want the two accepted", n)
	}
	if c := mustGet(t, tr, "n3"); c.State != tuidentidad.CaseFailed || c.Checks != 1 {
		t.Errorf("the refused case moved: %+v", c)
	}
}

// TestWaitThenBackground: the kiosk waits briefly while the source is down and gives
// up; the background worker carries the case through the provider's retries to its
// final answer.
func TestWaitThenBackground(t *testing.T) {
	e := newEnv(t, envOptions{auth: webhook.Bearer("123456")})
	tr := e.tracker(openStore(t, storePath(t)))
	e.setSink(tr.Deliver)
	down := ine("D", "115568153", "4855115346145", "")
	if _, err := tr.Submit(t.Context(), "k1", tuidentidad.KindINE, down); err != nil {
		t.Fatal(err)
	}
	e.advance(t, 0)
	ctx, cancel := context.WithCancel(t.Context())
	cancel() // the citizen has gone: the wait ends at once
	c, err := tr.Wait(ctx, "k1", time.Millisecond)
	if !errors.Is(err, context.Canceled) || c.State != tuidentidad.CaseWaiting {
		t.Fatalf("%+v %v", c, err)
	}
	for _, d := range []time.Duration{20 * time.Minute, 40 * time.Minute} {
		e.advance(t, d)
		runOnce(t, tr)
	}
	c = mustGet(t, tr, "k1")
	if c.State != tuidentidad.CaseFailed || c.Code != "INENL001" || c.Code.Class() != tuidentidad.ClassRetryLater {
		t.Fatalf("%+v", c)
	}
}

// TestWaitCompletes: Wait returns as soon as the webhook's hint is confirmed.
func TestWaitCompletes(t *testing.T) {
	e := newEnv(t, envOptions{auth: webhook.Basic("user", "password")})
	tr := e.tracker(openStore(t, storePath(t)))
	e.setSink(tr.Deliver)
	if _, err := tr.Submit(t.Context(), "k1", tuidentidad.KindINE, foundINE); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	go e.srv.Step(ctx) // the provider finishes while the kiosk waits
	c, err := tr.Wait(ctx, "k1", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	checkDoneINE(t, c)
}

// TestExpired: no answer within MaxAge: the case is left to the back office.
func TestExpired(t *testing.T) {
	e := newEnv(t, envOptions{})
	tr := e.tracker(openStore(t, storePath(t)))
	tr.MaxAge = 30 * time.Minute
	if _, err := tr.Submit(t.Context(), "k1", tuidentidad.KindINE, ine("D", "115568153", "4855115346145", "")); err != nil {
		t.Fatal(err)
	}
	e.advance(t, 0)
	e.advance(t, 40*time.Minute)
	runOnce(t, tr)
	if c := mustGet(t, tr, "k1"); c.State != tuidentidad.CaseExpired {
		t.Fatalf("%+v", c)
	}
}

// countingAPI counts status reads and tells the test of the first.
type countingAPI struct {
	tuidentidad.API
	mu    sync.Mutex
	n     int
	first chan struct{}
}

func (c *countingAPI) Status(ctx context.Context, id string) (*tuidentidad.Record, error) {
	c.mu.Lock()
	c.n++
	if c.n == 1 {
		close(c.first)
	}
	c.mu.Unlock()
	return c.API.Status(ctx, id)
}

// TestWaitDoesNotSpin: a wait with nothing happening asks once per interval, not in a
// loop woken by its own checks.
func TestWaitDoesNotSpin(t *testing.T) {
	e := newEnv(t, envOptions{})
	api := &countingAPI{API: e.client, first: make(chan struct{})}
	tr := &tuidentidad.Tracker{API: api, Store: openStore(t, storePath(t)), Now: e.clock.Now}
	if _, err := tr.Submit(t.Context(), "k1", tuidentidad.KindINE, foundINE); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { _, err := tr.Wait(ctx, "k1", time.Hour); done <- err }()
	<-api.first
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if api.n != 1 {
		t.Errorf("%d status reads during an idle wait, want 1", api.n)
	}
}

// TestBackoff: background checks space out with the case's age, from 30 s to 10 min,
// whatever number of quick checks came before.
func TestBackoff(t *testing.T) {
	e := newEnv(t, envOptions{})
	tr := e.tracker(openStore(t, storePath(t)))
	if _, err := tr.Submit(t.Context(), "k1", tuidentidad.KindINE, foundINE); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct{ at, want time.Duration }{{0, 30 * time.Second}, {0, 30 * time.Second}, {8 * time.Minute, 4 * time.Minute}, {40 * time.Minute, 10 * time.Minute}} {
		e.clock.Add(step.at)
		c, err := tr.Check(t.Context(), "k1")
		if err != nil {
			t.Fatal(err)
		}
		if got := c.NextCheck.Sub(e.clock.Now()); got != step.want {
			t.Errorf("at age %v: next check in %v, want %v", e.clock.Now().Sub(c.Created), got, step.want)
		}
	}
}
