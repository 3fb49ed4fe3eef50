package scanner_test

import (
	"testing"

	"cotejo/scanner"
)

func TestFingerName(t *testing.T) {
	for _, c := range []struct {
		finger int
		lang   string
		want   string
	}{{2, "es", "índice derecho"}, {7, "en", "left index"}, {10, "es", "meñique izquierdo"}, {11, "en", "unknown finger"}, {-1, "es", "dedo desconocido"}} {
		if got := scanner.FingerName(c.finger, c.lang); got != c.want {
			t.Errorf("%d %s: %q, want %q", c.finger, c.lang, got, c.want)
		}
	}
	if got := scanner.FingerLabel(7, "es"); got != "Índice izquierdo" {
		t.Errorf("label %q", got)
	}
}
