package nom151_test

import (
	"context"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"cotejo/verify/nom151"
)

// An independent check of the client: the request is written by hand from the seed's
// sample (not by MarshalEnvelope), sent with curl over the same TLS, and its answer
// must decode to what Cotejo's client got for the same question.
func TestCurlAgreesWithClient(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed (Debian package curl); the independent check needs it")
	}
	s := startStandin(t, false)
	folio, constancy, err := s.srv.Issue("BANCO01", digest512)
	if err != nil {
		t.Fatal(err)
	}
	// The seed's request, element for element, with this test's values.
	const tmpl = `<soap:Envelope xmlns:soap="http://www.w3.org/2003/05/soap-envelope" xmlns:tem="http://tempuri.org/">
   <soap:Header>
      <tem:AuthSoapHd>
         <tem:Entidad>ENTIDAD</tem:Entidad>
         <tem:Usuario>USUARIO</tem:Usuario>
         <tem:Clave>CLAVE</tem:Clave>
      </tem:AuthSoapHd>
   </soap:Header>
   <soap:Body>
      <tem:OP>
         <tem:nombreArchivoOriginal>NOMBRE</tem:nombreArchivoOriginal>
         <tem:huellaDigitalArchivo>HUELLA</tem:huellaDigitalArchivo>
         PARAM
      </tem:OP>
   </soap:Body>
</soap:Envelope>`
	b64 := base64.StdEncoding.EncodeToString
	cases := []struct {
		name  string
		cred  nom151.Credentials
		op    string
		param string // the third body element, as written by hand
		req   nom151.Request
	}{
		{"folio", good, "validaFolioNOM151", "<tem:folio>" + strconv.FormatInt(folio, 10) + "</tem:folio>",
			nom151.Request{Name: "Especificaciones.pdf", Digest: digest512, Folio: folio}},
		{"constancy", good, "validaNOM151", "<tem:Constancia>" + b64(constancy) + "</tem:Constancia>",
			nom151.Request{Name: "Especificaciones.pdf", Digest: digest512, Constancy: constancy}},
		{"unknown user", nom151.Credentials{Entidad: "BANCO01", Usuario: "nadie", Clave: "Contraseña"}, "validaFolioNOM151", "<tem:folio>" + strconv.FormatInt(folio, 10) + "</tem:folio>",
			nom151.Request{Name: "Especificaciones.pdf", Digest: digest512, Folio: folio}},
		{"wrong folio", good, "validaFolioNOM151", "<tem:folio>999</tem:folio>",
			nom151.Request{Name: "Especificaciones.pdf", Digest: digest512, Folio: 999}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body := strings.NewReplacer("ENTIDAD", c.cred.Entidad, "USUARIO", c.cred.Usuario, "CLAVE", c.cred.Clave,
				"OP", c.op, "NOMBRE", "Especificaciones.pdf", "HUELLA", b64(digest512), "PARAM", c.param).Replace(tmpl)
			dir := t.TempDir()
			reqFile, outFile := filepath.Join(dir, "req.xml"), filepath.Join(dir, "resp.xml")
			if err := os.WriteFile(reqFile, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, curl, "-sS", "--max-time", "120", "--cacert", s.caFile,
				"-H", `Content-Type: application/soap+xml; charset=utf-8; action="http://tempuri.org/`+c.op+`"`,
				"--data-binary", "@"+reqFile, "-o", outFile, "-w", "%{http_code}", s.url)
			status, err := cmd.Output()
			if err != nil {
				t.Fatalf("curl: %v", err)
			}
			if string(status) != "200" {
				t.Fatalf("curl: HTTP %s", status)
			}
			raw, err := os.ReadFile(outFile)
			if err != nil {
				t.Fatal(err)
			}
			byCurl, err := nom151.ParseResponse(raw)
			if err != nil {
				t.Fatal(err)
			}
			byClient, err := s.client(t, c.cred).Validate(ctx2m(t), c.req)
			var ee *nom151.EstadoError
			switch {
			case errors.As(err, &ee):
				if byCurl.Estado != ee.Estado || byCurl.Descripcion != ee.Descripcion || byCurl.Estado == 0 {
					t.Errorf("curl: Estado %d %q; client: Estado %d %q", byCurl.Estado, byCurl.Descripcion, ee.Estado, ee.Descripcion)
				}
			case err != nil:
				t.Fatal(err)
			default:
				if !byCurl.Passed() || !reflect.DeepEqual(byCurl, byClient) {
					t.Errorf("curl and client disagree:\ncurl   %+v\nclient %+v", byCurl, byClient)
				}
			}
		})
	}
}
