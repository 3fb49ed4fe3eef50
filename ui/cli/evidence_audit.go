package cli

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"cotejo/capture"
	"cotejo/verify/sello"
)

// evidenceAudit is `cotejo evidence verify --audit`: each audit record's cadena
// recomputed and its sello checked, and the chain, reporting the first record that
// does not check out by sequence number and field.
func evidenceAudit(ctx context.Context, cfgPath string, cert *x509.Certificate, asJSON bool, stdout io.Writer) error {
	app, err := capture.Open(ctx, cfgPath, capture.Options{StoreOnly: true, ReadOnly: true})
	if err != nil {
		return err
	}
	defer app.Close()
	check, verr := capture.VerifyAudit(ctx, app.DB.Audit(), cert)
	if check == nil {
		return verr
	}
	var me *sello.MismatchError
	if check.Problem != nil {
		errors.As(check.Problem.Err, &me)
	}
	if asJSON {
		type problem struct {
			Seq          uint64             `json:"seq"`
			CadenaSealed bool               `json:"cadena_sealed"`
			Differences  []sello.Difference `json:"differences,omitempty"`
			Error        string             `json:"error"`
		}
		out := struct {
			OK       bool     `json:"ok"`
			Entries  int      `json:"entries"`
			Sealed   int      `json:"sealed"`
			Unsealed []uint64 `json:"unsealed,omitempty"`
			Chain    string   `json:"chain_error,omitempty"`
			Problem  *problem `json:"problem,omitempty"`
		}{OK: verr == nil, Entries: check.Entries, Sealed: check.Sealed, Unsealed: check.Unsealed}
		if check.Chain != nil {
			out.Chain = check.Chain.Error()
		}
		if p := check.Problem; p != nil {
			out.Problem = &problem{Seq: p.Seq, CadenaSealed: p.CadenaSealed, Error: p.Err.Error()}
			if me != nil {
				out.Problem.Differences = me.Differences
			}
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
	fmt.Fprintf(stdout, "Bitácora: %d registros, %d sellados (audit trail: %d records, %d sealed)\n", check.Entries, check.Sealed, check.Entries, check.Sealed)
	if n := len(check.Unsealed); n > 0 {
		fmt.Fprintf(stdout, "Sin sello (unsealed): %d registros, del %d al %d\n", n, check.Unsealed[0], check.Unsealed[n-1])
	}
	if p := check.Problem; p != nil {
		fmt.Fprintf(stdout, "Registro %d: el sello no corresponde (record %d: the seal does not check out)\n", p.Seq, p.Seq)
		if me != nil {
			for _, d := range me.Differences {
				fmt.Fprintf(stdout, "Registro %d, distinto (differs): %s: registro %q, cadena %q\n", p.Seq, orQuestion(d.Field), d.Want, d.Got)
			}
			if p.CadenaSealed {
				fmt.Fprintln(stdout, "El sello sí corresponde a la cadena: se alteró el registro. (The seal matches the cadena: the record was altered.)")
			} else {
				fmt.Fprintln(stdout, "El sello no corresponde a la cadena: se alteró la cadena o el sello. (The seal does not match the cadena: the cadena or the seal was altered.)")
			}
		} else {
			var msg interface{ Message(string) string }
			if errors.As(p.Err, &msg) {
				fmt.Fprintf(stdout, "Registro %d: %s (%s)\n", p.Seq, msg.Message("es"), msg.Message("en"))
			} else {
				fmt.Fprintf(stdout, "Registro %d: %v\n", p.Seq, p.Err)
			}
		}
	}
	if check.Chain != nil {
		fmt.Fprintf(stdout, "Cadena de la bitácora (chain): %v\n", check.Chain)
	}
	if verr == nil {
		fmt.Fprintln(stdout, "Bitácora íntegra y sellos válidos. (Trail intact, seals valid.)")
		return nil
	}
	return verr
}
