package verify

import (
	"cotejo/verify/credential"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

func verdictLabel(v Verdict, lang string) string {
	es, en := "", ""
	switch v {
	case VerdictValid:
		es, en = "VÁLIDA: la credencial está vigente y los datos coinciden", "VALID: the credential is in force and the data match"
	case VerdictInvalid:
		es, en = "NO VÁLIDA: revise los datos marcados", "NOT VALID: check the marked data"
	case VerdictIncomplete:
		es, en = "INCOMPLETA: los datos coinciden, pero las huellas no se pudieron comparar", "INCOMPLETE: the data match, but the fingerprints could not be compared"
	default:
		es, en = "SIN RESULTADO: el INE no pudo revisar la consulta", "NO RESULT: INE could not check the request"
	}
	if lang == "en" {
		return en
	}
	return es
}

// View is the JSON form of a result for programs (cotejo verify --json).
type View struct {
	Indice       string           `json:"indice"`
	Verdict      string           `json:"verdict"`
	Situation    string           `json:"situacionRegistral,omitempty"`
	TheftReport  string           `json:"reporteRoboExtravio,omitempty"`
	Fields       map[string]*bool `json:"comparacion,omitempty"`
	Similarities map[string]any   `json:"similitud,omitempty"`
	Threshold    float64          `json:"umbral"`
	Codes        []CodeView       `json:"codigos,omitempty"`
	RequestedAt  string           `json:"fechaHoraPeticion,omitempty"`
}

// CodeView is one answer code with what it means.
type CodeView struct {
	Code    int    `json:"codigo"`
	Action  string `json:"accion"`
	Message string `json:"mensaje"`
}

// View summarises the result for JSON output.
func (r *Result) View(lang string, threshold float64) View {
	v := View{
		Indice:      r.Indice,
		Verdict:     r.Verdict(threshold).String(),
		Situation:   string(r.Situation),
		TheftReport: r.TheftReport,
		Threshold:   threshold,
		RequestedAt: r.RequestedAtRaw,
	}
	if len(r.Fields) > 0 {
		v.Fields = make(map[string]*bool, len(r.Fields))
		for _, f := range r.Fields {
			var b *bool
			if f.Comparison != NotCompared {
				m := f.Comparison == Match
				b = &m
			}
			v.Fields[f.Field] = b
		}
	}
	if r.HasFingers {
		v.Similarities = map[string]any{"2": simValue(r.Right), "7": simValue(r.Left)}
	}
	for _, c := range r.Codes() {
		v.Codes = append(v.Codes, CodeView{Code: int(c), Action: c.Action().String(), Message: c.Message(lang)})
	}
	return v
}

func simValue(s *Similarity) any {
	if s == nil {
		return nil
	}
	return float64(*s)
}

// WriteText prints the result as the operator reads it: the verdict, the situación
// registral, each field ✓ ✗ or —, each finger against the threshold, and any code.
func (r *Result) WriteText(w io.Writer, lang string, threshold float64) error {
	en := lang == "en"
	t := func(es, eng string) string {
		if en {
			return eng
		}
		return es
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\n", verdictLabel(r.Verdict(threshold), lang))
	fmt.Fprintf(tw, "%s\t%s\n", t("Consulta", "Request"), r.Indice)
	if r.Situation != "" {
		fmt.Fprintf(tw, "%s\t%s\n", t("Situación registral", "Register status"), r.Situation.Message(lang))
	}
	if r.TheftReport != "" {
		fmt.Fprintf(tw, "%s\t%s\n", t("Reporte de robo o extravío", "Theft or loss report"), r.TheftReport)
	}
	for _, f := range r.Fields {
		fmt.Fprintf(tw, "%s\t%s\n", credential.Label(f.Field, lang), f.Comparison)
	}
	if r.HasFingers {
		for _, f := range []struct {
			label string
			s     *Similarity
		}{{t("Índice derecho", "Right index"), r.Right}, {t("Índice izquierdo", "Left index"), r.Left}} {
			switch {
			case f.s == nil:
				fmt.Fprintf(tw, "%s\t—\n", f.label)
			case float64(*f.s) >= threshold:
				fmt.Fprintf(tw, "%s\t✓ %.1f %% (%s %.0f %%)\n", f.label, float64(*f.s), t("umbral", "threshold"), threshold)
			default:
				fmt.Fprintf(tw, "%s\t✗ %.1f %% (%s %.0f %%)\n", f.label, float64(*f.s), t("umbral", "threshold"), threshold)
			}
		}
	}
	for _, c := range r.Codes() {
		fmt.Fprintf(tw, "%s %d\t%s\n", t("Código", "Code"), int(c), strings.TrimSpace(c.Message(lang)))
	}
	return tw.Flush()
}

// VerdictLabel is the verdict's sentence for the operator.
func (r *Result) VerdictLabel(lang string, threshold float64) string {
	return verdictLabel(r.Verdict(threshold), lang)
}

// Similarity is a finger's similarity (2 right index, 7 left index), or nil when INE
// did not compare it.
func (r *Result) Similarity(finger int) *float64 {
	s := r.Right
	if finger == 7 {
		s = r.Left
	}
	if s == nil {
		return nil
	}
	v := float64(*s)
	return &v
}
