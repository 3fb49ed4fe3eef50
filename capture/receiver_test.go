package capture

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReceiverSettings: the receiver's settings come from [webhook], each one it leaves
// empty from its old name in [tuidentidad]; remote verification's reports take
// [remote] webhook_user/webhook_password, else the receiver's auth when it is basic.
func TestReceiverSettings(t *testing.T) {
	t.Setenv("COTEJO_REMOTE_HOOK_PASSWORD", "")
	for _, c := range []struct {
		name, toml            string
		addr, auth, cert, key string
		user, password        string
		remoteOK              bool
	}{
		{"old names only", "[tuidentidad]\nwebhook_addr = \":8444\"\nwebhook_auth = \"bearer:t\"\nwebhook_cert = \"c.pem\"\nwebhook_key = \"k.pem\"\n",
			":8444", "bearer:t", "c.pem", "k.pem", "", "", false},
		{"[webhook] alone", "[webhook]\naddr = \":9000\"\nauth = \"basic:prov:pw\"\ncert = \"h.pem\"\nkey = \"h.key\"\n",
			":9000", "basic:prov:pw", "h.pem", "h.key", "prov", "pw", true},
		{"[webhook] wins, old names fill the rest", "[webhook]\naddr = \":9000\"\n\n[tuidentidad]\nwebhook_addr = \":8444\"\nwebhook_auth = \"basic:a:b\"\nwebhook_cert = \"c.pem\"\nwebhook_key = \"k.pem\"\n",
			":9000", "basic:a:b", "c.pem", "k.pem", "a", "b", true},
		{"[remote] credential of its own", "[webhook]\naddr = \":9000\"\nauth = \"bearer:t\"\n\n[remote]\nwebhook_user = \"u\"\nwebhook_password = \"p\"\n",
			":9000", "bearer:t", "", "", "u", "p", true},
		{"bearer only: no credential for remote", "[webhook]\nauth = \"bearer:t\"\n", "", "bearer:t", "", "", "", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cotejo.toml")
			if err := os.WriteFile(path, []byte(c.toml), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := LoadConfig(path)
			if err != nil {
				t.Fatal(err)
			}
			r := cfg.Receiver()
			if r.Addr != c.addr || r.Auth != c.auth || r.Cert != c.cert || r.Key != c.key {
				t.Errorf("receiver %+v", r)
			}
			user, pass, ok := cfg.RemoteHookAuth()
			if user != c.user || pass != c.password || ok != c.remoteOK {
				t.Errorf("remote credential %q %q %t", user, pass, ok)
			}
		})
	}
}
