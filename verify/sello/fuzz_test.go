package sello_test

import (
	"os"
	"strings"
	"testing"

	"cotejo/verify/sello"
)

// FuzzParse holds Parse to its promise on any input: no panic, and what it accepts is
// exactly what Build writes for the values it returns.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"||AAA010101AAA|ABC123DEF456|1.0||", "||MX||", "||||", "|||", "||a b|ñ||", "|| a||", "||a\t||", "||\xd1||", "||a||b||"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, c string) {
		values, err := sello.Parse(c)
		if err != nil {
			return
		}
		fields := make([]sello.Field, len(values))
		for i, v := range values {
			fields[i] = sello.Field{Name: "x", Value: v}
		}
		again, err := sello.Build(fields)
		if err != nil || again != c {
			t.Fatalf("Parse(%q) = %q, but Build gives %q, %v", c, values, again, err)
		}
	})
}

// FuzzBuild checks that whatever Build writes parses back to the normalised values, and
// that no accepted value changes the number of values (a "|" never slips through).
func FuzzBuild(f *testing.F) {
	f.Add("AAA010101AAA", "ABC123DEF456", "1.0")
	f.Add("  EMPRESA  DE\tPRUEBA\r\n S.A.", "", "Ñ")
	f.Add("a|b", "\u00a0", "\xd1")
	f.Fuzz(func(t *testing.T, a, b, c string) {
		fields := []sello.Field{{Name: "A", Value: a}, {Name: "B", Value: b, Optional: true}, {Name: "C", Value: c}}
		cadena, err := sello.Build(fields)
		if err != nil {
			return
		}
		values, err := sello.Parse(cadena)
		if err != nil {
			t.Fatalf("Build wrote %q, which does not parse: %v", cadena, err)
		}
		var want []string
		for _, f := range fields {
			if v := sello.Normalize(f.Value); v != "" || !f.Optional {
				want = append(want, v)
			}
		}
		if strings.Join(values, "\x00") != strings.Join(want, "\x00") {
			t.Fatalf("values %q, want %q", values, want)
		}
		if d := sello.Diff(fields, cadena); len(d) != 0 {
			t.Fatalf("Diff of a record with its own cadena: %+v", d)
		}
	})
}

// FuzzVerify feeds Verify any sello and cadena: it must not panic, and it must accept
// only the one genuine pair.
func FuzzVerify(f *testing.F) {
	good, err := os.ReadFile("testdata/ejemplo.firma")
	if err != nil {
		f.Fatal(err)
	}
	cadena, _ := os.ReadFile("testdata/ejemplo.cadena")
	_, _, cert := testKey(f)
	f.Add(string(cadena), string(good))
	f.Add(string(cadena), string(good[:100])+"\n"+string(good[100:]))
	f.Add("||x||", "AAAA")
	f.Add("", "====")
	f.Fuzz(func(t *testing.T, c, s string) {
		err := sello.Verify(cert.PublicKey, c, s)
		if err == nil && (c != string(cadena) || s != string(good)) {
			t.Fatalf("verified a pair that was not sealed: %q %q", c, s)
		}
	})
}
