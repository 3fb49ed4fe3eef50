package capture

import (
	"errors"
	"strings"
	"testing"
)

// TestTriesLeftPlural: the sign-in's count agrees with its noun for 0, 1 and 2.
func TestTriesLeftPlural(t *testing.T) {
	want := map[string][3]string{
		"es": {"Quedan 0 intentos.", "Queda 1 intento.", "Quedan 2 intentos."},
		"en": {"0 tries left.", "1 try left.", "2 tries left."},
	}
	for lang, w := range want {
		for n := range 3 {
			got := (&SignInError{err: errors.New("wrong"), left: n}).Message(lang)
			if !strings.HasSuffix(got, w[n]) {
				t.Errorf("%s, %d: %q", lang, n, got)
			}
		}
	}
}
