package capture

// Summary is an entry in the few words a list shows: whose it is and, once answered,
// INE's verdict with the institution's threshold.
type Summary struct {
	Name     string
	Answered bool
	Verdict  Verdict
}

// Summarize reads an entry's citizen and verdict (decrypting both, and checking the
// answer's signature): not on the UI goroutine.
func (k *Kiosk) Summarize(e Entry) Summary {
	s := Summary{Name: k.CitizenName(e)}
	if e.Answers > 0 {
		if res, err := k.Answer(e); err == nil {
			s.Answered, s.Verdict = true, res.Verdict(k.Threshold)
		}
	}
	return s
}
