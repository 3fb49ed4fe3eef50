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
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *auditTrail != (fs.NArg() == 0) || fs.NArg() > 1 {
		return errors.New("name one receipt PDF, or say --audit")
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
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	checked, verr := capture.VerifyReceipt(f, cert)
	if checked == nil {
		return verr
	}
	var me *sello.MismatchError
	errors.As(verr, &me)
	if *asJSON {
		out := struct {
			OK           bool               `json:"ok"`
			CadenaSealed bool               `json:"cadena_sealed"`
			Cadena       string             `json:"cadena"`
			Sello        string             `json:"sello"`
			Differences  []sello.Difference `json:"differences,omitempty"`
			Error        string             `json:"error,omitempty"`
		}{OK: verr == nil, CadenaSealed: checked.CadenaSealed, Cadena: checked.Seal.Cadena, Sello: checked.Seal.Sello}
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
	fmt.Fprintf(stdout, "Cadena original: %s\nSello: %s\n", checked.Seal.Cadena, checked.Seal.Sello)
	if verr == nil {
		fmt.Fprintln(stdout, "Sello válido: la cadena corresponde a la evidencia y la firmó el certificado. (Valid seal.)")
		return nil
	}
	if me != nil {
		for _, d := range me.Differences {
			fmt.Fprintf(stdout, "Distinto (differs): %s: evidencia %q, cadena %q\n", orQuestion(d.Field), d.Want, d.Got)
		}
		if checked.CadenaSealed {
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
