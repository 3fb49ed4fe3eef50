package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"cotejo/capture"
	"cotejo/verify"
)

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("verify", stderr)
	citizen := fs.String("citizen", "", "citizen file (JSON: credential fields, fingerprints, location, consent)")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	dump := fs.String("dump-request", "", "write the exact request body sent to this file")
	lang := fs.String("lang", "", "es or en (default: the configuration's, else es)")
	queueOnly := fs.Bool("queue", false, "queue the request without trying to send it now")
	operator := fs.String("operator", os.Getenv("USER"), "operator id recorded with the request")
	fingers := fs.String("fingers", "", "scanner: take both index fingers from the configured reader straight into the sealed request (no files)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *citizen == "" {
		return errors.New("--citizen is required")
	}
	app, err := capture.Open(ctx, *cfgPath, capture.Options{Log: stderr})
	if err != nil {
		return err
	}
	defer app.Close()
	if *lang == "" {
		*lang = app.Config.Lang
	}
	v, err := capture.LoadCitizenFile(*citizen, app.Config.Branch)
	if err != nil {
		return err
	}
	switch *fingers {
	case "":
	case "scanner":
		if v.Fingers != nil {
			return errors.New("--fingers scanner: the citizen file names fingerprint files too; use one or the other")
		}
		// Straight from the reader to the sealed outbox: the prints never touch the disk.
		if v.Fingers, err = captureFingers(ctx, app.Scanner, *lang, stdout); err != nil {
			return err
		}
	default:
		return fmt.Errorf("--fingers %q: say scanner", *fingers)
	}
	return verifyCitizen(ctx, app, v, verifyOptions{dump: *dump, queueOnly: *queueOnly, operator: *operator, asJSON: *asJSON, lang: *lang}, stdout)
}

type verifyOptions struct {
	dump, operator, lang string
	queueOnly, asJSON    bool
}

// verifyCitizen takes the citizen through the window's session (the same checks, the
// consent recorded) and the kiosk's submission: the request is durable in the outbox
// before anything is sent, and sent at once unless asked only to queue it. Exit status
// 3 means queued, not answered.
func verifyCitizen(ctx context.Context, app *capture.App, v verify.Verification, o verifyOptions, stdout io.Writer) error {
	s, err := capture.SessionFor(v, o.operator, time.Now)
	if err != nil {
		var se *capture.StageError
		if errors.As(err, &se) {
			return errors.New(se.Message(o.lang))
		}
		return err
	}
	if o.dump != "" {
		app.Sealer = dumpingSealer{app.Sealer, o.dump}
	}
	submit := app.Submit
	if o.queueOnly {
		submit = app.Enqueue
	}
	entry, err := submit(ctx, s)
	if err != nil {
		var ce *verify.ClockError
		if errors.As(err, &ce) {
			return errors.New(capture.ClockMessage(ce, o.lang))
		}
		return err
	}
	if o.queueOnly {
		fmt.Fprintf(stdout, "En cola: entrada %s (consulta %s)\n", entry.ID, entry.Indice)
		return nil
	}
	if entry.Answers == 0 {
		fmt.Fprintf(stdout, "El INE no respondió (%s). La consulta quedó en cola: entrada %s (consulta %s); se enviará cuando haya conexión.\n", entry.LastError+entry.Reason, entry.ID, entry.Indice)
		return &exitError{code: 3, err: fmt.Errorf("queued as entry %s", entry.ID)}
	}
	return printAnswer(app, entry, o.asJSON, o.lang, stdout)
}

// dumpingSealer writes each sealed request's body to a file, as sent.
type dumpingSealer struct {
	capture.Sealer
	path string
}

func (d dumpingSealer) Seal(ctx context.Context, v verify.Verification) (*verify.Sealed, error) {
	sealed, err := d.Sealer.Seal(ctx, v)
	if err != nil {
		return nil, err
	}
	return sealed, os.WriteFile(d.path, sealed.Body, 0o600)
}

// printAnswer shows INE's stored answer for an entry, its signature checked again.
func printAnswer(app *capture.App, e capture.Entry, asJSON bool, lang string, stdout io.Writer) error {
	res, err := app.Answer(e)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res.View(lang, app.Threshold))
	}
	return res.WriteText(stdout, lang, app.Threshold)
}

// runDemo is the whole round trip with no set-up: a development PKI in a folder, the
// sandbox on a free loopback port, and one verification of a citizen of its register.
func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("demo", stderr)
	dir := fs.String("dir", "demo", "folder for the demo's PKI")
	citizen := fs.String("citizen", "assets/demo-citizen.json", "citizen file to verify")
	lang := fs.String("lang", "es", "es or en")
	noFingers := fs.Bool("no-fingers", false, "verify the credential data only, without the configured scanner")
	if err := fs.Parse(args); err != nil {
		return err
	}
	app, err := capture.Open(ctx, "", capture.Options{DemoDir: *dir, Log: stderr, Progress: say(stdout, *lang)})
	if err != nil {
		return err
	}
	defer app.Close()
	v, err := capture.LoadCitizenFile(*citizen, app.Config.Branch)
	if err != nil {
		return err
	}
	if v.Fingers == nil && app.Scanner.Kind != "" && !*noFingers {
		if v.Fingers, err = captureFingers(ctx, app.Scanner, *lang, stdout); err != nil {
			return err
		}
	}
	vctx, vcancel := context.WithTimeout(ctx, 30*time.Second)
	defer vcancel()
	fmt.Fprintf(stdout, "Consultando al INE de prueba en %s ...\n\n", strings.TrimSuffix(strings.TrimPrefix(app.Client.URL, "https://"), verify.ServicePath))
	return verifyCitizen(vctx, app, v, verifyOptions{operator: "demo", lang: *lang}, stdout)
}

// say prints the application layer's progress in lang.
func say(w io.Writer, lang string) func(es, en string) {
	return func(es, en string) {
		if lang == "en" {
			es = en
		}
		fmt.Fprintln(w, es)
	}
}
