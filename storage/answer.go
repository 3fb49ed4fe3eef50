package storage

import (
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
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		entries, bodies = entries[:0], bodies[:0]
		c := tx.Bucket(bucketByDate).Cursor()
		for k, _ := c.First(); k != nil && len(entries) < n; k, _ = c.Next() {
			e, body, err := db.claimTx(tx, string(k[8:]), due)
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
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		ind, err := resolve(tx, ref)
		if err != nil {
			return err
		}
		e, body, err = db.claimTx(tx, ind, func(e Entry) bool { return e.State == StatePending })
		if err == nil && body == nil {
			err = &StateError{ID: e.ID, State: e.State, Op: "send"}
		}
		return err
	})
	return e, body, err
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
		return e, nil, fmt.Errorf("storage: opening request %s: %w", e.ID, err)
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
		switch {
		case o.Retry && now.Sub(e.Created) >= o.MaxAge:
			e.State, e.Reason, expired = StateFailed, "expired: "+o.Reason, true
		case o.Retry:
			e.State, e.LastError = StatePending, o.Reason
			e.NextAttempt = now.Add(o.Delay)
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
