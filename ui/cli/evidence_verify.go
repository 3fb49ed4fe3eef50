package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"cotejo/capture"
	"cotejo/verify/pki"
	"cotejo/verify/sello"
)

// Sealed evidence: a receipt's cadena original and sello, checked.

// runEvidenceVerify recomputes a receipt's cadena original and checks its sello.
func runEvidenceVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("evidence verify", stderr)
	certPath := fs.String("cert", "", "the sealing certificate (default: [service] signing_cert of the configuration)")
	asJSON := fs.Bool("json", false, "JSON output")
	auditTrail := fs.Bool("audit", false, "check the audit trail's records (the configuration's data file) instead of a receipt")
	remoteID := fs.String("remote", "", "check the seal of this remote verification's certificate (the configuration's data file): the one kept, or the copy FILE.pdf")
	if err := fs.Parse(args); err != nil {
		return err
	}
	switch {
	case *remoteID != "":
		if *auditTrail || fs.NArg() > 1 {
			return errors.New("--remote ID takes at most one PDF, the certificate's copy, and no --audit")
		}
	case *auditTrail != (fs.NArg() == 0) || fs.NArg() > 1:
		return errors.New("name one receipt PDF, or say --audit or --remote ID")
	}
	if *certPath == "" {
		cfg, err := capture.LoadConfig(*cfgPath)
		if err != nil {
			return fmt.Errorf("no --cert, and %w", err)
		}
		if cfg.Service.SigningCert == "" {
			return errors.New("no --cert, and the configuration names no signing_cert")
		}
		*certPath = cfg.Service.SigningCert
		if !filepath.IsAbs(*certPath) {
			*certPath = filepath.Join(cfg.Dir(), *certPath)
		}
	}
	cert, err := pki.LoadCertificate(*certPath)
	if err != nil {
		return err
	}
	if *auditTrail {
		return evidenceAudit(ctx, *cfgPath, cert, *asJSON, stdout)
	}
	if *remoteID != "" {
		return evidenceRemote(ctx, *cfgPath, *remoteID, fs.Arg(0), cert, *asJSON, stdout)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	checked, verr := capture.VerifyReceipt(f, cert)
	if checked == nil {
		return verr
	}
	return reportSeal(stdout, checked.Seal.Cadena, checked.Seal.Sello, checked.CadenaSealed, verr, *asJSON)
}

// reportSeal says what a seal's check found: the cadena and sello, then that the seal
// is valid, or which fields differ and whether the sello still matches the stored
// cadena (the evidence was altered) or not (the cadena or the sello was).
func reportSeal(stdout io.Writer, cadena, selloB64 string, cadenaSealed bool, verr error, asJSON bool) error {
	var me *sello.MismatchError
	errors.As(verr, &me)
	if asJSON {
		out := struct {
			OK           bool               `json:"ok"`
			CadenaSealed bool               `json:"cadena_sealed"`
			Cadena       string             `json:"cadena"`
			Sello        string             `json:"sello"`
			Differences  []sello.Difference `json:"differences,omitempty"`
			Error        string             `json:"error,omitempty"`
		}{OK: verr == nil, CadenaSealed: cadenaSealed, Cadena: cadena, Sello: selloB64}
		if me != nil {
			out.Differences = me.Differences
		}
		if verr != nil {
			out.Error = verr.Error()
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
		if verr != nil {
			return &exitError{code: 1, err: verr}
		}
		return nil
	}
	fmt.Fprintf(stdout, "Cadena original: %s\nSello: %s\n", cadena, selloB64)
	if verr == nil {
		fmt.Fprintln(stdout, "Sello válido: la cadena corresponde a la evidencia y la firmó el certificado. (Valid seal.)")
		return nil
	}
	if me != nil {
		for _, d := range me.Differences {
			fmt.Fprintf(stdout, "Distinto (differs): %s: evidencia %q, cadena %q\n", orQuestion(d.Field), d.Want, d.Got)
		}
		if cadenaSealed {
			fmt.Fprintln(stdout, "El sello sí corresponde a la cadena: se alteró la evidencia. (The seal matches the cadena: the evidence was altered.)")
		} else {
			fmt.Fprintln(stdout, "El sello no corresponde a la cadena: se alteró la cadena o el sello. (The seal does not match the cadena: the cadena or the seal was altered.)")
		}
	}
	var msg interface{ Message(string) string }
	if errors.As(verr, &msg) {
		return fmt.Errorf("%s (%s)", msg.Message("es"), msg.Message("en"))
	}
	return verr
}

func orQuestion(s string) string {
	if s == "" {
		return "?"
	}
	return s
}
