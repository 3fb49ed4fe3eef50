package tbc_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"cotejo/verify/pki"
	"cotejo/verify/sello"
	"cotejo/verify/sello/tbc"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// testKey is package sello's committed test key (../testdata/README.md).
func testKey(tb testing.TB) (sello.Signer, *x509.Certificate) {
	tb.Helper()
	raw, err := os.ReadFile("../testdata/key.pem")
	if err != nil {
		tb.Fatal(err)
	}
	path := filepath.Join(tb.TempDir(), "key.pem")
	os.WriteFile(path, raw, 0o600)
	key, err := pki.LoadPrivateKey(path)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := pki.LoadCertificate("../testdata/cert.pem")
	if err != nil {
		tb.Fatal(err)
	}
	s, err := sello.KeySigner(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s, cert
}

func xmlBytes(t *testing.T, d *tbc.Document) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := d.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// xmllint validates doc against the seed's XSD (testdata), offline: a catalogue maps
// SAT's address of catTabacos.xsd to the local stand-in. It returns xmllint's verdict
// and its output.
func xmllint(t *testing.T, doc []byte) (bool, string) {
	t.Helper()
	if _, err := exec.LookPath("xmllint"); err != nil {
		t.Skip("xmllint not installed (Debian package libxml2-utils): " + err.Error())
	}
	path := filepath.Join(t.TempDir(), "doc.xml")
	os.WriteFile(path, doc, 0o644)
	catalog, _ := filepath.Abs("testdata/catalog.xml")
	cmd := exec.Command("xmllint", "--nonet", "--noout", "--schema", "testdata/TBCConsulCodigo.xsd", path)
	cmd.Env = append(os.Environ(), "XML_CATALOG_FILES="+catalog)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "failed to compile") {
		t.Fatalf("the schema does not compile: %s", out)
	}
	return err == nil, string(out)
}

// TestWorkedExample signs the digest's example and compares the XML with the golden
// file (testdata/ejemplo.xml), whose Firma is openssl's (../testdata/ejemplo.firma);
// xmllint validates it against the schema.
func TestWorkedExample(t *testing.T) {
	s, cert := testKey(t)
	d, cadena, err := tbc.Sign(context.Background(), s, tbc.Consulta{RFC: "  AAA010101AAA ", Codigo: "ABC123DEF456\n"})
	if err != nil {
		t.Fatal(err)
	}
	if cadena != "||AAA010101AAA|ABC123DEF456|1.0||" {
		t.Errorf("cadena %q", cadena)
	}
	firma, _ := os.ReadFile("../testdata/ejemplo.firma")
	if d.Firma != string(firma) {
		t.Errorf("Firma %s, want openssl's %s", d.Firma, firma)
	}
	got := xmlBytes(t, d)
	if *update {
		os.WriteFile("testdata/ejemplo.xml", got, 0o644)
	}
	want, err := os.ReadFile("testdata/ejemplo.xml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("XML\n%s\nwant\n%s", got, want)
	}
	if ok, out := xmllint(t, got); !ok {
		t.Errorf("xmllint refuses Cotejo's document: %s", out)
	}
	if err := d.Verify(cert.PublicKey); err != nil {
		t.Error(err)
	}
}

