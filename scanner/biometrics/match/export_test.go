package match

// Raw is the uncalibrated similarity (0–1), for calibrating the scale on real prints.
func Raw(t, o *Template) float64 { return t.raw(o) }
