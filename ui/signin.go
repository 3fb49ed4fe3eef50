package ui

import (
	"context"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// signInScreen asks for the operator and PIN by touch alone: the operator is tapped in
// a list (or typed), the PIN on the keypad, which types into the field that has the
// focus.
type signInScreen struct {
	frame
	operator, pin *widget.Entry
	digits        *keypad
	letters       *keypad
	// last is the field the keypad typed into last, for when nothing has the focus.
	last *widget.Entry
}

func (s *signInScreen) name() string { return "signin" }

func (s *signInScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	s.operator = widget.NewEntry()
	s.operator.SetPlaceHolder(s.t("signin.operator"))
	s.pin = widget.NewPasswordEntry()
	s.pin.SetPlaceHolder(s.t("signin.pin"))
	enter := s.button("enter", s.t("signin.enter"), widget.HighImportance, s.signIn)
	s.pin.OnSubmitted = func(string) { s.signIn() }
	s.operator.OnSubmitted = func(string) { s.win.Canvas().Focus(s.pin) }

	// Ids may have letters; PINs are digits: one keypad at a time, each switching to
	// the other with a key (keys keep the field's focus; a button would take it).
	swap := func() {
		if s.letters.Visible() {
			s.letters.Hide()
			s.digits.Show()
		} else {
			s.digits.Hide()
			s.letters.Show()
		}
	}
	digits := append(slices.Clone(digitRows[:3]), []string{"⌫", "0", "ABC"})
	letters := append(slices.Clone(letterRows[:4]), []string{"-", ".", "␣", "123"})
	s.digits = newKeypad(digits, s.target, map[string]func(){"ABC": swap})
	s.letters = newKeypad(letters, s.target, map[string]func(){"123": swap})
	s.letters.Hide()
	form := container.NewVBox(
		widget.NewForm(widget.NewFormItem(s.t("signin.operator"), s.operator), widget.NewFormItem(s.t("signin.pin"), s.pin)),
		container.NewStack(s.digits, s.letters), enter, s.status)
	right := container.NewGridWrap(fyne.NewSize(480, 520), form)

	ops := s.k.OperatorList()
	if len(ops) == 0 {
		return s.t("signin.title"), container.NewCenter(right), nil
	}
	list := container.NewVBox(widget.NewLabelWithStyle(s.t("signin.who"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, op := range ops {
		list.Add(s.button("op:"+op.ID, op.Name, widget.MediumImportance, func() {
			s.operator.SetText(op.ID)
			s.pin.SetText("")
			s.win.Canvas().Focus(s.pin)
			s.last = s.pin
		}))
	}
	left := container.NewGridWrap(fyne.NewSize(300, 520), container.NewVScroll(list))
	return s.t("signin.title"), container.NewCenter(container.NewHBox(left, right)), nil
}

// target is where the keypad types: the focused field, else the last one typed into,
// else the operator until it is filled, then the PIN.
func (s *signInScreen) target() *widget.Entry {
	switch f := s.win.Canvas().Focused(); f {
	case s.operator:
		s.last = s.operator
	case s.pin:
		s.last = s.pin
	}
	if s.last != nil {
		return s.last
	}
	if s.operator.Text == "" {
		return s.operator
	}
	return s.pin
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
