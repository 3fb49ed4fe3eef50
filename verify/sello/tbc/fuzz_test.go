package tbc_test

import (
	"bytes"
	"os"
	"testing"

	"cotejo/verify/sello/tbc"
)

// FuzzParse feeds Parse any bytes: no panic, and a document it accepts writes back to
// one that parses to the same values.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"testdata/ejemplo.xml", "testdata/seed-malformed.xml"} {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<conCod:TBCConsulCodigo xmlns:conCod="` + tbc.Namespace + `" Version="1.0" RFCContribuyente="A&amp;A010101AAA" Codigo="x" Firma=""/>`))
	f.Add([]byte(`<a/>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := tbc.Parse(bytes.NewReader(data))
		if err != nil {
			return
		}
		var b bytes.Buffer
		if _, err := d.WriteTo(&b); err != nil {
			t.Fatal(err)
		}
		again, err := tbc.Parse(&b)
		if err != nil {
			t.Fatalf("Parse accepted %q but not its own rewriting %q: %v", data, b.String(), err)
		}
		if *again != *d {
			t.Fatalf("rewritten %+v, was %+v", again, d)
		}
	})
}
