package storage

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"cotejo/storage/audit"
)

// The primitives a sender above the store works with: Claim (or ClaimOne) moves entries
// to sending and hands over their request bodies; the sender posts them and records how
// each attempt went with Settle. The store does not know what INE's answers mean (the
// sender in capture/outbox decides that): it keeps bytes and states.

// ErrAlreadyAnswered means an answer arrived for an entry that has one: it is ignored,
// so an entry is never answered twice.
var ErrAlreadyAnswered = errors.New("storage: entry already answered")

// Now is the store's clock (Options.Now), which stamps the entries' times: a sender
// compares their schedules with it.
func (db *DB) Now() time.Time { return db.opts.Now() }

// Claim moves up to n entries that due says may be sent, oldest first, to sending (one
// more attempt counted) and returns them with their request bodies. An entry whose body
// is missing is failed instead of claimed. An entry a process left in sending (it died
// mid-request) is pending again at the next Open.
func (db *DB) Claim(n int, due func(Entry) bool) ([]Entry, [][]byte, error) {
	var entries []Entry
	var bodies [][]byte
	// Look before writing: a pass that finds nothing due (most of them) commits nothing,
	// so an idle sender does not write the file every few seconds.
	found := false
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		out := tx.Bucket(bucketOutbox)
		return out.ForEach(func(_, v []byte) error {
			var e Entry
			if !found && json.Unmarshal(v, &e) == nil && due(e) {
				found = true
			}
			return nil
		})
	}); err != nil || !found {
		return nil, nil, err
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		entries, bodies = entries[:0], bodies[:0]
		c := tx.Bucket(bucketByDate).Cursor()
		for k, _ := c.First(); k != nil && len(entries) < n; k, _ = c.Next() {
			e, body, err := db.claimTx(tx, string(k[8:]), due)
			var ce *CorruptError
			if errors.As(err, &ce) {
				continue // failed and recorded in this transaction; the rest goes on
			}
			if err != nil {
				return err
			}
			if body != nil {
				entries, bodies = append(entries, e), append(bodies, body)
			}
		}
		return nil
	})
	return entries, bodies, err
}

// ClaimOne moves one pending entry (by id or indice) to sending whatever its schedule,
// and returns it with its request body: an operator's "send now". An entry that is not
// pending is a *StateError.
func (db *DB) ClaimOne(ref string) (Entry, []byte, error) {
	var e Entry
	var body []byte
	var corrupt error
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		ind, err := resolve(tx, ref)
		if err != nil {
			return err
		}
		e, body, err = db.claimTx(tx, ind, func(e Entry) bool { return e.State == StatePending })
		var ce *CorruptError
		if errors.As(err, &ce) {
			corrupt = err // commit the entry's failure, then say why
			return nil
		}
		if err == nil && body == nil {
			err = &StateError{ID: e.ID, State: e.State, Op: "send"}
		}
		return err
	})
	if err == nil && corrupt != nil {
		err = corrupt
	}
	return e, body, err
}

// CorruptError is an entry whose sealed request body does not open (damaged on disk, or
// sealed with a key no longer configured: the entry is failed with Reason), or whose
// own record is unreadable (skipped by Claim, and reported by Get and List).
type CorruptError struct {
	ID, Indice string
	Err        error
}

// Reason is the entry's failure reason, in the operator's two languages.
func (e *CorruptError) Reason() string {
	return "corrupt: el registro está dañado y no se puede enviar; vuelva a capturar la verificación " +
		"(the record is damaged and cannot be sent; capture the verification again): " + e.Err.Error()
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("storage: request %s: %s", e.ID, e.Reason())
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Release puts an entry this process claimed back to pending, due now, without an
// outcome: a send abandoned before INE answered (the pass was cancelled). The attempt
// stays counted. An entry no longer sending is left as it is.
func (db *DB) Release(e Entry) (Entry, error) {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		out := tx.Bucket(bucketOutbox)
		cur, err := getEntry(out, e.Indice)
		if err != nil {
			return err
		}
		e = cur
		if cur.State != StateSending {
			return nil
		}
		e.State, e.NextAttempt, e.LastError = StatePending, db.opts.Now().UTC(), "interrupted"
		if err := putEntry(out, e); err != nil {
			return err
		}
		_, err = db.audit.AppendTx(tx, audit.Entry{Operator: e.Operator, Action: "queue.release", Outcome: string(e.State), Ref: e.Indice})
		return err
	})
	return e, err
}

// claimTx moves one entry to sending if want says so, returning its opened body (nil
// when it was not claimed).
func (db *DB) claimTx(tx *bolt.Tx, indice string, want func(Entry) bool) (Entry, []byte, error) {
	out := tx.Bucket(bucketOutbox)
	e, err := getEntry(out, indice)
	if err != nil || !want(e) {
		return e, nil, err
	}
	blob := tx.Bucket(bucketSealed).Get(recordKey("body", e.Indice))
	if blob == nil {
		e.State, e.Reason = StateFailed, "request body missing"
		return e, nil, putEntry(out, e)
	}
	body, err := db.keys.Open(recordKey("body", e.Indice), blob)
	if err != nil {
		// One damaged record must not stop the queue: it is set aside as failed with
		// its reason, its sealed bytes kept for whoever investigates.
		ce := &CorruptError{ID: e.ID, Indice: e.Indice, Err: err}
		e.State, e.Reason = StateFailed, ce.Reason()
		if err := putEntry(out, e); err != nil {
			return e, nil, err
		}
		if _, err := db.audit.AppendTx(tx, audit.Entry{Operator: e.Operator, Action: "queue.corrupt", Outcome: string(e.State), Ref: e.Indice}); err != nil {
			return e, nil, err
		}
		return e, nil, ce
	}
	e.State = StateSending
	e.Attempts++
	return e, body, putEntry(out, e)
}

