package ocr

import (
	"image"
	"slices"
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

// TestJoinedRuns: model C's OCR line that the page's reading broke into pieces is one
// box again; a caption beside it, much smaller, and words on other lines stay apart.
func TestJoinedRuns(t *testing.T) {
	w := func(text string, x0, y0, x1, y1 int) labels.Word {
		return labels.Word{Text: text, Box: image.Rect(x0, y0, x1, y1)}
	}
	words := []labels.Word{
		w("A", 445, 113, 513, 223), w("O", 521, 113, 937, 223), // the barcode, far above
		w("1", 694, 574, 706, 603), w("2-11", 369, 573, 436, 603), w("ca", 329, 596, 343, 600), w("SES", 449, 573, 679, 638),
	}
	got := joinedRuns(words)
	want := []image.Rectangle{image.Rect(369, 573, 706, 638), image.Rect(445, 113, 937, 223)} // by their left ends
	if !slices.Equal(got, want) {
		t.Errorf("runs %v, want %v", got, want)
	}
}
