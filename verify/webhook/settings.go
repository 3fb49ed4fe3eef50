package webhook

import "strings"

// Settings is the [webhook] section: the one HTTPS receiver every provider's
// deliveries reach, each at its own path (/tuidentidad, /remote).
type Settings struct {
	// Addr is where the receiver listens, e.g. ":8444"; empty: no receiver.
	Addr string `toml:"addr"`
	// URL is the base address registered with the providers (informational: they
	// record it at onboarding, the path appended).
	URL string `toml:"url"`
	// Auth is the authorization every provider must send: "basic:USER:PASSWORD" or
	// "bearer:TOKEN" (ParseAuth). A provider whose panel offers basic auth only (remote
	// verification) needs the basic form.
	Auth string `toml:"auth"`
	// Cert and Key are the receiver's TLS certificate and key (PEM files).
	Cert string `toml:"cert"`
	Key  string `toml:"key"`
}

// BasicCredential returns the user and password of a "basic:USER:PASSWORD" setting;
// ok is false for any other form.
func BasicCredential(s string) (user, password string, ok bool) {
	method, rest, _ := strings.Cut(s, ":")
	if !strings.EqualFold(method, "basic") {
		return "", "", false
	}
	user, password, ok = strings.Cut(rest, ":")
	return user, password, ok && user != "" && password != ""
}
