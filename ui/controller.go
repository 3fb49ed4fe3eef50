// Package ui is the kiosk's window: a controller that talks to the services (through
// capture.Kiosk) and owns navigation, one file per screen, a keypad of its own and a
// touch-sized theme. Slow work never runs on the UI goroutine: it runs in the background
// and reports with fyne.Do.
package ui

import (
	"context"
	"crypto/x509"
	"fmt"
	"image"
	"image/color"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// Options are the kiosk's settings from the configuration.
type Options struct {
	Lang        string // "es" (default) or "en"
	FullScreen  bool
	Demo        bool   // offer the sample credentials
	ReceiptDir  string // where receipts are saved; empty: no receipts
	Institution string // printed on receipts
	// Certificates whose expiry the home screen watches (the institution's TLS client
	// and signing certificates).
	Certificates []*x509.Certificate
	// Settings, for the supervisor's screen; nil hides it.
	Settings SettingsStore
	// Poll is how often the home screen refreshes the connection and queue; 0 → 10 s.
	Poll time.Duration
	// NoAutoSend leaves the queue to the operator's "send now" (tests, where a sender
	// running on its own would race with the test's checks).
	NoAutoSend bool
	// Screenshots, when set, walks through every screen once, saving each as a PNG in
	// this folder, then quits: signing in as ScreenshotOperator (id, PIN).
	Screenshots        string
	ScreenshotOperator [2]string
}

// Controller owns the window's content, the signed-in operator and the current
// verification session.
type Controller struct {
	k    *capture.Kiosk
	win  fyne.Window
	opts Options
	lang string

	op      capture.Operator
	session *capture.Session
	reading *capture.Reading
	shown   capture.Entry // the entry the result screen shows
	scanned []image.Image // sides scanned so far

	ctx    context.Context
	cancel context.CancelFunc
	bg     sync.WaitGroup // tasks: reads, captures, sends
	loops  sync.WaitGroup // until their screen or the app ends: polling, the sender
	// screenCtx ends when the screen is left: work it started is abandoned.
	screenCtx    context.Context
	screenCancel context.CancelFunc

	screen string // the current screen's name, for tests and screenshots
	w      screenWidgets
}

// New makes the controller for win; Start shows the sign-in screen.
func New(k *capture.Kiosk, win fyne.Window, opts Options) *Controller {
	if opts.Lang != "en" {
		opts.Lang = "es"
	}
	if opts.Poll == 0 {
		opts.Poll = 10 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Controller{k: k, win: win, opts: opts, lang: opts.Lang, ctx: ctx, cancel: cancel}
	c.screenCtx, c.screenCancel = context.WithCancel(ctx)
	return c
}

// Start shows the first screen and starts the outbox's sender.
func (c *Controller) Start() {
	c.win.SetTitle(c.t("app.title"))
	if !c.opts.NoAutoSend {
		// Delivers what was queued while INE was unreachable; each answer refreshes the
		// home screen.
		spawn(&c.loops, c.ctx, func(ctx context.Context) {
			c.k.SendQueued(ctx, func() { fyne.Do(c.refreshStatus) })
		})
	}
	c.showSignIn()
}

// Close stops background work and waits for it.
func (c *Controller) Close() {
	c.cancel()
	c.bg.Wait()
	c.loops.Wait()
}

// Wait blocks until the background tasks started so far have finished (not the polling
// loops): for tests and the screenshot walk.
func (c *Controller) Wait() { c.bg.Wait() }

// loop runs f off the UI goroutine until the screen is left.
func (c *Controller) loop(f func(ctx context.Context)) { spawn(&c.loops, c.screenCtx, f) }

// spawn runs f(ctx) on its own goroutine, counted in wg.
func spawn(wg *sync.WaitGroup, ctx context.Context, f func(context.Context)) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		f(ctx)
	}()
}

// Screen is the name of the screen shown.
func (c *Controller) Screen() string { return c.screen }

func (c *Controller) t(key string) string { return tr(c.lang, key) }

func (c *Controller) tf(key string, a ...any) string { return fmt.Sprintf(tr(c.lang, key), a...) }

