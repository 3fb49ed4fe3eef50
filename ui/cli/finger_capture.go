package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cotejo/capture"
	"cotejo/scanner"
	"cotejo/scanner/usb"
	"cotejo/verify"
)

// The reader's commands: fingers captured, and the readers plugged in.

// captureFingers takes both index fingers from the configured reader, telling the
// operator what to do at each step.
func captureFingers(ctx context.Context, s capture.ScannerSettings, lang string, stdout io.Writer) (*verify.Fingers, error) {
	dev, err := s.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer dev.Close()
	// say prints the sentence in the operator's language: format with Spanish and
	// English halves.
	say := func(es, en string, a ...any) {
		if lang == "en" {
			es = en
		}
		fmt.Fprintf(stdout, es, a...)
	}
	info := dev.Info()
	say("Lector de huellas: %s (%d ppi)\n", "Fingerprint reader: %s (%d ppi)\n", info.Model, info.PPI)
	fingers, _, err := capture.CaptureFingers(ctx, dev, capture.FingerOptions{Steps: func(st capture.Step) {
		name := scanner.FingerName(st.Finger, lang)
		switch st.Kind {
		case capture.PlaceFinger:
			say("  Coloque el %s en el lector…\n", "  Place the %s on the reader…\n", name)
		case capture.Retry:
			fmt.Fprintf(stdout, "  %d/100: %s\n", st.Score, st.Problem.Message(lang))
		case capture.DifferentFinger:
			say("  No se parece al intento anterior: verifique que sea el %s.\n", "  This does not look like the previous try: check it is the %s.\n", name)
		case capture.FingerDone:
			say("  %s capturado, calidad %d/100\n", "  %s captured, quality %d/100\n", scanner.FingerLabel(st.Finger, lang), st.Score)
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
	settings := capture.ScannerSettings{Kind: *kind, Citizen: "P001", Emulation: capture.EmulationFromEnv(os.Getenv)}
	if *kind == "" {
		cfg, err := capture.LoadConfig(*cfgPath)
		if err != nil {
			return fmt.Errorf("%w (or say --scanner usb)", err)
		}
		settings = cfg.Scanner
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	if !strings.HasSuffix(strings.ToLower(*out), ".png") {
		if err := privateDir(*out, *lang); err != nil {
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
			if err := writePrivate(filepath.Join(*out, f.name), f.sample); err != nil {
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
	var buf bytes.Buffer
	if err := png.Encode(&buf, c.Image); err != nil {
		return err
	}
	if err := writePrivate(*out, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d × %d, %d ppi → %s\n", c.Image.Rect.Dx(), c.Image.Rect.Dy(), c.PPI, *out)
	return nil
}

// Fingerprints are biometrics: files of them are for their owner alone.

// privateDir makes dir 0700, or refuses an existing one others can enter: the
// fingerprints would be readable by every account on the machine.
func privateDir(dir, lang string) error {
	st, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return os.MkdirAll(dir, 0o700)
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s: not a folder", dir)
	}
	if st.Mode().Perm()&0o077 != 0 {
		if lang == "en" {
			return fmt.Errorf("other accounts on this computer can open the folder %s (mode %o): fingerprints are not written there. Give a new folder, or run chmod 700 %s", dir, st.Mode().Perm(), dir)
		}
		return fmt.Errorf("otras cuentas de este equipo pueden abrir la carpeta %s (modo %o): no se escriben huellas ahí. Indique una carpeta nueva, o ejecute chmod 700 %s", dir, st.Mode().Perm(), dir)
	}
	return nil
}

// writePrivate writes a file of biometrics readable by its owner alone, also when it
// replaces one written before with a wider mode.
func writePrivate(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return err
	}
	return os.Chmod(path, 0o600)
}

func runDevices(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("devices", stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	watch := fs.Bool("watch", false, "keep watching and report readers plugged and unplugged, until interrupted")
	rec := fs.String("record", "", "DIR: record the plugged reader's USB session during one capture, for support (Linux; needs umockdev, tshark and usbmon)")
	lang := fs.String("lang", "es", "es or en, for --record")
	timeout := fs.Duration("timeout", time.Minute, "with --record: how long to wait for the finger")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *rec != "" {
		return recordDevice(ctx, *rec, *lang, *timeout, stdout)
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
	found, err := usb.List(ctx)
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
