package nom151_test

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"cotejo/verify/nom151"
)

// The seed's response sample, read field by field: the sample's spellings
// (contanciaFecha, pscNombre), Central time and GeneralizedTime with milliseconds.
func TestParseSeedSample(t *testing.T) {
	raw, err := os.ReadFile("testdata/seed_response.xml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := nom151.ParseResponse(raw)
	if err != nil {
		t.Fatal(err)
	}
	digest, _ := hex.DecodeString("5629c443e0089783373086ac6159568cf419f469e7956d1bf35204aa002ca21c")
	checks := []struct {
		name      string
		got, want any
	}{
		{"Estado", r.Estado, nom151.Estado(0)},
		{"Descripcion", r.Descripcion, "Satisfactorio"},
		{"ValidaFecha", r.ValidaFecha.UTC(), time.Date(2022, 1, 31, 18, 27, 39, 0, time.UTC)},
		{"ConstanciaFecha", r.ConstanciaFecha, time.Date(2022, 1, 31, 18, 25, 2, 115e6, time.UTC)},
		{"Passed", r.Passed(), true},
		{"DocumentoNombre", r.DocumentoNombre, "Especificaciones.pdf"},
		{"DocumentoHuellaDigital", hex.EncodeToString(r.DocumentoHuellaDigital), hex.EncodeToString(digest)},
		{"ConstanciaHuella", hex.EncodeToString(r.ConstanciaHuella), hex.EncodeToString(digest)},
		{"ConstanciaSerie", r.ConstanciaSerie, "10526380"},
		{"ConstanciaAlgoritmo", r.ConstanciaAlgoritmo, "SHA-256"},
		{"PSCPolitica", r.PSCPolitica, "1.16.484.101.10.316.1.2"},
		{"PSCNombre", r.PSCNombre, "PSC Advantage Security (Pruebas)"},
		{"QR", r.QR, "||10526380|Especificaciones.pdf|PSC Advantage Security (Pruebas)|2022/01/31 12:27:39|true|true|true||"},
		{"PDF prefix", string(r.PDF[:8]), "%PDF-1.4"},
		{"Sello length", len(r.ConstanciaSello) > 0, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestParseConstanciaFecha(t *testing.T) {
	want := time.Date(2022, 1, 31, 18, 25, 2, 115e6, time.UTC)
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"20220131182502.115Z", want, true},
		{"2022013118:25:02.115Z", want, true},
		{"20220131182502.115000Z", want, true},
		{"20220131182502.1150000000001Z", want, true},
		{"20220131182502Z", want.Truncate(time.Second), true},
		{"20220131182502.1Z", want.Truncate(time.Second).Add(100 * time.Millisecond), true},
		{"", time.Time{}, true},
		{"20220131182502.115", time.Time{}, false},
		{"20220131182502.Z", time.Time{}, false},
		{"2022013118250.115Z", time.Time{}, false},
		{"20221331182502Z", time.Time{}, false},
		{"2022-1-31182502Z", time.Time{}, false},
		{"20220131182502.1a5Z", time.Time{}, false},
	} {
		got, err := nom151.ParseConstanciaFecha(tc.in)
		if (err == nil) != tc.ok || !got.Equal(tc.want) {
			t.Errorf("%q: %v, %v; want %v ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
	if s := nom151.FormatConstanciaFecha(want.In(nom151.MexicoCentral())); s != "20220131182502.115Z" {
		t.Errorf("FormatConstanciaFecha = %q", s)
	}
}

func TestParseFaults(t *testing.T) {
	for _, tc := range []struct {
		name, body          string
		code, subcode, text string
	}{
		{"soap12", `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value><soap:Subcode><soap:Value>x:Bad</soap:Value></soap:Subcode></soap:Code><soap:Reason><soap:Text xml:lang="en">Server was unable to read request.</soap:Text></soap:Reason></soap:Fault></soap:Body></soap:Envelope>`,
			"soap:Sender", "x:Bad", "Server was unable to read request."},
		{"soap11", `<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>bad</faultstring></s:Fault></s:Body></s:Envelope>`,
			"s:Client", "", "bad"},
		{"empty", `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><soap:Fault/></soap:Body></soap:Envelope>`,
			"?", "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := nom151.ParseResponse([]byte(tc.body))
			var fe *nom151.FaultError
			if !errors.As(err, &fe) {
				t.Fatalf("err = %v, want a FaultError", err)
			}
			if fe.Code != tc.code || fe.Subcode != tc.subcode || fe.Reason != tc.text {
				t.Errorf("fault %+v", fe)
			}
			if fe.Message("es") == fe.Message("en") || !strings.Contains(fe.Message("es"), "SOAP") {
				t.Errorf("messages %q / %q", fe.Message("es"), fe.Message("en"))
			}
		})
	}
}

// Unreadable answers are ParseErrors, never a result.
func TestParseRejects(t *testing.T) {
	env := func(inner string) string {
		return `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><xResponse xmlns="http://tempuri.org/"><xResult>` + inner + `</xResult></xResponse></soap:Body></soap:Envelope>`
	}
	for name, body := range map[string]string{
		"not xml":        "HTTP/1.1 502",
		"html":           "<html><body>502</body></html>",
		"no body":        `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"/>`,
		"empty body":     `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body/></soap:Envelope>`,
		"no estado":      env(`<Descripcion>x</Descripcion>`),
		"estado text":    env(`<Estado>cero</Estado>`),
		"twice":          env(`<Estado>0</Estado><Estado>2</Estado>`),
		"bool":           env(`<Estado>0</Estado><validaSello>yes</validaSello>`),
		"base64":         env(`<Estado>0</Estado><reportePDF>%%%</reportePDF>`),
		"not pdf":        env(`<Estado>0</Estado><reportePDF>` + base64.StdEncoding.EncodeToString([]byte("<html>")) + `</reportePDF>`),
		"fecha":          env(`<Estado>0</Estado><validaFecha>31/01/2022</validaFecha>`),
		"wrong envelope": `<Envelope xmlns="urn:x"><Body/></Envelope>`,
	} {
		if r, err := nom151.ParseResponse([]byte(body)); err == nil {
			t.Errorf("%s: parsed %+v", name, r)
		} else if pe := new(nom151.ParseError); !errors.As(err, &pe) {
			t.Errorf("%s: %T %v, want a ParseError", name, err, err)
		}
	}
}

// The table's spelling, any case of constanciaHuellaDigital, any element order and
// wrapped Base64 are all read.
func TestParseTolerates(t *testing.T) {
	d := bytes.Repeat([]byte{7}, 64)
	wrapped := base64.StdEncoding.EncodeToString(d)
	wrapped = wrapped[:40] + "\n   " + wrapped[40:]
	body := `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope"><soap:Body><validaNOM151Response xmlns="http://tempuri.org/"><validaNOM151Result>
<pscNombrePSC>PSC X</pscNombrePSC><constanciaHueLlaDigital>` + wrapped + `</constanciaHueLlaDigital>
<constanciaFecha>2022013118:25:02.115Z</constanciaFecha><Estado>0</Estado><constanciaAlgoritmo>SHA-512</constanciaAlgoritmo>
</validaNOM151Result></validaNOM151Response></soap:Body></soap:Envelope>`
	r, err := nom151.ParseResponse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	if r.PSCNombre != "PSC X" || !bytes.Equal(r.ConstanciaHuella, d) || r.ConstanciaAlgoritmo != "SHA-512" || r.ConstanciaFecha.IsZero() {
		t.Errorf("%+v", r)
	}
	if r.Passed() {
		t.Error("a result without its three checks passed")
	}
}

// The request carries the header, both operations' bodies and escapes what it must.
func TestMarshalEnvelope(t *testing.T) {
	c := nom151.Credentials{Entidad: "Entidad", Usuario: "nombre_usuario", Clave: "Contraseña<&>"}
	digest, _ := base64.StdEncoding.DecodeString("VinEQ+AIl4M3MIasYVlWjPQZ9GnnlW0b81IEqgAsohw=")
	folio := string(nom151.MarshalEnvelope(c, nom151.Request{Name: "Especificaciones.pdf", Digest: digest, Folio: 10526380}))
	for _, want := range []string{
		`<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:tem="http://tempuri.org/">`,
		`<tem:AuthSoapHd><tem:Entidad>Entidad</tem:Entidad><tem:Usuario>nombre_usuario</tem:Usuario><tem:Clave>Contraseña&lt;&amp;&gt;</tem:Clave></tem:AuthSoapHd>`,
		`<tem:validaFolioNOM151><tem:nombreArchivoOriginal>Especificaciones.pdf</tem:nombreArchivoOriginal><tem:huellaDigitalArchivo>VinEQ+AIl4M3MIasYVlWjPQZ9GnnlW0b81IEqgAsohw=</tem:huellaDigitalArchivo><tem:folio>10526380</tem:folio></tem:validaFolioNOM151>`,
	} {
		if !strings.Contains(folio, want) {
			t.Errorf("validaFolioNOM151 request lacks %s:\n%s", want, folio)
		}
	}
	cons := string(nom151.MarshalEnvelope(c, nom151.Request{Name: "a.pdf", Digest: digest, Constancy: []byte{1, 2, 3}}))
	if !strings.Contains(cons, `<tem:validaNOM151><tem:nombreArchivoOriginal>a.pdf</tem:nombreArchivoOriginal><tem:huellaDigitalArchivo>VinEQ+AIl4M3MIasYVlWjPQZ9GnnlW0b81IEqgAsohw=</tem:huellaDigitalArchivo><tem:Constancia>AQID</tem:Constancia></tem:validaNOM151>`) {
		t.Errorf("validaNOM151 request:\n%s", cons)
	}
	if got := nom151.ContentType(nom151.OpConstancy); got != `application/soap+xml; charset=utf-8; action="http://tempuri.org/validaNOM151"` {
		t.Errorf("ContentType = %s", got)
	}
}

func TestDigest(t *testing.T) {
	for _, tc := range []struct {
		sha512 bool
		want   string
	}{
		{false, "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="},
		{true, "3a81oZNherrMQXNJriBBMRLm+k6JqX6iCp7u5ktV05ohkpkqJ0/BqDa6PCOj/uu9RU1EI2Q86A4qmslPpUyknw=="},
	} {
		d, err := nom151.Digest(strings.NewReader("abc"), tc.sha512)
		if err != nil || base64.StdEncoding.EncodeToString(d) != tc.want {
			t.Errorf("sha512=%v: %x %v", tc.sha512, d, err)
		}
	}
}

func TestEvidencePath(t *testing.T) {
	for _, tc := range []struct{ file, dir, folio, want string }{
		{"/d/recibo.pdf", "", "10526380", "/d/recibo.pdf.nom151-10526380.pdf"},
		{"/d/recibo.pdf", "/out", "7", "/out/recibo.pdf.nom151-7.pdf"},
		{"recibo.pdf", "", "../../etc/passwd", "recibo.pdf.nom151-sin-folio.pdf"},
		{"recibo.pdf", "", "", "recibo.pdf.nom151-sin-folio.pdf"},
	} {
		if got := nom151.EvidencePath(tc.file, tc.dir, tc.folio); got != tc.want {
			t.Errorf("%+v: %s", tc, got)
		}
	}
}
