package ui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// FirstRun is a kiosk started without a configuration.
type FirstRun struct {
	Config string    // the configuration file that was not found, and will be written
	Log    io.Writer // what the kiosk's services report once opened; nil discards it
}

// FirstRunScreen is the window of a kiosk without a configuration, until one is made;
// then the kiosk's own screens follow in the same window.
type FirstRunScreen struct {
	win  fyne.Window
	fr   FirstRun
	lang string

	ctx    context.Context
	cancel context.CancelFunc
	bg     sync.WaitGroup

	closeOnce sync.Once

	mu  sync.Mutex
	app *capture.App
	c   *Controller

	busy    bool // a configuration is being made (UI goroutine only)
	status  *widget.Label
	buttons []*widget.Button
	entries map[string]*widget.Entry
}

// ShowFirstRun shows the first-run screen in win, in lang ("es" or "en").
func ShowFirstRun(win fyne.Window, fr FirstRun, lang string) *FirstRunScreen {
	if lang != "en" {
		lang = "es"
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &FirstRunScreen{win: win, fr: fr, lang: lang, ctx: ctx, cancel: cancel}
	s.show()
	return s
}

// Controller is the kiosk's controller once a configuration is made, else nil.
func (s *FirstRunScreen) Controller() *Controller {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.c
}

// Wait blocks until the work started so far has finished: for tests.
func (s *FirstRunScreen) Wait() { s.bg.Wait() }

// Close stops the work in progress and the kiosk, if one was opened. Only the first
// call does anything.
func (s *FirstRunScreen) Close() { s.closeOnce.Do(s.close) }

func (s *FirstRunScreen) close() {
	s.cancel()
	s.bg.Wait()
	s.mu.Lock()
	c, app := s.c, s.app
	s.mu.Unlock()
	if c != nil {
		c.Close()
	}
	if app != nil {
		app.Close()
	}
}

func (s *FirstRunScreen) t(key string) string { return tr(s.lang, key) }

// show draws the screen: what is missing, and the three ways on.
func (s *FirstRunScreen) show() {
	s.win.SetTitle(s.t("app.title"))
	s.status = widget.NewLabel("")
	s.status.Wrapping = fyne.TextWrapWord
	s.entries = map[string]*widget.Entry{}
	entry := func(key string, secret bool) *widget.Entry {
		e := widget.NewEntry()
		if secret {
			e = widget.NewPasswordEntry()
		}
		e.SetPlaceHolder(s.t("first." + key))
		s.entries[key] = e
		return e
	}
	folder, url, id, name, pin, pin2 := entry("folder", false), entry("url", false), entry("id", false), entry("name", false), entry("pin", true), entry("pin2", true)
	url.SetText("https://")
	demo := widget.NewButton(s.t("first.demo"), s.startDemo)
	demo.Importance = widget.HighImportance
	imp := widget.NewButton(s.t("first.import"), s.startImport)
	imp.Importance = widget.HighImportance
	s.buttons = []*widget.Button{demo, imp}
	if s.busy {
		demo.Disable() // redrawn in another language while at work: still at work
		imp.Disable()
	}
	lang := widget.NewButton(s.t("lang.switch"), func() {
		s.lang = map[string]string{"es": "en", "en": "es"}[s.lang]
		keep := map[string]string{}
		for k, e := range s.entries {
			keep[k] = e.Text
		}
		s.show()
		for k, v := range keep {
			s.entries[k].SetText(v)
		}
	})
	lang.Importance = widget.LowImportance
	heading := widget.NewLabelWithStyle(s.t("first.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	heading.SizeName = theme.SizeNameHeadingText
	missing := widget.NewLabel(fmt.Sprintf(s.t("first.missing"), s.fr.Config))
	missing.Wrapping = fyne.TextWrapWord
	form := widget.NewForm(
		widget.NewFormItem(s.t("first.folder"), folder), widget.NewFormItem(s.t("first.url"), url),
		widget.NewFormItem(s.t("first.id"), id), widget.NewFormItem(s.t("first.name"), name),
		widget.NewFormItem(s.t("first.pin"), pin), widget.NewFormItem(s.t("first.pin2"), pin2))
	importCard := widget.NewCard(s.t("first.importTitle"), s.t("first.importHelp"), container.NewVBox(form, imp))
	demoCard := widget.NewCard(s.t("first.demoTitle"), s.t("first.demoHelp"), demo)
	body := container.NewVBox(missing, s.status, demoCard, importCard) // progress and errors where the eye starts
	s.win.SetContent(container.NewPadded(container.NewBorder(
		container.NewBorder(nil, nil, nil, lang, heading), nil, nil, nil, container.NewVScroll(body))))
}

func (s *FirstRunScreen) startDemo() {
	s.run(func(ctx context.Context, o capture.Options) (*capture.App, error) {
		return capture.OpenDemoConfig(ctx, s.fr.Config, o)
	})
}

func (s *FirstRunScreen) startImport() {
	e := s.entries
	in := capture.Import{Folder: strings.TrimSpace(e["folder"].Text), URL: strings.TrimSpace(e["url"].Text),
		SupervisorID: strings.TrimSpace(e["id"].Text), SupervisorName: strings.TrimSpace(e["name"].Text), PIN: e["pin"].Text}
	switch {
	case in.Folder == "" || in.SupervisorID == "" || in.SupervisorName == "" || in.PIN == "" || in.URL == "" || in.URL == "https://":
		s.say(s.t("first.incomplete"), true)
		return
	case in.PIN != e["pin2"].Text:
		s.say(s.t("first.pinsDiffer"), true)
		return
	}
	s.run(func(ctx context.Context, o capture.Options) (*capture.App, error) {
		return capture.OpenImported(ctx, s.fr.Config, in, o)
	})
}

// run does the slow part (keys, files, opening the services) off the UI goroutine, then
// hands the window to the kiosk.
func (s *FirstRunScreen) run(open func(ctx context.Context, o capture.Options) (*capture.App, error)) {
	s.busy = true
	for _, b := range s.buttons {
		b.Disable()
	}
	s.say(s.t("first.working"), false)
	progress := func(es, en string) {
		fyne.Do(func() {
			msg := es
			if s.lang == "en" {
				msg = en
			}
			s.say(msg, false)
		})
	}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		app, err := open(s.ctx, capture.Options{Reading: true, Log: s.fr.Log, Progress: progress})
		fyne.Do(func() {
			if s.ctx.Err() != nil {
				if app != nil {
					app.Close()
				}
				return
			}
			s.busy = false
			if err != nil {
				for _, b := range s.buttons {
					b.Enable()
				}
				s.say(capture.ProblemMessage(err, s.lang), true)
				return
			}
			opts := OptionsFor(app)
			opts.Lang = s.lang
			c := New(app.Kiosk, s.win, opts)
			s.mu.Lock()
			s.app, s.c = app, c
			s.mu.Unlock()
			c.Start()
		})
	}()
}

func (s *FirstRunScreen) say(msg string, bad bool) {
	s.status.SetText(msg)
	s.status.Importance = widget.MediumImportance
	if bad {
		s.status.Importance = widget.DangerImportance
	}
	s.status.Refresh()
}
