package outbox_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"cotejo/capture/outbox"
	"cotejo/storage"
	"cotejo/storage/storagetest"
	"cotejo/verify"
)

// guard bounds a test that would spin for ever on the code it fixes: a generous limit,
// never a measure of speed.
func guard(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// TestForcedDrainSendsEachOnce: an operator's drain while INE is down tries each entry
// once, in order, and returns; it does not loop on the first one (issue 15, point 1).
func TestForcedDrainSendsEachOnce(t *testing.T) {
	var mode atomic.Value
	tests := []struct {
		name  string
		mode  string
		down  bool
		state storage.State
	}{
		{name: "connection refused", mode: "real", down: true, state: storage.StatePending},
		{name: "503", mode: "503", state: storage.StatePending},
		{name: "104 retry later", mode: "104", state: storage.StatePending},
	}
	mode.Store("real")
	s := startINE(t, scripted(t, &mode))
	p := padron(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mode.Store(tt.mode)
			db := openDB(t, filepath.Join(t.TempDir(), "c.db"), newKeys(t), nil)
			client := s.conn.Client
			if tt.down {
				cc := *client
				cc.URL = "https://127.0.0.1:1" + verify.ServicePath
				client = &cc
			}
			var entries []storage.Entry
			for i := range 3 {
				entries = append(entries, enqueue(t, db, s, p.Ciudadanos[i], true))
			}
			before, _ := db.Audit().Verify(context.Background())
			snd := &outbox.Sender{DB: db, Client: client, Force: true, Concurrency: 2}
			ctx := guard(t)
			n, err := snd.Drain(ctx)
			if ctx.Err() != nil {
				t.Fatal("the forced drain did not end")
			}
			if err != nil || n != 3 {
				t.Fatalf("drain: %d attempts, %v; want 3", n, err)
			}
			for _, e := range entries {
				got, _ := db.Get(e.ID)
				if got.Attempts != 1 || got.State != tt.state {
					t.Errorf("%s: %d attempts, %s; want 1, %s", e.ID, got.Attempts, got.State, tt.state)
				}
			}
			after, _ := db.Audit().Verify(context.Background())
			if d := after.Entries - before.Entries; d != 3 {
				t.Errorf("%d audit entries for 3 attempts", d)
			}
		})
	}
}

// TestCancelledDrainReleases: a pass abandoned mid-request (the operator leaves the
// queue screen) puts the entries it had claimed back to pending, not sending.
func TestCancelledDrainReleases(t *testing.T) {
	var mode atomic.Value
	mode.Store("slow")
	s := startINE(t, scripted(t, &mode))
	p := padron(t)
	db := openDB(t, filepath.Join(t.TempDir(), "c.db"), newKeys(t), nil)
	for i := range 3 {
		enqueue(t, db, s, p.Ciudadanos[i], true)
	}
	ctx, cancel := context.WithCancel(guard(t))
	var sent atomic.Int32
	snd := &outbox.Sender{DB: db, Client: s.conn.Client, Force: true, Events: func(ev outbox.Event) {
		if ev.Kind == outbox.EventSent && sent.Add(1) == 1 {
			cancel()
		}
	}}
	snd.Drain(ctx)
	if n, _ := db.List(storage.StateSending); len(n) != 0 {
		t.Errorf("%d entries left in sending after the pass was abandoned", len(n))
	}
	if n, _ := db.List(storage.StatePending); len(n) != 3 {
		t.Errorf("%d pending, want 3", len(n))
	}
}

