package nom151_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"cotejo/verify/nom151"
)

// The operator's text, both languages, and the JSON, for the seed's sample answer,
// against golden files (rewrite them with -update).
func TestReportGolden(t *testing.T) {
	raw, err := os.ReadFile("testdata/seed_response.xml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := nom151.ParseResponse(raw)
	if err != nil {
		t.Fatal(err)
	}
	rp := r.Report("/evidencia/Especificaciones.pdf.nom151-10526380.pdf")
	outs := map[string][]byte{}
	for _, lang := range []string{"es", "en"} {
		var b bytes.Buffer
		if err := rp.WriteText(&b, lang); err != nil {
			t.Fatal(err)
		}
		outs["report_"+lang+".txt"] = b.Bytes()
	}
	rp.Passed, rp.ValidaSello = false, false
	var b bytes.Buffer
	if err := rp.WriteText(&b, "es"); err != nil {
		t.Fatal(err)
	}
	outs["report_failed_es.txt"] = b.Bytes()
	j, err := json.MarshalIndent(r.Report(""), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	outs["report.json"] = append(j, '\n')
	for name, got := range outs {
		path := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s:\n%s\nwant\n%s", name, got, want)
		}
	}
}
