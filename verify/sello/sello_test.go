package sello_test

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"cotejo/verify/pki"
	"cotejo/verify/sello"
)

// testKey is the committed test key (testdata/README.md), read the way the app reads a
// key: from a PEM file only its owner can read.
func testKey(tb testing.TB) (sello.Signer, crypto.Signer, *x509.Certificate) {
	tb.Helper()
	raw, err := os.ReadFile("testdata/key.pem")
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "key.pem")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		tb.Fatal(err)
	}
	key, err := pki.LoadPrivateKey(path)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := pki.LoadCertificate("testdata/cert.pem")
	if err != nil {
		tb.Fatal(err)
	}
	s, err := sello.KeySigner(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s, key, cert
}

func tbcFields(rfc, codigo, version string) []sello.Field {
	return []sello.Field{{Name: "RFCContribuyente", Value: rfc}, {Name: "Codigo", Value: codigo}, {Name: "Version", Value: version}}
}

// TestWorkedExample reproduces the digest's worked example byte for byte: the cadena,
// its SHA-256 in hex and Base64, and the sello under the committed test key, which must
// be the one openssl made (testdata/ejemplo.firma).
func TestWorkedExample(t *testing.T) {
	golden, err := os.ReadFile("testdata/ejemplo.cadena")
	if err != nil {
		t.Fatal(err)
	}
	c, err := sello.Build(tbcFields("AAA010101AAA", "ABC123DEF456", "1.0"))
	if err != nil {
		t.Fatal(err)
	}
	if c != string(golden) || len(c) != 33 {
		t.Fatalf("cadena %q (%d bytes), want %q (33)", c, len(c), golden)
	}
	sum := sha256.Sum256([]byte(c))
	if got := hex.EncodeToString(sum[:]); got != "4e42817eaab39ded3cf6d23220874f9d430de269da149083c394d18a4e9fb49c" {
		t.Errorf("SHA-256 %s", got)
	}
	if got := base64.StdEncoding.EncodeToString(sum[:]); got != "TkKBfqqzne089tIyIIdPnUMN4mnaFJCDw5TRik6ftJw=" {
		t.Errorf("SHA-256 base64 %s", got)
	}
	s, _, cert := testKey(t)
	firma, err := sello.Seal(context.Background(), s, c)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/ejemplo.firma")
	if err != nil {
		t.Fatal(err)
	}
	if firma != string(want) {
		t.Errorf("sello\n%s\nwant (openssl)\n%s", firma, want)
	}
	if len(firma) != 344 {
		t.Errorf("a 2048-bit key's sello is 344 Base64 characters, got %d", len(firma))
	}
	if err := sello.VerifyCert(cert, c, firma); err != nil {
		t.Error(err)
	}
	// The digest's normalisation example gives the same cadena.
	same, err := sello.Build(tbcFields("  AAA010101AAA ", "ABC123DEF456\n", "1.0"))
	if err != nil || same != c {
		t.Errorf("normalised: %q %v", same, err)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"EMPRESA  DE\tPRUEBA\r\n S.A.", "EMPRESA DE PRUEBA S.A."},
		{"  AAA010101AAA ", "AAA010101AAA"},
		{"ABC123DEF456\n", "ABC123DEF456"},
		{"\t\r\n", ""},
		{"a \t b", "a b"},
		{"ÑANDÚ   ÁRBOL", "ÑANDÚ ÁRBOL"},
		{"a\u00a0b", "a\u00a0b"}, // not blank: Build refuses it instead
		{"", ""},
	}
	for _, tt := range tests {
		if got := sello.Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name   string
		fields []sello.Field
		want   string
		reason sello.Reason // when Build must fail
		field  string
	}{
		{"example", tbcFields("AAA010101AAA", "ABC123DEF456", "1.0"), "||AAA010101AAA|ABC123DEF456|1.0||", 0, ""},
		{"whitespace at the separators", tbcFields(" AAA010101AAA\t", "\r\nABC123DEF456 ", " 1.0 "), "||AAA010101AAA|ABC123DEF456|1.0||", 0, ""},
		{"inner runs collapse", []sello.Field{{Name: "Nombre", Value: "EMPRESA  DE\tPRUEBA\r\n S.A."}}, "||EMPRESA DE PRUEBA S.A.||", 0, ""},
		{"value only, never the name", []sello.Field{{Name: "País", Value: "MX"}}, "||MX||", 0, ""},
		{"optional absent: no delimiter", []sello.Field{{Name: "A", Value: "1"}, {Name: "B", Value: "", Optional: true}, {Name: "C", Value: "3"}}, "||1|3||", 0, ""},
		{"optional only blanks: absent", []sello.Field{{Name: "A", Value: "1"}, {Name: "B", Value: " \t\n", Optional: true}}, "||1||", 0, ""},
		{"optional present", []sello.Field{{Name: "A", Value: "1"}, {Name: "B", Value: " 2 ", Optional: true}}, "||1|2||", 0, ""},
		{"UTF-8", tbcFields("ÑAAA010101AA1", "ABC123DEF456", "1.0"), "||ÑAAA010101AA1|ABC123DEF456|1.0||", 0, ""},
		{"pipe refused", tbcFields("AAA|010101AAA", "ABC123DEF456", "1.0"), "", sello.ReasonPipe, "RFCContribuyente"},
		{"lone pipe refused", []sello.Field{{Name: "X", Value: "|", Optional: true}}, "", sello.ReasonPipe, "X"},
		{"required empty", tbcFields("AAA010101AAA", "  ", "1.0"), "", sello.ReasonEmpty, "Codigo"},
		{"no-break space", tbcFields("AAA010101AAA", "ABC123\u00a0DEF456", "1.0"), "", sello.ReasonSpace, "Codigo"},
		{"vertical tab", tbcFields("AAA010101AAA", "ABC123\vDEF456", "1.0"), "", sello.ReasonSpace, "Codigo"},
		{"control", tbcFields("AAA010101AAA", "ABC123\x00DEF456", "1.0"), "", sello.ReasonControl, "Codigo"},
		{"Latin-1 bytes", tbcFields("\xd1AAA010101AA1", "ABC123DEF456", "1.0"), "", sello.ReasonUTF8, "RFCContribuyente"},
		{"nothing at all", []sello.Field{{Name: "A", Optional: true}}, "", sello.ReasonEmpty, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sello.Build(tt.fields)
			if tt.reason == 0 {
				if err != nil || got != tt.want {
					t.Fatalf("Build = %q, %v; want %q", got, err, tt.want)
				}
				return
			}
			var fe *sello.FieldError
			if !errors.As(err, &fe) || fe.Reason != tt.reason || fe.Field != tt.field {
				t.Fatalf("Build = %q, %v; want a FieldError %d on %q", got, err, tt.reason, tt.field)
			}
			for _, v := range tt.fields {
				if len(v.Value) > 3 && strings.Contains(err.Error(), v.Value) {
					t.Errorf("the error repeats the value %q: %v", v.Value, err)
				}
			}
			if es, en := fe.Message("es"), fe.Message("en"); es == en || es == "" || en == "" {
				t.Errorf("messages es %q en %q", es, en)
			}
		})
	}
}

