package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"cotejo/capture"
	"cotejo/scanner"
	"cotejo/scanner/biometrics/extract"
	"cotejo/scanner/biometrics/fingergen"
	"cotejo/scanner/biometrics/match"
	"cotejo/scanner/biometrics/quality"
	"cotejo/scanner/biometrics/ridge"
	"cotejo/scanner/biometrics/template"
	"cotejo/scanner/biometrics/wsq"
	"cotejo/scanner/usb"
	"cotejo/verify"
	"cotejo/verify/sandbox"
)

func runFinger(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: cotejo finger gen|extract|quality|match|info|encode|decode|capture …")
	}
	switch args[0] {
	case "gen":
		return runFingerGen(ctx, args[1:], stdout, stderr)
	case "quality":
		return runFingerQuality(args[1:], stdout, stderr)
	case "match":
		return runFingerMatch(args[1:], stdout, stderr)
	case "extract":
		return runFingerExtract(args[1:], stdout, stderr)
	case "info":
		return runFingerInfo(args[1:], stdout, stderr)
	case "capture":
		return runFingerCapture(ctx, args[1:], stdout, stderr)
	case "encode":
		return runFingerEncode(args[1:], stdout, stderr)
	case "decode":
		return runFingerDecode(args[1:], stdout, stderr)
	}
	return fmt.Errorf("no finger command %q", args[0])
}

// minutiaJSON is a true minutia as written beside the images: angle in degrees.
type minutiaJSON struct {
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
	Angle float64 `json:"angle"`
	Type  string  `json:"type"`
}

func runFingerGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("finger gen", stderr)
	out := fs.String("out", "", "folder for the images and their true minutiae (required)")
	citizens := fs.Int("citizens", 3, "how many citizens of the sandbox register (their right and left index fingers)")
	impressions := fs.Int("impressions", 4, "impressions per finger, good, fair and poor in turn")
	seed := fs.Uint64("seed", 1, "seed for the impressions")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("usage: cotejo finger gen --out DIR [--citizens N] [--impressions K] [--seed S]")
	}
	p, err := sandbox.DefaultPadron()
	if err != nil {
		return err
	}
	if *citizens > len(p.Ciudadanos) {
		return fmt.Errorf("the register has %d citizens", len(p.Ciudadanos))
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	rnd := rand.New(rand.NewPCG(*seed, 2))
	n := 0
	for _, c := range p.Ciudadanos[:*citizens] {
		for _, f := range []fingergen.Finger{2, 7} {
			if err := ctx.Err(); err != nil {
				return err
			}
			m, err := fingergen.Citizen(fingergen.SeedFor(c.ID), f)
			if err != nil {
				return err
			}
			base := filepath.Join(*out, fmt.Sprintf("%s-%d", c.ID, f))
			if err := writePrint(base+"-master", int(f), m.Ridges, m.Minutiae); err != nil {
				return err
			}
			for k := range *impressions {
				q := fingergen.Quality(k % 3)
				imp := m.Impress(*seed+uint64(n), fingergen.Preset(q, rnd))
				if err := writePrint(fmt.Sprintf("%s-%d-%s", base, k+1, q), int(f), imp.Image, imp.Minutiae); err != nil {
					return err
				}
				n++
			}
			fmt.Fprintf(stderr, "\r%s finger %d", c.ID, f)
		}
	}
	fmt.Fprintln(stderr)
	fmt.Fprintf(stdout, "%d masters and %d impressions in %s\n", *citizens*2, n, *out)
	return nil
}

