package nom151_test

import (
	"fmt"
	"strings"
	"testing"

	"cotejo/verify/nom151"
)

// The seed's table, code by code.
func TestEveryCodeOnce(t *testing.T) {
	want := []int{-500, -112, -111, -110, -109, -108, -107, -106, -105, -104, -103, -102, -101, -100, -2, -1,
		0, 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 13, 15, 18, 19, 20, 22, 23, 25, 26, 27, 29, 30, 31, 32}
	all := nom151.All()
	if len(all) != len(want) {
		t.Fatalf("%d codes, want %d", len(all), len(want))
	}
	for i, e := range all {
		if int(e.Estado) != want[i] {
			t.Errorf("entry %d is %d, want %d", i, e.Estado, want[i])
		}
		if e.ES == "" || e.EN == "" || e.ES == e.EN {
			t.Errorf("%d: messages %q / %q", e.Estado, e.ES, e.EN)
		}
	}
}

// The digest's client classes.
func TestClasses(t *testing.T) {
	classes := map[nom151.Class][]int{
		nom151.ClassRetryLater: {-1, -2, -109, -110, -111, -500, 10, 30},
		nom151.ClassFixRequest: {-100, -101, -102, -103, -104, -105, -106, -107, -108, -112, 22, 29, 31},
		nom151.ClassAccount:    {1, 2, 3, 4, 5, 6, 7, 9, 13, 15, 18, 19, 20, 23, 25, 26, 27},
		nom151.ClassNotFound:   {11, 32},
		nom151.ClassNone:       {0},
	}
	n := 0
	for class, codes := range classes {
		for _, c := range codes {
			n++
			if got := nom151.Estado(c).Class(); got != class {
				t.Errorf("code %d: %v, want %v", c, got, class)
			}
		}
	}
	if n != len(nom151.All()) {
		t.Errorf("%d codes classed, the table has %d", n, len(nom151.All()))
	}
}

func TestUnknownCode(t *testing.T) {
	e := nom151.Estado(8)
	if e.Class() != nom151.ClassAccount {
		t.Error("an unknown code must not be retried")
	}
	if !strings.Contains(e.Message("es"), "8") || !strings.Contains(e.Message("en"), "8") || e.Message("es") == e.Message("en") {
		t.Errorf("messages %q %q", e.Message("es"), e.Message("en"))
	}
}

func ExampleEstado_Message() {
	e := nom151.Estado(32)
	fmt.Println(e.Class())
	fmt.Println(e.Message("es"))
	fmt.Println(e.Message("en"))
	// Output:
	// not-found
	// No existe una constancia con ese folio para esta institución.
	// No constancy with that folio exists for this institution.
}
