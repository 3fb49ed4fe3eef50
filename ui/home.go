package ui

import (
	"context"
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// homeScreen is where the operator starts a verification, and sees whether INE answers,
// how much is queued, the reader, the location and certificates about to expire.
type homeScreen struct {
	frame
	// info is said on arrival, set before the screen's work starts (which, under the
	// test driver, reports from its own goroutine).
	info                             string
	online, queued, reader, location *widget.Label
	sender                           *widget.Label // shown while the queue's sender fails
}

func (s *homeScreen) name() string { return "home" }

func (s *homeScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	newV := s.button("new", s.t("home.new"), widget.HighImportance, s.startVerification)
	s.online, s.queued = wrapLabel(s.t("home.checking")), wrapLabel(s.tf("home.queue", 0))
	readerText := s.t("home.noscanner")
	switch s.k.Scanner.Kind {
	case "":
	case "usb": // until the watch below finds it
		readerText = s.t("home.noreader")
	default:
		readerText = s.tf("home.scanner", choiceWord(s.lang, "scanner.kind", s.k.Scanner.Kind))
	}
	s.reader = wrapLabel(readerText)
	s.status.SetText(s.info)
	where := s.t("cons.nowhere")
	if !s.k.Branch.IsZero() {
		where = s.tf("cons.branch", placeText(s.k.Branch))
	}
	s.location = wrapLabel(s.tf("home.location", where))
	s.sender = wrapLabel("")
	s.sender.Importance = widget.DangerImportance
	s.sender.Hide()
	status := container.NewVBox(s.online, s.queued, s.sender, s.reader, s.location)
	for _, cert := range s.opts.Certificates {
		if w := s.certWarning(cert, time.Now()); w != nil {
			status.Add(w)
		}
	}
	// The main button across the screen, tall; the operator's name is in the title bar.
	tall := canvas.NewRectangle(color.Transparent)
	tall.SetMinSize(fyne.NewSize(0, 140))
	body := container.NewVBox(
		container.NewStack(tall, newV),
		widget.NewCard("", "", status),
		s.status,
	)
	buttons := []fyne.CanvasObject{
		s.button("queue", s.t("nav.queue"), widget.MediumImportance, s.queue),
		s.button("history", s.t("nav.history"), widget.MediumImportance, s.history),
	}
	if s.opts.Remote != nil {
		buttons = append(buttons, s.button("remote", s.t("rem.open"), widget.MediumImportance, func() { s.goTo(&remoteScreen{}) }))
	}
	if s.op.Supervisor {
		buttons = append(buttons, s.button("unlock", s.t("nav.unlock"), widget.MediumImportance, func() { s.goTo(&unlockScreen{}) }))
	}
	if s.op.Supervisor && s.opts.Settings != nil {
		buttons = append(buttons, s.button("settings", s.t("nav.settings"), widget.MediumImportance, s.settings))
	}
	buttons = append(buttons, s.button("signout", s.t("nav.signout"), widget.MediumImportance, s.signOut))
	return s.t("nav.home"), container.NewVScroll(body), buttons
}

// start follows, while the screen is shown, the connection and the queue (now and
// every Poll), the reader being plugged and unplugged, and the GPS's fix. The loops only
// wait: the words are chosen on the UI goroutine, in the language of the moment.
func (s *homeScreen) start() {
	s.refresh()
	if s.k.Scanner.Kind == "usb" {
		label := s.reader
		s.loop(func(ctx context.Context) {
			for name := range capture.WatchReaders(ctx, 2*time.Second) {
				fyne.Do(func() {
					if ctx.Err() != nil {
						return
					}
					if name == "" {
						label.SetText(s.t("home.noreader"))
					} else {
						label.SetText(s.tf("home.scanner", name))
					}
				})
			}
		})
	}
	if gps := s.k.GPS; gps != nil {
		label := s.location
		s.loop(func(ctx context.Context) {
			for u := range gps.Watch(ctx) {
				fyne.Do(func() {
					if ctx.Err() == nil {
						label.SetText(s.tf("home.location", s.gpsText(u.Err, u.Fix.Lat, u.Fix.Lon, u.Fix.Accuracy)))
					}
				})
			}
		})
	}
	poll := s.opts.Poll
	s.loop(func(ctx context.Context) {
		t := time.NewTicker(poll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fyne.Do(s.refresh)
			}
		}
	})
}

// refreshHome refreshes the home screen, if it is shown.
func (c *Controller) refreshHome() {
	if h, ok := c.cur.(*homeScreen); ok {
		h.refresh()
	}
}

// refresh checks, in the background, whether INE answers and how much is queued.
func (s *homeScreen) refresh() {
	var (
		up bool
		n  int
	)
	k := s.k
	s.task(func(ctx context.Context) error {
		up = k.Client != nil && k.Reachable(ctx)
		if k.DB != nil {
			if p, err := k.Pending(); err == nil {
				n = len(p)
			}
		}
		return nil
	}, func() {
		s.ineDown = k.HasService() && !up
		switch {
		case !k.HasService():
			s.online.SetText(s.t("home.noservice"))
			s.online.Importance = widget.WarningImportance
		case up:
			s.online.SetText(s.t("home.online"))
			s.online.Importance = widget.SuccessImportance
		default:
			s.online.SetText(s.t("home.offline"))
			s.online.Importance = widget.WarningImportance
		}
		s.online.Refresh()
		s.queued.SetText(s.tf("home.queue", n))
		if st := s.sending.Load(); st != nil && st.State == capture.SenderFailing {
			s.sender.SetText(st.Message(s.lang))
			s.sender.Show()
		} else {
			s.sender.Hide()
		}
	})
}

func placeText(p capture.Place) string {
	s := p.Ciudad
	if p.CodigoPostal != "" {
		s += " " + p.CodigoPostal
	}
	return s
}

// gpsText is the receiver's state for the home screen: its fix, or that it has none.
func (c *Controller) gpsText(err error, lat, lon, accuracy float64) string {
	if err != nil {
		return c.t("home.nofix")
	}
	text := c.tf("cons.gps", lat, lon)
	if accuracy > 0 {
		text += fmt.Sprintf(" ±%.0f m", accuracy)
	}
	return text
}
