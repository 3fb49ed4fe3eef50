package cli

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"cotejo/capture"
)

// runEvidenceAttach records the NOM-151 constancy the institution's preservation
// provider returned for an entry's receipt: its folio or its file, with the digest of
// the receipt as preserved (read from the receipt file), so the history can validate it.
func runEvidenceAttach(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("evidence attach", stderr)
	entry := fs.String("entry", "", "the entry's id or indice")
	folio := fs.Int64("folio", 0, "the constancy's folio (validated with validaFolioNOM151)")
	constancia := fs.String("constancia", "", "the constancy file as the PSC issued it (validated with validaNOM151)")
	receiptFile := fs.String("receipt", "", "the receipt file the constancy preserves (default: the receipts folder's comprobante-INDICE.pdf)")
	sha512 := fs.Bool("sha512", false, "the constancy was requested with SHA-512 (default SHA-256)")
	operator := fs.String("operator", os.Getenv("USER"), "operator id recorded in the audit trail")
	asJSON := fs.Bool("json", false, "print the entry as JSON")
	lang := fs.String("lang", "es", "es or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *entry == "" || fs.NArg() != 0 || (*folio == 0) == (*constancia == "") {
		return errors.New("say --entry ID and --folio N or --constancia FILE")
	}
	c := capture.Constancy{Folio: *folio}
	if *constancia != "" {
		f, err := os.Open(*constancia)
		if err != nil {
			return err
		}
		// Bounded: a constancy is a few kilobytes, and it is kept in the data file.
		c.File, err = io.ReadAll(io.LimitReader(f, capture.MaxConstancyFile+1))
		f.Close()
		if err != nil {
			return err
		}
	}
	app, err := capture.Open(ctx, *cfgPath, capture.Options{StoreOnly: true, Log: stderr})
	if err != nil {
		return err
	}
	defer app.Close()
	e, err := app.DB.Get(*entry)
	if err != nil {
		return err
	}
	path := *receiptFile
	if path == "" {
		path = filepath.Join(app.Config.ReceiptDir(), capture.ReceiptName(e.Indice))
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("the receipt the constancy preserves: %w", err)
	}
	c.Digest, err = capture.ReceiptDigest(f, *sha512)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	c.Name = filepath.Base(path)
	if e, err = app.AttachConstancy(ctx, e.ID, *operator, c); err != nil {
		return errors.New(capture.ProblemMessage(err, *lang))
	}
	if *asJSON {
		v := struct {
			capture.Entry
			Digest string `json:"digest"`
		}{e, base64.StdEncoding.EncodeToString(c.Digest)}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	what := fmt.Sprintf("folio %d", c.Folio)
	if c.Folio == 0 {
		what = pick(*lang, "archivo ", "file ") + *constancia
	}
	fmt.Fprintf(stdout, pick(*lang, "Constancia NOM-151 (%s) registrada para la entrada %s, comprobante %s\n",
		"NOM-151 constancy (%s) recorded for entry %s, receipt %s\n"), what, e.ID, c.Name)
	return nil
}

func pick(lang, es, en string) string {
	if lang == "en" {
		return en
	}
	return es
}
