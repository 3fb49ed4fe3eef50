package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"cotejo/capture"
	"cotejo/scanner/usb"
	"cotejo/scanner/usb/record"
)

// recordImage is the image the recorded capture gave, beside the recording: support
// compares it with the replay's.
const recordImage = "capture.png"

// recordDevice is devices --record DIR: the plugged reader's session recorded for
// support while the operator does one capture (package record does the work).
func recordDevice(ctx context.Context, dir, lang string, timeout time.Duration, stdout io.Writer) error {
	en := lang == "en"
	tools, err := record.FindTools(exec.LookPath)
	if err != nil {
		return errors.New(record.Message(err, lang))
	}
	found, err := usb.List(ctx)
	if err != nil && len(found) == 0 {
		return errors.New(capture.ProblemMessage(err, lang))
	}
	reader, err := record.Pick(found)
	if err != nil {
		return errors.New(record.Message(err, lang))
	}
	s := record.Session{Dir: dir, Reader: reader, Tools: tools, Capture: func(ctx context.Context) error {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		// Emulation whatever the environment says: the replay runs with it.
		dev, err := capture.ScannerSettings{Kind: "usb", Emulation: true}.Open(ctx)
		if err != nil {
			return err
		}
		defer dev.Close()
		if en {
			fmt.Fprintln(stdout, "Place the side of a finger (not its print) on the reader…")
		} else {
			fmt.Fprintln(stdout, "Coloque el costado de un dedo (no la yema) en el lector…")
		}
		c, err := dev.Capture(ctx)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, c.Image); err != nil {
			return err
		}
		return writePrivate(filepath.Join(dir, recordImage), buf.Bytes())
	}}
	if en {
		fmt.Fprintf(stdout, "Recording %v into %s.\n", reader, dir)
	} else {
		fmt.Fprintf(stdout, "Grabando %v en %s.\n", reader, dir)
	}
	var se *record.SessionError
	switch err = s.Record(ctx); {
	case errors.As(err, &se): // the capture's own failure: the recording was kept
		if en {
			return fmt.Errorf("the capture failed, and was recorded all the same in %s: %s", dir, capture.ProblemMessage(se.Err, lang))
		}
		return fmt.Errorf("la captura falló, y se grabó de todos modos en %s: %s", dir, capture.ProblemMessage(se.Err, lang))
	case err != nil:
		return errors.New(record.Message(err, lang))
	}
	args, err := record.ReplayArgs(dir, "cotejo", "finger", "capture", "--scanner", "usb", "--out", "replay.png")
	if err != nil {
		return err
	}
	if en {
		fmt.Fprintf(stdout, "Recorded: %s, %s and %s. Send the folder to support, who replay it with:\n", record.DeviceFile, record.CaptureFile, recordImage)
	} else {
		fmt.Fprintf(stdout, "Grabado: %s, %s y %s. Envíe la carpeta a soporte, que la reproduce con:\n", record.DeviceFile, record.CaptureFile, recordImage)
	}
	fmt.Fprintf(stdout, "  FP_DEVICE_EMULATION=1 umockdev-run %s\n", strings.Join(args, " "))
	return nil
}
