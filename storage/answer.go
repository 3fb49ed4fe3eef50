package storage

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	bolt "go.etcd.io/bbolt"

	"cotejo/storage/audit"
	"cotejo/verify"
	"cotejo/verify/catalog"
)

// ErrAlreadyAnswered means an answer arrived for an entry that has one: it is ignored,
// so an entry is never answered twice.
var ErrAlreadyAnswered = errors.New("storage: entry already answered")

// Backoff is the retry schedule: Base doubled per attempt up to Max, with jitter (a
// random delay between half and all of it) so kiosks that come back online together do
// not hit INE together. After MaxAge an entry that still cannot be sent is failed.
type Backoff struct {
	Base, Max, MaxAge time.Duration
}

// DefaultBackoff: 30 s, 1 min, 2 min … capped at 30 min; given up after 3 days.
func DefaultBackoff() Backoff {
	return Backoff{Base: 30 * time.Second, Max: 30 * time.Minute, MaxAge: 72 * time.Hour}
}

// Delay is the wait before attempt number attempts+1.
func (b Backoff) Delay(attempts int, rnd *rand.Rand) time.Duration {
	d := b.Base
	for i := 1; i < attempts && d < b.Max; i++ {
		d *= 2
	}
	d = min(d, b.Max)
	half := d / 2
	return half + time.Duration(rnd.Int64N(int64(half)+1))
}

// claim moves up to n entries that due says may go to sending, oldest first, and
// returns them with their bodies.
func (db *DB) claim(n int, due func(Entry) bool) ([]Entry, [][]byte, error) {
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

// outcome is what one attempt came to.
type outcome struct {
	state  State
	retry  bool // back to pending, after the backoff
	reason string
	codes  []int
	result *verify.Result
	raw    []byte // INE's answer, kept (sealed) as evidence
}

// classify decides an attempt's outcome from INE's answer or the transport error. INE's
// codes decide by their action class; an answer whose data part came back is kept even
// when its fingerprint part asks to retry later (the operator sees it as incomplete and
// may verify again).
func classify(res *verify.Result, err error) outcome {
	if err != nil {
		var he *verify.HTTPError
		switch {
		case errors.As(err, &he) && !he.Temporary():
			return outcome{state: StateFailed, reason: err.Error()}
		default:
			// Unreachable, timed out, 5xx, or an answer that did not verify: the
			// same body may go through later.
			return outcome{state: StatePending, retry: true, reason: err.Error()}
		}
	}
	o := outcome{result: res}
	for _, c := range res.Codes() {
		o.codes = append(o.codes, int(c))
	}
	decisive := res.Code
	if decisive == 0 && res.HasData {
		decisive = res.DataCode
	}
	if decisive != 0 {
		o.reason = "INE " + strconv.Itoa(int(decisive))
		switch decisive.Action() {
		case catalog.ActionRetryLater:
			o.state, o.retry, o.result = StatePending, true, nil
		case catalog.ActionRecapture:
			o.state = StateNeedsRecapture
		default:
			o.state = StateFailed
		}
		return o
	}
	if res.HasFingers && res.FingerCode.Action() == catalog.ActionRecapture {
		o.state, o.reason = StateNeedsRecapture, "INE "+strconv.Itoa(int(res.FingerCode))
		return o
	}
	o.state = StateAnswered
	return o
}

// settle records an attempt's outcome for an entry that is sending.
// delay is the backoff drawn for this attempt, used if it is to be retried.
func (db *DB) settle(e Entry, o outcome, maxAge, delay time.Duration) (Entry, error) {
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
		e.LastError, e.Codes = "", o.codes
		expired := false
		switch {
		case o.retry && now.Sub(e.Created) >= maxAge:
			e.State, e.Reason, expired = StateFailed, "expired: "+o.reason, true
		case o.retry:
			e.State, e.LastError = StatePending, o.reason
			e.NextAttempt = now.Add(delay)
		default:
			e.State, e.Reason = o.state, o.reason
		}
		if o.result != nil {
			e.Answers++
			e.Answered = now
			key := recordKey("answer", e.Indice)
			if err := tx.Bucket(bucketSealed).Put(key, db.keys.Current().Seal(key, o.raw)); err != nil {
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
