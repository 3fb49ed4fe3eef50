package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"cotejo/verify/pki"
	"cotejo/verify/sello"
	"cotejo/verify/sello/tbc"
)

// SAT's cadena original and sello: the TBCConsulCodigo document.

func runSello(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "tbc" {
		return errors.New("say 'cotejo sello tbc --rfc RFC --codigo CODE --key key.pem [--cert cert.pem] [--out file.xml]'")
	}
	fs, _ := newFlags("sello tbc", stderr)
	rfc := fs.String("rfc", "", "RFCContribuyente")
	codigo := fs.String("codigo", "", "Codigo: 12 capital letters or digits")
	keyPath := fs.String("key", "", "the signer's RSA private key (PEM, mode 0600)")
	certPath := fs.String("cert", "", "the key's certificate (PEM): the Firma is checked against it")
	out := fs.String("out", "", "write the XML here (default: standard output)")
	asJSON := fs.Bool("json", false, "print the cadena original, the Firma and the file as JSON")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *keyPath == "" {
		return errors.New("--key is required")
	}
	key, err := pki.LoadPrivateKey(*keyPath)
	if err != nil {
		return err
	}
	signer, err := sello.KeySigner(key)
	if err != nil {
		return err
	}
	d, cadena, err := tbc.Sign(ctx, signer, tbc.Consulta{RFC: *rfc, Codigo: *codigo})
	if err != nil {
		var fe *tbc.FieldError
		if errors.As(err, &fe) {
			return errors.New(fe.Message("es") + " (" + fe.Message("en") + ")")
		}
		return err
	}
	if *certPath != "" {
		cert, err := pki.LoadCertificate(*certPath)
		if err != nil {
			return err
		}
		if err := d.Verify(cert.PublicKey); err != nil {
			return fmt.Errorf("la Firma no se verifica con %s: ¿la llave no es la del certificado? (the Firma does not verify with %s: is the key not the certificate's?): %w", *certPath, *certPath, err)
		}
	}
	var doc bytes.Buffer
	d.WriteTo(&doc)
	if *out != "" {
		if err := os.WriteFile(*out, doc.Bytes(), 0o644); err != nil {
			return err
		}
	}
	switch {
	case *asJSON:
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]string{"cadena": cadena, "firma": d.Firma, "out": *out})
	case *out == "":
		_, err := stdout.Write(doc.Bytes())
		return err
	}
	fmt.Fprintf(stdout, "Cadena original: %s\nTBCConsulCodigo firmado en %s\n", cadena, *out)
	return nil
}
