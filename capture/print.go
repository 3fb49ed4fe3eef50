package capture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// ErrNoPrinter is a kiosk without a printer to print on: no lp (CUPS), no default
// destination, or the print service not running.
var ErrNoPrinter = errors.New("capture: no printer is set up")

// PrintReceipt sends e's receipt to the system's default printer with lp (CUPS). The
// PDF lives in a private temporary file only until lp has handed it to the spooler.
func (k *Kiosk) PrintReceipt(ctx context.Context, e Entry, lang, institution, operator string) error {
	lp, err := exec.LookPath("lp")
	if err != nil {
		return ErrNoPrinter
	}
	f, err := os.CreateTemp("", "comprobante-*.pdf") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	err = k.ReceiptContext(ctx, f, e, lang, institution, operator)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, lp, "-t", "Comprobante "+e.Indice, "--", f.Name())
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		for _, none := range []string{"No default destination", "Scheduler is not running", "does not exist", "No such file"} {
			if strings.Contains(msg, none) {
				return ErrNoPrinter
			}
		}
		return fmt.Errorf("capture: lp: %v: %s", err, msg)
	}
	return nil
}
