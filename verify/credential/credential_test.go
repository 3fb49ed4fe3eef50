package credential_test

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"testing"
	"time"

	"cotejo/verify/credential"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{" josé  maría  ñúñez ", "JOSE MARIA ÑUÑEZ"},
		{"müller", "MULLER"},
		{"Pen\u0303a", "PEÑA"}, // decomposed Ñ
		{"Jose\u0301", "JOSE"}, // decomposed accent
		{"\tD'ARTAGNAN-LÓPEZ\n", "D'ARTAGNAN-LOPEZ"},
		{"", ""},
		{"   ", ""},
		{"0720060838243", "0720060838243"},
	}
	for _, tt := range tests {
		if got := credential.Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCURP(t *testing.T) {
	tests := []struct {
		curp   string
		reason credential.Reason // 0: valid
	}{
		{"BEML920313HMCLNS09", 0}, // the rules' worked example (Luis Raúl Bello Mena)
		{"LEJV881101HASJSN02", 0},
		{"LEJV881101HASJSN07", credential.CheckDigit}, // the spec's sample: illustrative digit
		{"BEML921313HMCLNS09", credential.DateInvalid},
		{"BEML920313ZMCLNS09", credential.Pattern},
		{"BEML920313HZZLNS09", credential.Pattern},
		{"BEML920313HMCANS09", credential.Pattern}, // a vowel where consonants go
		{"BEML920313HMCLNS0", credential.Length},
		{"1EML920313HMCLNS09", credential.Pattern},
	}
	for _, tt := range tests {
		err := credential.ValidateCURP(tt.curp)
		var fe *credential.FieldError
		switch {
		case tt.reason == 0 && err != nil:
			t.Errorf("%s: %v", tt.curp, err)
		case tt.reason != 0 && (!errors.As(err, &fe) || fe.Reason != tt.reason):
			t.Errorf("%s: %v, want reason %d", tt.curp, err, tt.reason)
		}
	}
}

func TestMakeCURPAndClave(t *testing.T) {
	birth := time.Date(1992, 3, 13, 0, 0, 0, 0, time.UTC)
	curp := credential.MakeCURP("Bello", "Mena", "Luis Raúl", birth, 'H', "MC", '0')
	if curp != "BEML920313HMCLNS09" {
		t.Errorf("MakeCURP = %s, want the worked example BEML920313HMCLNS09", curp)
	}
	if c := credential.MakeCURP("Peña", "", "María de los Ángeles", birth, 'M', "DF", 'A'); credential.ValidateCURP(c) != nil || c[2] != 'X' || c[3] != 'A' {
		t.Errorf("no second surname, compound name: %s: %v", c, credential.ValidateCURP(c))
	}
	clave := credential.MakeClaveElector("Bello", "Mena", "Luis Raúl", birth, 15, 'H', "200")
	if clave != "BLMNLS92031315H200" || credential.ValidateClaveElector(clave) != nil {
		t.Errorf("MakeClaveElector = %s", clave)
	}
}

func TestValidateByModel(t *testing.T) {
	good := credential.Credential{Modelo: credential.ModelG, CIC: "123456789", CURP: "BEML920313HMCLNS09", Nombre: "LUIS RAUL", AnioEmision: "2019"}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		c     credential.Credential
		field string
	}{
		{"G without CIC", credential.Credential{Modelo: credential.ModelG}, "cic"},
		{"C without OCR", credential.Credential{Modelo: credential.ModelC, ClaveElector: "BLMNLS92031315H200", NumeroEmisionCredencial: "01"}, "ocr"},
		{"CIC with letters", credential.Credential{CIC: "12345678A"}, "cic"},
		{"OCR short", credential.Credential{OCR: "123"}, "ocr"},
		{"emission 3 digits", credential.Credential{NumeroEmisionCredencial: "001"}, "numeroEmisionCredencial"},
		{"year 1850", credential.Credential{AnioRegistro: "1850"}, "anioRegistro"},
		{"name with digits", credential.Credential{Nombre: "ANA2"}, "nombre"},
		{"name too long", credential.Credential{ApellidoPaterno: "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFG"}, "apellidoPaterno"},
		{"bad clave", credential.Credential{ClaveElector: "BLMNLS92031399H200"}, "claveElector"},
		{"bad model", credential.Credential{Modelo: "Z"}, "modelo"},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		var fe *credential.FieldError
		if !errors.As(err, &fe) || fe.Field != tt.field {
			t.Errorf("%s: %v, want a problem with %s", tt.name, err, tt.field)
			continue
		}
		if fe.Message("es") == fe.Message("en") {
			t.Errorf("%s: same message in both languages", tt.name)
		}
	}
}

