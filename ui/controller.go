// Package ui is the kiosk's window: a controller that owns navigation between screens
// (each a type of its own, one file per screen) and talks to the services through
// capture, a keypad of its own and a touch-sized theme. Slow work never runs on the UI
// goroutine: it runs in the background and reports with fyne.Do.
package ui

import (
	"context"
	"crypto/x509"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
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
	PhotoDir    string // where the photo picker opens
	Institution string // printed on receipts
	// Certificates whose expiry the home screen watches (the institution's TLS client
	// and signing certificates).
	Certificates []*x509.Certificate
	// Settings, for the supervisor's screen; nil hides it.
	Settings SettingsStore
	// Poll is how often the home screen refreshes the connection and queue; 0 → 10 s.
	Poll time.Duration
	// NoAutoSend leaves the queue to the operator's "send now", and does not start Tu
	// Identidad's and remote verification's background passes (tests, where work
	// running on its own would race with the test's checks).
	NoAutoSend bool
	// Screenshots, when set, walks through every screen once, saving each as a PNG in
	// this folder, then quits: signing in as ScreenshotOperator (id, PIN).
	Screenshots        string
	ScreenshotOperator [2]string
	// ScreenshotsPart, when "remote", walks remote verification's screens only.
	ScreenshotsPart string
	// Nominal is Tu Identidad's data-only checks, when configured: INE's result screen
	// offers the lista nominal when INE's answer is queued.
	Nominal *capture.Nominal
	// NominalWait is how long a screen waits for Tu Identidad's answer before leaving
	// it to the background pass; 0 → 60 s. NominalPoll is that pass's interval; 0 → 15 s.
	NominalWait, NominalPoll time.Duration
	// Remote is remote verification by SMS link, when configured: the home screen
	// offers it. RemotePoll is its background pass's interval; 0 → one minute.
	Remote     *capture.Remote
	RemotePoll time.Duration
}

// Controller owns the window: the screen shown and navigation between screens, the
// signed-in operator, the current verification session, and the background work.
type Controller struct {
	k    *capture.Kiosk
	win  fyne.Window
	opts Options
	lang string

	op      capture.Operator
	session *capture.Session
	// reading is the session's credential as read from photos: the credential screen
	// marks what to check again when the operator comes back to it.
	reading *capture.Reading

	ctx    context.Context
	cancel context.CancelFunc
	bg     sync.WaitGroup // tasks: reads, captures, sends
	loops  sync.WaitGroup // until their screen or the app ends: polling, the sender
	// screenCtx ends when the screen is left: work it started is abandoned.
	screenCtx    context.Context
	screenCancel context.CancelFunc

	cur screen
	// sending is the queue's sender's last state, set from its goroutine: the home
	// screen says when it fails.
	sending atomic.Pointer[capture.SenderStatus]
	// notices are answers that arrived for queued verifications, on every screen in
	// noticeBar until opened or dismissed.
	notices   []notice
	noticeBar *fyne.Container
	// caseNotices are the providers' cases finished in the background (Tu Identidad's,
	// remote verification's).
	caseNotices []caseNotice
	// ineDown is set when the home screen last found INE's host out of reach: the
	// review then offers Tu Identidad's lista nominal check.
	ineDown bool
	// nominalRef is the current session's reference for Tu Identidad's checks made
	// without an INE request; "" until the first.
	nominalRef string
}

// screen is one of the window's screens, with its own widgets. The router builds it
// each time it is shown, and again in the other language, so what the operator entered
// lives in the session or in the screen's own fields, not only in its widgets.
type screen interface {
	// name is the screen's name, for tests and screenshots.
	name() string
	// build makes the screen's widgets and returns its title, body and buttons.
	build() (title string, body fyne.CanvasObject, buttons []fyne.CanvasObject)
	// base is the part every screen shares: the status line and the named buttons.
	base() *frame
}

// starter is a screen with background work to start once it is shown (after, so that
// the work's updates find the screen's widgets in the window).
type starter interface{ start() }

// keeper is a screen holding entries the operator typed, which it keeps before it is
// built again in the other language.
type keeper interface{ keep() }

// New makes the controller for win; Start shows the sign-in screen.
func New(k *capture.Kiosk, win fyne.Window, opts Options) *Controller {
	if opts.Lang != "en" {
		opts.Lang = "es"
	}
	if opts.Poll == 0 {
		opts.Poll = 10 * time.Second
	}
	if opts.NominalWait == 0 {
		opts.NominalWait = time.Minute
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
			c.k.SendQueued(ctx, func(e capture.Entry) {
				c.answered(e)
				fyne.Do(c.refreshHome)
			}, func(st capture.SenderStatus) {
				old := c.sending.Swap(&st)
				// Only a change into or out of failing changes the home screen; the
				// sender's other changes wait for its next refresh.
				if (old != nil && old.State == capture.SenderFailing) != (st.State == capture.SenderFailing) {
					fyne.Do(c.refreshHome)
				}
			})
		})
	}
	if c.opts.Nominal != nil && !c.opts.NoAutoSend {
		// Finishes Tu Identidad's cases nobody waits for any more, for the window's
		// lifetime; each one finished is a notice.
		spawn(&c.loops, c.ctx, func(ctx context.Context) {
			_ = c.opts.Nominal.Run(ctx, c.opts.NominalPoll, func(n capture.NominalCase) {
				fyne.Do(func() { c.nominalNotify(n) })
			})
		})
	}
	if c.opts.Remote != nil && !c.opts.NoAutoSend {
		// Fetches the certificates of validated remote cases and shows each change.
		spawn(&c.loops, c.ctx, func(ctx context.Context) {
			_ = c.opts.Remote.Run(ctx, c.opts.RemotePoll, func(r capture.RemoteCase) {
				fyne.Do(func() { c.remoteChanged(r) })
			})
		})
	}
	c.goTo(&signInScreen{})
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

