package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // photos from phones and webcams
	_ "image/png"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"

	"cotejo/capture"
	"cotejo/ocr"
	"cotejo/ocr/cardgen"
	"cotejo/verify/credential"
	"cotejo/verify/sandbox"
)

func runCardgen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("cardgen", stderr)
	out := fs.String("out", "", "folder to write NAME-front.png, NAME-back.png and NAME.json into (required)")
	count := fs.Int("count", 12, "how many cards")
	level := fs.Int("level", 0, "distortion: 0 flat scan, 1 careful photo, 2 hurried photo, 3 bad photo")
	seed := fs.Uint64("seed", 1, "seed; the same seed makes the same cards")
	models := fs.String("models", "CDEFGH", `models to cycle through for each citizen, or "own" for each citizen's own model`)
	padron := fs.Bool("padron", true, "start with the sandbox register's citizens")
	family := fs.String("family", "", `layout family: "" (the tables'), reprint, inline, grid, stacked, modern, "mixed" (each in turn), heldout or unseen`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		return errors.New("usage: cotejo cardgen --out DIR [--count N] [--level 0-3] [--seed S] [--models CDEFGH|own] [--family NAME]")
	}
	set := cardgen.Set{Count: *count, Level: *level, Seed: *seed, Family: *family}
	if *models != "own" {
		for _, r := range *models {
			m, err := credential.ParseModel(string(r))
			if err != nil {
				return err
			}
			set.Models = append(set.Models, m)
		}
	}
	if *padron {
		p, err := sandbox.DefaultPadron()
		if err != nil {
			return err
		}
		for _, c := range p.Ciudadanos {
			s, err := c.Synthetic()
			if err != nil {
				return err
			}
			set.Citizens = append(set.Citizens, s)
		}
	}
	fonts, err := cardgen.LoadFonts()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	n := 0
	var werr error
	err = fonts.Generate(ctx, set, func(c cardgen.Card) bool {
		if werr = c.Write(*out); werr != nil {
			return false
		}
		n++
		fmt.Fprintf(stderr, "\r%d/%d", n, *count)
		return true
	})
	fmt.Fprintln(stderr)
	if err := errors.Join(err, werr); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d cards in %s\n", n, *out)
	return nil
}

func runOCR(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("ocr", stderr)
	asJSON := fs.Bool("json", false, "print JSON: the plaintext's field names, modelo, and per-field confidence and source")
	lang := fs.String("lang", "es", "language of the messages: es or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() < 1 || fs.NArg() > 2 {
		return errors.New("usage: cotejo ocr [--json] FRONT [BACK]")
	}
	// With --json the answer is always JSON, a failure included, for the programs that
	// read it.
	fail := func(err error) error {
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetEscapeHTML(false)
			if jerr := enc.Encode(map[string]any{"error": err.Error()}); jerr != nil {
				return jerr
			}
		}
		return err
	}
	var imgs []image.Image
	for _, path := range fs.Args() {
		img, err := decodeImage(path)
		if err != nil {
			return fail(err)
		}
		imgs = append(imgs, img)
	}
	r, err := ocr.NewReader(runtime.NumCPU())
	if err != nil {
		return fail(err)
	}
	defer r.Close()
	res, err := r.Read(ctx, imgs, func(p ocr.Progress) {
		if p.Step == ocr.StepFields && !*asJSON {
			fmt.Fprintf(stderr, "\r%s %d/%d", map[bool]string{true: "reading", false: "leyendo"}[*lang == "en"], p.Done, p.Total)
		}
	})
	if !*asJSON {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		return fail(err)
	}
	if *asJSON {
		return printOCRJSON(stdout, res, *lang)
	}
	return printOCRText(stdout, res, *lang)
}

func decodeImage(path string) (image.Image, error) {
	data, err := capture.ReadFileLimited(path, capture.MaxPhotoBytes)
	if err != nil {
		return nil, err
	}
	img, err := ocr.DecodePhoto(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}

func printOCRJSON(w io.Writer, res *ocr.Result, lang string) error {
	out := map[string]any{"modelo": res.Model, "modeloSure": res.ModelSure}
	conf, src, found, notes := map[string]float64{}, map[string]string{}, map[string]string{}, map[string]string{}
	for _, k := range credential.FieldNames() {
		f, ok := res.Fields[k]
		if !ok {
			continue
		}
		out[k] = f.Value
		conf[k] = float64(int(f.Confidence*1000)) / 1000
		src[k] = f.Source
		if f.Found != "" {
			found[k] = f.Found
		}
		if f.Note != "" {
			notes[k] = f.Note
		}
	}
	out["confidence"], out["source"], out["found"], out["note"] = conf, src, found, notes
	review := res.ToReview()
	if review == nil {
		review = []string{}
	}
	out["review"] = review
	problems := []map[string]any{}
	for _, p := range res.Problems {
		problems = append(problems, map[string]any{"image": p.Image + 1, "reason": p.Reason.String(), "message": p.Message(lang)})
	}
	out["problems"] = problems
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

func printOCRText(w io.Writer, res *ocr.Result, lang string) error {
	en := lang == "en"
	label := map[bool][4]string{false: {"Modelo", "confianza", "origen", "Revise"}, true: {"Model", "confidence", "source", "Check"}}[en]
	for _, p := range res.Problems {
		fmt.Fprintf(w, "⚠ %s\n", p.Message(lang))
	}
	sure := ""
	if !res.ModelSure {
		sure = "  ⚠"
	}
	fmt.Fprintf(w, "%s: %s%s\n", label[0], res.Model, sure)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, k := range credential.FieldNames() {
		f, ok := res.Fields[k]
		if !ok {
			continue
		}
		mark := ""
		if f.Confidence < ocr.Review {
			mark = "  ⚠"
		}
		where := f.Source
		if f.Found != "" {
			where += " (" + ocr.FoundWord(f.Found, lang) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%.0f %%\t%s%s\n", credential.Label(k, lang), f.Value, f.Confidence*100, where, mark)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if r := res.ToReview(); len(r) > 0 {
		var names []string
		for _, k := range r {
			names = append(names, credential.Label(k, lang))
		}
		fmt.Fprintf(w, "%s: %s\n", label[3], strings.Join(names, ", "))
	}
	return nil
}
