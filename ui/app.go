package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"cotejo/capture"
)

// OptionsFor are the window's options from an opened app's configuration.
func OptionsFor(a *capture.App) Options {
	k := a.Config.Kiosk
	return Options{Lang: a.Config.Lang, FullScreen: k.FullScreen, Demo: a.OffersSamples(), Certificates: a.Certificates,
		Settings: a.SettingsEditor(), ReceiptDir: a.Config.ReceiptDir(), PhotoDir: a.Config.PhotoDir(), Institution: k.Institution,
		Nominal: a.Nominal, Remote: a.Remote}
}

// Run opens the kiosk's window on k's services and returns when it is closed or ctx
// ends (SIGTERM from the session manager: queued requests are already on disk).
func Run(ctx context.Context, k *capture.Kiosk, opts Options) error {
	a, w := newWindow(opts.Lang, opts.FullScreen)
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

// RunFirst opens the window of a kiosk without a configuration on the first-run
// screen, which makes one and then continues as the kiosk it opened.
func RunFirst(ctx context.Context, fr FirstRun) error {
	a, w := newWindow("es", false)
	s := ShowFirstRun(w, fr, "es")
	stop := context.AfterFunc(ctx, func() { fyne.Do(a.Quit) })
	defer stop()
	w.ShowAndRun()
	s.Close()
	return nil
}

func newWindow(lang string, fullScreen bool) (fyne.App, fyne.Window) {
	a := app.NewWithID("mx.cotejo.kiosk")
	a.Settings().SetTheme(newKioskTheme())
	w := a.NewWindow(tr(lang, "app.title"))
	w.Resize(fyne.NewSize(1280, 800))
	w.SetFullScreen(fullScreen)
	return a, w
}