// TestUTF8Example checks the digest's UTF-8 example: 35 bytes and its SHA-256, and that
// the same text in ISO-8859-1 hashes differently.
func TestUTF8Example(t *testing.T) {
	c, err := sello.Build(tbcFields("ÑAAA010101AA1", "ABC123DEF456", "1.0"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(c))
	if len(c) != 35 || hex.EncodeToString(sum[:]) != "6eff72580584ecb69bf8338d59219be4062fba52e1998f4cc2bd307904a278b1" {
		t.Errorf("%q: %d bytes, SHA-256 %x", c, len(c), sum)
	}
	latin1 := sha256.Sum256([]byte("||\xd1AAA010101AA1|ABC123DEF456|1.0||"))
	if latin1 == sum {
		t.Error("Latin-1 and UTF-8 hash alike")
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		problem sello.Problem
	}{
		{"||AAA010101AAA|ABC123DEF456|1.0||", []string{"AAA010101AAA", "ABC123DEF456", "1.0"}, 0},
		{"||MX||", []string{"MX"}, 0},
		{"||a b|ñ||", []string{"a b", "ñ"}, 0},
		{"|AAA|1.0||", nil, sello.ProblemStart},
		{"||AAA|1.0|", nil, sello.ProblemEnd},
		{"||AAA|1.0", nil, sello.ProblemEnd},
		{"||||", nil, sello.ProblemEmpty},
		{"|||", nil, sello.ProblemStart},
		{"", nil, sello.ProblemStart},
		{"||AAA||1.0||", nil, sello.ProblemEmpty},
		{"|| AAA|1.0||", nil, sello.ProblemBlank},
		{"||AAA |1.0||", nil, sello.ProblemBlank},
		{"||A  A|1.0||", nil, sello.ProblemBlank},
		{"||A\tA|1.0||", nil, sello.ProblemBlank},
		{"||A\u00a0A|1.0||", nil, sello.ProblemCharacter},
		{"||\xd1|1.0||", nil, sello.ProblemCharacter},
		{"||" + strings.Repeat("a", sello.MaxCadena) + "||", nil, sello.ProblemTooLong},
	}
	for _, tt := range tests {
		got, err := sello.Parse(tt.in)
		if tt.problem == 0 {
			if err != nil || strings.Join(got, "\x00") != strings.Join(tt.want, "\x00") {
				t.Errorf("Parse(%q) = %q, %v", tt.in, got, err)
			}
			continue
		}
		var pe *sello.ParseError
		if !errors.As(err, &pe) || pe.Problem != tt.problem {
			t.Errorf("Parse(%.40q) = %q, %v; want problem %d", tt.in, got, err, tt.problem)
		}
	}
}

// TestSealVerify makes a sello and checks that each way of spoiling it is refused with
// the right problem, including the digest's edge cases: a signature over the bare digest
// (no DigestInfo), over a cadena missing a "|" or the final "||", and over Latin-1.
func TestSealVerify(t *testing.T) {
	s, key, cert := testKey(t)
	ctx := context.Background()
	c := "||AAA010101AAA|ABC123DEF456|1.0||"
	firma, err := sello.Seal(ctx, s, c)
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := base64.StdEncoding.DecodeString(firma)
	rsaKey := key.(*rsa.PrivateKey)
	sealOf := func(msg []byte) string {
		sum := sha256.Sum256(msg)
		sig, err := rsa.SignPKCS1v15(rand.Reader, rsaKey, crypto.SHA256, sum[:])
		if err != nil {
			t.Fatal(err)
		}
		return base64.StdEncoding.EncodeToString(sig)
	}
	sum := sha256.Sum256([]byte(c))
	bare, err := rsa.SignPKCS1v15(rand.Reader, rsaKey, 0, sum[:]) // "encrypt the digest" literally
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	flipped := []byte(firma)
	flipped[10] ^= 'A' ^ 'B'
	if flipped[10] == firma[10] {
		flipped[10] = 'C'
	}
	tests := []struct {
		name          string
		pub           crypto.PublicKey
		cadena, sello string
		problem       sello.Problem
	}{
		{"good", cert.PublicKey, c, firma, 0},
		{"one byte of the cadena changed", cert.PublicKey, "||AAA010101AAB|ABC123DEF456|1.0||", firma, sello.ProblemSignature},
		{"one character of the sello changed", cert.PublicKey, c, string(flipped), sello.ProblemSignature},
		{"another key", &other.PublicKey, c, firma, sello.ProblemSignature},
		{"bare digest, no DigestInfo", cert.PublicKey, c, base64.StdEncoding.EncodeToString(bare), sello.ProblemSignature},
		{"signed without one pipe", cert.PublicKey, c, sealOf([]byte("||AAA010101AAAABC123DEF456|1.0||")), sello.ProblemSignature},
		{"signed without the final pipes", cert.PublicKey, c, sealOf([]byte("||AAA010101AAA|ABC123DEF456|1.0")), sello.ProblemSignature},
		{"signed over Latin-1", cert.PublicKey, "||ÑAAA010101AA1|ABC123DEF456|1.0||", sealOf([]byte("||\xd1AAA010101AA1|ABC123DEF456|1.0||")), sello.ProblemSignature},
		{"line break in the Base64", cert.PublicKey, c, firma[:76] + "\n" + firma[76:], sello.ProblemBase64},
		{"CRLF at the end", cert.PublicKey, c, firma + "\r\n", sello.ProblemBase64},
		{"padding missing", cert.PublicKey, c, strings.TrimRight(firma, "="), sello.ProblemBase64},
		{"URL alphabet", cert.PublicKey, c, base64.URLEncoding.EncodeToString(append([]byte{0xfb, 0xff}, sig[2:]...)), sello.ProblemBase64},
		{"space", cert.PublicKey, c, " " + firma, sello.ProblemBase64},
		{"empty", cert.PublicKey, c, "", sello.ProblemBase64},
		{"too short for the key", cert.PublicKey, c, base64.StdEncoding.EncodeToString(sig[:255]), sello.ProblemLength},
		{"too long", cert.PublicKey, c, strings.Repeat("A", sello.MaxSello+4), sello.ProblemTooLong},
		{"not RSA", "a string", c, firma, sello.ProblemKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := sello.Verify(tt.pub, tt.cadena, tt.sello)
			if tt.problem == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var se *sello.SelloError
			if !errors.As(err, &se) || se.Problem != tt.problem {
				t.Fatalf("Verify = %v; want problem %d", err, tt.problem)
			}
			if se.Message("es") == se.Message("en") {
				t.Errorf("one message for both languages: %q", se.Message("es"))
			}
		})
	}
	if err := sello.VerifyCert(nil, c, firma); err == nil {
		t.Error("verified without a certificate")
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := sello.Seal(cancelled, s, c); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
	if _, err := sello.Seal(ctx, s, "not a cadena"); err == nil {
		t.Error("sealed a string that is not a cadena")
	}
}

func TestKeySignerRefusesNonRSA(t *testing.T) {
	if _, err := sello.KeySigner(nil); err == nil {
		t.Error("nil key accepted")
	}
	if _, err := sello.KeySigner(ecKey(t)); err == nil {
		t.Error("EC key accepted")
	}
}

// TestOpenSSL cross-checks with openssl: it verifies a sello Cotejo made, and Cotejo
// verifies one openssl made, over a cadena written to a file.
func TestOpenSSL(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("openssl not installed (Debian package openssl): " + err.Error())
	}
	s, _, cert := testKey(t)
	dir := t.TempDir()
	c, err := sello.Build([]sello.Field{{Name: "Nombre", Value: "EMPRESA  DE\tPRUEBA\r\n S.A."}, {Name: "RFC", Value: "ÑAAA010101AA1"}, {Name: "Nada", Optional: true}, {Name: "Version", Value: "1.0"}})
	if err != nil {
		t.Fatal(err)
	}
	cadenaPath := filepath.Join(dir, "cadena.txt")
	os.WriteFile(cadenaPath, []byte(c), 0o644)

	firma, err := sello.Seal(context.Background(), s, c)
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := base64.StdEncoding.DecodeString(firma)
	sigPath := filepath.Join(dir, "sig.bin")
	os.WriteFile(sigPath, sig, 0o644)
	out, err := exec.Command("openssl", "dgst", "-sha256", "-verify", "testdata/pub.pem", "-signature", sigPath, cadenaPath).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "Verified OK" {
		t.Errorf("openssl does not verify Cotejo's sello: %v %s", err, out)
	}

	keyPath := filepath.Join(dir, "key.pem")
	raw, _ := os.ReadFile("testdata/key.pem")
	os.WriteFile(keyPath, raw, 0o600)
	osig, err := exec.Command("openssl", "dgst", "-sha256", "-sign", keyPath, cadenaPath).Output()
	if err != nil {
		t.Fatal(err)
	}
	if err := sello.VerifyCert(cert, c, base64.StdEncoding.EncodeToString(osig)); err != nil {
		t.Errorf("Cotejo does not verify openssl's sello: %v", err)
	}
	if base64.StdEncoding.EncodeToString(osig) != firma {
		t.Error("openssl and Cotejo made different PKCS#1 v1.5 signatures over the same bytes")
	}
	// openssl refuses a sello over a changed cadena too.
	os.WriteFile(cadenaPath, []byte(strings.Replace(c, "PRUEBA", "PRUEBB", 1)), 0o644)
	if out, err := exec.Command("openssl", "dgst", "-sha256", "-verify", "testdata/pub.pem", "-signature", sigPath, cadenaPath).CombinedOutput(); err == nil {
		t.Errorf("openssl verified a changed cadena: %s", out)
	}
}

