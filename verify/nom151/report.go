package nom151

import (
	"encoding/base64"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
)

// Report is a result as a person or a script reads it (the JSON of --json).
type Report struct {
	Passed                  bool      `json:"passed"`
	Estado                  Estado    `json:"estado"`
	Descripcion             string    `json:"descripcion"`
	ValidaFecha             time.Time `json:"validaFecha"`
	ValidaRelacion          bool      `json:"validaRelacion"`
	ValidaSello             bool      `json:"validaSello"`
	ValidaPSC               bool      `json:"validaPSC"`
	DocumentoNombre         string    `json:"documentoNombre"`
	DocumentoHuellaDigital  string    `json:"documentoHuellaDigital"`
	ConstanciaSerie         string    `json:"constanciaSerie"`
	ConstanciaHuellaDigital string    `json:"constanciaHuellaDigital"`
	ConstanciaFecha         time.Time `json:"constanciaFecha"`
	ConstanciaAlgoritmo     string    `json:"constanciaAlgoritmo"`
	PSCPolitica             string    `json:"pscPolitica"`
	PSCNombre               string    `json:"pscNombre"`
	QR                      string    `json:"qrPDF"`
	Evidence                string    `json:"evidencia,omitempty"` // where the PDF was saved
}

// Report is r for display; evidence is where its PDF was saved, if it was.
func (r *Result) Report(evidence string) Report {
	b64 := base64.StdEncoding.EncodeToString
	return Report{
		Passed: r.Passed(), Estado: r.Estado, Descripcion: r.Descripcion,
		ValidaFecha: r.ValidaFecha, ValidaRelacion: r.ValidaRelacion, ValidaSello: r.ValidaSello, ValidaPSC: r.ValidaPSC,
		DocumentoNombre: r.DocumentoNombre, DocumentoHuellaDigital: b64(r.DocumentoHuellaDigital),
		ConstanciaSerie: r.ConstanciaSerie, ConstanciaHuellaDigital: b64(r.ConstanciaHuella),
		ConstanciaFecha: r.ConstanciaFecha, ConstanciaAlgoritmo: r.ConstanciaAlgoritmo,
		PSCPolitica: r.PSCPolitica, PSCNombre: r.PSCNombre, QR: r.QR, Evidence: evidence,
	}
}

// WriteText writes the report for an operator, in Spanish ("es") or English ("en").
func (rp Report) WriteText(w io.Writer, lang string) error {
	t := func(es, en string) string {
		if lang == "en" {
			return en
		}
		return es
	}
	yes := func(b bool) string {
		if b {
			return t("sí", "yes")
		}
		return t("NO", "NO")
	}
	verdict := t("VÁLIDA: el archivo es el que la constancia ampara", "VALID: the file is the one the constancy covers")
	if !rp.Passed {
		verdict = t("NO VÁLIDA: el archivo no se puede acreditar con esta constancia", "NOT VALID: the file cannot be proven by this constancy")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s\n", t("Constancia NOM-151, folio", "NOM-151 constancy, folio"), rp.ConstanciaSerie, verdict)
	fmt.Fprintf(&b, "  %-34s %s\n", t("Huella del archivo coincide:", "File digest matches:"), yes(rp.ValidaRelacion))
	fmt.Fprintf(&b, "  %-34s %s\n", t("Sello de la constancia íntegro:", "Constancy seal intact:"), yes(rp.ValidaSello))
	fmt.Fprintf(&b, "  %-34s %s\n", t("Emitida por el PSC (Sovos):", "Issued by the PSC (Sovos):"), yes(rp.ValidaPSC))
	fmt.Fprintf(&b, "  %-34s %s\n", t("Documento:", "Document:"), rp.DocumentoNombre)
	fmt.Fprintf(&b, "  %-34s %s (%s)\n", t("Constancia emitida (UTC):", "Constancy issued (UTC):"), rp.ConstanciaFecha.Format("2006-01-02 15:04:05.000"), rp.ConstanciaAlgoritmo)
	fmt.Fprintf(&b, "  %-34s %s\n", t("Validada (hora del centro):", "Validated (Central time):"), FormatValidaFecha(rp.ValidaFecha))
	fmt.Fprintf(&b, "  %-34s %s, %s\n", "PSC:", rp.PSCNombre, rp.PSCPolitica)
	fmt.Fprintf(&b, "  %-34s %s\n", "QR:", rp.QR)
	if rp.Evidence != "" {
		fmt.Fprintf(&b, "%s %s\n", t("Hoja de evidencia guardada en", "Evidence sheet saved to"), rp.Evidence)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// EvidencePath is where the evidence sheet for file goes: beside it, or in dir when
// dir is set, named after the file and the folio. The folio comes from the service's
// answer, so anything but digits is dropped from the name.
func EvidencePath(file, dir, folio string) string {
	if dir == "" {
		dir = filepath.Dir(file)
	}
	if folio == "" || strings.Trim(folio, "0123456789") != "" || len(folio) > 30 {
		folio = "sin-folio"
	}
	return filepath.Join(dir, filepath.Base(file)+".nom151-"+folio+".pdf")
}
