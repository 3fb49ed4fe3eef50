package ocr

import (
	"os"
	"testing"
)

// TestDefaultDataDir: a pool unsets an empty TESSDATA_PREFIX (tesseract then uses its
// default folder) and keeps a set one.
func TestDefaultDataDir(t *testing.T) {
	for _, tc := range []struct {
		value string
		unset bool
	}{
		{"", true},
		{"/usr/share/tesseract-ocr/5/tessdata", false},
	} {
		t.Setenv(DataDirVar, tc.value)
		p := NewPool(1, "spa")
		p.Close()
		v, ok := os.LookupEnv(DataDirVar)
		if tc.unset && ok {
			t.Errorf("%s=%q: still set after NewPool", DataDirVar, tc.value)
		}
		if !tc.unset && v != tc.value {
			t.Errorf("%s=%q: %q after NewPool", DataDirVar, tc.value, v)
		}
	}
}
