package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// confirm asks before something that cannot be undone (a session discarded): a modal
// question with two big buttons in the operator's words, not Fyne's English Yes/No.
// Its buttons are the screen's "confirm.yes" and "confirm.no" while it is shown.
func (c *Controller) confirm(question, yes string, onYes func()) {
	f := c.cur.base()
	var pop *widget.PopUp
	dismiss := func() {
		pop.Hide()
		delete(f.buttons, "confirm.yes")
		delete(f.buttons, "confirm.no")
	}
	no := f.button("confirm.no", c.t("confirm.no"), widget.HighImportance, dismiss)
	ok := f.button("confirm.yes", yes, widget.DangerImportance, func() { dismiss(); onYes() })
	q := wrapLabel(question)
	q.TextStyle.Bold = true
	box := container.NewVBox(q, container.NewGridWithColumns(2, no, ok))
	pop = widget.NewModalPopUp(container.NewGridWrap(fyne.NewSize(560, box.MinSize().Height+40), box), c.win.Canvas())
	pop.Show()
}

// askCancel asks before wiping the session.
func (c *Controller) askCancel() {
	c.confirm(c.t("confirm.cancel"), c.t("confirm.cancelyes"), c.cancelSession)
}
