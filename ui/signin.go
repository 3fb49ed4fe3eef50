package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

func (c *Controller) showSignIn() {
	c.op = capture.Operator{}
	status := c.reset()
	op := widget.NewEntry()
	op.SetPlaceHolder(c.t("signin.operator"))
	pin := widget.NewPasswordEntry()
	pin.SetPlaceHolder(c.t("signin.pin"))
	c.w.entries["operator"], c.w.entries["pin"] = op, pin
	enter := c.button("enter", c.t("signin.enter"), widget.HighImportance, c.signIn)
	pin.OnSubmitted = func(string) { c.signIn() }
	target := func() *widget.Entry {
		if f, ok := c.win.Canvas().Focused().(*widget.Entry); ok && f == op {
			return op
		}
		return pin
	}
	pad := newKeypad(digitRows, target, "", nil)
	form := container.NewVBox(
		widget.NewForm(widget.NewFormItem(c.t("signin.operator"), op), widget.NewFormItem(c.t("signin.pin"), pin)),
		pad, enter, status)
	c.show("signin", c.t("signin.title"), container.NewCenter(container.NewGridWrap(fyne.NewSize(460, 560), form)))
}

func (c *Controller) signIn() {
	id, pin := strings.TrimSpace(c.w.entries["operator"].Text), c.w.entries["pin"].Text
	if id == "" || pin == "" {
		c.showError(c.t("signin.missing"))
		return
	}
	c.w.buttons["enter"].Disable()
	c.background(func(ctx context.Context) {
		// argon2id takes tens of milliseconds: not on the UI goroutine.
		op, err := c.k.SignIn(id, pin)
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			c.w.buttons["enter"].Enable()
			c.w.entries["pin"].SetText("")
			if err != nil {
				c.showError(capture.ProblemMessage(err, c.lang))
				return
			}
			c.op = op
			c.showHome()
		})
	})
}
