// Command cotejo verifies Mexican voter credentials (INE Credencial para Votar) against
// INE's verification service: the kiosk's window by default, or one of the terminal
// commands (cotejo help lists them). main only hands off to ui/cli.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"cotejo/ocr"
	"cotejo/ui/cli"
)

func main() {
	// tesseract's OpenMP reads its thread limit when the process starts: re-execute with
	// it set if needed, before anything else runs.
	if err := ocr.LimitThreads(); err != nil {
		fmt.Fprintln(os.Stderr, "cotejo:", err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
