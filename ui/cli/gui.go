package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"cotejo/capture"
	"cotejo/ui"
)

func runGUI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("gui", stderr)
	demo := fs.String("demo", "", "run the demo: a development PKI in this folder and the sandbox in-process")
	shots := fs.String("screenshots", "", "walk every screen once, saving PNGs in this folder, then quit (demo only)")
	part := fs.String("screenshots-part", "", "with --screenshots: only this part of the walk (remote)")
	full := fs.Bool("fullscreen", false, "full screen whatever the configuration says (the Windows installer's kiosk option starts it so)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *shots != "" && *demo == "" {
		return errors.New("--screenshots needs --demo")
	}
	if *demo == "" {
		if _, err := os.Stat(*cfgPath); errors.Is(err, os.ErrNotExist) {
			// A new kiosk: the window says what is missing and makes a configuration.
			return ui.RunFirst(ctx, ui.FirstRun{Config: *cfgPath, Log: stderr})
		}
	}
	app, err := capture.Open(ctx, *cfgPath, capture.Options{DemoDir: *demo, Reading: true, Log: stderr, Progress: say(stdout, "es")})
	if err != nil {
		return err
	}
	defer app.Close()
	// Retention applies by itself while the kiosk runs: at start, then every six hours.
	pctx, stopPurge := context.WithCancel(ctx)
	purged := make(chan struct{})
	go func() {
		defer close(purged)
		app.PurgeEvery(pctx, 6*time.Hour, func(rep capture.PurgeReport, err error) {
			if err != nil {
				fmt.Fprintf(stderr, "retención: %v\n", err)
			}
		})
	}()
	defer func() { stopPurge(); <-purged }()
	opts := ui.OptionsFor(app)
	opts.FullScreen = opts.FullScreen || *full
	if *shots != "" {
		opts.Screenshots, opts.ScreenshotOperator, opts.ScreenshotsPart = *shots, [2]string{"super", "9999"}, *part
	}
	return ui.Run(ctx, app.Kiosk, opts)
}
