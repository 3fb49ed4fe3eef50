package remoteid

import (
	"strings"
	"testing"
)

// TestWords: every documented code, status and outcome has a message in both
// languages, and the two differ (an untranslated copy would not).
func TestWords(t *testing.T) {
	check := func(name string, m func(string) string) {
		t.Helper()
		es, en := m("es"), m("en")
		if es == "" || en == "" || es == en {
			t.Errorf("%s: es %q, en %q", name, es, en)
		}
	}
	for _, r := range []Res{1, -1, -2, -3, -4, -5, -6, -7} {
		if !r.Known() {
			t.Errorf("Res %d not known", r)
		}
		check("Res", r.Message)
	}
	check("unknown Res", Res(-99).Message)
	for _, e := range []Estado{3000, 3001, 3002, 3003, 5000, 5001, 5100, 5500} {
		if !e.Known() {
			t.Errorf("Estado %d not known", e)
		}
		check("Estado", e.Message)
	}
	check("unknown Estado", Estado(4000).Message)
	for _, v := range []Resultado{93.96, 80, -1, -2, -3, -4, -5, -6, -7, -8, -9, -10, -1.5} {
		check("Resultado", v.Message)
	}
	if !Resultado(80).Passed() || Resultado(79.99).Passed() || Resultado(-1).Passed() {
		t.Error("the 80 boundary: 80 passes, below does not")
	}
	if !strings.Contains(Resultado(-9).Message("en"), "does not match") {
		t.Error("-9 message")
	}
	for p := ProblemPhone; p <= ProblemNoID; p++ {
		check("Problem", (&InputError{Problem: p}).Message)
	}
	check("Notice", Notice)
	if !strings.Contains(Notice("es"), "INE") || !strings.Contains(Notice("en"), "fingerprints") {
		t.Error("the notice must say it does not consult INE nor compare fingerprints")
	}
}
