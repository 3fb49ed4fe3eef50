package cli

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"cotejo/capture"
	"cotejo/storage/audit"
)

// TestOnePath: a verification made at the terminal and the same one made through the
// window's session leave the same trail: the same audit actions and outcomes, in the
// same order, the citizen's consent among them.
func TestOnePath(t *testing.T) {
	_, cfgPath, _, _ := pkiAndSandbox(t)
	const citizen = "../../assets/demo-citizen.json"

	if code, _, stderr := runCLI(t, context.Background(), "verify", "--config", cfgPath, "--citizen", citizen, "--operator", "ana"); code != 0 {
		t.Fatalf("verify: %s", stderr)
	}

	app, err := capture.Open(context.Background(), cfgPath, capture.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	terminal := trail(t, app.DB.Audit(), 0)

	// The window's way: the screens' calls on the session, then the kiosk's Submit.
	v, err := capture.LoadCitizenFile(citizen, app.Config.Branch)
	if err != nil {
		t.Fatal(err)
	}
	s := capture.NewSession("ana", time.Now)
	for _, step := range []func() error{
		func() error { return s.SetCredential(v.Credential) }, s.Next,
		func() error {
			if v.Fingers == nil {
				return s.WithoutFingers("el lector no funciona")
			}
			return s.SetFingers(v.Fingers, nil)
		}, s.Next,
		s.Accept, func() error { return s.SetLocation(v.Location) }, s.Next,
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := app.Submit(context.Background(), s); err != nil {
		t.Fatal(err)
	}
	window := trail(t, app.DB.Audit(), uint64(len(terminal))+1)
	if len(terminal) == 0 || !slices.Equal(terminal, window) {
		t.Errorf("the terminal's trail\n%q\nthe window's\n%q", terminal, window)
	}
	if !slices.Contains(terminal, "ana consent.accepted aviso de privacidad") {
		t.Errorf("no consent in the terminal's trail: %q", terminal)
	}
}

// trail lists the audit entries from seq on (the first is 1) as "operator action
// outcome", the outcome without its time.
func trail(t *testing.T, l *audit.Log, from uint64) []string {
	t.Helper()
	es, err := l.List(context.Background(), from, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		outcome, _, _ := strings.Cut(e.Outcome, " v")
		out = append(out, e.Operator+" "+e.Action+" "+outcome)
	}
	return out
}
