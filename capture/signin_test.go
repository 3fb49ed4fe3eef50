package capture_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"cotejo/capture"
	"cotejo/capture/signin"
)

// TestSignInKept: wrong PINs are kept in the data file (a restart does not lift a
// lock), each lock in a row lasts twice the one before, a supervisor can unlock an
// operator, and every try, lock and unlock is in the audit trail.
func TestSignInKept(t *testing.T) {
	cfg := installation(t, "")
	withOperators(t, cfg)
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	open := func() *capture.App {
		a := openApp(t, cfg, capture.Options{})
		a.Operators.Now = func() time.Time { return now }
		return a
	}
	lockedUntil := func(a *capture.App) time.Time {
		t.Helper()
		var err error
		for range 5 {
			_, err = a.SignIn("ana", "0000")
		}
		var locked *signin.LockedError
		if !errors.As(err, &locked) {
			t.Fatalf("five wrong PINs: %v", err)
		}
		return locked.Until
	}

	a := open()
	if _, err := a.SignIn("ana", "1234"); err != nil {
		t.Fatal(err)
	}
	if until := lockedUntil(a); !until.Equal(now.Add(5 * time.Minute)) {
		t.Errorf("first lock until %v", until)
	}
	a.Close()

	// A restart keeps the lock.
	a = open()
	var se *capture.SignInError
	if _, err := a.SignIn("ana", "1234"); !errors.As(err, &se) || !strings.Contains(se.Message("es"), "Demasiados PIN") {
		t.Fatalf("right PIN after a restart while locked: %v", err)
	}
	// The next lock in a row is longer.
	now = now.Add(6 * time.Minute)
	if until := lockedUntil(a); !until.Equal(now.Add(10 * time.Minute)) {
		t.Errorf("second lock until %v, want 10 min", until)
	}
	// An operator cannot unlock; a supervisor can.
	if err := a.Unlock(capture.Operator{ID: "ana", Supervisor: true}, "ana"); err == nil {
		t.Error("an operator unlocked herself")
	}
	if err := a.Unlock(capture.Operator{ID: "super", Supervisor: true}, "ana"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SignIn("ana", "1234"); err != nil {
		t.Fatalf("after the supervisor's unlock: %v", err)
	}
	// An unknown id fails like a wrong PIN and is counted the same.
	if _, err := a.SignIn("mallory", "1234"); !errors.As(err, &se) || !errors.Is(err, signin.ErrWrongPIN) {
		t.Errorf("unknown id: %v", err)
	}

	log, err := a.DB.Audit().List(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, e := range log {
		if strings.HasPrefix(e.Action, "signin.") {
			count[e.Operator+" "+e.Action]++
		}
	}
	for k, want := range map[string]int{
		"ana signin.ok": 2, "ana signin.failed": 8, "ana signin.locked": 2, "ana signin.refused": 1,
		"super signin.unlock": 1, "ana signin.unlock-refused": 1, "mallory signin.failed": 1,
	} {
		if count[k] != want {
			t.Errorf("%q: %d audit entries, want %d (all: %v)", k, count[k], want, count)
		}
	}
}
