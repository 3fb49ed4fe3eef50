package match

import "math"

// Threshold is the default similarity at which two prints are taken as one finger: where
// the false match rate falls to 0.1 % on every real set (see scale).
const Threshold = 70.0

// knots tie raw scores to similarities by the false match rate they stand for. Each raw
// score is the least that no more than that share of impostor pairs reach on any of the
// real sets of the shared fixtures (every pair of prints of different fingers, 95,040
// pairs; the 0.01 % knot pooled, as only the largest set has pairs enough to tell it).
// Recompute them, after any change to extraction or matching, with
//
//	go test -run TestCalibrate -fvc.calibrate -v ./scanner/match/
var knots = [...]struct{ raw, similarity, fmr float64 }{
	{0.01806, 30, 1e-1},
	{0.02423, 50, 1e-2},
	{0.03411, 70, 1e-3},
	{0.03855, 90, 1e-4},
	{0.30, 100, 0}, // a clear genuine pair: beyond 90 the scale only orders sure matches
}

// scale maps the raw score (0–1) onto the similarity, 0–100, so that a similarity stands
// for a false match rate: 30 for 10 %, 50 for 1 %, 70 for 0.1 %, 90 for 0.01 %, linear in
// the raw score's logarithm between the knots. Below the first knot it falls to 0 at a
// quarter of its raw score.
func scale(raw float64) float64 {
	if raw <= 0 {
		return 0
	}
	lerp := func(a, b int) float64 {
		ka, kb := knots[a], knots[b]
		return ka.similarity + (kb.similarity-ka.similarity)*math.Log(raw/ka.raw)/math.Log(kb.raw/ka.raw)
	}
	switch {
	case raw < knots[0].raw:
		return max(0, knots[0].similarity*(1+math.Log(raw/knots[0].raw)/math.Log(4)))
	case raw >= knots[len(knots)-1].raw:
		return 100
	}
	i := 1
	for raw >= knots[i].raw {
		i++
	}
	return lerp(i-1, i)
}
