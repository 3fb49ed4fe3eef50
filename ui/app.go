package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"cotejo/capture"
)

// Run opens the kiosk's window and returns when it is closed or ctx ends (SIGTERM from
// the session manager: queued requests are already on disk).
func Run(ctx context.Context, k *capture.Kiosk, opts Options) error {
	a := app.NewWithID("mx.cotejo.kiosk")
	a.Settings().SetTheme(newKioskTheme())
	w := a.NewWindow(tr(opts.Lang, "app.title"))
	w.Resize(fyne.NewSize(1280, 800))
	w.SetFullScreen(opts.FullScreen)
	c := New(k, w, opts)
	c.Start()
	stop := context.AfterFunc(ctx, func() { fyne.Do(a.Quit) })
	defer stop()
	if opts.Screenshots != "" {
		go c.walkForScreenshots(opts.Screenshots, opts.ScreenshotOperator, a.Quit)
	}
	w.ShowAndRun()
	c.Close()
	return nil
}
