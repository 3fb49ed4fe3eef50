package standin

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"cotejo/verify/nom151"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// 1024-bit keys: these tests check the format, not the strength, and a fuzzing worker
// makes its own.
func testServer(tb testing.TB) *Server {
	tb.Helper()
	psc, err := NewPSC(SovosName, SovosPolicy, 1024, now)
	if err != nil {
		tb.Fatal(err)
	}
	srv, err := New(Config{PSC: psc, Now: func() time.Time { return now },
		Accounts: []Account{{Entidad: "E", Usuario: "u", Clave: "c"}}})
	if err != nil {
		tb.Fatal(err)
	}
	return srv
}

func TestConstancyRoundTrip(t *testing.T) {
	srv := testServer(t)
	digest := bytes.Repeat([]byte{9}, 64)
	folio, file, err := srv.Issue("E", digest)
	if err != nil {
		t.Fatal(err)
	}
	c, err := DecodeConstancy(file)
	if err != nil {
		t.Fatal(err)
	}
	if c.Folio != folio || c.Algorithm != "SHA-512" || !bytes.Equal(c.Digest, digest) || !c.Issued.Equal(now) ||
		c.Entidad != "E" || c.PSC != SovosName || c.Policy != SovosPolicy || !c.SealValid() {
		t.Errorf("%+v", c)
	}
	if !c.IssuedBy(srv.cfg.PSC) {
		t.Error("not issued by the stand-in's PSC")
	}
	// Any changed byte spoils the DER, breaks the seal or the certificate's chain.
	for i := range file {
		bad := bytes.Clone(file)
		bad[i] ^= 0x40
		if c, err := DecodeConstancy(bad); err == nil && c.SealValid() && c.IssuedBy(srv.cfg.PSC) {
			t.Errorf("byte %d changed, the constancy still checks out", i)
		}
	}
	if _, err := DecodeConstancy(append(bytes.Clone(file), 0)); err == nil {
		t.Error("trailing data accepted")
	}
	if _, _, err := srv.Issue("E", make([]byte, 20)); err == nil {
		t.Error("a 20-byte digest was sealed")
	}
}

// Wrong passwords lock the account at the third in a row; a right one in between
// starts the count again; a locked account stays locked even with the right password.
func TestAttempts(t *testing.T) {
	srv := testServer(t)
	seq := []struct {
		clave string
		want  nom151.Estado
	}{{"x", 2}, {"x", 2}, {"c", 0}, {"x", 2}, {"x", 2}, {"x", 3}, {"c", 3}}
	for i, s := range seq {
		if got := srv.authenticate("E", "u", s.clave); got != s.want {
			t.Errorf("attempt %d (%s): %d, want %d", i, s.clave, got, s.want)
		}
	}
}

// The evidence sheet is a PDF whose cross-reference table points at its objects.
func TestEvidencePDF(t *testing.T) {
	pdf := evidencePDF(now, []string{"Constancia (prueba) \\ año", "ü€"})
	if !bytes.HasPrefix(pdf, []byte("%PDF-1.4\n")) || !bytes.HasSuffix(pdf, []byte("%%EOF\n")) {
		t.Fatalf("%q", pdf)
	}
	m := regexp.MustCompile(`startxref\n(\d+)\n`).FindSubmatch(pdf)
	if m == nil {
		t.Fatal("no startxref")
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if !bytes.HasPrefix(pdf[xref:], []byte("xref\n0 7\n")) {
		t.Fatalf("startxref %d points at %q", xref, pdf[xref:min(xref+10, len(pdf))])
	}
	offsets := regexp.MustCompile(`(\d{10}) 00000 n `).FindAllSubmatch(pdf[xref:], -1)
	if len(offsets) != 6 {
		t.Fatalf("%d objects in the xref", len(offsets))
	}
	for i, o := range offsets {
		off, _ := strconv.Atoi(string(o[1]))
		if want := fmt.Sprintf("%d 0 obj\n", i+1); !bytes.HasPrefix(pdf[off:], []byte(want)) {
			t.Errorf("object %d at %d: %q", i+1, off, pdf[off:off+10])
		}
	}
	if !bytes.Contains(pdf, []byte(`(Constancia \(prueba\) \\ a\361o) '`)) || !bytes.Contains(pdf, []byte(`(\374?) '`)) {
		t.Errorf("text not escaped for WinAnsi:\n%s", pdf)
	}
	ix := regexp.MustCompile(`/Length (\d+) >>\nstream\n`).FindSubmatchIndex(pdf)
	n, _ := strconv.Atoi(string(pdf[ix[2]:ix[3]]))
	if !bytes.HasPrefix(pdf[ix[1]+n:], []byte("endstream")) {
		t.Error("the content stream's /Length is wrong")
	}
}

// FuzzHandle feeds arbitrary request bodies to the stand-in: it never panics, and every
// answer is one the client reads, a result or a SOAP fault, as its Fault flag says.
func FuzzHandle(f *testing.F) {
	srv := testServer(f)
	digest := bytes.Repeat([]byte{1}, 32)
	folio, file, err := srv.Issue("E", digest)
	if err != nil {
		f.Fatal(err)
	}
	cred := nom151.Credentials{Entidad: "E", Usuario: "u", Clave: "c"}
	for _, r := range []nom151.Request{
		{Name: "a.pdf", Digest: digest, Folio: folio},
		{Name: "a.pdf", Digest: digest, Constancy: file},
		{Name: "ESTADO_-111.pdf", Digest: digest, Folio: folio},
		{Name: "FAULT", Digest: digest, Folio: folio},
		{Name: "", Digest: nil, Folio: -1},
	} {
		f.Add(nom151.MarshalEnvelope(cred, r))
	}
	f.Add([]byte(`<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><validaNOM151 xmlns="http://tempuri.org/"><Constancia>AAAA</Constancia></validaNOM151></soap:Body></soap:Envelope>`))
	f.Add([]byte{0xff, 0xfe, '<'})
	f.Fuzz(func(t *testing.T, body []byte) {
		if bytes.Contains(body, []byte("SLOW")) || bytes.Contains(body, []byte("HUGE")) {
			return // misbehaviour on request, tested elsewhere
		}
		a := srv.Handle(context.Background(), body)
		r, err := nom151.ParseResponse(a.Body)
		var fe *nom151.FaultError
		switch {
		case a.Fault:
			if !errors.As(err, &fe) {
				t.Fatalf("fault answer reads as %v", err)
			}
		case err != nil:
			t.Fatalf("answer unreadable: %v\n%s", err, a.Body)
		case r.Estado != a.Estado:
			t.Fatalf("Estado %d, handled as %d", r.Estado, a.Estado)
		}
	})
}
