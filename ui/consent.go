package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

func (c *Controller) showConsent() {
	c.reset()
	notice := widget.NewLabel(c.session.Notice(c.lang))
	notice.Wrapping = fyne.TextWrapWord
	accepted := c.label("accepted", "")
	if cons := c.session.Consent(); cons != nil {
		accepted.SetText(c.tf("cons.accepted", cons.At.Local().Format("15:04"), cons.Notice))
	}
	where := c.label("where", c.t("home.checking"))
	accept := c.button("accept", c.t("cons.accept"), widget.HighImportance, func() {
		if err := c.session.Accept(); err != nil {
			c.showError(capture.ProblemMessage(err, c.lang))
			return
		}
		cons := c.session.Consent()
		accepted.SetText(c.tf("cons.accepted", cons.At.Local().Format("15:04"), cons.Notice))
		c.w.buttons["next"].Enable()
	})
	decline := c.button("decline", c.t("cons.decline"), widget.DangerImportance, func() {
		c.session.Decline()
		c.session = nil
		c.showHome()
		c.showInfo(c.t("cons.declined"))
	})
	side := container.NewVBox(widget.NewCard(c.t("cons.where"), "", where), accepted, accept, decline, c.w.status)
	body := container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(360, 420), side), container.NewVScroll(notice))
	next := c.button("next", c.t("nav.next"), widget.HighImportance, func() {
		if err := c.session.Next(); err != nil {
			c.showError(capture.ProblemMessage(err, c.lang))
			return
		}
		c.showReview()
	})
	if c.session.Consent() == nil {
		next.Disable()
	}
	c.show("consent", c.t("step.consent"), body,
		c.button("cancel", c.t("nav.cancel"), widget.LowImportance, c.cancelSession),
		c.button("back", c.t("nav.back"), widget.MediumImportance, func() { c.session.Back(); c.showFingers() }),
		next)
	c.background(func(ctx context.Context) {
		u, source, err := c.k.Here(ctx)
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				where.SetText(c.t("cons.nowhere"))
				return
			}
			c.session.SetLocation(u)
			text := ""
			if p := u.PosicionSatelital; p != nil && source == "gps" {
				text = c.tf("cons.gps", p.Latitud, p.Longitud) + "\n"
			}
			if !c.k.Branch.IsZero() {
				text += c.tf("cons.branch", placeText(c.k.Branch))
			}
			where.SetText(text)
		})
	})
}