// TestSchema checks builder and schema agree: what the builder refuses, xmllint
// refuses too (each bad value put by hand into a good document), and good values of
// both RFC lengths, with Ñ and &, pass both.
func TestSchema(t *testing.T) {
	s, _ := testKey(t)
	good, _, err := tbc.Sign(context.Background(), s, tbc.Consulta{RFC: "AAA010101AAA", Codigo: "ABC123DEF456"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, rfc, codigo string
		reason            tbc.Reason // 0: valid
	}{
		{"legal person", "AAA010101AAA", "ABC123DEF456", 0},
		{"natural person with Ñ", "ÑAAA010101AA1", "000000000000", 0},
		{"ampersand", "A&A010101AAA", "ZZZZZZZZZZZZ", 0},
		{"code in lower case", "AAA010101AAA", "abc123def456", tbc.ReasonCodigo},
		{"code of 11", "AAA010101AAA", "ABC123DEF45", tbc.ReasonCodigo},
		{"code of 13", "AAA010101AAA", "ABC123DEF4567", tbc.ReasonCodigo},
		{"code with a space", "AAA010101AAA", "ABC123 DEF45", tbc.ReasonCodigo},
		{"code with a pipe", "AAA010101AAA", "ABC123|DEF45", tbc.ReasonCodigo},
		{"code with Ñ", "AAA010101AAA", "ÑBC123DEF456", tbc.ReasonCodigo},
		{"RFC of 11", "AA010101AAA", "ABC123DEF456", tbc.ReasonRFC},
		{"RFC of 14", "AAAAA010101AAA", "ABC123DEF456", tbc.ReasonRFC},
		{"RFC in lower case", "aaa010101aaa", "ABC123DEF456", tbc.ReasonRFC},
		{"RFC with letters in the date", "AAA0101O1AAA", "ABC123DEF456", tbc.ReasonRFC},
		{"RFC empty", "", "ABC123DEF456", tbc.ReasonRFC},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _, err := tbc.Sign(context.Background(), s, tbc.Consulta{RFC: tt.rfc, Codigo: tt.codigo})
			var fe *tbc.FieldError
			switch {
			case tt.reason == 0 && err != nil:
				t.Fatalf("builder refuses: %v", err)
			case tt.reason != 0 && (!errors.As(err, &fe) || fe.Reason != tt.reason):
				t.Fatalf("builder: %v, want reason %d", err, tt.reason)
			}
			if fe != nil && (fe.Message("es") == fe.Message("en") || strings.Contains(fe.Error(), tt.codigo) && tt.reason == tbc.ReasonCodigo) {
				t.Errorf("message: %q / %q", fe.Message("es"), fe.Error())
			}
			if d == nil { // write the bad value into a good document by hand
				d = &tbc.Document{Consulta: tbc.Consulta{RFC: tt.rfc, Codigo: tt.codigo}, Firma: good.Firma}
			}
			ok, out := xmllint(t, xmlBytes(t, d))
			if ok != (tt.reason == 0) {
				t.Errorf("xmllint valid=%v, want %v: %s", ok, tt.reason == 0, out)
			}
		})
	}
	t.Run("version", func(t *testing.T) {
		doc := bytes.Replace(xmlBytes(t, good), []byte(`Version="1.0"`), []byte(`Version="1.1"`), 1)
		if ok, out := xmllint(t, doc); ok {
			t.Errorf("xmllint accepts Version 1.1: %s", out)
		}
		var de *tbc.DocumentError
		if _, err := tbc.Parse(bytes.NewReader(doc)); !errors.As(err, &de) || de.Problem != tbc.ProblemBadVersion {
			t.Errorf("Parse: %v", err)
		}
	})
	t.Run("seed's namespace declaration", func(t *testing.T) {
		doc, err := os.ReadFile("testdata/seed-malformed.xml")
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := xmllint(t, doc); ok {
			t.Error("xmllint accepts `xmlns: conCod =`")
		}
		var de *tbc.DocumentError
		if _, err := tbc.Parse(bytes.NewReader(doc)); !errors.As(err, &de) || (de.Problem != tbc.ProblemXML && de.Problem != tbc.ProblemRoot) {
			t.Errorf("Parse: %v", err)
		}
	})
}

