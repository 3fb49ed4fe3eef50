package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"cotejo/storage/audit"
)

// State is where an outbox entry stands.
type State string

const (
	StatePending        State = "pending"
	StateSending        State = "sending"
	StateAnswered       State = "answered"
	StateFailed         State = "failed"
	StateNeedsRecapture State = "needs-recapture"
	StateCancelled      State = "cancelled"
)

// Final reports whether nothing more will happen to the entry without an operator.
func (s State) Final() bool {
	return s == StateAnswered || s == StateFailed || s == StateNeedsRecapture || s == StateCancelled
}

// Entry is an outbox entry's metadata. It carries no personal data: the request body
// and the citizen's data are sealed apart.
type Entry struct {
	ID          string    `json:"id"`
	Indice      string    `json:"indice"`
	Kind        string    `json:"kind"`
	Operator    string    `json:"operator"`
	Created     time.Time `json:"created"`
	State       State     `json:"state"`
	Attempts    int       `json:"attempts"`
	NextAttempt time.Time `json:"next_attempt"`
	LastError   string    `json:"last_error,omitempty"`
	Reason      string    `json:"reason,omitempty"`
	Codes       []int     `json:"codes,omitempty"`
	Answered    time.Time `json:"answered,omitzero"`
	Answers     int       `json:"answers"` // how many answers were recorded: never more than 1
	// Waited sums the retry delays scheduled so far: the entry's age when the clock was
	// set back behind Created and now − Created says nothing.
	Waited      time.Duration `json:"waited,omitempty"`
	Biometrics  bool          `json:"biometrics"`             // the stored request still holds fingerprints
	FingersSent bool          `json:"fingers_sent,omitempty"` // the request carried fingerprints: a verdict needs INE's finger result (verify.Result.FingersSent)
	Purged      bool          `json:"purged,omitempty"`       // personal data removed by retention
	// ConsentNotice and ConsentAt are the privacy notice's version the citizen accepted
	// and when, for the receipt's sealed evidence. Entries stored before they were kept
	// have neither: their consent is only in the audit trail.
	ConsentNotice string    `json:"consent_notice,omitempty"`
	ConsentAt     time.Time `json:"consent_at,omitzero"`
	// Constancy says a NOM-151 constancy of the entry's receipt is kept (sealed, apart:
	// ConstancyOf). Entries from before constancies were kept have none.
	Constancy bool `json:"constancy,omitempty"`
}

// Citizen is the personal summary kept beside an entry (sealed) so the history screen
// can show whom a request was about.
type Citizen struct {
	Nombre string `json:"nombre,omitempty"`
	CURP   string `json:"curp,omitempty"`
	CIC    string `json:"cic,omitempty"`
	OCR    string `json:"ocr,omitempty"`
}

// Request is what an operator hands to the outbox.
type Request struct {
	// Indice identifies the request (INE's indiceSolicitud): one entry per indice.
	Indice string
	// Body is the request exactly as it is to be sent (already encrypted and signed):
	// kept sealed until it is answered or given up.
	Body       []byte
	Kind       string // e.g. "verificacion"
	Operator   string
	Citizen    Citizen
	Biometrics bool
	// Consent, when set, says what the citizen accepted (e.g. "aviso de privacidad v1");
	// it goes into the audit trail with the enqueue, in the same transaction, so no
	// request is ever stored without the record of its consent.
	Consent string
	// ConsentNotice and ConsentAt, when set, are kept with the entry (Entry.ConsentNotice).
	ConsentNotice string
	ConsentAt     time.Time
}

// ErrNotFound means no entry has that id or indice.
var ErrNotFound = errors.New("storage: no such entry")

// ErrDuplicate means an entry with that indice exists already.
var ErrDuplicate = errors.New("storage: an entry with that indice exists")

// StateError is an operation the entry's state does not allow.
type StateError struct {
	ID    string
	State State
	Op    string
}

func (e *StateError) Error() string {
	return fmt.Sprintf("storage: cannot %s entry %s: it is %s", e.Op, e.ID, e.State)
}

func recordKey(kind, indice string) []byte { return []byte(kind + "/" + indice) }

func timeKey(t time.Time) []byte { return binary.BigEndian.AppendUint64(nil, uint64(t.UnixNano())) }

