package capture_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cotejo/capture"
	"cotejo/verify/pki"
	"cotejo/verify/remoteid"
	"cotejo/verify/sello"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// finishedRemote is a validated remote case with its certificate.
func finishedRemote() remoteid.Case {
	return remoteid.Case{ID: "1283876988", Phone: "525512345678", Document: "MAMA810125HPLRNR35",
		SentAt: time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC),
		Events: []remoteid.Event{
			{ID: "1283876988", Estado: remoteid.EstadoAccessed, UltimaActualizacion: "2026-03-02 17:01"},
			{ID: "1283876988", Estado: remoteid.EstadoValidated, UltimaActualizacion: "2026-03-02 17:05", Result: &remoteid.Result{Resultado: 93.957847595214844}},
		},
		Certificate:   []byte("%PDF-1.4\n% the provider's certificate\n%%EOF\n"),
		CertificateAt: time.Date(2026, 3, 2, 16, 5, 30, 0, time.UTC)}
}

// TestRemoteCertificateSeal: a remote case's seal has the cadena of
// docs/cadena-original.md (testdata/remote-certificate.cadena: the phone and the
// document masked, the certificate's SHA-256 last) and checks out under the
// certificate; a changed byte of the PDF, a changed case, an altered sello, another
// key and no seal at all are each reported as such.
func TestRemoteCertificateSeal(t *testing.T) {
	signer, cert := testSigner(t)
	c := finishedRemote()
	sealed, err := capture.SealRemoteCertificate(t.Context(), signer, c)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "remote-certificate.cadena")
	if *update {
		os.WriteFile(golden, []byte(sealed.Cadena), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if sealed.Cadena != string(want) {
		t.Errorf("cadena\n%s\nwant\n%s", sealed.Cadena, want)
	}
	for _, secret := range []string{"5512345678", "MAMA810125HPLRNR35"} {
		if strings.Contains(sealed.Cadena, secret) {
			t.Errorf("the cadena holds %s unmasked", secret)
		}
	}
	c.Cadena, c.Sello = sealed.Cadena, sealed.Sello
	otherKey, err := pki.NewCA("another institution", 2048, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name         string
		change       func(c *remoteid.Case, pdf []byte) []byte
		cert         bool // false: another key's certificate
		field        string
		sello        bool // a *sello.SelloError
		cadenaSealed bool
		unsealed     bool
	}{
		{name: "intact", cert: true, cadenaSealed: true},
		{name: "a byte of the PDF", cert: true, field: "SHA256Certificado", cadenaSealed: true, change: func(_ *remoteid.Case, pdf []byte) []byte {
			pdf[len(pdf)/2] ^= 1
			return pdf
		}},
		{name: "the document", cert: true, field: "Documento", cadenaSealed: true, change: func(c *remoteid.Case, pdf []byte) []byte {
			c.Document = "GOMR800101HDFRRN09"
			return pdf
		}},
		{name: "the cadena and the digest", cert: true, field: "SHA256Certificado", change: func(c *remoteid.Case, pdf []byte) []byte {
			pdf = append(pdf, ' ')
			c.Cadena = strings.Replace(c.Cadena, c.Cadena[len(c.Cadena)-66:len(c.Cadena)-2], strings.Repeat("0", 64), 1)
			return pdf
		}},
		{name: "the sello", cert: true, sello: true, change: func(c *remoteid.Case, pdf []byte) []byte {
			c.Sello = "A" + c.Sello[1:]
			return pdf
		}},
		{name: "another key", sello: true},
		{name: "no seal", cert: true, unsealed: true, change: func(c *remoteid.Case, pdf []byte) []byte {
			c.Cadena, c.Sello = "", ""
			return pdf
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cc := c
			cc.Events = slices.Clone(c.Events)
			pdf := slices.Clone(c.Certificate)
			if tc.change != nil {
				pdf = tc.change(&cc, pdf)
			}
			crt := cert
			if !tc.cert {
				crt = otherKey.Cert
			}
			checked, err := capture.VerifyRemoteCertificate(cc, pdf, crt)
			var me *sello.MismatchError
			var se *sello.SelloError
			switch {
			case tc.unsealed:
				if !errors.Is(err, capture.ErrRemoteUnsealed) {
					t.Fatalf("%v", err)
				}
				return
			case tc.field != "":
				if !errors.As(err, &me) || !slices.Contains(me.Fields(), tc.field) {
					t.Fatalf("%v, want %s named", err, tc.field)
				}
			case tc.sello:
				if !errors.As(err, &se) {
					t.Fatalf("%v, want a SelloError", err)
				}
			default:
				if err != nil {
					t.Fatal(err)
				}
			}
			if checked.CadenaSealed != tc.cadenaSealed {
				t.Errorf("CadenaSealed %t", checked.CadenaSealed)
			}
		})
	}
}

// ExampleVerifyRemoteCertificate checks a kept certificate against its case's seal,
// then a copy with one byte changed.
func ExampleVerifyRemoteCertificate() {
	c := finishedRemote()
	key, err := pki.NewCA("Banco Demo", 2048, time.Now())
	if err != nil {
		panic(err)
	}
	signer, err := sello.KeySigner(key.Key)
	if err != nil {
		panic(err)
	}
	sealed, err := capture.SealRemoteCertificate(context.Background(), signer, c)
	if err != nil {
		panic(err)
	}
	c.Cadena, c.Sello = sealed.Cadena, sealed.Sello
	_, err = capture.VerifyRemoteCertificate(c, c.Certificate, key.Cert)
	fmt.Println("kept:", err == nil)
	copied := slices.Clone(c.Certificate)
	copied[9] = 'X'
	_, err = capture.VerifyRemoteCertificate(c, copied, key.Cert)
	var me *sello.MismatchError
	if errors.As(err, &me) {
		fmt.Println("copy: differs in", me.Fields())
	}
	// Output:
	// kept: true
	// copy: differs in [SHA256Certificado]
}
