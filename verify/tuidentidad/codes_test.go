package tuidentidad_test

import (
	"fmt"
	"strings"
	"testing"

	"cotejo/verify/tuidentidad"
)

// The digest's table, code by code, with the classes it proposes.
func TestCatalogue(t *testing.T) {
	classes := map[tuidentidad.Class][]tuidentidad.Code{
		tuidentidad.ClassRetryLater: {"INENL001", "INENL002", "RFC004", "RFC010", "NSS004", "NSS007"},
		tuidentidad.ClassFixData:    {"INENL004", "INENL005", "INENL006", "INENL007", "RFC006", "RFC007", "NSS006"},
		tuidentidad.ClassNegative:   {"RFC005", "RFC008", "NSS005"},
		tuidentidad.ClassConfig:     {"INENL003", "RFC002", "RFC003", "NSS002", "NSS003"},
		tuidentidad.ClassClientBug:  {"INENL015", "INENL016"},
		tuidentidad.ClassQuota:      {"NSS008"},
	}
	n := 0
	for class, codes := range classes {
		for _, c := range codes {
			n++
			if got := c.Class(); got != class {
				t.Errorf("%s: %v, want %v", c, got, class)
			}
		}
	}
	all := tuidentidad.All()
	if len(all) != n {
		t.Fatalf("%d codes in the catalogue, the digest has %d", len(all), n)
	}
	for _, e := range all {
		if e.ES == "" || e.EN == "" || e.ES == e.EN || e.Provider == "" {
			t.Errorf("%s: messages %q / %q / %q", e.Code, e.ES, e.EN, e.Provider)
		}
		if e.Code.Message("es") != e.ES || e.Code.Message("en") != e.EN {
			t.Errorf("%s: Message does not give the entry's text", e.Code)
		}
	}
	for _, missing := range []tuidentidad.Code{"RFC001", "RFC009", "NSS001"} {
		if _, ok := tuidentidad.Lookup(missing); ok {
			t.Errorf("%s is not in the provider's table", missing)
		}
	}
}

func TestUnknownCode(t *testing.T) {
	c := tuidentidad.Code("INENL099")
	if c.Class() != tuidentidad.ClassUnknown {
		t.Error("an unknown code has a class")
	}
	for _, lang := range []string{"es", "en"} {
		if !strings.Contains(c.Message(lang), "INENL099") {
			t.Errorf("%s: %q", lang, c.Message(lang))
		}
	}
}

func TestStates(t *testing.T) {
	for n, want := range map[tuidentidad.State]string{1: "Aguascalientes", 9: "Ciudad de México", 15: "Estado de México", 32: "Zacatecas"} {
		if got, ok := tuidentidad.StateName(n); !ok || got != want {
			t.Errorf("%d: %q", n, got)
		}
	}
	for _, n := range []tuidentidad.State{0, 33, -1} {
		if tuidentidad.ValidState(n) {
			t.Errorf("%d valid", n)
		}
		if _, ok := tuidentidad.StateName(n); ok {
			t.Errorf("%d named", n)
		}
	}
}

func ExampleCode_Message() {
	c := tuidentidad.Code("NSS008")
	fmt.Println(c.Class())
	fmt.Println(c.Message("es"))
	fmt.Println(c.Message("en"))
	// Output:
	// quota
	// Se alcanzó el límite de consultas de NSS del periodo (2 por día). Intente después.
	// The period's NSS look-ups are used up (2 a day). Try later.
}
