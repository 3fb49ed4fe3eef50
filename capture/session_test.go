package capture_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"cotejo/capture"
	"cotejo/scanner/biometrics/fingergen"
	"cotejo/scanner/simulated"
	"cotejo/storage"
	"cotejo/verify"
	"cotejo/verify/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

var branch = verify.Ubicacion{Localidad: &verify.Localidad{CodigoPostal: "06000", Ciudad: "CDMX", Estado: 9}}

// demoCitizen is register citizen P001's credential.
func demoCitizen(t *testing.T) verify.Verification {
	t.Helper()
	v, err := capture.LoadCitizenFile("../assets/demo-citizen.json", capture.Place{})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func openStore(t *testing.T) *storage.DB {
	t.Helper()
	db, err := storage.OpenSettings(context.Background(), storage.Settings{Path: "cotejo.db"}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// walk takes a session through every stage up to the review, with fingers from a
// simulated reader showing the citizen's (or an impostor's) fingers.
func walk(t *testing.T, impostor bool) *capture.Session {
	t.Helper()
	s := capture.NewSession("cajero-7", nil)
	if err := s.SetCredential(demoCitizen(t).Credential); err != nil {
		t.Fatal(err)
	}
	if err := s.Next(); err != nil {
		t.Fatal(err)
	}
	dev, err := simulated.Open(simulated.Config{Citizen: "P001", Impostor: impostor, Quality: fingergen.Good, Seed: 11,
		Place: time.Millisecond, Scan: time.Millisecond, Lift: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close()
	f, res, err := capture.CaptureFingers(context.Background(), dev, capture.FingerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetFingers(f, res); err != nil {
		t.Fatal(err)
	}
	for _, step := range []func() error{s.Next, s.Accept, func() error { return s.SetLocation(branch) }, s.Next} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	if s.Stage() != capture.StageReview {
		t.Fatalf("stage %v", s.Stage())
	}
	return s
}

func TestSessionGenuineAndImpostor(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{})
	db := openStore(t)
	sender := &storage.Sender{DB: db, Client: env.Conn.Client}
	for _, c := range []struct {
		name     string
		impostor bool
		want     verify.Verdict
	}{{"genuine", false, verify.VerdictValid}, {"impostor", true, verify.VerdictInvalid}} {
		t.Run(c.name, func(t *testing.T) {
			s := walk(t, c.impostor)
			f, _ := s.Fingers()
			right := f.Right
			entry, err := s.Submit(context.Background(), env.Conn.Sealer, sender, true)
			if err != nil {
				t.Fatal(err)
			}
			if s.Stage() != capture.StageResult || entry.Answers != 1 {
				t.Fatalf("stage %v, entry %+v", s.Stage(), entry)
			}
			if slices.ContainsFunc(right, func(b byte) bool { return b != 0 }) {
				t.Error("the right index's template is still in memory after sealing")
			}
			raw, err := db.Answer(entry.Indice)
			if err != nil {
				t.Fatal(err)
			}
			res, err := verify.OpenResponse(raw, env.Conn.Client.INECert, entry.Indice)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s: similarities %v %v, verdict %v", c.name, *res.Right, *res.Left, res.Verdict(env.Conn.Threshold))
			if res.Verdict(env.Conn.Threshold) != c.want {
				t.Errorf("verdict %v, want %v", res.Verdict(env.Conn.Threshold), c.want)
			}
		})
	}
	// The consent is in the audit trail with the request, without personal data.
	log, err := db.Audit().List(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var consents int
	for _, e := range log {
		if e.Action == "consent.accepted" {
			consents++
			if !strings.HasPrefix(e.Outcome, "aviso de privacidad v1 aceptado ") || e.Operator != "cajero-7" || e.Ref == "" {
				t.Errorf("consent record %+v", e)
			}
		}
	}
	if consents != 2 {
		t.Errorf("%d consent records, want 2", consents)
	}
}

// TestSessionOffline: INE unreachable, the request is queued and delivered later.
func TestSessionOffline(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{})
	env.Stop()
	db := openStore(t)
	sender := &storage.Sender{DB: db, Client: env.Conn.Client}
	s := walk(t, false)
	entry, err := s.Submit(context.Background(), env.Conn.Sealer, sender, true)
	if err != nil {
		t.Fatal(err)
	}
	if entry.Answers != 0 || entry.State != storage.StatePending || s.Stage() != capture.StageResult {
		t.Errorf("entry %+v, stage %v", entry, s.Stage())
	}
}

func TestSessionStages(t *testing.T) {
	s := capture.NewSession("cajero-7", nil)
	msg := func(err error) string {
		var se *capture.StageError
		if !errors.As(err, &se) {
			t.Fatalf("%v is not a StageError", err)
		}
		return se.Message("es")
	}
	if m := msg(s.Next()); !strings.Contains(m, "datos de la credencial") {
		t.Errorf("empty credential: %q", m)
	}
	c := demoCitizen(t).Credential
	c.CURP = "MAMA810125HPLRNR36" // wrong check digit
	s.SetCredential(c)
	if m := msg(s.Next()); !strings.Contains(m, "CURP") {
		t.Errorf("bad CURP: %q", m)
	}
	if err := s.SetFingers(&verify.Fingers{Tipo: 1, Right: []byte{1}}, nil); err == nil {
		t.Error("fingers accepted at the credential stage")
	}
	c.CURP = "MAMA810125HPLRNR35"
	s.SetCredential(c)
	if err := s.Next(); err != nil {
		t.Fatal(err)
	}
	if m := msg(s.Next()); !strings.Contains(m, "huellas") {
		t.Errorf("no fingers: %q", m)
	}
	if m := msg(s.WithoutFingers(" ")); !strings.Contains(m, "por qué") {
		t.Errorf("no reason: %q", m)
	}
	if err := s.WithoutFingers("vendaje en ambos índices"); err != nil {
		t.Fatal(err)
	}
	s.Next()
	if m := msg(s.Next()); !strings.Contains(m, "consentimiento") {
		t.Errorf("no consent: %q", m)
	}
	s.Accept()
	if m := msg(s.Next()); !strings.Contains(m, "ubicación") {
		t.Errorf("no location: %q", m)
	}
	// Going back keeps what was entered.
	s.Back()
	s.Back()
	if s.Stage() != capture.StageCredential || s.Credential().CURP != c.CURP || s.WithoutFingersReason() == "" || s.Consent() == nil {
		t.Errorf("back lost data: %v %+v", s.Stage(), s.Credential())
	}
	s.Next()
	s.Next()
	s.SetLocation(branch)
	if err := s.Next(); err != nil {
		t.Fatal(err)
	}
	v, err := s.Verification()
	if err != nil || v.Fingers != nil || !v.Consent || v.Location.Localidad == nil {
		t.Errorf("%+v %v", v, err)
	}
	// Cancelling wipes the fingers' bytes, not just the references.
	s2 := capture.NewSession("cajero-7", nil)
	s2.SetCredential(demoCitizen(t).Credential)
	s2.Next()
	sample := []byte("FMR\x00 20\x00 a template")
	s2.SetFingers(&verify.Fingers{Tipo: 1, Right: sample}, nil)
	s2.Cancel()
	if s2.Stage() != capture.StageCancelled || s2.Credential().CURP != "" || slices.ContainsFunc(sample, func(b byte) bool { return b != 0 }) {
		t.Errorf("cancel left %q, stage %v", sample, s2.Stage())
	}
	if err := s2.Next(); err == nil {
		t.Error("a cancelled session moved on")
	}
}
