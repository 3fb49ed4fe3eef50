package storage

import "testing"

func TestDefaultKeyProvider(t *testing.T) {
	for goos, want := range map[string]string{"linux": "file", "darwin": "file", "freebsd": "file", "windows": "dpapi"} {
		if got := defaultKeyProvider(goos); got != want {
			t.Errorf("defaultKeyProvider(%q) = %q, want %q", goos, got, want)
		}
	}
}