func TestSearchKey(t *testing.T) {
	if k, err := (credential.Credential{CIC: "123456789"}).SearchKey(); k != credential.KeyCIC || err != nil {
		t.Errorf("CIC: %v %v", k, err)
	}
	if k, err := (credential.Credential{OCR: "0720060838243", ClaveElector: "X", NumeroEmisionCredencial: "01"}).SearchKey(); k != credential.KeyOCR || err != nil {
		t.Errorf("OCR triple: %v %v", k, err)
	}
	_, err := (credential.Credential{OCR: "0720060838243"}).SearchKey()
	var fe *credential.FieldError
	if !errors.As(err, &fe) {
		t.Errorf("incomplete key: %v", err)
	}
}

func FuzzValidateCURP(f *testing.F) {
	for _, s := range []string{"BEML920313HMCLNS09", "ÑÑÑÑ", "", "BEML920313HMCLNS0Ñ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if credential.ValidateCURP(s) == nil {
			d, err := credential.CURPCheckDigit(s[:17])
			if err != nil || d != s[17] {
				t.Fatalf("%q accepted with a wrong check digit", s)
			}
		}
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{" josé  maría ", "Pen\u0303a", "\u0303", "N\u0303\u0303"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := credential.Normalize(s)
		if again := credential.Normalize(n); again != n {
			t.Fatalf("not idempotent: %q → %q → %q", s, n, again)
		}
	})
}

func ExampleCURPCheckDigit() {
	d, _ := credential.CURPCheckDigit("BEML920313HMCLNS0")
	fmt.Println(string(d))
	// Output: 9
}

// TestFieldsTable: the one table of field names covers every text field of the struct,
// and names and struct go to and fro unchanged.
func TestFieldsTable(t *testing.T) {
	n := 0
	typ := reflect.TypeOf(credential.Credential{})
	for i := range typ.NumField() {
		if typ.Field(i).Type.Kind() == reflect.String && typ.Field(i).Name != "Modelo" {
			n++
		}
	}
	names := credential.FieldNames()
	if len(names) != n {
		t.Fatalf("%d names for %d fields", len(names), n)
	}
	values := map[string]string{}
	for i, name := range names {
		values[name] = fmt.Sprintf("v%d", i)
	}
	c := credential.FromFields(credential.ModelG, values)
	if got := c.Fields(); !maps.Equal(got, values) || c.Modelo != credential.ModelG {
		t.Errorf("round trip: %v, want %v", got, values)
	}
	if c.CURP != values["curp"] || c.NumeroEmisionCredencial != values["numeroEmisionCredencial"] {
		t.Errorf("names put in the wrong fields: %+v", c)
	}
}

// TestValidateField: one field's check is the one Validate makes for it.
func TestValidateField(t *testing.T) {
	for _, tc := range []struct{ field, v string }{
		{"curp", "BEML920313HMCLNS08"}, {"cic", "12345"}, {"anioRegistro", "19x5"}, {"nombre", "JUAN 2"}, {"claveElector", "ABC"},
	} {
		err := credential.ValidateField(tc.field, tc.v)
		var fe *credential.FieldError
		if !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("ValidateField(%q, %q) = %v", tc.field, tc.v, err)
		}
		c := credential.FromFields("", map[string]string{tc.field: tc.v})
		if err := c.Validate(); !errors.As(err, &fe) || fe.Field != tc.field {
			t.Errorf("Validate with %s %q = %v", tc.field, tc.v, err)
		}
	}
	if err := credential.ValidateField("curp", ""); err != nil {
		t.Errorf("an empty value: %v", err)
	}
}