// Enqueue stores a sealed request durably (fsync'd) and returns its entry. When it
// returns without error the request will be delivered or accounted for.
func (db *DB) Enqueue(ctx context.Context, r Request) (Entry, error) {
	if err := ctx.Err(); err != nil {
		return Entry{}, err
	}
	if r.Indice == "" || len(r.Body) == 0 {
		return Entry{}, errors.New("storage: nothing to enqueue")
	}
	now := db.opts.Now().UTC()
	e := Entry{
		Indice: r.Indice, Kind: r.Kind, Operator: r.Operator, Created: now,
		State: StatePending, NextAttempt: now, Biometrics: r.Biometrics, FingersSent: r.Biometrics,
		ConsentNotice: r.ConsentNotice, ConsentAt: r.ConsentAt.UTC(),
	}
	citizen, err := json.Marshal(r.Citizen)
	if err != nil {
		return Entry{}, err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		out := tx.Bucket(bucketOutbox)
		if out.Get([]byte(e.Indice)) != nil {
			return ErrDuplicate
		}
		seq, err := tx.Bucket(bucketIDs).NextSequence()
		if err != nil {
			return err
		}
		e.ID = strconv.FormatUint(seq, 10)
		if err := tx.Bucket(bucketIDs).Put([]byte(e.ID), []byte(e.Indice)); err != nil {
			return err
		}
		sealed := tx.Bucket(bucketSealed)
		box := db.keys.Current()
		if err := sealed.Put(recordKey("body", e.Indice), box.Seal(recordKey("body", e.Indice), r.Body)); err != nil {
			return err
		}
		if err := sealed.Put(recordKey("citizen", e.Indice), box.Seal(recordKey("citizen", e.Indice), citizen)); err != nil {
			return err
		}
		if err := db.index(tx, e, r.Citizen); err != nil {
			return err
		}
		if err := putEntry(out, e); err != nil {
			return err
		}
		if r.Consent != "" {
			if _, err := db.audit.AppendTx(tx, audit.Entry{Operator: e.Operator, Action: "consent.accepted", Outcome: r.Consent, Ref: e.Indice, Subject: db.subjectOf(r.Citizen)}); err != nil {
				return err
			}
		}
		_, err = db.audit.AppendTx(tx, audit.Entry{Operator: e.Operator, Action: "queue.enqueue", Outcome: string(e.State), Ref: e.Indice, Subject: db.subjectOf(r.Citizen)})
		return err
	})
	if err != nil {
		return Entry{}, fmt.Errorf("storage: enqueue: %w", err)
	}
	return e, nil
}

func (db *DB) subjectOf(c Citizen) string {
	if c.CURP != "" {
		return db.subject.Subject(c.CURP)
	}
	if c.CIC != "" {
		return db.subject.Subject("CIC:" + c.CIC)
	}
	return ""
}

func (db *DB) index(tx *bolt.Tx, e Entry, c Citizen) error {
	tk := timeKey(e.Created)
	if err := tx.Bucket(bucketByDate).Put(append(tk, e.Indice...), nil); err != nil {
		return err
	}
	opKey := append(append(append([]byte(e.Operator), 0), tk...), e.Indice...)
	if err := tx.Bucket(bucketByOp).Put(opKey, nil); err != nil {
		return err
	}
	for _, s := range []string{c.CURP, c.CIC} {
		if s == "" {
			continue
		}
		h := db.subject.Subject(s)
		if err := tx.Bucket(bucketBySubj).Put([]byte(h+"\x00"+e.Indice), nil); err != nil {
			return err
		}
	}
	return nil
}

func putEntry(b *bolt.Bucket, e Entry) error {
	raw, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return b.Put([]byte(e.Indice), raw)
}

// listEntry is getEntry for the lists: an unreadable record shows as failed with the
// reason, so that one damaged record does not hide the others.
func listEntry(b *bolt.Bucket, indice string) (Entry, error) {
	e, err := getEntry(b, indice)
	var ce *CorruptError
	if errors.As(err, &ce) {
		return Entry{ID: indice, Indice: indice, State: StateFailed, Reason: ce.Reason()}, nil
	}
	return e, err
}

func getEntry(b *bolt.Bucket, indice string) (Entry, error) {
	raw := b.Get([]byte(indice))
	if raw == nil {
		return Entry{}, ErrNotFound
	}
	var e Entry
	if err := json.Unmarshal(raw, &e); err != nil {
		// Its state is unknown: the senders skip it, the screens say so.
		return Entry{}, &CorruptError{ID: indice, Indice: indice, Err: err}
	}
	return e, nil
}

// resolve turns an id or an indice into the indice.
func resolve(tx *bolt.Tx, ref string) (string, error) {
	if tx.Bucket(bucketOutbox).Get([]byte(ref)) != nil {
		return ref, nil
	}
	if ind := tx.Bucket(bucketIDs).Get([]byte(ref)); ind != nil {
		return string(ind), nil
	}
	return "", ErrNotFound
}

