package sello_test

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"strings"
	"testing"
	"time"

	"cotejo/verify/sello"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func sampleEvidence() sello.Evidence {
	return sello.Evidence{
		Indice:         "0f6c2b1e-5a37-4c1d-9d7e-2b8a4f1c3e90",
		At:             time.Date(2026, 11, 30, 17, 38, 9, 500, time.FixedZone("CST", -6*3600)),
		Operator:       "demo",
		Branch:         "Banco Demo, Sucursal Centro",
		CURP:           "MAMA************35",
		CIC:            "*****6789",
		ConsentVersion: "2026-01",
		ConsentAt:      time.Date(2026, 11, 30, 23, 36, 51, 0, time.UTC),
		Answer:         "Válida; datos 6/6 coinciden; huellas 2/2 (código 0)",
		AnswerSHA256:   sha256.Sum256([]byte(`{"indice":"0f6c2b1e"}`)),
	}
}

// TestEvidenceGolden seals the sample evidence with the committed test key; the cadena
// and the sello are golden files (testdata/evidence.cadena, evidence.sello) and openssl
// verifies the sello.
func TestEvidenceGolden(t *testing.T) {
	s, _, cert := testKey(t)
	e := sampleEvidence()
	sealed, err := e.Seal(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		os.WriteFile("testdata/evidence.cadena", []byte(sealed.Cadena), 0o644)
		os.WriteFile("testdata/evidence.sello", []byte(sealed.Sello), 0o644)
	}
	for path, got := range map[string]string{"testdata/evidence.cadena": sealed.Cadena, "testdata/evidence.sello": sealed.Sello} {
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s:\n%s\nwant\n%s", path, got, want)
		}
	}
	const want = "||1.0|0f6c2b1e-5a37-4c1d-9d7e-2b8a4f1c3e90|2026-11-30T23:38:09Z|demo|Banco Demo, Sucursal Centro|MAMA************35|*****6789|2026-01|2026-11-30T23:36:51Z|Válida; datos 6/6 coinciden; huellas 2/2 (código 0)|"
	if !strings.HasPrefix(sealed.Cadena, want) {
		t.Errorf("cadena %s", sealed.Cadena)
	}
	if err := e.Verify(cert, sealed); err != nil {
		t.Fatal(err)
	}
	// The evidence travels as JSON (in the receipt) and still verifies.
	raw, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	var back sello.Evidence
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Verify(cert, sealed); err != nil {
		t.Errorf("after JSON: %v\n%s", err, raw)
	}
	opensslVerifies(t, sealed.Cadena, sealed.Sello)
}

func TestEvidenceCheck(t *testing.T) {
	tests := []struct {
		name   string
		change func(*sello.Evidence)
		field  string
		reason sello.Reason
		cadena string // when it seals: a part the cadena must hold
	}{
		{"no indice", func(e *sello.Evidence) { e.Indice = " " }, "Indice", sello.ReasonEmpty, ""},
		{"no time", func(e *sello.Evidence) { e.At = time.Time{} }, "Momento", sello.ReasonEmpty, ""},
		{"no operator", func(e *sello.Evidence) { e.Operator = "" }, "Operador", sello.ReasonEmpty, ""},
		{"no branch", func(e *sello.Evidence) { e.Branch = "" }, "Sucursal", sello.ReasonEmpty, ""},
		{"no consent version", func(e *sello.Evidence) { e.ConsentVersion = "" }, "VersionAviso", sello.ReasonEmpty, ""},
		{"no consent time", func(e *sello.Evidence) { e.ConsentAt = time.Time{} }, "MomentoConsentimiento", sello.ReasonEmpty, ""},
		{"no answer", func(e *sello.Evidence) { e.Answer = "\n" }, "Respuesta", sello.ReasonEmpty, ""},
		{"no answer digest", func(e *sello.Evidence) { e.AnswerSHA256 = sello.Digest{} }, "SHA256Respuesta", sello.ReasonEmpty, ""},
		{"CURP not masked", func(e *sello.Evidence) { e.CURP = "MAMA800101HDFRRR35" }, "CURP", sello.ReasonUnmasked, ""},
		{"CIC not masked", func(e *sello.Evidence) { e.CIC = "123456789" }, "CIC", sello.ReasonUnmasked, ""},
		{"pipe in the branch", func(e *sello.Evidence) { e.Branch = "Banco | Centro" }, "Sucursal", sello.ReasonPipe, ""},
		{"no CURP: left out", func(e *sello.Evidence) { e.CURP = "" }, "", 0, "|Banco Demo, Sucursal Centro|*****6789|2026-01|"},
		{"no CIC: left out", func(e *sello.Evidence) { e.CIC = "" }, "", 0, "|MAMA************35|2026-01|"},
		{"line break in the answer", func(e *sello.Evidence) { e.Answer = "Válida;\r\n  código 0" }, "", 0, "|Válida; código 0|"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := sampleEvidence()
			tt.change(&e)
			c, err := e.Cadena()
			if tt.reason == 0 {
				if err != nil || !strings.Contains(c, tt.cadena) {
					t.Fatalf("Cadena = %q, %v; want it to hold %q", c, err, tt.cadena)
				}
				return
			}
			var fe *sello.FieldError
			if !errors.As(err, &fe) || fe.Field != tt.field || fe.Reason != tt.reason {
				t.Fatalf("Cadena: %v; want %s reason %d", err, tt.field, tt.reason)
			}
			if strings.Contains(err.Error(), "MAMA800101") || strings.Contains(err.Error(), "123456789") {
				t.Errorf("the error shows the identifier: %v", err)
			}
			if _, err := e.Seal(context.Background(), nil); err == nil {
				t.Error("sealed")
			}
		})
	}
}

