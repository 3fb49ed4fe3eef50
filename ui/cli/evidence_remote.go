package cli

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"

	"cotejo/capture"
)

// maxCertificatePDF bounds the copy of a certificate read for checking.
const maxCertificatePDF = 32 << 20

// evidenceRemote is `cotejo evidence verify --remote ID [FILE.pdf]`: the seal of a
// remote verification's certificate, checked against the certificate kept with the
// case, or against a copy of it.
func evidenceRemote(ctx context.Context, cfgPath, id, pdfPath string, cert *x509.Certificate, asJSON bool, stdout io.Writer) error {
	app, err := capture.Open(ctx, cfgPath, capture.Options{StoreOnly: true, ReadOnly: true})
	if err != nil {
		return err
	}
	defer app.Close()
	c, err := (&capture.RemoteStore{DB: app.DB}).Get(ctx, id)
	if err != nil {
		return err
	}
	pdf := c.Certificate
	if pdfPath != "" {
		f, err := os.Open(pdfPath)
		if err != nil {
			return err
		}
		defer f.Close()
		if pdf, err = io.ReadAll(io.LimitReader(f, maxCertificatePDF+1)); err != nil {
			return err
		}
		if len(pdf) > maxCertificatePDF {
			return fmt.Errorf("%s: more than %d MiB: not a certificate", pdfPath, maxCertificatePDF>>20)
		}
	}
	if len(pdf) == 0 {
		return fmt.Errorf("la solicitud %s no tiene certificado (request %s has no certificate)", id, id)
	}
	checked, verr := capture.VerifyRemoteCertificate(c, pdf, cert)
	if errors.Is(verr, capture.ErrRemoteUnsealed) {
		return verr
	}
	if !asJSON {
		fmt.Fprintf(stdout, "Solicitud (request) %s · SHA-256 del PDF (of the PDF): %s\n", id, checked.Digest)
	}
	return reportSeal(stdout, checked.Seal.Cadena, checked.Seal.Sello, checked.CadenaSealed, verr, asJSON)
}
