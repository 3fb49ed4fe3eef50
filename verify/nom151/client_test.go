package nom151_test

import (
	"bytes"
	"context"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"cotejo/verify/nom151"
	"cotejo/verify/nom151/standin"
)

// The test's clock: validaFecha and the constancies' times come from it, not the wall.
var testNow = time.Date(2026, 1, 31, 18, 25, 2, 0, time.UTC)

// Keys are costly under the race detector: one Sovos, one foreign PSC and one TLS
// identity per test binary.
var keys = sync.OnceValues(func() (*testKeys, error) {
	k := &testKeys{}
	var err error
	if k.sovos, err = standin.NewPSC(standin.SovosName, standin.SovosPolicy, 2048, testNow); err != nil {
		return nil, err
	}
	if k.foreign, err = standin.NewPSC("PSC Ajeno S.A.", "2.16.484.101.10.316.9", 2048, testNow); err != nil {
		return nil, err
	}
	k.tls, k.caPEM, err = standin.TLS(testNow)
	return k, err
})

type testKeys struct {
	sovos, foreign *standin.PSC
	tls            *tls.Config
	caPEM          []byte
}

// The stand-in's accounts. Each misbehaving account has its own user, so tests that
// spend wrong passwords do not lock each other out.
var accounts = []standin.Account{
	{Entidad: "BANCO01", Usuario: "cotejo", Clave: "Contraseña1"},
	{Entidad: "BANCO01", Usuario: "bloquear", Clave: "x"},
	{Entidad: "BANCO01", Usuario: "errar", Clave: "x"},
	{Entidad: "BANCO01", Usuario: "pendiente", Clave: "x", Estado: 4},
	{Entidad: "BANCO01", Usuario: "bloqueado", Clave: "x", Estado: 5},
	{Entidad: "BANCO01", Usuario: "expirada", Clave: "x", Estado: 7},
	{Entidad: "BANCO01", Usuario: "sinpermiso", Clave: "x", Estado: 15},
	{Entidad: "BANCO02", Usuario: "otro", Clave: "y"},
	{Entidad: "SINPERMISO", Usuario: "u", Clave: "x", Estado: 27},
}

var good = nom151.Credentials{Entidad: "BANCO01", Usuario: "cotejo", Clave: "Contraseña1"}

type stand struct {
	srv    *standin.Server
	url    string
	caFile string
	keys   *testKeys
	http   *http.Client
}

func startStandin(t *testing.T, seedSpellings bool) *stand {
	t.Helper()
	k, err := keys()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := standin.New(standin.Config{PSC: k.sovos, Accounts: accounts, Now: func() time.Time { return testNow }, SeedSpellings: seedSpellings})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv)
	ts.TLS = k.tls.Clone()
	ts.StartTLS()
	t.Cleanup(ts.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, k.caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(k.caPEM)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	t.Cleanup(hc.CloseIdleConnections)
	return &stand{srv: srv, url: ts.URL + standin.Path, caFile: caFile, keys: k, http: hc}
}

// client is what an operator's settings make: the URL, the credentials, the CA file.
func (s *stand) client(t *testing.T, c nom151.Credentials) *nom151.Client {
	t.Helper()
	cl, err := nom151.Settings{URL: s.url, Entidad: c.Entidad, Usuario: c.Usuario, Clave: c.Clave, CACert: s.caFile}.Client()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.HTTPClient.CloseIdleConnections)
	return cl
}

// postRaw sends a request body as written and reads the answer with ParseResponse, for
// inputs Cotejo's client cannot produce.
func (s *stand) postRaw(t *testing.T, op string, body []byte) (*nom151.Result, int, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", nom151.ContentType(op))
	resp, err := s.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r, err := nom151.ParseResponse(raw)
	return r, resp.StatusCode, err
}