// TestEvidenceTamper changes one byte of each field's value in a sealed cadena, and
// each field of the evidence, and checks that the change is reported with the field
// that changed; a changed sello is reported as such.
func TestEvidenceTamper(t *testing.T) {
	s, _, cert := testKey(t)
	e := sampleEvidence()
	sealed, err := e.Seal(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	values, err := sello.Parse(sealed.Cadena)
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"Version", "Indice", "Momento", "Operador", "Sucursal", "CURP", "CIC", "VersionAviso", "MomentoConsentimiento", "Respuesta", "SHA256Respuesta"}
	for i, name := range names {
		t.Run("cadena "+name, func(t *testing.T) {
			changed := append([]string(nil), values...)
			b := []byte(changed[i])
			b[len(b)-1] ^= 1 // the last byte is ASCII in every sample value
			changed[i] = string(b)
			bad := sello.Sealed{Cadena: "||" + strings.Join(changed, "|") + "||", Sello: sealed.Sello}
			err := e.Verify(cert, bad)
			var me *sello.MismatchError
			if !errors.As(err, &me) || len(me.Differences) != 1 || me.Differences[0].Field != name || me.Differences[0].Got != changed[i] {
				t.Fatalf("Verify: %v (%+v)", err, me)
			}
			if !strings.Contains(me.Message("es"), name) || !strings.Contains(me.Message("en"), name) {
				t.Errorf("messages do not name %s: %q / %q", name, me.Message("es"), me.Message("en"))
			}
			// And the sello no longer verifies over the changed cadena.
			var se *sello.SelloError
			if err := sello.VerifyCert(cert, bad.Cadena, bad.Sello); !errors.As(err, &se) || se.Problem != sello.ProblemSignature {
				t.Errorf("sello over the changed cadena: %v", err)
			}
		})
	}
	fieldChanges := map[string]func(*sello.Evidence){
		"Indice":                func(e *sello.Evidence) { e.Indice += "x" },
		"Momento":               func(e *sello.Evidence) { e.At = e.At.Add(time.Second) },
		"Operador":              func(e *sello.Evidence) { e.Operator = "otro" },
		"CURP":                  func(e *sello.Evidence) { e.CURP = "MAMB************35" },
		"MomentoConsentimiento": func(e *sello.Evidence) { e.ConsentAt = e.ConsentAt.Add(-time.Minute) },
		"SHA256Respuesta":       func(e *sello.Evidence) { e.AnswerSHA256[31] ^= 1 },
	}
	for name, change := range fieldChanges {
		t.Run("evidence "+name, func(t *testing.T) {
			other := sampleEvidence()
			change(&other)
			var me *sello.MismatchError
			if err := other.Verify(cert, sealed); !errors.As(err, &me) || strings.Join(me.Fields(), ",") != name {
				t.Fatalf("Verify: %v", err)
			}
		})
	}
	t.Run("a CIC removed from the cadena", func(t *testing.T) {
		bad := sello.Sealed{Cadena: strings.Replace(sealed.Cadena, "|*****6789", "", 1), Sello: sealed.Sello}
		var me *sello.MismatchError
		if err := e.Verify(cert, bad); !errors.As(err, &me) || strings.Join(me.Fields(), ",") != "CIC" || me.Differences[0].Got != "" {
			t.Fatalf("Verify: %v %+v", err, me)
		}
	})
	t.Run("sello", func(t *testing.T) {
		b := []byte(sealed.Sello)
		b[5] = map[bool]byte{true: 'B', false: 'A'}[b[5] == 'A']
		var se *sello.SelloError
		if err := e.Verify(cert, sello.Sealed{Cadena: sealed.Cadena, Sello: string(b)}); !errors.As(err, &se) || se.Problem != sello.ProblemSignature {
			t.Fatalf("Verify: %v", err)
		}
	})
	t.Run("no certificate", func(t *testing.T) {
		if err := e.Verify(nil, sealed); err == nil {
			t.Fatal("verified")
		}
	})
}

// TestEvidenceNoConsentRecord: evidence whose consent was never recorded is sealed with
// "sin registro" in both consent fields, and verifies; a missing consent time without
// that mark is still refused.
func TestEvidenceNoConsentRecord(t *testing.T) {
	s, _, cert := testKey(t)
	e := sampleEvidence()
	e.ConsentVersion, e.ConsentAt = sello.NoRecord, time.Time{}
	sealed, err := e.Seal(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(sealed.Cadena, "|*****6789|sin registro|sin registro|Válida") {
		t.Errorf("cadena %s", sealed.Cadena)
	}
	if err := e.Verify(cert, sealed); err != nil {
		t.Fatal(err)
	}
	e.ConsentVersion = "2026-01"
	var fe *sello.FieldError
	if _, err := e.Cadena(); !errors.As(err, &fe) || fe.Field != "MomentoConsentimiento" {
		t.Errorf("consent time missing: %v", err)
	}
}
