package storage

import "testing"

func TestDataDir(t *testing.T) {
	config := func() (string, error) { return "/home/ana/.config", nil }
	local := func() (string, error) { return `C:\Users\Ana\AppData\Local`, nil }
	for _, tc := range []struct{ goos, want string }{
		{"linux", "/home/ana/.config"},
		{"darwin", "/home/ana/.config"},
		{"windows", `C:\Users\Ana\AppData\Local`},
	} {
		got, err := dataDir(tc.goos, config, local)
		if err != nil || got != tc.want {
			t.Errorf("dataDir(%q) = %q, %v; want %q", tc.goos, got, err, tc.want)
		}
	}
}
