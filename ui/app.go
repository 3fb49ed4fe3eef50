package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"cotejo/capture"
)

// Run opens the kiosk's window and returns when it is closed or ctx ends (SIGTERM from
// the session manager: queued requests are already on disk).
//
// A kiosk without a configuration (k nil) opens on first's screen, which makes one and
// then continues as the kiosk it opened.
func Run(ctx context.Context, k *capture.Kiosk, opts Options, first *FirstRun) error {
	a := app.NewWithID("mx.cotejo.kiosk")
	a.Settings().SetTheme(newKioskTheme())
	w := a.NewWindow(tr(opts.Lang, "app.title"))
	w.Resize(fyne.NewSize(1280, 800))
	w.SetFullScreen(opts.FullScreen)
	if k == nil {
		if first == nil {
			return errors.New("ui: no kiosk and no way to configure one")
		}
		s := ShowFirstRun(w, *first, opts.Lang)
		stop := context.AfterFunc(ctx, func() { fyne.Do(a.Quit) })
		defer stop()
		w.ShowAndRun()
		s.Close()
		return nil
	}
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
