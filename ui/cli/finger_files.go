package cli

import (
	"bytes"
	"cotejo/capture"
	"cotejo/scanner/biometrics/fingerimage"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"cotejo/scanner"
	"cotejo/scanner/biometrics/quality"
	"cotejo/scanner/biometrics/template"
	"cotejo/scanner/biometrics/wsq"
)

// The fingerprint file commands: templates made, described, and images compressed.

func runFingerExtract(args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("finger extract", stderr)
	finger := fs.Int("finger", template.RightIndex, "finger position: 2 right index, 7 left index")
	format := fs.String("format", "ansi", "template standard: ansi (INCITS 378-2004, INE's tipo 1) or iso (19794-2:2005)")
	ppi := fs.Int("ppi", 500, "the image's resolution in pixels per inch")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return errors.New("usage: cotejo finger extract [--finger 2|7] [--format ansi|iso] IN.png OUT.ansi")
	}
	f := map[string]template.Format{"ansi": template.ANSI, "iso": template.ISO}[*format]
	if f == 0 {
		return fmt.Errorf("--format %q: use ansi or iso", *format)
	}
	g, err := loadGrey(fs.Arg(0))
	if err != nil {
		return err
	}
	rep, r := quality.Assess(g)
	if r == nil {
		return fmt.Errorf("%s: %s", fs.Arg(0), rep.Problem.Message("es"))
	}
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	b, err := template.New(f, *finger, w, h, *ppi, rep.Score, r.Minutiae).Encode()
	if err != nil {
		return err
	}
	if err := os.WriteFile(fs.Arg(1), b, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d minutiae, quality %d/100, %d bytes → %s\n", len(r.Minutiae), rep.Score, len(b), fs.Arg(1))
	return nil
}

func runFingerInfo(args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("finger info", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: cotejo finger info [--json] FILE (WSQ image or ANSI/ISO template)")
	}
	data, err := capture.ReadFileLimited(fs.Arg(0), capture.MaxFingerImageBytes)
	if err != nil {
		return err
	}
	if wsq.Sniff(data) {
		info, err := wsq.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("%s: %w", fs.Arg(0), err)
		}
		return printWSQInfo(stdout, info, len(data), *asJSON)
	}
	if !template.Sniff(data) {
		return fmt.Errorf("%s: not a WSQ image nor an ANSI 378 / ISO 19794-2 template", fs.Arg(0))
	}
	rec, err := template.Decode(data)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	return printTemplateInfo(stdout, rec, len(data), *asJSON)
}

func printTemplateInfo(w io.Writer, rec *template.Record, size int, asJSON bool) error {
	type viewJSON struct {
		Finger       int `json:"finger"`
		View         int `json:"view"`
		Impression   int `json:"impression"`
		Quality      int `json:"quality"`
		Minutiae     int `json:"minutiae"`
		Endings      int `json:"endings"`
		Bifurcations int `json:"bifurcations"`
		Extended     int `json:"extendedAreas"`
	}
	views := make([]viewJSON, 0, len(rec.Views))
	for _, v := range rec.Views {
		vj := viewJSON{Finger: v.Finger, View: v.Number, Impression: v.Impression, Quality: v.Quality, Minutiae: len(v.Minutiae), Extended: len(v.Extended)}
		for _, m := range v.Minutiae {
			switch m.Kind {
			case template.Ending:
				vj.Endings++
			case template.Bifurcation:
				vj.Bifurcations++
			}
		}
		views = append(views, vj)
	}
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"kind": "template", "format": rec.Format.String(), "bytes": size,
			"width": rec.Width, "height": rec.Height, "xResolution": rec.XRes, "yResolution": rec.YRes,
			"ppi": int(math.Round(float64(rec.XRes) * 2.54)), "views": views})
	}
	fmt.Fprintf(w, "%s template, %d bytes\nimage %d × %d pixels, %d × %d pixels/cm (%d ppi)\n", rec.Format, size,
		rec.Width, rec.Height, rec.XRes, rec.YRes, int(math.Round(float64(rec.XRes)*2.54)))
	for _, v := range views {
		fmt.Fprintf(w, "finger %d (%s) view %d: quality %d, %d minutiae (%d endings, %d bifurcations), %d extended areas\n",
			v.Finger, scanner.FingerName(v.Finger, "en"), v.View, v.Quality, v.Minutiae, v.Endings, v.Bifurcations, v.Extended)
	}
	return nil
}

func printWSQInfo(w io.Writer, info wsq.Info, size int, asJSON bool) error {
	bpp := float64(size*8) / float64(info.Width*info.Height)
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"kind": "wsq", "bytes": size, "width": info.Width, "height": info.Height,
			"ppi": info.PPI, "targetBitRate": info.BitRate, "bitRate": round3(bpp), "ratio": round3(8 / bpp), "comments": info.Comments})
	}
	ppi := "unknown"
	if info.PPI > 0 {
		ppi = strconv.Itoa(info.PPI)
	}
	fmt.Fprintf(w, "WSQ image, %d bytes\n%d × %d pixels, %s ppi\n%.3f bits per pixel (%.1f:1)", size, info.Width, info.Height, ppi, bpp, 8/bpp)
	if info.BitRate > 0 {
		fmt.Fprintf(w, ", encoded for %.2f", info.BitRate)
	}
	fmt.Fprintln(w)
	return nil
}

func runFingerEncode(args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("finger encode", stderr)
	rate := fs.Float64("bitrate", 0.75, "target bits per pixel: 0.75 (about 15:1, the FBI's) to 2.25 (about 5:1)")
	ppi := fs.Int("ppi", 500, "the image's resolution")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return errors.New("usage: cotejo finger encode [--bitrate R] IN.png OUT.wsq")
	}
	g, err := loadGrey(fs.Arg(0))
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := wsq.Encode(&b, g, &wsq.Options{BitRate: *rate, PPI: *ppi}); err != nil {
		return err
	}
	if err := os.WriteFile(fs.Arg(1), b.Bytes(), 0o644); err != nil {
		return err
	}
	raw := g.Rect.Dx() * g.Rect.Dy()
	fmt.Fprintf(stdout, "%d × %d → %d bytes (%.1f:1, %.3f bits per pixel) → %s\n", g.Rect.Dx(), g.Rect.Dy(), b.Len(),
		float64(raw)/float64(b.Len()), float64(8*b.Len())/float64(raw), fs.Arg(1))
	return nil
}

func runFingerDecode(args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("finger decode", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return errors.New("usage: cotejo finger decode IN.wsq OUT.png")
	}
	data, err := capture.ReadFileLimited(fs.Arg(0), capture.MaxFingerImageBytes)
	if err != nil {
		return err
	}
	if !wsq.Sniff(data) {
		return fmt.Errorf("%s: no es una imagen WSQ (not a WSQ image)", fs.Arg(0))
	}
	g, err := fingerimage.Decode(data)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	if err := writePNG(fs.Arg(1), g); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d × %d → %s\n", g.Rect.Dx(), g.Rect.Dy(), fs.Arg(1))
	return nil
}
