package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

func (c *Controller) fingerName(f int) string { return capture.FingerName(f, c.lang) }

func (c *Controller) showFingers() {
	status := c.reset()
	c.w.image = canvas.NewImageFromImage(nil)
	c.w.image.FillMode = canvas.ImageFillContain
	c.w.image.SetMinSize(fyne.NewSize(300, 300))
	c.w.quality = widget.NewProgressBar()
	c.w.quality.Max = 100
	c.w.quality.TextFormatter = func() string { return c.tf("fing.quality", int(c.w.quality.Value)) }
	guide := c.label("guide", "")
	guide.TextStyle.Bold = true
	right, left := c.label("right", "—"), c.label("left", "—")
	f, results := c.session.Fingers()
	for _, r := range results {
		l := map[int]*widget.Label{2: right, 7: left}[r.Finger]
		l.SetText(c.tf("fing.done", capture.FingerLabel(r.Finger, c.lang), r.Quality.Score))
	}
	if reason := c.session.WithoutFingersReason(); reason != "" {
		guide.SetText(c.tf("fing.skipped", reason))
	}
	start := c.button("start", c.t("fing.start"), widget.HighImportance, c.captureFingers)
	if f != nil {
		start.SetText(c.t("fing.again"))
	}
	skip := c.button("skip", c.t("fing.skip"), widget.LowImportance, c.skipFingers)
	side := container.NewVBox(guide, c.w.quality, widget.NewCard("", "", container.NewVBox(right, left)), start, skip, status)
	body := container.NewBorder(nil, nil, c.w.image, nil, side)
	c.show("fingers", c.t("step.fingers"), body,
		c.button("cancel", c.t("nav.cancel"), widget.LowImportance, c.cancelSession),
		c.button("back", c.t("nav.back"), widget.MediumImportance, func() { c.session.Back(); c.showCredential() }),
		c.button("next", c.t("nav.next"), widget.HighImportance, func() {
			if err := c.session.Next(); err != nil {
				c.showError(capture.ProblemMessage(err, c.lang))
				return
			}
			c.showConsent()
		}))
	if f == nil && c.session.WithoutFingersReason() == "" && c.k.Scanner.Kind != "" {
		c.captureFingers() // the citizen is waiting: start at once
	}
}

// captureFingers runs the capture in the background, showing each image, its quality
// and what to ask of the citizen.
func (c *Controller) captureFingers() {
	for _, k := range []string{"start", "skip", "next", "back"} {
		c.w.buttons[k].Disable()
	}
	w := c.w
	c.background(func(ctx context.Context) {
		dev, err := c.k.OpenScanner(ctx)
		if err != nil {
			fyne.Do(func() { c.fingersFailed(ctx, w, err) })
			return
		}
		defer dev.Close()
		fingers, results, err := capture.CaptureFingers(ctx, dev, capture.FingerOptions{Steps: func(st capture.Step) {
			fyne.Do(func() {
				if ctx.Err() != nil {
					return
				}
				guide := w.labels["guide"]
				switch st.Kind {
				case capture.PlaceFinger:
					guide.SetText(c.tf("fing.place", c.fingerName(st.Finger)))
				case capture.Captured:
					w.image.Image = st.Image
					w.image.Refresh()
					w.quality.SetValue(float64(st.Score))
				case capture.Retry:
					guide.SetText(st.Problem.Message(c.lang))
				case capture.DifferentFinger:
					w.status.SetText(c.tf("fing.different", c.fingerName(st.Finger)))
				case capture.FingerDone:
					l := map[int]*widget.Label{2: w.labels["right"], 7: w.labels["left"]}[st.Finger]
					l.SetText(c.tf("fing.done", capture.FingerLabel(st.Finger, c.lang), st.Score))
				}
			})
		}})
		if err != nil {
			fyne.Do(func() { c.fingersFailed(ctx, w, err) })
			return
		}
		fyne.Do(func() {
			if ctx.Err() != nil || c.session == nil { // the operator left: nobody will send these
				capture.WipeFingers(fingers, results)
				return
			}
			if err := c.session.SetFingers(fingers, results); err != nil {
				capture.WipeFingers(fingers, results)
				c.fingersFailed(ctx, w, err)
				return
			}
			w.labels["guide"].SetText("")
			for _, k := range []string{"start", "skip", "next", "back"} {
				w.buttons[k].Enable()
			}
			w.buttons["start"].SetText(c.t("fing.again"))
		})
	})
}

func (c *Controller) fingersFailed(ctx context.Context, w screenWidgets, err error) {
	if ctx.Err() != nil {
		return
	}
	for _, k := range []string{"start", "skip", "back"} {
		w.buttons[k].Enable()
	}
	c.showError(capture.ProblemMessage(err, c.lang))
}

// skipFingers asks why the fingers are not taken, for a data-only verification.
func (c *Controller) skipFingers() {
	reasons := []string{c.t("fing.reason1"), c.t("fing.reason2"), c.t("fing.reason3")}
	c.w.reason = widget.NewSelect(reasons, nil)
	d := dialog.NewForm(c.t("fing.skip"), c.t("nav.next"), c.t("nav.cancel"),
		[]*widget.FormItem{widget.NewFormItem(c.t("fing.skipreason"), c.w.reason)}, func(ok bool) {
			if ok {
				c.skipWith(c.w.reason.Selected)
			}
		}, c.win)
	d.Show()
}

func (c *Controller) skipWith(reason string) {
	if err := c.session.WithoutFingers(reason); err != nil {
		c.showError(capture.ProblemMessage(err, c.lang))
		return
	}
	c.showFingers()
}