func ctx2m(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

var (
	document  = []byte("%PDF-1.7 recibo de verificación 0001\n")
	digest256 = mustDigest(document, false)
	digest512 = mustDigest(document, true)
)

func mustDigest(b []byte, sha512 bool) []byte {
	d, err := nom151.Digest(bytes.NewReader(b), sha512)
	if err != nil {
		panic(err)
	}
	return d
}

// Every Estado of the table comes back from the stand-in as an EstadoError with that
// code: by the real cause where the digest gives the stand-in one, else forced by the
// document's name. The client's answer is checked, not the stand-in's body.
func TestEveryEstado(t *testing.T) {
	s := startStandin(t, false)
	folio, constancy, err := s.srv.Issue("BANCO01", digest256)
	if err != nil {
		t.Fatal(err)
	}
	otherFolio, _, err := s.srv.Issue("BANCO02", digest256)
	if err != nil {
		t.Fatal(err)
	}
	cred := func(e, u, c string) nom151.Credentials { return nom151.Credentials{Entidad: e, Usuario: u, Clave: c} }
	byFolio := func(name string, d []byte, f int64) nom151.Request {
		return nom151.Request{Name: name, Digest: d, Folio: f}
	}
	byFile := func(name string, d, c []byte) nom151.Request {
		return nom151.Request{Name: name, Digest: d, Constancy: append([]byte{}, c...)}
	}
	ok := byFolio("recibo.pdf", digest256, folio)
	// raw edits the request as marshalled, for what the client never sends.
	type tcase struct {
		name  string
		cred  nom151.Credentials
		req   nom151.Request
		raw   func([]byte) []byte
		times int // send this many times; the last answer counts
		want  nom151.Estado
	}
	replace := func(old, new string) func([]byte) []byte {
		return func(b []byte) []byte { return bytes.Replace(b, []byte(old), []byte(new), 1) }
	}
	long := strings.Repeat("x", 21)
	cases := []tcase{
		{name: "no entidad", cred: cred("", "cotejo", "Contraseña1"), req: ok, want: -100},
		{name: "no header", cred: good, req: ok, raw: func(b []byte) []byte {
			i, j := bytes.Index(b, []byte("<soap:Header>")), bytes.Index(b, []byte("</soap:Header>"))
			return append(b[:i:i], b[j+len("</soap:Header>"):]...)
		}, want: -100},
		{name: "no usuario", cred: cred("BANCO01", "", "x"), req: ok, want: -101},
		{name: "no clave", cred: cred("BANCO01", "cotejo", ""), req: ok, want: -102},
		{name: "no name", cred: good, req: byFolio("", digest256, folio), want: -103},
		{name: "no digest", cred: good, req: byFolio("a.pdf", nil, folio), want: -104},
		{name: "digest not base64", cred: good, req: ok, raw: replace(base64.StdEncoding.EncodeToString(digest256), "no*es*base64"), want: -105},
		{name: "folio zero", cred: good, req: byFolio("a.pdf", digest256, 0), want: -106},
		{name: "folio negative", cred: good, req: byFolio("a.pdf", digest256, -5), want: -106},
		{name: "constancy undecodable", cred: good, req: byFile("a.pdf", digest256, []byte("no soy una constancia")), want: -107},
		{name: "constancy not base64", cred: good, req: byFile("a.pdf", digest256, constancy), raw: replace("<tem:Constancia>", "<tem:Constancia>!!"), want: -107},
		{name: "constancy truncated", cred: good, req: byFile("a.pdf", digest256, constancy[:len(constancy)-1]), want: -107},
		{name: "digest 20 bytes", cred: good, req: byFolio("a.pdf", make([]byte, 20), folio), want: -108},
		{name: "no constancy", cred: good, req: byFile("a.pdf", digest256, nil), want: -112},
		{name: "unknown user", cred: cred("BANCO01", "nadie", "x"), req: ok, want: 1},
		{name: "wrong password", cred: cred("BANCO01", "errar", "mala"), req: ok, want: 2},
		{name: "locked after 3", cred: cred("BANCO01", "bloquear", "mala"), req: ok, times: 3, want: 3},
		{name: "pending activation", cred: cred("BANCO01", "pendiente", "x"), req: ok, want: 4},
		{name: "account blocked", cred: cred("BANCO01", "bloqueado", "x"), req: ok, want: 5},
		{name: "password expired", cred: cred("BANCO01", "expirada", "x"), req: ok, want: 7},
		{name: "no permission", cred: cred("BANCO01", "sinpermiso", "x"), req: ok, want: 15},
		{name: "entidad too long", cred: cred(long, "cotejo", "x"), req: ok, want: 22},
		{name: "clave too long", cred: cred("BANCO01", "cotejo", long), req: ok, want: 22},
		{name: "name too long", cred: good, req: byFolio(strings.Repeat("n", 201), digest256, folio), want: 22},
		{name: "unknown entidad", cred: cred("BANCO99", "cotejo", "x"), req: ok, want: 26},
		{name: "entidad without permission", cred: cred("SINPERMISO", "u", "x"), req: ok, want: 27},
		{name: "algorithm not the constancy's", cred: good, req: byFolio("a.pdf", digest512, folio), want: 29},
		{name: "folio not numeric", cred: good, req: ok, raw: replace("<tem:folio>", "<tem:folio>doce"), want: 31},
		{name: "unknown folio", cred: good, req: byFolio("a.pdf", digest256, 999), want: 32},
		{name: "another entity's folio", cred: good, req: byFolio("a.pdf", digest256, otherFolio), want: 32},
	}
	natural := map[nom151.Estado]bool{}
	for _, c := range cases {
		natural[c.want] = true
	}
	// The rest have no cause the stand-in can meet: the document's name forces them.
	for _, e := range nom151.All() {
		if e.Estado != 0 && !natural[e.Estado] {
			cases = append(cases,
				tcase{name: "forced by folio", cred: good, req: byFolio("ESTADO_"+strconv.Itoa(int(e.Estado))+".pdf", digest256, folio), want: e.Estado},
				tcase{name: "forced by file", cred: good, req: byFile("ESTADO_"+strconv.Itoa(int(e.Estado))+".pdf", digest256, constancy), want: e.Estado})
		}
	}
	covered := map[nom151.Estado]bool{}
	for _, c := range cases {
		t.Run(strconv.Itoa(int(c.want))+" "+c.name, func(t *testing.T) {
			var err error
			for range max(c.times, 1) {
				if c.raw != nil {
					var r *nom151.Result
					r, _, err = s.postRaw(t, c.req.Op(), c.raw(nom151.MarshalEnvelope(c.cred, c.req)))
					if err == nil {
						err = &nom151.EstadoError{Estado: r.Estado, Descripcion: r.Descripcion}
					}
				} else {
					_, err = s.client(t, c.cred).Validate(ctx2m(t), c.req)
				}
			}
			var ee *nom151.EstadoError
			if !errors.As(err, &ee) {
				t.Fatalf("err = %v, want Estado %d", err, c.want)
			}
			if ee.Estado != c.want {
				t.Fatalf("Estado %d (%s), want %d", ee.Estado, ee.Descripcion, c.want)
			}
			if ee.Descripcion == "" || ee.Message("es") == ee.Message("en") {
				t.Errorf("Descripcion %q, messages %q / %q", ee.Descripcion, ee.Message("es"), ee.Message("en"))
			}
			covered[c.want] = true
		})
	}
	for _, e := range nom151.All() {
		if e.Estado != 0 && !covered[e.Estado] {
			t.Errorf("Estado %d never came back", e.Estado)
		}
	}
}

// Both operations, both digests, both spellings of the answer: the file checks out, and
// every field says what the stand-in holds.
func TestValidatePasses(t *testing.T) {
	for _, seed := range []bool{false, true} {
		s := startStandin(t, seed)
		for _, d := range []struct {
			name   string
			digest []byte
			alg    string
		}{{"sha256", digest256, "SHA-256"}, {"sha512", digest512, "SHA-512"}} {
			folio, constancy, err := s.srv.Issue("BANCO01", d.digest)
			if err != nil {
				t.Fatal(err)
			}
			for _, op := range []string{nom151.OpFolio, nom151.OpConstancy} {
				name := d.name + "/" + op
				if seed {
					name += "/seed-spellings"
				}
				t.Run(name, func(t *testing.T) {
					cl := s.client(t, good)
					var r *nom151.Result
					if op == nom151.OpFolio {
						r, err = cl.ValidateFolio(ctx2m(t), "Recibo 0001.pdf", d.digest, folio)
					} else {
						r, err = cl.ValidateConstancy(ctx2m(t), "Recibo 0001.pdf", d.digest, constancy)
					}
					if err != nil {
						t.Fatal(err)
					}
					if !r.Passed() {
						t.Fatalf("did not pass: %+v", r)
					}
					serie := strconv.FormatInt(folio, 10)
					wantQR := "||" + serie + "|Recibo 0001.pdf|" + standin.SovosName + "|2026/01/31 12:25:02|true|true|true||"
					for _, c := range []struct {
						what      string
						got, want any
					}{
						{"Descripcion", r.Descripcion, "Satisfactorio"},
						{"ValidaFecha", r.ValidaFecha.UTC(), testNow},
						{"ConstanciaFecha", r.ConstanciaFecha, testNow},
						{"DocumentoNombre", r.DocumentoNombre, "Recibo 0001.pdf"},
						{"DocumentoHuellaDigital", string(r.DocumentoHuellaDigital), string(d.digest)},
						{"ConstanciaHuella", string(r.ConstanciaHuella), string(d.digest)},
						{"ConstanciaSerie", r.ConstanciaSerie, serie},
						{"ConstanciaAlgoritmo", r.ConstanciaAlgoritmo, d.alg},
						{"PSCNombre", r.PSCNombre, standin.SovosName},
						{"PSCPolitica", r.PSCPolitica, standin.SovosPolicy},
						{"QR", r.QR, wantQR},
						{"PDF", string(r.PDF[:5]), "%PDF-"},
						{"PDF end", strings.HasSuffix(string(r.PDF), "%%EOF\n"), true},
						{"PDF names the file", bytes.Contains(r.PDF, []byte("Recibo 0001.pdf")), true},
						{"Sello", len(r.ConstanciaSello), 256},
					} {
						if c.got != c.want {
							t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
						}
					}
				})
			}
		}
	}
}

// A changed file, a tampered constancy and another provider's constancy are answered
// Estado 0 with the failing check false, by folio and by file; none passes.
func TestValidateFails(t *testing.T) {
	s := startStandin(t, false)
	_, constancy, err := s.srv.Issue("BANCO01", digest256)
	if err != nil {
		t.Fatal(err)
	}
	tampered := append([]byte{}, constancy...)
	tampered[len(tampered)-1] ^= 1 // the seal's last byte
	tamperedCon, err := standin.DecodeConstancy(tampered)
	if err != nil {
		t.Fatal(err)
	}
	tamperedFolio := tamperedCon.Folio + 1000
	// A tampered file under its own folio: re-issue with Sovos' key, then break the seal.
	reissued, err := s.keys.sovos.Issue(tamperedFolio, "BANCO01", digest256, testNow)
	if err != nil {
		t.Fatal(err)
	}
	reissued[len(reissued)-1] ^= 1
	if err := s.srv.Add("BANCO01", reissued); err != nil {
		t.Fatal(err)
	}
	foreign, err := s.keys.foreign.Issue(77, "BANCO01", digest256, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.srv.Add("BANCO01", foreign); err != nil {
		t.Fatal(err)
	}
	changed := sha512.Sum512_256(document) // 32 bytes, not the document's SHA-256
	cases := []struct {
		name                 string
		req                  nom151.Request
		relacion, sello, psc bool
	}{
		{"changed file by folio", nom151.Request{Name: "a.pdf", Digest: changed[:], Folio: tamperedCon.Folio}, false, true, true},
		{"changed file by file", nom151.Request{Name: "a.pdf", Digest: changed[:], Constancy: constancy}, false, true, true},
		{"tampered by folio", nom151.Request{Name: "a.pdf", Digest: digest256, Folio: tamperedFolio}, true, false, true},
		{"tampered by file", nom151.Request{Name: "a.pdf", Digest: digest256, Constancy: tampered}, true, false, true},
		{"foreign by folio", nom151.Request{Name: "a.pdf", Digest: digest256, Folio: 77}, true, true, false},
		{"foreign by file", nom151.Request{Name: "a.pdf", Digest: digest256, Constancy: foreign}, true, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := s.client(t, good).Validate(ctx2m(t), c.req)
			if err != nil {
				t.Fatal(err)
			}
			if r.Estado != 0 || r.ValidaRelacion != c.relacion || r.ValidaSello != c.sello || r.ValidaPSC != c.psc {
				t.Errorf("Estado %d relacion %v sello %v psc %v, want 0 %v %v %v", r.Estado, r.ValidaRelacion, r.ValidaSello, r.ValidaPSC, c.relacion, c.sello, c.psc)
			}
			if r.Passed() {
				t.Error("passed")
			}
			if !strings.HasSuffix(r.QR, "|"+strconv.FormatBool(c.relacion)+"|"+strconv.FormatBool(c.sello)+"|"+strconv.FormatBool(c.psc)+"||") {
				t.Errorf("QR %s", r.QR)
			}
		})
	}
}

// A malformed envelope is a SOAP fault with HTTP 500, which the client returns as a
// FaultError; so is a fault the stand-in is told to make.
func TestSOAPFault(t *testing.T) {
	s := startStandin(t, false)
	for name, body := range map[string]string{
		"not xml":           "<soap:Envelope",
		"soap 1.1 envelope": `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body/></s:Envelope>`,
		"unknown operation": `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:tem="http://tempuri.org/"><soap:Body><tem:borrar/></soap:Body></soap:Envelope>`,
		"foreign namespace": `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><validaNOM151 xmlns="urn:otro"/></soap:Body></soap:Envelope>`,
	} {
		t.Run(name, func(t *testing.T) {
			_, status, err := s.postRaw(t, nom151.OpFolio, []byte(body))
			var fe *nom151.FaultError
			if !errors.As(err, &fe) || fe.Code != "soap:Sender" || fe.Reason == "" {
				t.Fatalf("err = %v, want a Sender fault", err)
			}
			if status != http.StatusInternalServerError {
				t.Errorf("HTTP %d, want 500", status)
			}
		})
	}
	folio, _, err := s.srv.Issue("BANCO01", digest256)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.client(t, good).ValidateFolio(ctx2m(t), "FAULT.pdf", digest256, folio)
	var fe *nom151.FaultError
	if !errors.As(err, &fe) || fe.Code != "soap:Receiver" {
		t.Fatalf("err = %v, want a Receiver fault", err)
	}
}

// An answer past the client's bound is refused without being read whole, at the
// default bound (16 MiB) and at a small one.
func TestOversizeAnswer(t *testing.T) {
	s := startStandin(t, false)
	folio, _, err := s.srv.Issue("BANCO01", digest256)
	if err != nil {
		t.Fatal(err)
	}
	cl := s.client(t, good)
	if _, err := cl.ValidateFolio(ctx2m(t), "HUGE.pdf", digest256, folio); !errors.Is(err, nom151.ErrTooLarge) {
		t.Errorf("HUGE: err = %v, want ErrTooLarge", err)
	}
	cl.MaxResponse = 1024 // a normal answer carries a PDF of a few KiB
	if _, err := cl.ValidateFolio(ctx2m(t), "a.pdf", digest256, folio); !errors.Is(err, nom151.ErrTooLarge) {
		t.Errorf("1 KiB bound: err = %v, want ErrTooLarge", err)
	}
}

// A service that does not answer is given up when the caller's context ends.
func TestSlowAnswer(t *testing.T) {
	s := startStandin(t, false)
	folio, _, err := s.srv.Issue("BANCO01", digest256)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	_, err = s.client(t, good).ValidateFolio(ctx, "SLOW.pdf", digest256, folio)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want the deadline", err)
	}
}

