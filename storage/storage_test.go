package storage_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"cotejo/storage"
	"cotejo/storage/sealbox"
)

// The store keeps bytes and states: these tests hand it made-up request bodies and
// answers, and play the sender's part with Claim and Settle. Sending to INE, and what its
// answers mean, is tested in capture/outbox.

// citizen is a made-up citizen of the register, i-th of its kind.
func citizen(i int) storage.Citizen {
	return storage.Citizen{
		Nombre: fmt.Sprintf("NOMBRE%03d APELLIDO%03d", i, i),
		CURP:   fmt.Sprintf("CURP%03dH0101XYZ", i),
		CIC:    fmt.Sprintf("9%08d", i),
		OCR:    fmt.Sprintf("7%012d", i),
	}
}

// template is recognisable bytes standing for a fingerprint template.
var template = []byte("FMR\x00 20\x00PLANTILLA-DE-PRUEBA-7f3a9c")

// body is a request body standing for a sealed one: in clear, so that a test can see
// the store seals it.
func body(i int, fingers bool) []byte {
	b := fmt.Appendf(nil, `{"indice":"ind-%03d","curp":%q}`, i, citizen(i).CURP)
	if fingers {
		b = append(b, template...)
	}
	return b
}

func openDB(t testing.TB, path string, keys *sealbox.Keys, now func() time.Time) *storage.DB {
	t.Helper()
	db, err := storage.Open(path, storage.Options{Keys: keys, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newKeys(t testing.TB) *sealbox.Keys {
	k, _ := sealbox.NewKey()
	b, err := sealbox.New(k, 1)
	if err != nil {
		t.Fatal(err)
	}
	return sealbox.NewKeys(b)
}

func enqueue(t testing.TB, db *storage.DB, i int, fingers bool) storage.Entry {
	t.Helper()
	e, err := db.Enqueue(context.Background(), storage.Request{
		Indice: fmt.Sprintf("ind-%03d", i), Body: body(i, fingers), Kind: "verificacion", Operator: "cajero7", Biometrics: fingers,
		Citizen: citizen(i),
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// answer claims the entry and settles it answered with an answer of its own.
func answer(t testing.TB, db *storage.DB, e storage.Entry) storage.Entry {
	t.Helper()
	claimed, _, err := db.ClaimOne(e.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Settle(claimed, storage.Outcome{State: storage.StateAnswered, Codes: []int{0}, Answer: []byte("respuesta de " + e.Indice)})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestSecondInstanceRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cotejo.db")
	keys := newKeys(t)
	openDB(t, path, keys, nil)
	_, err := storage.Open(path, storage.Options{Keys: keys, LockTimeout: 100 * time.Millisecond})
	if !errors.Is(err, storage.ErrAlreadyRunning) {
		t.Fatalf("second open: %v", err)
	}
}

func TestEnqueueRefusesNothingAndDuplicates(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "c.db"), newKeys(t), nil)
	for _, r := range []storage.Request{{Body: []byte("x")}, {Indice: "a"}} {
		if _, err := db.Enqueue(context.Background(), r); err == nil {
			t.Errorf("%+v enqueued", r)
		}
	}
	enqueue(t, db, 1, false)
	if _, err := db.Enqueue(context.Background(), storage.Request{Indice: "ind-001", Body: []byte("x")}); !errors.Is(err, storage.ErrDuplicate) {
		t.Errorf("same indice twice: %v", err)
	}
}

// TestClaimAndSettle: Claim takes the due entries, oldest first, at most n, counting an
// attempt; Settle records the answer once, deletes the body with its biometrics, and
// refuses a second answer.
func TestClaimAndSettle(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "c.db"), newKeys(t), nil)
	var entries []storage.Entry
	for i := range 5 {
		entries = append(entries, enqueue(t, db, i, i%2 == 0))
	}
	skip := entries[1].Indice
	claimed, bodies, err := db.Claim(3, func(e storage.Entry) bool { return e.State == storage.StatePending && e.Indice != skip })
	if err != nil || len(claimed) != 3 || len(bodies) != 3 {
		t.Fatalf("claim: %d %d %v", len(claimed), len(bodies), err)
	}
	for i, want := range []int{0, 2, 3} {
		e := claimed[i]
		if e.Indice != entries[want].Indice || e.State != storage.StateSending || e.Attempts != 1 || !bytes.Equal(bodies[i], body(want, want%2 == 0)) {
			t.Errorf("claimed %d: %+v, body %q", i, e, bodies[i])
		}
		if got, _ := db.Get(e.ID); got.State != storage.StateSending {
			t.Errorf("%s stored as %s", e.ID, got.State)
		}
	}
	// Only pending entries are due: two left, the skipped one and the last.
	if more, _, _ := db.Claim(10, func(e storage.Entry) bool { return e.State == storage.StatePending }); len(more) != 2 {
		t.Errorf("second claim: %d entries", len(more))
	}
	e := claimed[0]
	got, err := db.Settle(e, storage.Outcome{State: storage.StateAnswered, Reason: "", Codes: []int{0, 0}, Answer: []byte("respuesta")})
	if err != nil {
		t.Fatal(err)
	}
	if got.State != storage.StateAnswered || got.Answers != 1 || got.Answered.IsZero() || got.Biometrics || len(got.Codes) != 2 {
		t.Errorf("answered: %+v", got)
	}
	if !got.FingersSent {
		t.Error("the answered entry forgot that fingers were sent: its verdict needs a finger result")
	}
	if raw, err := db.Answer(e.Indice); err != nil || string(raw) != "respuesta" {
		t.Errorf("answer %q %v", raw, err)
	}
	if _, err := db.Body(e.Indice); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("request body (with biometrics) kept after the answer: %v", err)
	}
	// Answered twice (a request INE saw twice): the second answer is dropped.
	if _, err := db.Settle(e, storage.Outcome{State: storage.StateAnswered, Answer: []byte("otra")}); !errors.Is(err, storage.ErrAlreadyAnswered) {
		t.Errorf("second answer: %v", err)
	}
	if raw, _ := db.Answer(e.Indice); string(raw) != "respuesta" {
		t.Errorf("answer replaced by %q", raw)
	}
	if got, _ := db.Get(e.ID); got.Answers != 1 {
		t.Errorf("%d answers", got.Answers)
	}
	// A recapture request and a failure keep INE's answer, drop the body.
	for i, st := range []storage.State{storage.StateNeedsRecapture, storage.StateFailed} {
		got, err := db.Settle(claimed[i+1], storage.Outcome{State: st, Reason: "INE 314", Codes: []int{314}, Answer: []byte("314")})
		if err != nil || got.State != st || got.Reason != "INE 314" || got.Answers != 1 || got.Biometrics {
			t.Errorf("%s: %+v %v", st, got, err)
		}
		if _, err := db.Body(got.Indice); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("%s: body kept", st)
		}
	}
	if rep, err := db.Audit().Verify(context.Background()); err != nil || rep.Entries < 8 {
		t.Errorf("audit: %+v %v", rep, err)
	}
	if err := db.Check(); err != nil {
		t.Error(err)
	}
}

// TestSettleRetryExpiryCancel: a retry goes back to pending after its delay with the
// reason, an old one expires (failed, body kept for a manual retry), and an entry
// cancelled in flight keeps its cancel.
func TestSettleRetryExpiryCancel(t *testing.T) {
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db := openDB(t, filepath.Join(t.TempDir(), "c.db"), newKeys(t), func() time.Time { return now })
	if !db.Now().Equal(now) {
		t.Errorf("the store's clock says %v", db.Now())
	}
	e := enqueue(t, db, 1, true)
	retry := storage.Outcome{State: storage.StatePending, Retry: true, Delay: 20 * time.Second, MaxAge: time.Hour, Reason: "503"}
	claimed, _, err := db.ClaimOne(e.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.Settle(claimed, retry)
	if err != nil || got.State != storage.StatePending || got.LastError != "503" || !got.NextAttempt.Equal(now.Add(20*time.Second)) || got.Answers != 0 {
		t.Fatalf("retry: %+v %v", got, err)
	}
	if _, err := db.Body(e.Indice); err != nil {
		t.Errorf("body gone on a retry: %v", err)
	}
	now = now.Add(2 * time.Hour) // past MaxAge
	claimed, _, _ = db.ClaimOne(e.ID)
	got, err = db.Settle(claimed, retry)
	if err != nil || got.State != storage.StateFailed || got.Reason != "expired: 503" || got.Attempts != 2 || !got.Biometrics {
		t.Fatalf("expired: %+v %v", got, err)
	}
	if _, err := db.Body(e.Indice); err != nil {
		t.Errorf("an expired request lost its body: %v", err)
	}
	var se *storage.StateError
	if _, _, err := db.ClaimOne(e.ID); !errors.As(err, &se) {
		t.Errorf("claiming a failed entry: %v", err)
	}
	if _, _, err := db.ClaimOne("no-such"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("claiming nothing: %v", err)
	}
	if _, err := db.Retry(e.ID, "supervisor"); err != nil {
		t.Fatal(err)
	}
	if got := answer(t, db, e); got.State != storage.StateAnswered || got.Attempts != 3 {
		t.Fatalf("after a manual retry: %+v", got)
	}
	// Cancelled while in flight: the answer is dropped, the cancel stands.
	e2 := enqueue(t, db, 2, true)
	claimed, _, _ = db.ClaimOne(e2.ID)
	if got, err := db.Cancel(e2.Indice, "supervisor"); err != nil || got.State != storage.StateCancelled || got.Biometrics {
		t.Fatalf("cancel: %+v %v", got, err)
	}
	if _, err := db.Settle(claimed, storage.Outcome{State: storage.StateAnswered, Answer: []byte("tarde")}); !errors.As(err, &se) {
		t.Errorf("answer after cancel: %v", err)
	}
	if _, err := db.Answer(e2.Indice); !errors.Is(err, storage.ErrNotFound) {
		t.Error("an answer was kept for a cancelled entry")
	}
	if n, _, _ := db.Claim(10, func(e storage.Entry) bool { return e.State == storage.StatePending }); len(n) != 0 {
		t.Error("cancelled entry claimed")
	}
}

// TestSendingRecoveredOnOpen: an entry a process left in sending (it died mid-request)
// is pending again, due now, when the store next opens.
func TestSendingRecoveredOnOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	keys := newKeys(t)
	db, err := storage.Open(path, storage.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	e := enqueue(t, db, 1, true)
	if _, _, err := db.ClaimOne(e.ID); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db = openDB(t, path, keys, nil)
	got, err := db.Get(e.ID)
	if err != nil || got.State != storage.StatePending || got.Attempts != 1 || got.NextAttempt.After(time.Now()) {
		t.Fatalf("after reopening: %+v %v", got, err)
	}
	if got := answer(t, db, e); got.Answers != 1 {
		t.Errorf("%+v", got)
	}
}

// TestNoPlaintextAtRest scans the raw file: no CURP, name or template bytes, though the
// bodies and answers it was handed carry them in clear.
func TestNoPlaintextAtRest(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cotejo.db")
	db := openDB(t, path, newKeys(t), nil)
	var secrets [][]byte
	for i := range 6 {
		e := enqueue(t, db, i, true)
		c := citizen(i)
		secrets = append(secrets, []byte(c.CURP), []byte(c.Nombre), []byte(c.CIC), []byte(c.OCR))
		if i < 3 {
			// The first three answered (an answer naming the citizen stored), the rest
			// still queued (the request body, with its fingerprints, stored).
			claimed, _, err := db.ClaimOne(e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := db.Settle(claimed, storage.Outcome{State: storage.StateAnswered, Answer: []byte("respuesta para " + c.Nombre)}); err != nil {
				t.Fatal(err)
			}
		}
	}
	secrets = append(secrets, template[8:], []byte("respuesta para"))
	db.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, sec := range secrets {
		if len(bytes.TrimSpace(sec)) > 0 && bytes.Contains(raw, sec) {
			t.Errorf("%q found in clear in the data file", sec)
		}
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	keys := newKeys(t)
	db, err := storage.Open(path, storage.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, _ := bolt.Open(path, 0o600, nil)
	raw.Update(func(tx *bolt.Tx) error { return tx.Bucket([]byte("meta")).Put([]byte("schema"), []byte{0, 0, 0, 99}) })
	raw.Close()
	if _, err := storage.Open(path, storage.Options{Keys: keys}); !errors.Is(err, storage.ErrNewerSchema) {
		t.Errorf("schema 99: %v", err)
	}
}

// TestFind: entries are found by CURP, CIC, operator and date.
func TestFind(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "c.db"), newKeys(t), nil)
	var entries []storage.Entry
	for i := range 5 {
		entries = append(entries, enqueue(t, db, i, false))
	}
	for _, q := range []storage.Query{{Subject: citizen(2).CURP}, {Subject: citizen(2).CIC}} {
		found, err := db.Find(context.Background(), q)
		if err != nil || len(found) != 1 || found[0].ID != entries[2].ID {
			t.Errorf("find %+v: %v %v", q, found, err)
		}
	}
	if found, _ := db.Find(context.Background(), storage.Query{Operator: "cajero7"}); len(found) != 5 {
		t.Errorf("by operator: %d", len(found))
	}
	if found, _ := db.Find(context.Background(), storage.Query{From: time.Now().Add(time.Hour)}); len(found) != 0 {
		t.Errorf("by date: %d", len(found))
	}
	if c, err := db.CitizenOf(entries[3].Indice); err != nil || c != citizen(3) || !strings.HasPrefix(c.Nombre, "NOMBRE003") {
		t.Errorf("citizen %+v %v", c, err)
	}
}

// TestConsentKept: the consent's notice version and time are kept with the entry,
// through its answer and a reopening; an entry without them (one stored before they
// were kept) reads with neither.
func TestConsentKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cotejo.db")
	keys := newKeys(t)
	db, err := storage.Open(path, storage.Options{Keys: keys})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 30, 17, 36, 51, 0, time.FixedZone("CST", -6*3600))
	e, err := db.Enqueue(context.Background(), storage.Request{Indice: "ind-001", Body: body(1, false), Operator: "cajero7",
		Citizen: citizen(1), Consent: "aviso de privacidad v1", ConsentNotice: "1", ConsentAt: at})
	if err != nil {
		t.Fatal(err)
	}
	answer(t, db, e)
	old := enqueue(t, db, 2, false)
	answer(t, db, old)
	db.Close()

	db = openDB(t, path, keys, nil)
	for _, tt := range []struct {
		indice, notice string
		at             time.Time
	}{{"ind-001", "1", at}, {"ind-002", "", time.Time{}}} {
		got, err := db.Get(tt.indice)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != storage.StateAnswered || got.ConsentNotice != tt.notice || !got.ConsentAt.Equal(tt.at) {
			t.Errorf("%s: state %s, consent %q at %v; want %q at %v", tt.indice, got.State, got.ConsentNotice, got.ConsentAt, tt.notice, tt.at)
		}
	}
}
