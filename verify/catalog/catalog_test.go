package catalog_test

import (
	"fmt"
	"strings"
	"testing"

	"cotejo/verify/catalog"
)

// The spec's table, code by code, with the classes the spec prescribes.
func TestEveryCodeOnce(t *testing.T) {
	want := []int{0}
	for c := 100; c <= 117; c++ {
		want = append(want, c)
	}
	want = append(want, 200, 201, 202, 204, 205)
	for c := 300; c <= 323; c++ {
		if c != 319 {
			want = append(want, c)
		}
	}
	all := catalog.All()
	if len(all) != len(want) {
		t.Fatalf("%d codes, want %d", len(all), len(want))
	}
	for i, e := range all {
		if int(e.Code) != want[i] {
			t.Errorf("entry %d is %d, want %d", i, e.Code, want[i])
		}
		if e.ES == "" || e.EN == "" || e.ES == e.EN {
			t.Errorf("%d: messages %q / %q", e.Code, e.ES, e.EN)
		}
	}
}

func TestSpecActionClasses(t *testing.T) {
	classes := map[catalog.Action][]int{
		catalog.ActionRetryLater:  {104, 105, 106, 107, 108, 109, 117, 201, 300, 313},
		catalog.ActionFixRequest:  {110, 202, 205, 309, 310, 311, 312},
		catalog.ActionRecapture:   {302, 303, 314, 315, 316},
		catalog.ActionCallSupport: {100, 101, 102, 103, 111, 112, 113, 114, 115, 116},
		catalog.ActionNone:        {0},
	}
	for action, codes := range classes {
		for _, c := range codes {
			if got := catalog.Code(c).Action(); got != action {
				t.Errorf("code %d: %v, want %v", c, got, action)
			}
		}
	}
}

func TestUnknownCode(t *testing.T) {
	c := catalog.Code(999)
	if c.Action() != catalog.ActionCallSupport {
		t.Error("unknown code must go to support")
	}
	if !strings.Contains(c.Message("es"), "999") || !strings.Contains(c.Message("en"), "999") {
		t.Errorf("messages %q %q", c.Message("es"), c.Message("en"))
	}
}

func TestEntities(t *testing.T) {
	es := catalog.Entities()
	if len(es) != 32 {
		t.Fatalf("%d entities", len(es))
	}
	for i, e := range es {
		if e.Number != i+1 {
			t.Errorf("entity %d numbered %d", i+1, e.Number)
		}
		n, ok := catalog.EntityFromCURPState(e.CURP)
		if !ok || n != e.Number {
			t.Errorf("CURP state %s → %d", e.CURP, n)
		}
		if s, _ := catalog.CURPState(e.Number); s != e.CURP {
			t.Errorf("entity %d → %s", e.Number, s)
		}
	}
	if name, _ := catalog.EntityName(9); name != "CIUDAD DE MEXICO" {
		t.Errorf("9 = %s", name)
	}
	for _, n := range []int{0, 33, -1} {
		if catalog.ValidEntity(n) {
			t.Errorf("%d valid", n)
		}
	}
	if n, ok := catalog.EntityFromCURPState("NE"); !ok || n != 0 {
		t.Error("NE (born abroad)")
	}
}

func TestSituations(t *testing.T) {
	if !catalog.Vigente.Valid() || catalog.ReporteDeRobo.Valid() || catalog.Situation("X").Valid() {
		t.Error("only VIGENTE is valid")
	}
	unknown := catalog.Situation("NUEVO_VALOR")
	if unknown.Known() || !strings.Contains(unknown.Message("es"), "NUEVO_VALOR") {
		t.Errorf("unknown situation: %q", unknown.Message("es"))
	}
	if catalog.Defuncion.Message("es") == catalog.Defuncion.Message("en") {
		t.Error("same text in both languages")
	}
}

func ExampleLookup() {
	e, _ := catalog.Lookup(314)
	fmt.Println(e.Action, "—", e.ES)
	// Output: recapture — La huella es de baja calidad o no parece una huella. Pida al ciudadano limpiar el dedo y vuelva a capturar.
}
