package sandbox_test

import (
	"context"
	"testing"

	"cotejo/scanner/biometrics/enrolled"
	"cotejo/verify"
	"cotejo/verify/sandbox/sandboxtest"
)

// FuzzHandle feeds arbitrary bodies to the sandbox's request handling: it must always
// answer with a response the client can open (signed), never panic.
func FuzzHandle(f *testing.F) {
	dir, err := sandboxtest.PKI()
	if err != nil {
		f.Fatal(err)
	}
	fc, err := sandboxtest.Load(dir)
	if err != nil {
		f.Fatal(err)
	}
	srv, _, err := fc.Sandbox.Open(dir, nil, &enrolled.Matcher{})
	if err != nil {
		f.Fatal(err)
	}
	fc.Service.URL = "https://127.0.0.1:1" + verify.ServicePath
	conn, err := fc.Service.Open(dir)
	if err != nil {
		f.Fatal(err)
	}
	p := loadPadron(f)
	for _, c := range p.Ciudadanos[:3] {
		sealed, err := conn.Sealer.Seal(context.Background(), verify.Verification{
			Credential: c.Credential(), Location: branch(), Consent: true,
			Fingers: &verify.Fingers{Tipo: verify.TipoWSQ, Right: []byte{0xff, 0xa0}},
		})
		if err != nil {
			f.Fatal(err)
		}
		f.Add(sealed.Body)
	}
	f.Add([]byte(`{"data":{"datosCifrados":"AAAA","minucias":{"tipo":3,"ancho":-1,"alto":0}},"signature":{},"timeStamp":{"indice":"1"}}`))
	f.Add([]byte(`{"data":null,"timeStamp":[]}`))
	f.Add([]byte{0xff, 0xfe})
	f.Fuzz(func(t *testing.T, body []byte) {
		out, _ := srv.Handle(context.Background(), body)
		if _, err := verify.OpenResponse(out, conn.Client.INECert, ""); err != nil {
			t.Fatalf("sandbox answer does not open: %v\n%s", err, out)
		}
	})
}