// Screen is the name of the screen shown.
func (c *Controller) Screen() string {
	if c.cur == nil {
		return ""
	}
	return c.cur.name()
}

// maxButtonsInRow is the most buttons the bottom row holds before it becomes two.
const maxButtonsInRow = 4

// goTo shows s in the window: the previous screen's work is abandoned, s builds its
// widgets, and the window shows its title bar, body and buttons.
func (c *Controller) goTo(s screen) {
	c.screenCancel()
	c.screenCtx, c.screenCancel = context.WithCancel(c.ctx)
	c.cur = s
	f := s.base()
	// The controller is set once: the screen's loops read it while it is built again.
	if f.Controller == nil {
		f.Controller = c
	}
	f.status, f.buttons = wrapLabel(""), map[string]*widget.Button{}
	title, body, buttons := s.build()
	heading := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameHeadingText
	c.noticeBar = container.NewVBox()
	c.showNotices()
	top := container.NewVBox(container.NewBorder(nil, nil, nil, c.topRight(f), heading), c.noticeBar)
	var bottom fyne.CanvasObject
	if cols := len(buttons); cols > 0 {
		// More than four across do not fit a 1024 px screen with words a teller reads
		// ("Verificación remota"): two rows then.
		if cols > maxButtonsInRow {
			cols = (cols + 1) / 2
		}
		bottom = container.NewGridWithColumns(cols, buttons...)
	}
	c.win.SetContent(container.NewPadded(container.NewBorder(top, bottom, nil, nil, body)))
	if st, ok := s.(starter); ok {
		st.start()
	}
}

// topRight is the operator's name and the language switch.
func (c *Controller) topRight(f *frame) fyne.CanvasObject {
	lang := f.button("lang", c.t("lang.switch"), widget.LowImportance, c.switchLanguage)
	if c.op.ID == "" {
		return lang
	}
	return container.NewHBox(widget.NewLabel(c.op.Name), lang)
}

// switchLanguage builds the current screen again in the other language.
func (c *Controller) switchLanguage() {
	if k, ok := c.cur.(keeper); ok {
		k.keep()
	}
	if c.lang == "es" {
		c.lang = "en"
	} else {
		c.lang = "es"
	}
	c.goTo(c.cur)
}

func (c *Controller) t(key string) string { return tr(c.lang, key) }

func (c *Controller) tf(key string, a ...any) string { return fmt.Sprintf(tr(c.lang, key), a...) }

// spawn runs f(ctx) on its own goroutine, counted in wg.
func spawn(wg *sync.WaitGroup, ctx context.Context, f func(context.Context)) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		f(ctx)
	}()
}

// loop runs f off the UI goroutine until the screen is left.
func (c *Controller) loop(f func(ctx context.Context)) { spawn(&c.loops, c.screenCtx, f) }

// background runs f off the UI goroutine, with a context that ends when the screen that
// started it is left. f reports to widgets through fyne.Do.
func (c *Controller) background(f func(ctx context.Context)) { spawn(&c.bg, c.screenCtx, f) }

// backgroundApp runs f off the UI goroutine until the application closes.
func (c *Controller) backgroundApp(f func(ctx context.Context)) { spawn(&c.bg, c.ctx, f) }

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

// showError shows a problem in the operator's words on the current screen.
func (c *Controller) showError(msg string) { c.say(msg, widget.DangerImportance) }

// showInfo shows what is going on, on the current screen.
func (c *Controller) showInfo(msg string) { c.say(msg, widget.MediumImportance) }

func (c *Controller) say(msg string, imp widget.Importance) {
	if c.cur == nil {
		return
	}
	status := c.cur.base().status
	status.Show() // a screen short of room hides it while it has nothing to say
	status.SetText(msg)
	status.Importance = imp
	status.Refresh()
}

// Where the screens lead: each starts a new screen, nothing of the last one kept.

func (c *Controller) home()     { c.goTo(&homeScreen{}) }
func (c *Controller) signOut()  { c.op = capture.Operator{}; c.goTo(&signInScreen{}) }
func (c *Controller) queue()    { c.goTo(&queueScreen{}) }
func (c *Controller) history()  { c.goTo(&historyScreen{}) }
func (c *Controller) settings() { c.goTo(&settingsScreen{}) }

// startVerification begins a new session at the credential screen.
func (c *Controller) startVerification() {
	c.session, c.reading, c.nominalRef = capture.NewSession(c.op.ID, nil), nil, ""
	c.goTo(&credentialScreen{})
}

// cancelSession wipes the session and goes home.
func (c *Controller) cancelSession() {
	if c.session != nil {
		c.session.Cancel()
	}
	c.session, c.reading = nil, nil
	c.home()
}

// step moves the session on (or back) and shows the screen of its new stage.
func (c *Controller) step(move func() error) {
	if err := move(); err != nil {
		c.showError(capture.ProblemMessage(err, c.lang))
		return
	}
	switch c.session.Stage() {
	case capture.StageCredential:
		c.goTo(&credentialScreen{})
	case capture.StageFingers:
		c.goTo(&fingersScreen{})
	case capture.StageConsent:
		c.goTo(&consentScreen{})
	case capture.StageReview:
		c.goTo(&reviewScreen{})
	}
}
