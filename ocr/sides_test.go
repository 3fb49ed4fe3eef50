package ocr

import (
	"strings"
	"testing"

	"cotejo/ocr/labels"
	"cotejo/verify/credential"
)

func TestTitleDenies(t *testing.T) {
	for _, tc := range []struct {
		title string
		model credential.Model
		want  bool
	}{
		{"INSTITUTO NACIONAL ELECTORAL CREDENCIAL PARA VOTAR", credential.ModelG, false},
		{"INSTITUTO NACIONAL ELECTORAL CREDENCIAL PARA VOTAR", credential.ModelD, true},
		{"INSTITUTO FEDERAL ELECTORAL REGISTRO FEDERAL DE ELECTORES", credential.ModelE, true},
		{"INSTITUTO FEDERAL ELECTORAL", credential.ModelC, false},
		{"CREDENCIAL PARA VOTAR DESDE EL EXTRANJERO", credential.ModelG, true},
		{"CREDENCIAL PARA VOTAR DESDE EL EXTRANJERO", credential.ModelH, false},
		{"C. HIDALGO 12 MEXICO, DISTRITO FEDERAL", credential.ModelE, false}, // an address, not a title
		{"CREDENCIAL PARA VOTAR", credential.ModelD, false},                  // a title half read says nothing
	} {
		var ws []labels.Word
		for _, w := range strings.Fields(tc.title) {
			ws = append(ws, labels.Word{Text: w})
		}
		if got := titleDenies(&SideInfo{words: ws}, tc.model); got != tc.want {
			t.Errorf("%q against model %s: denies %v, want %v", tc.title, tc.model, got, tc.want)
		}
	}
	if titleDenies(nil, credential.ModelC) {
		t.Error("no front denies")
	}
}