func TestDiff(t *testing.T) {
	rec := []sello.Field{{Name: "A", Value: "1"}, {Name: "B", Value: "2", Optional: true}, {Name: "C", Value: " 3 "}, {Name: "D", Value: "4"}}
	tests := []struct {
		name   string
		cadena string
		want   []string // names of the fields reported
	}{
		{"same", "||1|2|3|4||", nil},
		{"one value changed", "||1|2|X|4||", []string{"C"}},
		{"one byte changed", "||1|2|3|5||", []string{"D"}},
		{"two changed", "||0|2|3|5||", []string{"A", "D"}},
		{"one value missing", "||1|3|4||", []string{"B"}},
		{"one value added", "||1|2|9|3|4||", []string{""}},
		{"end damaged: the values agree", "||1|2|3|4|", nil},
		{"separator removed", "||1|23|4||", []string{"B", "C"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, d := range sello.Diff(rec, tt.cadena) {
				got = append(got, d.Field)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") || len(got) != len(tt.want) {
				t.Errorf("Diff = %q, want %q", got, tt.want)
			}
		})
	}
}

// opensslVerifies checks with openssl that sello is cadena's signature under the
// committed test key.
func opensslVerifies(t *testing.T, cadena, firma string) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Log("openssl not installed: cross-check skipped")
		return
	}
	dir := t.TempDir()
	sig, err := base64.StdEncoding.DecodeString(firma)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "cadena.txt"), []byte(cadena), 0o644)
	os.WriteFile(filepath.Join(dir, "sig.bin"), sig, 0o644)
	out, err := exec.Command("openssl", "dgst", "-sha256", "-verify", "testdata/pub.pem", "-signature", filepath.Join(dir, "sig.bin"), filepath.Join(dir, "cadena.txt")).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "Verified OK" {
		t.Errorf("openssl: %v %s", err, out)
	}
}
