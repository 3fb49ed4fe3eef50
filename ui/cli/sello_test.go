package cli

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cotejo/verify/sello/tbc"
)

// TestSelloCommand signs the digest's worked example with sello's committed test key,
// checks it against the certificate, and refuses a bad code and a key that is not the
// certificate's.
func TestSelloCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	raw, err := os.ReadFile("../../verify/sello/testdata/key.pem")
	if err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "key.pem")
	os.WriteFile(key, raw, 0o600)
	cert := "../../verify/sello/testdata/cert.pem"
	out := filepath.Join(dir, "consulta.xml")

	code, stdout, stderr := runCLI(t, ctx, "sello", "tbc", "--rfc", "AAA010101AAA", "--codigo", "ABC123DEF456", "--key", key, "--cert", cert, "--out", out)
	if code != 0 || !strings.Contains(stdout, "||AAA010101AAA|ABC123DEF456|1.0||") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	got, _ := os.ReadFile(out)
	want, _ := os.ReadFile("../../verify/sello/tbc/testdata/ejemplo.xml")
	if string(got) != string(want) {
		t.Errorf("XML\n%s\nwant\n%s", got, want)
	}

	code, stdout, _ = runCLI(t, ctx, "sello", "tbc", "--rfc", "AAA010101AAA", "--codigo", "ABC123DEF456", "--key", key)
	if d, err := tbc.Parse(strings.NewReader(stdout)); code != 0 || err != nil || d.Codigo != "ABC123DEF456" {
		t.Errorf("to standard output: exit %d, %v\n%s", code, err, stdout)
	}
	code, stdout, _ = runCLI(t, ctx, "sello", "tbc", "--json", "--rfc", "AAA010101AAA", "--codigo", "ABC123DEF456", "--key", key)
	var j map[string]string
	if err := json.Unmarshal([]byte(stdout), &j); code != 0 || err != nil || j["cadena"] != "||AAA010101AAA|ABC123DEF456|1.0||" || len(j["firma"]) != 344 {
		t.Errorf("--json: exit %d, %v\n%s", code, err, stdout)
	}

	code, _, stderr = runCLI(t, ctx, "sello", "tbc", "--rfc", "AAA010101AAA", "--codigo", "abc123def456", "--key", key)
	if code == 0 || !strings.Contains(stderr, "12 letras mayúsculas") || !strings.Contains(stderr, "12 capital letters") {
		t.Errorf("bad code: exit %d: %s", code, stderr)
	}
	otherKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.pem")
	os.WriteFile(other, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(otherKey)}), 0o600)
	code, _, stderr = runCLI(t, ctx, "sello", "tbc", "--rfc", "AAA010101AAA", "--codigo", "ABC123DEF456", "--key", other, "--cert", cert)
	if code == 0 || !strings.Contains(stderr, "no se verifica") {
		t.Errorf("key of another certificate: exit %d: %s", code, stderr)
	}
}
