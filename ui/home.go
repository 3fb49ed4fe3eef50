package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

func (c *Controller) showHome() {
	c.reset()
	newV := c.button("new", c.t("home.new"), widget.HighImportance, c.startVerification)
	newV.Icon = nil
	online := c.label("online", c.t("home.checking"))
	queued := c.label("queue", c.tf("home.queue", 0))
	scannerText := c.t("home.noscanner")
	switch c.k.Scanner.Kind {
	case "":
	case "usb": // until the watch below finds it
		scannerText = c.t("home.noreader")
	default:
		scannerText = c.tf("home.scanner", c.k.Scanner.Kind)
	}
	where := c.t("cons.nowhere")
	if !c.k.Branch.IsZero() {
		where = c.tf("cons.branch", placeText(c.k.Branch))
	}
	status := container.NewVBox(online, queued, c.label("scanner", scannerText), c.label("location", c.tf("home.location", where)))
	for _, cert := range c.opts.Certificates {
		if w := c.certWarning(cert, time.Now()); w != nil {
			status.Add(w)
		}
	}
	body := container.NewVBox(
		widget.NewLabelWithStyle(c.tf("home.hello", c.op.Name), fyne.TextAlignLeading, fyne.TextStyle{}),
		container.NewGridWrap(fyne.NewSize(420, 140), newV),
		widget.NewCard("", "", status),
		c.w.status,
	)
	buttons := []fyne.CanvasObject{
		c.button("queue", c.t("nav.queue"), widget.MediumImportance, c.showQueue),
		c.button("history", c.t("nav.history"), widget.MediumImportance, c.showHistory),
	}
	if c.op.Supervisor && c.opts.Settings != nil {
		buttons = append(buttons, c.button("settings", c.t("nav.settings"), widget.MediumImportance, c.showSettings))
	}
	buttons = append(buttons, c.button("signout", c.t("nav.signout"), widget.LowImportance, c.showSignIn))
	c.show("home", c.t("nav.home"), container.NewVScroll(body), buttons...)
	c.refreshStatus()
	if c.k.Scanner.Kind == "usb" {
		// The reader's state follows it being plugged and unplugged.
		label := c.w.labels["scanner"]
		c.loop(func(ctx context.Context) {
			for name := range capture.WatchReaders(ctx, 2*time.Second) {
				text := c.t("home.noreader")
				if name != "" {
					text = c.tf("home.scanner", name)
				}
				fyne.Do(func() {
					if ctx.Err() == nil {
						label.SetText(text)
					}
				})
			}
		})
	}
	if c.k.GPS != nil {
		label := c.w.labels["location"]
		c.loop(func(ctx context.Context) {
			for u := range c.k.GPS.Watch(ctx) {
				text := c.gpsText(u.Err, u.Fix.Lat, u.Fix.Lon, u.Fix.Accuracy)
				fyne.Do(func() {
					if ctx.Err() == nil {
						label.SetText(c.tf("home.location", text))
					}
				})
			}
		})
	}
	c.loop(func(ctx context.Context) {
		t := time.NewTicker(c.opts.Poll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fyne.Do(c.refreshStatus)
			}
		}
	})
}

// refreshStatus checks, in the background, whether INE answers and how much is queued.
func (c *Controller) refreshStatus() {
	if c.screen != "home" {
		return
	}
	online, queued := c.w.labels["online"], c.w.labels["queue"]
	c.background(func(ctx context.Context) {
		up := c.k.Client != nil && c.k.Reachable(ctx)
		n := 0
		if c.k.DB != nil {
			if p, err := c.k.Pending(); err == nil {
				n = len(p)
			}
		}
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			if up {
				online.SetText(c.t("home.online"))
				online.Importance = widget.SuccessImportance
			} else {
				online.SetText(c.t("home.offline"))
				online.Importance = widget.WarningImportance
			}
			online.Refresh()
			queued.SetText(c.tf("home.queue", n))
		})
	})
}

func placeText(p capture.Place) string {
	s := p.Ciudad
	if p.CodigoPostal != "" {
		s += " " + p.CodigoPostal
	}
	return s
}

func (c *Controller) startVerification() {
	c.session = capture.NewSession(c.op.ID, nil)
	c.reading = nil
	c.showCredential()
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