// TestCorruptEntrySetAside: one sealed body with a byte flipped is failed with its reason;
// the entries behind it are still sent (issue 15, point 2).
func TestCorruptEntrySetAside(t *testing.T) {
	s := startINE(t, nil)
	p := padron(t)
	path := filepath.Join(t.TempDir(), "c.db")
	keys := newKeys(t)
	db, err := storage.Open(path, storage.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	var entries []storage.Entry
	for i := range 3 {
		entries = append(entries, enqueue(t, db, s, p.Ciudadanos[i], true))
	}
	db.Close()
	storagetest.FlipBody(t, path, entries[1].Indice)
	db = openDB(t, path, keys, nil)
	for _, force := range []bool{false, true} {
		if _, err := (&outbox.Sender{DB: db, Client: s.conn.Client, Force: force}).Drain(guard(t)); err != nil {
			t.Fatalf("force=%v: drain stopped: %v", force, err)
		}
	}
	for i, e := range entries {
		got, _ := db.Get(e.ID)
		switch {
		case i == 1 && (got.State != storage.StateFailed || !strings.Contains(got.Reason, "corrupt")):
			t.Errorf("corrupt entry: %s %q, want failed saying corrupt", got.State, got.Reason)
		case i != 1 && (got.State != storage.StateAnswered || got.Answers != 1):
			t.Errorf("good entry %s: %s, %d answers", e.ID, got.State, got.Answers)
		}
	}
	// Sending the corrupt one by hand says why, typed.
	var ce *storage.CorruptError
	if _, err := db.Retry(entries[1].ID, "super"); err != nil {
		t.Fatal(err)
	}
	if _, err := (&outbox.Sender{DB: db, Client: s.conn.Client}).SendOne(guard(t), entries[1].ID); !errors.As(err, &ce) {
		t.Errorf("send one corrupt entry: %v, want *storage.CorruptError", err)
	}
	if got, _ := db.Get(entries[1].ID); got.State != storage.StateFailed {
		t.Errorf("after SendOne: %s", got.State)
	}
}

// TestRunSupervised: a pass that fails does not end Run; its state and last error are
// there for the home screen, and it keeps trying until cancelled.
func TestRunSupervised(t *testing.T) {
	s := startINE(t, nil)
	path := filepath.Join(t.TempDir(), "c.db")
	keys := newKeys(t)
	db, err := storage.Open(path, storage.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	db.Close() // every pass now fails: the store is closed
	changed := make(chan outbox.Status, 16)
	snd := &outbox.Sender{DB: db, Client: s.conn.Client, Poll: 10 * time.Millisecond,
		OnStatus: func(st outbox.Status) {
			select {
			case changed <- st:
			default:
			}
		}}
	ctx, cancel := context.WithCancel(guard(t))
	done := make(chan error, 1)
	go func() { done <- snd.Run(ctx) }()
	var st outbox.Status
	for st = range changed {
		if st.LastError != nil {
			break
		}
	}
	if st.State != outbox.SenderFailing || st.Failures < 1 {
		t.Errorf("status %+v, want failing", st)
	}
	if got := snd.Status(); got.LastError == nil || got.Message("es") == "" || got.Message("en") == "" {
		t.Errorf("Status() = %+v", got)
	}
	select {
	case err := <-done:
		t.Fatalf("Run returned on a failed pass: %v", err)
	default:
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after cancel: %v", err)
	}
	if st := snd.Status(); st.State != outbox.SenderStopped {
		t.Errorf("after cancel: %+v", st)
	}
}

// TestClockSetBack: after the clock is set back a year, an entry scheduled by the old
// clock is sent within the longest back-off, and one INE keeps refusing still expires
// after MaxAge of retries, not a year later (issue 15, point 6).
func TestClockSetBack(t *testing.T) {
	var mode atomic.Value
	mode.Store("503")
	s := startINE(t, scripted(t, &mode))
	p := padron(t)
	now := time.Date(2027, 6, 1, 10, 0, 0, 0, time.UTC)
	var clock atomic.Pointer[time.Time]
	set := func(t time.Time) { clock.Store(&t) }
	set(now)
	db := openDB(t, filepath.Join(t.TempDir(), "c.db"), newKeys(t), func() time.Time { return *clock.Load() })
	b := outbox.Backoff{Base: time.Minute, Max: 10 * time.Minute, MaxAge: time.Hour}
	snd := &outbox.Sender{DB: db, Client: s.conn.Client, Backoff: b}
	late := enqueue(t, db, s, p.Ciudadanos[0], true)
	if _, err := snd.Drain(guard(t)); err != nil { // refused: scheduled by the 2027 clock
		t.Fatal(err)
	}
	now = now.AddDate(-1, 0, 0) // the clock set back a year
	set(now)
	mode.Store("real")
	for range 3 {
		snd.Drain(guard(t))
		now = now.Add(b.Max / 2)
		set(now)
	}
	if got, _ := db.Get(late.ID); got.State != storage.StateAnswered {
		t.Fatalf("an entry scheduled by the old clock: %s after %v (next attempt %v)", got.State, 3*b.Max/2, got.NextAttempt)
	}
	// Enqueued under the old clock, refused ever since: it expires after about MaxAge of
	// retries, although its creation is a year ahead of the clock.
	now = now.AddDate(1, 0, 0)
	set(now)
	mode.Store("503")
	stuck := enqueue(t, db, s, p.Ciudadanos[1], true)
	snd.Drain(guard(t))
	now = now.AddDate(-1, 0, 0)
	set(now)
	var got storage.Entry
	for i := 0; i < 40; i++ {
		now = now.Add(b.Max)
		set(now)
		snd.Drain(guard(t))
		if got, _ = db.Get(stuck.ID); got.State != storage.StatePending {
			break
		}
	}
	if got.State != storage.StateFailed || !strings.HasPrefix(got.Reason, "expired") {
		t.Errorf("after 40 × %v of refusals: %s %q, want expired", b.Max, got.State, got.Reason)
	}
}
