package outbox

import (
	"errors"
	"math/rand/v2"
	"strconv"
	"time"

	"cotejo/storage"
	"cotejo/verify"
	"cotejo/verify/catalog"
)

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

// classify decides an attempt's outcome from INE's answer (raw, as received, and res,
// opened) or the transport error. INE's codes decide by their action class; an answer
// whose data part came back is kept (Answer) even when its fingerprint part asks to
// retry later (the operator sees it as incomplete and may verify again). The caller adds
// the retry's delay and the schedule's MaxAge.
func classify(raw []byte, res *verify.Result, err error) storage.Outcome {
	if err != nil {
		var he *verify.HTTPError
		switch {
		case errors.As(err, &he) && !he.Temporary():
			return storage.Outcome{State: storage.StateFailed, Reason: err.Error()}
		default:
			// Unreachable, timed out, 5xx, or an answer that did not verify: the
			// same body may go through later.
			return storage.Outcome{State: storage.StatePending, Retry: true, Reason: err.Error()}
		}
	}
	o := storage.Outcome{Answer: raw}
	for _, c := range res.Codes() {
		o.Codes = append(o.Codes, int(c))
	}
	decisive := res.Code
	if decisive == 0 && res.HasData {
		decisive = res.DataCode
	}
	if decisive != 0 {
		o.Reason = "INE " + strconv.Itoa(int(decisive))
		switch decisive.Action() {
		case catalog.ActionRetryLater:
			o.State, o.Retry, o.Answer = storage.StatePending, true, nil
		case catalog.ActionRecapture:
			o.State = storage.StateNeedsRecapture
		default:
			o.State = storage.StateFailed
		}
		return o
	}
	if res.HasFingers && res.FingerCode.Action() == catalog.ActionRecapture {
		o.State, o.Reason = storage.StateNeedsRecapture, "INE "+strconv.Itoa(int(res.FingerCode))
		return o
	}
	o.State = storage.StateAnswered
	return o
}
