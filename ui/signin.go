package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// signInScreen asks for the operator's id and PIN, with a keypad for touch screens.
type signInScreen struct {
	frame
	operator, pin *widget.Entry
}

func (s *signInScreen) name() string { return "signin" }

func (s *signInScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	s.operator = widget.NewEntry()
	s.operator.SetPlaceHolder(s.t("signin.operator"))
	s.pin = widget.NewPasswordEntry()
	s.pin.SetPlaceHolder(s.t("signin.pin"))
	enter := s.button("enter", s.t("signin.enter"), widget.HighImportance, s.signIn)
	s.pin.OnSubmitted = func(string) { s.signIn() }
	target := func() *widget.Entry {
		if f, ok := s.win.Canvas().Focused().(*widget.Entry); ok && f == s.operator {
			return s.operator
		}
		return s.pin
	}
	pad := newKeypad(digitRows, target, "", nil)
	form := container.NewVBox(
		widget.NewForm(widget.NewFormItem(s.t("signin.operator"), s.operator), widget.NewFormItem(s.t("signin.pin"), s.pin)),
		pad, enter, s.status)
	return s.t("signin.title"), container.NewCenter(container.NewGridWrap(fyne.NewSize(460, 560), form)), nil
}

func (s *signInScreen) signIn() {
	id, pin := strings.TrimSpace(s.operator.Text), s.pin.Text
	if id == "" || pin == "" {
		s.showError(s.t("signin.missing"))
		return
	}
	enter := s.buttons["enter"]
	enter.Disable()
	var op capture.Operator
	// argon2id takes tens of milliseconds: not on the UI goroutine.
	s.task(func(context.Context) (err error) {
		op, err = s.k.SignIn(id, pin)
		fyne.Do(func() { enter.Enable(); s.pin.SetText("") })
		return err
	}, func() {
		s.op = op
		s.home()
	})
}
