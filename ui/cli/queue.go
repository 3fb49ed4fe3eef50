package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"cotejo/capture"
)

func runQueue(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("say list, show ID, retry ID, cancel ID, drain or purge")
	}
	sub, args := args[0], args[1:]
	fs, cfgPath := newFlags("queue "+sub, stderr)
	asJSON := fs.Bool("json", false, "JSON output (list)")
	operator := fs.String("operator", os.Getenv("USER"), "operator id recorded in the audit trail")
	compact := fs.Bool("compact", false, "after purging, rewrite the file so freed pages keep nothing (purge)")
	lang := fs.String("lang", "es", "es or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// The id may stand before the flags: parse what follows it too.
	id := fs.Arg(0)
	if fs.NArg() > 0 {
		if err := fs.Parse(fs.Args()[1:]); err != nil {
			return err
		}
	}
	switch sub {
	case "show", "retry", "cancel":
		if id == "" {
			return fmt.Errorf("queue %s needs an entry id", sub)
		}
	case "list", "drain", "purge":
	default:
		return fmt.Errorf("no queue command %q", sub)
	}
	// Only sending and showing an answer need INE's keys; the bookkeeping does not. Listing
	// and showing write nothing, so they open read-only and work on a full disk.
	app, err := capture.Open(ctx, *cfgPath, capture.Options{StoreOnly: sub != "show" && sub != "drain",
		ReadOnly: sub == "list" || sub == "show", Log: stderr})
	if err != nil {
		return err
	}
	defer app.Close()
	switch sub {
	case "list":
		entries, err := app.DB.List()
		if err != nil {
			return err
		}
		return printQueue(stdout, entries, *asJSON)
	case "show":
		e, err := app.DB.Get(id)
		if err != nil {
			return err
		}
		out, _ := json.MarshalIndent(e, "", "  ")
		fmt.Fprintf(stdout, "%s\n", out)
		if c, err := app.DB.CitizenOf(e.Indice); err == nil {
			fmt.Fprintf(stdout, "Ciudadano: %s  CURP %s  CIC %s\n", c.Nombre, c.CURP, c.CIC)
		}
		if e.Answers > 0 && !e.Purged {
			return printAnswer(app, e, false, *lang, stdout)
		}
		return nil
	case "retry", "cancel":
		op := app.Retry
		if sub == "cancel" {
			op = app.DB.Cancel
		}
		e, err := op(id, *operator)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Entrada %s: %s\n", e.ID, e.State)
		return nil
	case "drain":
		n, err := app.Drain(ctx, func(e capture.Entry) { fmt.Fprintf(stdout, "entrada %s: %s\n", e.ID, e.State) })
		fmt.Fprintf(stdout, "%d envíos\n", n)
		return err
	}
	rep, err := app.Purge(ctx, *operator)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d consultas depuradas, %d comprobantes borrados\n", rep.Purged, rep.Receipts)
	if *compact {
		if err := app.Compact(); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "Archivo compactado")
	}
	return nil
}

// printQueue lists the entries, as a table or as JSON for programs.
func printQueue(w io.Writer, entries []capture.Entry, asJSON bool) error {
	if asJSON {
		if entries == nil {
			entries = []capture.Entry{}
		}
		return json.NewEncoder(w).Encode(entries)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCONSULTA\tESTADO\tINTENTOS\tSIGUIENTE\tMOTIVO")
	for _, e := range entries {
		next := "—"
		if e.State == "pending" {
			next = e.NextAttempt.Local().Format("2006-01-02 15:04:05")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", e.ID, e.Indice, e.State, e.Attempts, next, e.Reason+e.LastError)
	}
	return tw.Flush()
}

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "verify" {
		return errors.New("say 'cotejo audit verify'")
	}
	fs, cfgPath := newFlags("audit verify", stderr)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	app, err := capture.Open(ctx, *cfgPath, capture.Options{StoreOnly: true, ReadOnly: true, Log: stderr})
	if err != nil {
		return err
	}
	defer app.Close()
	rep, err := app.DB.Audit().Verify(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Bitácora íntegra: %d registros; el último (%d) es de %s\n", rep.Entries, rep.Last.Seq, rep.Last.Time.Local().Format("2006-01-02 15:04:05"))
	return nil
}

// runKey is `cotejo key rotate`: a new data key, every sealed value re-sealed under it.
func runKey(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "rotate" {
		return errors.New("say 'cotejo key rotate'")
	}
	fs, cfgPath := newFlags("key rotate", stderr)
	operator := fs.String("operator", os.Getenv("USER"), "operator id recorded in the audit trail")
	lang := fs.String("lang", "es", "es or en")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, err := capture.LoadConfig(*cfgPath)
	if err != nil {
		return err
	}
	rep, err := capture.RotateKey(ctx, cfg, *operator)
	if err != nil {
		return err
	}
	if *lang == "en" {
		fmt.Fprintf(stdout, "New data key in place: %d values re-sealed. The old key is %s: keep it offline for old backups, or destroy it.\n", rep.Resealed, rep.Retired)
	} else {
		fmt.Fprintf(stdout, "Llave de datos nueva en uso: %d valores sellados de nuevo. La llave anterior quedó en %s: guárdela fuera del equipo para respaldos antiguos, o destrúyala.\n", rep.Resealed, rep.Retired)
	}
	return nil
}
