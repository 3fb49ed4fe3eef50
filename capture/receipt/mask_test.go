package receipt

import "testing"

func TestMaskCURP(t *testing.T) {
	tests := []struct{ in, want string }{
		{"MAMA800101MDFRRR35", "MAMA************35"},
		{"mama800101mdfrrr35", "MAMA************35"},
		{" MAMA 800101 MDFRRR35\n", "MAMA************35"},
		{"", ""},
		{"   ", ""},
		{"MAMA35", "******"},           // short: never shown whole
		{"ABCDEFGHIJK", "***********"}, // 11: still masked completely
		{"ABCDEFGHIJKL", "ABCD******KL"},
		{"ÑAÑO800101HDFRRR0Ñ", "ÑAÑO************0Ñ"}, // runes, not bytes
	}
	for _, tt := range tests {
		if got := MaskCURP(tt.in); got != tt.want {
			t.Errorf("MaskCURP(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskCIC(t *testing.T) {
	tests := []struct{ in, want string }{
		{"123456789", "*****6789"},           // CIC
		{"1234567890123", "*********0123"},   // OCR
		{"1234 5678 90123", "*********0123"}, // spaced
		{"", ""},
		{"1234", "****"},
		{"12345678", "********"},
	}
	for _, tt := range tests {
		if got := MaskCIC(tt.in); got != tt.want {
			t.Errorf("MaskCIC(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedact(t *testing.T) {
	r := Receipt{CURP: "MAMA800101MDFRRR35", CIC: "123456789"}
	s := secretsOf(r)
	tests := []struct{ in, want string }{
		{"CURP MAMA800101MDFRRR35.", "CURP MAMA************35."},
		{"curp mama800101mdfrrr35", "curp MAMA************35"},
		{"CIC 123456789, OCR 0000123456789", "CIC *****6789, OCR 0000*****6789"},
		{"sin datos", "sin datos"},
	}
	for _, tt := range tests {
		if got := redact(tt.in, s); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Short values are not scrubbed from free text: they would mangle it.
	if s := secretsOf(Receipt{CURP: "AB", CIC: "12"}); len(s) != 0 {
		t.Errorf("short values produce secrets %v", s)
	}
}
