package webhook

import "testing"

func TestBasicCredential(t *testing.T) {
	for _, c := range []struct {
		in, user, pass string
		ok             bool
	}{
		{"basic:prov:pw", "prov", "pw", true},
		{"BASIC:prov:p:w", "prov", "p:w", true}, // the password may hold a colon
		{"bearer:t0ken", "", "", false},
		{"basic:prov", "prov", "", false},
		{"basic::pw", "", "pw", false},
		{"", "", "", false},
	} {
		user, pass, ok := BasicCredential(c.in)
		if ok != c.ok || ok && (user != c.user || pass != c.pass) {
			t.Errorf("%q: %q %q %t", c.in, user, pass, ok)
		}
	}
}