// TestParseVerify reads documents back and verifies them: Cotejo's own, one with
// whitespace inside the values (normalised, not refused), and spoiled ones.
func TestParseVerify(t *testing.T) {
	s, cert := testKey(t)
	d, _, err := tbc.Sign(context.Background(), s, tbc.Consulta{RFC: "ÑAAA010101AA1", Codigo: "ABC123DEF456"})
	if err != nil {
		t.Fatal(err)
	}
	doc := string(xmlBytes(t, d))
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	tests := []struct {
		name    string
		doc     string
		problem tbc.Problem   // Parse must refuse with this
		verify  sello.Problem // else Verify must refuse with this (0: verifies)
		reason  tbc.Reason    // or Verify must refuse the value
	}{
		{"as written", doc, 0, 0, 0},
		{"whitespace in a value", strings.Replace(doc, `Codigo="ABC123DEF456"`, `Codigo="&#9;ABC123DEF456&#10; "`, 1), 0, 0, 0},
		{"pretty-printed", strings.ReplaceAll(doc, `" `, "\"\n  "), 0, 0, 0},
		{"one byte of the code", strings.Replace(doc, "ABC123DEF456", "ABC123DEF457", 1), 0, sello.ProblemSignature, 0},
		{"the RFC in Latin-1 spelling", strings.Replace(doc, "ÑAAA", "NAAA", 1), 0, sello.ProblemSignature, 0},
		{"Firma with a line break", strings.Replace(doc, `Firma="`+d.Firma[:64], `Firma="`+d.Firma[:64]+"&#10;", 1), 0, sello.ProblemBase64, 0},
		{"Firma cut", strings.Replace(doc, d.Firma, d.Firma[:340], 1), 0, sello.ProblemLength, 0},
		{"bad code", strings.Replace(doc, "ABC123DEF456", "abc123def456", 1), 0, 0, tbc.ReasonCodigo},
		{"no Firma", strings.Replace(doc, `Firma="`+d.Firma+`"`, "", 1), tbc.ProblemMissing, 0, 0},
		{"no Version", strings.Replace(doc, `Version="1.0"`, "", 1), tbc.ProblemMissing, 0, 0},
		{"extra attribute", strings.Replace(doc, `Version="1.0"`, `Version="1.0" Extra="x"`, 1), tbc.ProblemExtra, 0, 0},
		{"qualified attribute", strings.Replace(doc, `Version="1.0"`, `Version="1.0" conCod:Codigo="x"`, 1), tbc.ProblemExtra, 0, 0},
		{"duplicate attribute", strings.Replace(doc, `Version="1.0"`, `Version="1.0" Version="1.0"`, 1), tbc.ProblemXML, 0, 0},
		{"wrong namespace", strings.Replace(doc, `xmlns:conCod="`+tbc.Namespace, `xmlns:conCod="urn:otro`, 1), tbc.ProblemRoot, 0, 0},
		{"child element", strings.Replace(doc, "/>", "><conCod:Otro/></conCod:TBCConsulCodigo>", 1), tbc.ProblemExtra, 0, 0},
		{"text content", strings.Replace(doc, "/>", ">hola</conCod:TBCConsulCodigo>", 1), tbc.ProblemExtra, 0, 0},
		{"DOCTYPE", strings.Replace(doc, "?>", "?><!DOCTYPE x [<!ENTITY a \"b\">]>", 1), tbc.ProblemExtra, 0, 0},
		{"not closed", strings.TrimSuffix(strings.TrimSpace(doc), "/>") + ">", tbc.ProblemXML, 0, 0},
		{"two roots", doc + "<conCod:TBCConsulCodigo xmlns:conCod=\"" + tbc.Namespace + "\"/>", tbc.ProblemExtra, 0, 0},
		{"empty", "", 0, 0, 0},
		{"too large", doc + strings.Repeat(" ", tbc.MaxDocument), tbc.ProblemTooLarge, 0, 0},
	}
	tests[len(tests)-2].problem = tbc.ProblemRoot
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tbc.Parse(strings.NewReader(tt.doc))
			if tt.problem != 0 {
				var de *tbc.DocumentError
				if !errors.As(err, &de) || de.Problem != tt.problem {
					t.Fatalf("Parse: %v, want problem %d", err, tt.problem)
				}
				if de.Message("es") == de.Message("en") {
					t.Errorf("one message for both languages")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			err = got.Verify(cert.PublicKey)
			var se *sello.SelloError
			var fe *tbc.FieldError
			switch {
			case tt.verify == 0 && tt.reason == 0 && err != nil:
				t.Fatalf("Verify: %v", err)
			case tt.verify != 0 && (!errors.As(err, &se) || se.Problem != tt.verify):
				t.Fatalf("Verify: %v, want problem %d", err, tt.verify)
			case tt.reason != 0 && (!errors.As(err, &fe) || fe.Reason != tt.reason):
				t.Fatalf("Verify: %v, want reason %d", err, tt.reason)
			}
		})
	}
	if err := d.Verify(&other.PublicKey); err == nil {
		t.Error("verified under another key")
	}
}
