package verify

import (
	"math"
	"time"

	"cotejo/verify/catalog"
)

// Comparison is INE's answer for one field: true, false, or null (not sent).
type Comparison int

const (
	NotCompared Comparison = iota
	Match
	Mismatch
)

// String is the mark the operator sees.
func (c Comparison) String() string {
	switch c {
	case Match:
		return "✓"
	case Mismatch:
		return "✗"
	}
	return "—"
}

// FieldResult is one field's comparison, named by its plaintext JSON name.
type FieldResult struct {
	Field      string
	Comparison Comparison
}

// Result is a verified answer from INE, ready to show.
type Result struct {
	Indice         string
	RequestedAt    time.Time // zero when fechaHoraPeticion was in no known format
	RequestedAtRaw string
	Processing     time.Duration

	Code       catalog.Code // codigoRespuesta
	HasData    bool
	DataCode   catalog.Code // codigoRespuestaDatos
	HasFingers bool
	FingerCode catalog.Code // codigoRespuestaMinucia

	Situation   catalog.Situation
	TheftReport string // tipoReporteRoboExtravio, verbatim
	Fields      []FieldResult
	Right, Left *Similarity // similitud2 and similitud7; nil when not compared

	// FingersSent says the request carried fingerprints, which OpenResponse cannot know:
	// the caller sets it, and then an answer without a finger result is not VÁLIDA.
	FingersSent bool
}

// Threshold bounds: below 50 the scale's false match rate passes 1 %, so an impostor's
// fingers could pass; above 100 nothing would.
const (
	MinThreshold = 50
	MaxThreshold = 100
)

// ValidThreshold reports whether t lies within [MinThreshold, MaxThreshold].
func ValidThreshold(t float64) bool { return t >= MinThreshold && t <= MaxThreshold }

// Verdict is the one-word outcome the operator acts on.
type Verdict int

const (
	// VerdictValid: the credential is in force, every compared field matches and every
	// compared finger reaches the institution's threshold.
	VerdictValid Verdict = iota
	// VerdictInvalid: INE answered and something does not match or is not in force.
	VerdictInvalid
	// VerdictIncomplete: the data matched but the fingers could not be compared.
	VerdictIncomplete
	// VerdictError: INE could not check the request; see Codes.
	VerdictError
)

func (v Verdict) String() string {
	switch v {
	case VerdictValid:
		return "valid"
	case VerdictInvalid:
		return "invalid"
	case VerdictIncomplete:
		return "incomplete"
	}
	return "error"
}

// Verdict judges the result with the institution's fingerprint threshold in percent. A
// threshold outside [MinThreshold, MaxThreshold] judges nothing (VerdictError).
func (r *Result) Verdict(threshold float64) Verdict {
	if r.Code != 0 || (r.HasData && r.DataCode != 0) || !r.HasData || !ValidThreshold(threshold) {
		return VerdictError
	}
	if !r.Situation.Valid() {
		return VerdictInvalid
	}
	for _, f := range r.Fields {
		if f.Comparison == Mismatch {
			return VerdictInvalid
		}
	}
	if !r.HasFingers {
		if r.FingersSent {
			return VerdictIncomplete // the fingers were sent, and not compared
		}
		return VerdictValid
	}
	if r.FingerCode != 0 || r.Right == nil && r.Left == nil {
		return VerdictIncomplete
	}
	for _, s := range []*Similarity{r.Right, r.Left} {
		if s != nil && (math.IsNaN(float64(*s)) || math.IsInf(float64(*s), 0)) {
			return VerdictIncomplete
		}
	}
	for _, s := range []*Similarity{r.Right, r.Left} {
		if s != nil && float64(*s) < threshold {
			return VerdictInvalid
		}
	}
	return VerdictValid
}

// Codes lists the non-zero codes of the answer, central first.
func (r *Result) Codes() []catalog.Code {
	var out []catalog.Code
	for _, c := range []catalog.Code{r.Code, r.DataCode, r.FingerCode} {
		if c != 0 {
			out = append(out, c)
		}
	}
	return out
}

// Action is what the app does next: the most pressing action among the codes.
func (r *Result) Action() catalog.Action {
	best := catalog.ActionNone
	for _, c := range r.Codes() {
		if a := c.Action(); actionRank(a) > actionRank(best) {
			best = a
		}
	}
	return best
}

// actionRank orders actions by how much they stop the flow.
func actionRank(a catalog.Action) int {
	switch a {
	case catalog.ActionCallSupport:
		return 4
	case catalog.ActionFixRequest:
		return 3
	case catalog.ActionRecapture:
		return 2
	case catalog.ActionRetryLater:
		return 1
	}
	return 0
}