// Get returns an entry by id or indice.
func (db *DB) Get(ref string) (Entry, error) {
	var e Entry
	err := db.bolt.View(func(tx *bolt.Tx) error {
		ind, err := resolve(tx, ref)
		if err != nil {
			return err
		}
		e, err = getEntry(tx.Bucket(bucketOutbox), ind)
		return err
	})
	return e, err
}

// List returns the entries, oldest first, optionally only those in the given states.
func (db *DB) List(states ...State) ([]Entry, error) {
	want := map[State]bool{}
	for _, s := range states {
		want[s] = true
	}
	var out []Entry
	err := db.bolt.View(func(tx *bolt.Tx) error {
		out = out[:0]
		c := tx.Bucket(bucketByDate).Cursor()
		outbox := tx.Bucket(bucketOutbox)
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			e, err := listEntry(outbox, string(k[8:]))
			if err != nil {
				return err
			}
			if len(want) == 0 || want[e.State] {
				out = append(out, e)
			}
		}
		return nil
	})
	return out, err
}

// Body returns an entry's sealed request body, opened.
func (db *DB) Body(indice string) ([]byte, error) {
	return db.openSealed(recordKey("body", indice))
}

// CitizenOf returns the personal summary kept for an entry.
func (db *DB) CitizenOf(indice string) (Citizen, error) {
	raw, err := db.openSealed(recordKey("citizen", indice))
	if err != nil {
		return Citizen{}, err
	}
	var c Citizen
	return c, json.Unmarshal(raw, &c)
}

func (db *DB) openSealed(key []byte) ([]byte, error) {
	var blob []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketSealed).Get(key)
		if v == nil {
			return ErrNotFound
		}
		blob = bytes.Clone(v)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.keys.Open(key, blob)
}

// update loads an entry, lets fn change it, and stores it with an audit line, in one
// transaction.
func (db *DB) update(ref, op, operator string, fn func(tx *bolt.Tx, e *Entry) error) (Entry, error) {
	return db.modify(ref, func(tx *bolt.Tx, e *Entry) (audit.Entry, error) {
		if err := fn(tx, e); err != nil {
			return audit.Entry{}, err
		}
		return audit.Entry{Operator: operator, Action: "queue." + op, Outcome: string(e.State)}, nil
	})
}

// modify loads an entry, lets fn change it and say what the audit trail records of the
// change, and stores both, in one transaction. The record's Ref is the entry's.
func (db *DB) modify(ref string, fn func(tx *bolt.Tx, e *Entry) (audit.Entry, error)) (Entry, error) {
	var e Entry
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		ind, err := resolve(tx, ref)
		if err != nil {
			return err
		}
		out := tx.Bucket(bucketOutbox)
		if e, err = getEntry(out, ind); err != nil {
			return err
		}
		rec, err := fn(tx, &e)
		if err != nil {
			return err
		}
		if err := putEntry(out, e); err != nil {
			return err
		}
		rec.Ref = e.Indice
		_, err = db.audit.AppendTx(tx, rec)
		return err
	})
	return e, err
}

// Retry puts a failed, recapture-waiting or pending entry back to be sent now.
func (db *DB) Retry(ref, operator string) (Entry, error) {
	return db.update(ref, "retry", operator, func(tx *bolt.Tx, e *Entry) error {
		if e.State == StateAnswered || e.State == StateCancelled || e.State == StateSending {
			return &StateError{ID: e.ID, State: e.State, Op: "retry"}
		}
		if tx.Bucket(bucketSealed).Get(recordKey("body", e.Indice)) == nil {
			return &StateError{ID: e.ID, State: e.State, Op: "retry (its request was purged)"}
		}
		e.State, e.NextAttempt, e.Reason = StatePending, db.opts.Now().UTC(), ""
		return nil
	})
}

// Cancel gives an entry up: it will not be sent, and its biometrics are deleted.
func (db *DB) Cancel(ref, operator string) (Entry, error) {
	return db.update(ref, "cancel", operator, func(tx *bolt.Tx, e *Entry) error {
		if e.State == StateAnswered || e.State == StateCancelled {
			return &StateError{ID: e.ID, State: e.State, Op: "cancel"}
		}
		e.State = StateCancelled
		return db.dropBody(tx, e)
	})
}

// dropBody deletes the request body, which is where the biometrics are.
func (db *DB) dropBody(tx *bolt.Tx, e *Entry) error {
	e.Biometrics = false
	return tx.Bucket(bucketSealed).Delete(recordKey("body", e.Indice))
}
