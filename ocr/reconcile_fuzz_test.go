package ocr

import (
	"strings"
	"testing"

	"cotejo/ocr/layout"
	"cotejo/verify/credential"
)

// FuzzReconcile: whatever tesseract returns for each region, reconciling never panics
// and every field it sets has a confidence within 0–1.
func FuzzReconcile(f *testing.F) {
	f.Add("MUÑOZ\nPEÑA\nMARIA", tCURP, tClave, "2004 01", "IDMEX1234567897<<1234567890123\n8601150M3112315MEX<01<<12345<0\nMUNOZ<PENA<<MARIA<<<<<<<<<<<<", "https://qr.ine.mx/000000000000000123456789", "1234", "2021 - 2031", "G")
	f.Add("", "", "", "", "", "", "", "", "C")
	f.Add("A\nB\nC\nD\nE", "IASR86011", "XX", "20", "1DMEX<8\n\n", "qr.ine.mx/1", "12a4", "2021", "D")
	f.Fuzz(func(t *testing.T, names, curp, clave, registro, zone, qr, seccion, vigencia, model string) {
		m, err := credential.ParseModel(model)
		if err != nil {
			m = credential.ModelG
		}
		in := map[layout.Field]raw{
			layout.Nombre: lines(0.9, strings.Split(names, "\n")...), layout.CURP: lines(0.9, curp),
			layout.ClaveElector: lines(0.9, clave), layout.Registro: lines(0.9, registro),
			layout.MRZ: lines(0.9, strings.Split(zone, "\n")...), layout.QR: lines(1, qr),
			layout.Seccion: lines(0.9, seccion), layout.Vigencia: lines(0.9, vigencia),
			layout.OCRLine: lines(0.9, seccion), layout.Emision: lines(0.9, vigencia),
			layout.Nacimiento: lines(0.9, registro), layout.Sexo: lines(0.9, qr),
		}
		res := &Result{Back: &SideInfo{Model: m, Side: layout.Back, Known: true}, Front: &SideInfo{Model: m, Known: true}}
		reconcile(res, in)
		for k, f := range res.Fields {
			if f.Confidence < 0 || f.Confidence > 1 {
				t.Errorf("%s: confidence %v", k, f.Confidence)
			}
		}
		_ = res.Credential()
		_ = res.ToReview()
	})
}
