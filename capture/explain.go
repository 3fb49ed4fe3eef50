package capture

import (
	"strings"

	"cotejo/verify"
	"cotejo/verify/catalog"
)

// Explanation is a result as a teller reads it aloud to the citizen: a short verdict,
// one sentence of what was checked and what failed, and what to do next.
type Explanation struct {
	Verdict string // "VÁLIDA", "NO VÁLIDA", "INCOMPLETA", "SIN RESULTADO"
	What    string
	Next    string
}

// Explain says what r means with the institution's threshold, in lang.
func Explain(r *Result, threshold float64, lang string) Explanation {
	say := func(es, en string) string {
		if lang == "en" {
			return en
		}
		return es
	}
	stop := say("No continúe el trámite.", "Do not continue the transaction.")
	switch r.Verdict(threshold) {
	case verify.VerdictValid:
		what := say("La credencial está vigente y los datos coinciden con el registro del INE", "The credential is in force and the data match INE's register")
		if r.HasFingers {
			what += say("; las huellas coinciden con las registradas.", "; the fingerprints match the ones on record.")
		} else {
			what += "."
		}
		return Explanation{say("VÁLIDA", "VALID"), what, say("Puede continuar el trámite.", "You may continue the transaction.")}
	case verify.VerdictInvalid:
		var what []string
		if !r.Situation.Valid() {
			what = append(what, say("La credencial no está vigente: ", "The credential is not in force: ")+strings.TrimSpace(r.Situation.Message(lang)))
		}
		var fields []string
		for _, f := range r.Fields {
			if f.Comparison == verify.Mismatch {
				fields = append(fields, FieldLabel(f.Field, lang))
			}
		}
		if len(fields) > 0 {
			what = append(what, say("Estos datos no coinciden con el registro del INE: ", "These data do not match INE's register: ")+strings.Join(fields, ", "))
		}
		fingersFail := false
		for _, s := range []*verify.Similarity{r.Right, r.Left} {
			if s != nil && float64(*s) < threshold {
				fingersFail = true
			}
		}
		next := stop
		if fingersFail {
			what = append(what, say("Las huellas no coinciden con las registradas en el INE", "The fingerprints do not match the ones INE holds"))
			if len(what) == 1 {
				next = say("Pida que vuelva a colocar el dedo y repita la verificación; si vuelve a fallar, no continúe el trámite.",
					"Ask the citizen to place the finger again and verify once more; if it fails again, do not continue.")
			}
		}
		return Explanation{say("NO VÁLIDA", "NOT VALID"), strings.Join(what, ". ") + ".", next}
	case verify.VerdictIncomplete:
		return Explanation{say("INCOMPLETA", "INCOMPLETE"),
			say("Los datos coinciden, pero el INE no pudo comparar las huellas.", "The data match, but INE could not compare the fingerprints."),
			say("Pida que vuelva a colocar el dedo y repita la verificación.", "Ask the citizen to place the finger again and verify once more.")}
	}
	e := Explanation{Verdict: say("SIN RESULTADO", "NO RESULT")}
	switch r.Action() {
	case catalog.ActionRecapture:
		e.What = say("El INE no pudo leer las huellas.", "INE could not read the fingerprints.")
		e.Next = say("Pida que vuelva a colocar el dedo y repita la verificación.", "Ask the citizen to place the finger again and verify once more.")
	case catalog.ActionFixRequest:
		e.What = say("El INE rechazó un dato de la consulta.", "INE refused a detail of the request.")
		e.Next = say("Corrija los datos con la credencial a la vista y envíe una nueva consulta.", "Correct the data with the credential in hand and send a new request.")
	case catalog.ActionCallSupport:
		e.What = say("El INE no aceptó la consulta por un problema de configuración del kiosco.", "INE did not accept the request because of the kiosk's configuration.")
		e.Next = say("Llame a soporte. ", "Call support. ") + stop
	default:
		e.What = say("El INE no pudo atender la consulta en este momento.", "INE could not handle the request just now.")
		e.Next = say("Reintente más tarde.", "Try again later.")
	}
	return e
}