// Outcome is how one attempt to send a claimed entry went, in the store's terms.
type Outcome struct {
	// State is where the entry goes: answered, needs-recapture or failed. It is not
	// used when Retry is set.
	State State
	// Retry puts the entry back to pending, to be sent again after Delay; but an entry
	// at least MaxAge old is failed instead ("expired: " and the reason), keeping its
	// body so that an operator can retry it.
	Retry  bool
	Delay  time.Duration
	MaxAge time.Duration
	// Reason says why: the entry's LastError on a retry, its Reason otherwise.
	Reason string
	// Codes are the answer's codes, kept on the entry (none: the codes are cleared).
	Codes []int
	// Answer, when not nil, is the answer received, kept sealed as evidence (Answer):
	// the entry then counts as answered, once and for all.
	Answer []byte
}

// Settle records an attempt's outcome for an entry that is sending and returns the entry
// as it now stands. An entry that has an answer already gets ErrAlreadyAnswered (the
// outcome is dropped); one cancelled while in flight, a *StateError (the cancel stands).
// The request body, with its biometrics, is deleted as soon as the entry is answered or
// given up for good.
func (db *DB) Settle(e Entry, o Outcome) (Entry, error) {
	now := db.opts.Now().UTC()
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		out := tx.Bucket(bucketOutbox)
		cur, err := getEntry(out, e.Indice)
		if err != nil {
			return err
		}
		if cur.Answers > 0 || cur.State == StateAnswered {
			return ErrAlreadyAnswered
		}
		if cur.State != StateSending {
			// Cancelled while in flight: the answer is dropped, the cancel stands.
			return &StateError{ID: cur.ID, State: cur.State, Op: "record an answer for"}
		}
		e = cur
		e.LastError, e.Codes = "", o.Codes
		expired := false
		age := now.Sub(e.Created)
		if age < 0 {
			age = e.Waited // the clock went back behind the entry's creation
		}
		switch {
		case o.Retry && age >= o.MaxAge:
			e.State, e.Reason, expired = StateFailed, "expired: "+o.Reason, true
		case o.Retry:
			e.State, e.LastError = StatePending, o.Reason
			e.NextAttempt = now.Add(o.Delay)
			e.Waited += o.Delay
		default:
			e.State, e.Reason = o.State, o.Reason
		}
		if o.Answer != nil {
			e.Answers++
			e.Answered = now
			key := recordKey("answer", e.Indice)
			if err := tx.Bucket(bucketSealed).Put(key, db.keys.Current().Seal(key, o.Answer)); err != nil {
				return err
			}
		}
		// Biometrics go as soon as the request is answered or given up for good. A
		// request that expired keeps its body so the operator can retry it.
		if e.State == StateAnswered || e.State == StateNeedsRecapture || e.State == StateFailed && !expired {
			if err := db.dropBody(tx, &e); err != nil {
				return err
			}
		}
		if err := putEntry(out, e); err != nil {
			return err
		}
		_, err = db.audit.AppendTx(tx, audit.Entry{Operator: e.Operator, Action: "queue.attempt", Outcome: string(e.State), Ref: e.Indice})
		return err
	})
	return e, err
}

// Answer returns INE's stored answer for an entry, as received (signed).
func (db *DB) Answer(indice string) ([]byte, error) {
	return db.openSealed(recordKey("answer", indice))
}

// BoundSchedule brings back any pending entry scheduled later than now + max (the
// longest retry delay): its time was stamped by a clock that has since been set back,
// and would otherwise hold the entry for as long as the clock was off. It writes only
// when an entry needs it, and returns how many it moved.
func (db *DB) BoundSchedule(max time.Duration) (int, error) {
	now := db.opts.Now().UTC()
	limit := now.Add(max)
	late := func(e Entry) bool { return e.State == StatePending && e.NextAttempt.After(limit) }
	var found []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(k, v []byte) error {
			var e Entry
			if json.Unmarshal(v, &e) == nil && late(e) {
				found = append(found, string(k))
			}
			return nil
		})
	})
	if err != nil || len(found) == 0 {
		return 0, err
	}
	n := 0
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		out := tx.Bucket(bucketOutbox)
		for _, ind := range found {
			e, err := getEntry(out, ind)
			if err != nil || !late(e) {
				continue
			}
			e.NextAttempt = limit
			if err := putEntry(out, e); err != nil {
				return err
			}
			n++
		}
		if n > 0 {
			_, err := db.audit.AppendTx(tx, audit.Entry{Operator: "cotejo", Action: "queue.clock-back", Outcome: fmt.Sprintf("%d", n)})
			return err
		}
		return nil
	})
	return n, err
}