// Wrong media type and the transport's statuses are told apart from the service's.
func TestHTTPErrors(t *testing.T) {
	s := startStandin(t, false)
	cl := s.client(t, good)
	cl.URL = strings.TrimSuffix(s.url, "webservice.asmx") + "otro.asmx"
	_, err := cl.ValidateFolio(ctx2m(t), "a.pdf", digest256, 1)
	var he *nom151.HTTPError
	if !errors.As(err, &he) || he.Status != http.StatusNotFound {
		t.Errorf("err = %v, want HTTP 404", err)
	}
	req, _ := http.NewRequestWithContext(ctx2m(t), http.MethodPost, s.url, strings.NewReader("<x/>"))
	req.Header.Set("Content-Type", "text/xml; charset=utf-8")
	resp, err := s.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text/xml: HTTP %d, want 415", resp.StatusCode)
	}
}

// The WSDL names both operations and the address it was asked at.
func TestWSDL(t *testing.T) {
	s := startStandin(t, false)
	resp, err := s.http.Get(s.url + "?WSDL")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var doc struct {
		XMLName xml.Name
	}
	if err := xml.Unmarshal(b, &doc); err != nil || doc.XMLName.Local != "definitions" {
		t.Fatalf("WSDL: %v %v", doc.XMLName, err)
	}
	for _, want := range []string{`soapAction="http://tempuri.org/validaFolioNOM151"`, `soapAction="http://tempuri.org/validaNOM151"`, `name="Constancia"`, `location="` + s.url + `"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("WSDL lacks %s", want)
		}
	}
}