// writePrint saves an image as BASE.png and its true minutiae as BASE.json and as an
// ANSI 378 template, BASE.ansi.
func writePrint(base string, finger int, img *image.Gray, mins []fingergen.Minutia) error {
	w, h := img.Bounds().Dx(), img.Bounds().Dy()
	rec, err := template.New(template.ANSI, finger, w, h, 500, 100, mins).Encode()
	if err != nil {
		return err
	}
	if err := os.WriteFile(base+".ansi", rec, 0o644); err != nil {
		return err
	}
	f, err := os.Create(base + ".png")
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	list := make([]minutiaJSON, 0, len(mins))
	for _, m := range mins {
		t := "ending"
		if m.Kind == fingergen.Bifurcation {
			t = "bifurcation"
		}
		list = append(list, minutiaJSON{X: math.Round(m.X*10) / 10, Y: math.Round(m.Y*10) / 10, Angle: math.Round(m.Angle*180/math.Pi*10) / 10, Type: t})
	}
	b, err := json.MarshalIndent(map[string]any{"ppi": 500, "width": img.Bounds().Dx(), "height": img.Bounds().Dy(), "minutiae": list}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(base+".json", append(b, '\n'), 0o644)
}

// loadGrey reads a PNG, JPEG or WSQ fingerprint as grey.
func loadGrey(path string) (*image.Gray, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return decodeGrey(path, data)
}

// decodeGrey decodes a PNG, JPEG or WSQ fingerprint read from path.
func decodeGrey(path string, data []byte) (*image.Gray, error) {
	if wsq.Sniff(data) {
		g, err := wsq.Decode(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return g, nil
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: no es una imagen PNG, JPEG ni WSQ legible (not a readable PNG, JPEG or WSQ image): %w", path, err)
	}
	g := image.NewGray(image.Rect(0, 0, img.Bounds().Dx(), img.Bounds().Dy()))
	draw.Draw(g, g.Bounds(), img, img.Bounds().Min, draw.Src)
	return g, nil
}

func runFingerQuality(args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("finger quality", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	lang := fs.String("lang", "es", "language of the advice: es or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: cotejo finger quality [--json] IN.png")
	}
	g, err := loadGrey(fs.Arg(0))
	if err != nil {
		return err
	}
	rep, _ := quality.Assess(g)
	advice := rep.Problem.Message(*lang)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(map[string]any{"score": rep.Score, "recapture": rep.Score < quality.Recapture, "advice": advice,
			"area": round3(rep.Area), "clarity": round3(rep.Clarity), "coherence": round3(rep.Coherence),
			"frequency": round3(rep.Frequency), "minutiae": rep.Minutiae})
	}
	fmt.Fprintf(stdout, "%d/100 — %s\n", rep.Score, advice)
	return nil
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

func runFingerMatch(args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("finger match", stderr)
	asJSON := fs.Bool("json", false, "print JSON with the similarity")
	finger := fs.Int("finger", 0, "with templates holding several fingers, the finger position to compare (2 right index, 7 left index)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return errors.New("usage: cotejo finger match [--json] A B (each an image or an ANSI/ISO template)")
	}
	var sets [2][]ridge.Minutia
	for i, path := range fs.Args() {
		mins, err := loadMinutiae(path, *finger)
		if err != nil {
			return err
		}
		sets[i] = mins
	}
	sim := match.Similarity(sets[0], sets[1])
	if *asJSON {
		return json.NewEncoder(stdout).Encode(map[string]any{"similarity": math.Round(sim*10) / 10,
			"minutiae": []int{len(sets[0]), len(sets[1])}})
	}
	fmt.Fprintf(stdout, "minutiae: %d and %d\n%.1f\n", len(sets[0]), len(sets[1]), sim)
	return nil
}

// loadMinutiae reads a fingerprint file as minutiae: a template is read, an image
// extracted. finger picks the view of a template holding several (0: the only one).
func loadMinutiae(path string, finger int) ([]ridge.Minutia, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if template.Sniff(data) {
		rec, err := template.Decode(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		v, err := pickView(rec, finger)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return v.Ridge(), nil
	}
	g, err := decodeGrey(path, data)
	if err != nil {
		return nil, err
	}
	r, err := extract.Extract(g)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r.Minutiae, nil
}

func pickView(rec *template.Record, finger int) (*template.View, error) {
	if finger != 0 {
		if v := rec.View(finger); v != nil {
			return v, nil
		}
		return nil, fmt.Errorf("the template holds no view of finger %d", finger)
	}
	if len(rec.Views) != 1 {
		return nil, fmt.Errorf("the template holds %d views: say which finger with --finger", len(rec.Views))
	}
	return &rec.Views[0], nil
}

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
	data, err := os.ReadFile(fs.Arg(0))
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

// captureFingers takes both index fingers from the configured reader, telling the
// operator what to do at each step.
func captureFingers(ctx context.Context, s capture.ScannerSettings, lang string, stdout io.Writer) (*verify.Fingers, error) {
	dev, err := s.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer dev.Close()
	en := lang == "en"
	name := func(f int) string { return scanner.FingerName(f, lang) }
	info := dev.Info()
	fmt.Fprintf(stdout, "%s %s (%d ppi)\n", map[bool]string{false: "Lector de huellas:", true: "Fingerprint reader:"}[en], info.Model, info.PPI)
	fingers, _, err := capture.CaptureFingers(ctx, dev, capture.FingerOptions{Steps: func(st capture.Step) {
		switch st.Kind {
		case capture.PlaceFinger:
			if en {
				fmt.Fprintf(stdout, "  Place the %s on the reader…\n", name(st.Finger))
			} else {
				fmt.Fprintf(stdout, "  Coloque el %s en el lector…\n", name(st.Finger))
			}
		case capture.Retry:
			fmt.Fprintf(stdout, "  %d/100: %s\n", st.Score, st.Problem.Message(lang))
		case capture.DifferentFinger:
			if en {
				fmt.Fprintf(stdout, "  This does not look like the previous try: check it is the %s.\n", name(st.Finger))
			} else {
				fmt.Fprintf(stdout, "  No se parece al intento anterior: verifique que sea el %s.\n", name(st.Finger))
			}
		case capture.FingerDone:
			if en {
				fmt.Fprintf(stdout, "  %s captured, quality %d/100\n", scanner.FingerLabel(st.Finger, lang), st.Score)
			} else {
				fmt.Fprintf(stdout, "  %s capturado, calidad %d/100\n", scanner.FingerLabel(st.Finger, lang), st.Score)
			}
		}
	}})
	if err != nil {
		var nf *capture.NoFingerprintError
		switch {
		case errors.As(err, &nf):
			return nil, errors.New(nf.Message(lang))
		case errors.Is(err, scanner.ErrUnplugged), errors.Is(err, scanner.ErrBusy):
			return nil, errors.New(scanner.Message(err, lang))
		}
		return nil, err
	}
	fmt.Fprintln(stdout)
	return fingers, nil
}

func runFingerCapture(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("finger capture", stderr)
	out := fs.String("out", "", "F.png: one finger's image; a folder: both index fingers as right-2.ansi and left-7.ansi")
	kind := fs.String("scanner", "", "usb (the first reader found) or simulated; default the configuration's [scanner]")
	finger := fs.Int("finger", 2, "with F.png: which finger the simulated reader shows (2 right index, 7 left index)")
	timeout := fs.Duration("timeout", time.Minute, "how long to wait for the finger")
	lang := fs.String("lang", "es", "es or en")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("usage: cotejo finger capture [--scanner usb|simulated] --out F.png | --out DIR")
	}
	settings := capture.ScannerSettings{Kind: *kind, Citizen: "P001"}
	if *kind == "" {
		cfg, _, err := loadConfig(*cfgPath)
		if err != nil {
			return fmt.Errorf("%w (or say --scanner usb)", err)
		}
		settings = cfg.Scanner
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if !strings.HasSuffix(strings.ToLower(*out), ".png") {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		fingers, err := captureFingers(ctx, settings, *lang, stdout)
		if err != nil {
			return err
		}
		for _, f := range []struct {
			name   string
			sample []byte
		}{{"right-2.ansi", fingers.Right}, {"left-7.ansi", fingers.Left}} {
			if err := os.WriteFile(filepath.Join(*out, f.name), f.sample, 0o644); err != nil {
				return err
			}
		}
		fmt.Fprintf(stdout, "right-2.ansi, left-7.ansi → %s\n", *out)
		return nil
	}
	// One finger, as the reader gives it.
	dev, err := settings.Open(ctx)
	if err != nil {
		return errors.New(capture.ProblemMessage(err, *lang))
	}
	defer dev.Close()
	if e, ok := dev.(interface{ Expect(int) }); ok {
		e.Expect(*finger)
	}
	info := dev.Info()
	fmt.Fprintf(stdout, "%s %s: %s\n", info.Vendor, info.Model, map[bool]string{false: "coloque el dedo en el lector…", true: "place the finger on the reader…"}[*lang == "en"])
	c, err := dev.Capture(ctx)
	if err != nil {
		return errors.New(capture.ProblemMessage(err, *lang))
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	if err := png.Encode(f, c.Image); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d × %d, %d ppi → %s\n", c.Image.Rect.Dx(), c.Image.Rect.Dy(), c.PPI, *out)
	return nil
}

func runDevices(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("devices", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	watch := fs.Bool("watch", false, "keep watching and report readers plugged and unplugged, until interrupted")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *watch {
		for ch := range usb.Watch(ctx, time.Second) {
			switch {
			case ch.Err != nil:
				fmt.Fprintf(stdout, "%s %v\n", time.Now().Format(time.TimeOnly), ch.Err)
			case ch.Plugged:
				fmt.Fprintf(stdout, "%s conectado: %v\n", time.Now().Format(time.TimeOnly), ch.Found)
			default:
				fmt.Fprintf(stdout, "%s desconectado: %v\n", time.Now().Format(time.TimeOnly), ch.Found)
			}
		}
		return nil
	}
	found, err := capture.Readers(ctx)
	if err != nil && len(found) == 0 {
		return err
	}
	if *asJSON {
		list := []map[string]any{}
		for _, f := range found {
			list = append(list, map[string]any{"vendorId": fmt.Sprintf("%04x", f.Vendor), "productId": fmt.Sprintf("%04x", f.Product),
				"maker": f.Maker, "model": f.Name, "bus": f.Bus, "address": f.Address, "serial": f.Serial})
		}
		return json.NewEncoder(stdout).Encode(list)
	}
	if len(found) == 0 {
		fmt.Fprintln(stdout, "No hay lectores de huellas conectados (se buscan DigitalPersona U.are.U 4000/4500 y lectores Microsoft).")
		return nil
	}
	for _, f := range found {
		fmt.Fprintf(stdout, "%04x:%04x  %s %s  bus %d, dirección %d", f.Vendor, f.Product, f.Maker, f.Name, f.Bus, f.Address)
		if f.Serial != "" {
			fmt.Fprintf(stdout, ", serie %s", f.Serial)
		}
		fmt.Fprintln(stdout)
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
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	g, err := wsq.Decode(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	f, err := os.Create(fs.Arg(1))
	if err != nil {
		return err
	}
	if err := png.Encode(f, g); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d × %d → %s\n", g.Rect.Dx(), g.Rect.Dy(), fs.Arg(1))
	return nil
}
