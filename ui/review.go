package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

func (c *Controller) showReview() {
	c.reset()
	form := widget.NewForm()
	cred := c.session.Credential()
	form.Append(c.t("cred.model"), widget.NewLabel(string(cred.Modelo)))
	fields := capture.CredentialFields(cred)
	for _, name := range capture.FieldNames() {
		v := fields[name]
		if v == "" {
			v = "—"
		}
		form.Append(capture.FieldLabel(name, c.lang), widget.NewLabel(v))
	}
	fingers := ""
	if _, results := c.session.Fingers(); len(results) > 0 {
		for _, r := range results {
			fingers += c.tf("fing.done", capture.FingerLabel(r.Finger, c.lang), r.Quality.Score) + "\n"
		}
	} else {
		fingers = c.tf("fing.skipped", c.session.WithoutFingersReason())
	}
	form.Append(c.t("rev.fingers"), widget.NewLabel(fingers))
	if cons := c.session.Consent(); cons != nil {
		form.Append(c.t("rev.consent"), widget.NewLabel(c.tf("cons.accepted", cons.At.Local().Format("15:04"), cons.Notice)))
	}
	loc := c.session.Location()
	where := ""
	if p := loc.PosicionSatelital; p != nil {
		where = fmt.Sprintf("%.5f, %.5f ", p.Latitud, p.Longitud)
	}
	if l := loc.Localidad; l != nil {
		where += fmt.Sprintf("%s %s", l.Ciudad, l.CodigoPostal)
	}
	form.Append(c.t("cons.where"), widget.NewLabel(where))
	bar := widget.NewProgressBarInfinite()
	bar.Hide()
	body := container.NewBorder(nil, container.NewVBox(bar, c.w.status), nil, nil, container.NewVScroll(form))
	send := c.button("send", c.t("rev.send"), widget.HighImportance, nil)
	send.OnTapped = func() {
		for _, b := range c.w.buttons {
			b.Disable()
		}
		bar.Show()
		c.showInfo(c.t("rev.sending"))
		// Not tied to the screen: once sending starts it finishes (or queues) even if
		// the operator switches language meanwhile.
		c.backgroundApp(func(ctx context.Context) {
			entry, err := c.k.Submit(ctx, c.session)
			fyne.Do(func() {
				bar.Hide()
				if err != nil {
					for _, b := range c.w.buttons {
						b.Enable()
					}
					c.showError(capture.ProblemMessage(err, c.lang))
					return
				}
				c.session = nil
				c.showResult(entry)
			})
		})
	}
	c.show("review", c.t("step.review"), body,
		c.button("cancel", c.t("nav.cancel"), widget.LowImportance, c.cancelSession),
		c.button("back", c.t("nav.back"), widget.MediumImportance, func() { c.session.Back(); c.showConsent() }),
		send)
}