// background runs f off the UI goroutine, with a context that ends when the screen that
// started it is left. f reports to widgets through fyne.Do.
func (c *Controller) background(f func(ctx context.Context)) { spawn(&c.bg, c.screenCtx, f) }

// task runs work off the UI goroutine, then done on it, unless the screen that started
// it was left meanwhile; an error from work is shown in the operator's words instead of
// calling done. work passes its results to done through the variables they share.
func (c *Controller) task(work func(ctx context.Context) error, done func()) {
	c.background(func(ctx context.Context) {
		err := work(ctx)
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				c.showError(capture.ProblemMessage(err, c.lang))
				return
			}
			done()
		})
	})
}

// backgroundApp runs f off the UI goroutine until the application closes.
func (c *Controller) backgroundApp(f func(ctx context.Context)) { spawn(&c.bg, c.ctx, f) }

// show replaces the window's content with a screen: a title bar, the body, and the
// buttons at the bottom.
func (c *Controller) show(name, title string, body fyne.CanvasObject, buttons ...fyne.CanvasObject) {
	c.screenCancel()
	c.screenCtx, c.screenCancel = context.WithCancel(c.ctx)
	c.screen = name
	heading := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameHeadingText
	top := container.NewBorder(nil, nil, nil, c.topRight(), heading)
	var bottom fyne.CanvasObject
	if len(buttons) > 0 {
		bottom = container.NewGridWithColumns(len(buttons), buttons...)
	}
	c.win.SetContent(container.NewPadded(container.NewBorder(top, bottom, nil, nil, body)))
}

// topRight is the operator's name and the language switch.
func (c *Controller) topRight() fyne.CanvasObject {
	lang := c.button("lang", c.t("lang.switch"), widget.LowImportance, func() {
		if c.lang == "es" {
			c.lang = "en"
		} else {
			c.lang = "es"
		}
		c.redraw()
	})
	if c.op.ID == "" {
		return lang
	}
	return container.NewHBox(widget.NewLabel(c.op.Name), lang)
}

// redraw rebuilds the current screen, in the new language.
func (c *Controller) redraw() {
	switch c.screen {
	case "signin":
		c.showSignIn()
	case "home":
		c.showHome()
	case "credential":
		c.keepCredential() // at this stage it cannot fail
		c.showCredential()
	case "fingers":
		c.showFingers()
	case "consent":
		c.showConsent()
	case "review":
		c.showReview()
	case "queue":
		c.showQueue()
	case "history":
		c.showHistory()
	case "settings":
		c.showSettings()
	case "result":
		c.showResult(c.shown)
	}
}

// banner is a sentence on a coloured band: verdicts and warnings.
func banner(text string, bg color.Color) fyne.CanvasObject {
	rect := canvas.NewRectangle(bg)
	rect.CornerRadius = 6
	// White on the band's colour: a themed label would be grey on green.
	var lines []fyne.CanvasObject
	for _, line := range wrapWords(text, 70) {
		t := canvas.NewText(line, color.White)
		t.TextStyle.Bold = true
		t.TextSize = 22
		t.Alignment = fyne.TextAlignCenter
		lines = append(lines, t)
	}
	return container.NewStack(rect, container.NewPadded(container.NewPadded(container.NewVBox(lines...))))
}

// cancelSession wipes the session and goes home.
func (c *Controller) cancelSession() {
	if c.session != nil {
		c.session.Cancel()
	}
	c.session, c.reading = nil, nil
	c.showHome()
}

// showError shows err in the operator's words on the current screen.
func (c *Controller) showError(msg string) {
	if c.w.status != nil {
		c.w.status.SetText(msg)
		c.w.status.Importance = widget.DangerImportance
		c.w.status.Refresh()
	}
}

func (c *Controller) showInfo(msg string) {
	if c.w.status != nil {
		c.w.status.SetText(msg)
		c.w.status.Importance = widget.MediumImportance
		c.w.status.Refresh()
	}
}

// wrapWords breaks text into lines of at most n characters, at spaces.
func wrapWords(text string, n int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len([]rune(line))+1+len([]rune(w)) > n {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}
