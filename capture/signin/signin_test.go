package signin_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"cotejo/capture/signin"
)

func TestSignIn(t *testing.T) {
	h1, err := signin.HashPIN("4821")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := signin.HashPIN("90817263")
	if h1 == h2 || !strings.HasPrefix(h1, "$argon2id$v=19$") {
		t.Fatalf("%s %s", h1, h2)
	}
	again, _ := signin.HashPIN("4821")
	if again == h1 {
		t.Error("two hashes of one PIN are equal: no salt")
	}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	b, err := signin.NewBook([]signin.Operator{
		{ID: "ana", Name: "Ana", Role: signin.RoleOperator, PIN: h1},
		{ID: "sup", Name: "Supervisora", Role: signin.RoleSupervisor, PIN: h2},
	})
	if err != nil {
		t.Fatal(err)
	}
	b.Now = func() time.Time { return now }
	if op, err := b.SignIn("ana", "4821"); err != nil || op.Role != signin.RoleOperator {
		t.Fatalf("%+v %v", op, err)
	}
	if _, err := b.SignIn("ana", "4822"); !errors.Is(err, signin.ErrWrongPIN) {
		t.Errorf("wrong PIN: %v", err)
	}
	if _, err := b.SignIn("nadie", "4821"); !errors.Is(err, signin.ErrWrongPIN) {
		t.Errorf("unknown operator: %v", err)
	}
	// A success resets the count; five failures in a row lock the id, even with the
	// right PIN afterwards, until the lockout ends.
	b.SignIn("ana", "4821")
	for i := range 4 {
		if _, err := b.SignIn("ana", "0000"); !errors.Is(err, signin.ErrWrongPIN) || b.Remaining("ana") != 4-i {
			t.Fatalf("failure %d: %v, %d left", i+1, err, b.Remaining("ana"))
		}
	}
	_, err = b.SignIn("ana", "0000")
	var locked *signin.LockedError
	if !errors.As(err, &locked) || !locked.Until.Equal(now.Add(5*time.Minute)) {
		t.Fatalf("fifth failure: %v", err)
	}
	if _, err := b.SignIn("ana", "4821"); !errors.As(err, &locked) {
		t.Errorf("right PIN while locked: %v", err)
	}
	if m := locked.Message("es", now); !strings.Contains(m, "5 min") {
		t.Errorf("%q", m)
	}
	if _, err := b.SignIn("sup", "90817263"); err != nil {
		t.Errorf("another operator is not locked: %v", err)
	}
	now = now.Add(5*time.Minute + time.Second)
	if _, err := b.SignIn("ana", "4821"); err != nil {
		t.Errorf("after the lockout: %v", err)
	}
}

func TestBookRefuses(t *testing.T) {
	h, _ := signin.HashPIN("1234")
	for name, ops := range map[string][]signin.Operator{
		"no id":     {{Role: signin.RoleOperator, PIN: h}},
		"twice":     {{ID: "a", Role: signin.RoleOperator, PIN: h}, {ID: "a", Role: signin.RoleOperator, PIN: h}},
		"bad role":  {{ID: "a", Role: "admin", PIN: h}},
		"plain PIN": {{ID: "a", Role: signin.RoleOperator, PIN: "1234"}},
		"bad salt":  {{ID: "a", Role: signin.RoleOperator, PIN: "$argon2id$v=19$m=32768,t=2,p=2$!!$" + strings.Repeat("A", 43)}},
	} {
		if _, err := signin.NewBook(ops); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	for _, pin := range []string{"", "123", "123456789", "12a4"} {
		if _, err := signin.HashPIN(pin); err == nil {
			t.Errorf("PIN %q hashed", pin)
		}
	}
}
