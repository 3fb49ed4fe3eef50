package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// unlockScreen lets a supervisor lift an operator's PIN lockout: a tap on the
// operator's name. The kiosk checks the role again and records the unlock in the audit
// trail.
type unlockScreen struct {
	frame
}

func (s *unlockScreen) name() string { return "unlock" }

func (s *unlockScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	list := container.NewVBox(wrapLabel(s.t("unlock.help")))
	for _, o := range s.k.OperatorList() {
		if o.ID == s.op.ID {
			continue
		}
		list.Add(s.button("op:"+o.ID, o.Name+" ("+o.ID+")", widget.MediumImportance, func() { s.unlock(o) }))
	}
	list.Add(s.status)
	return s.t("unlock.title"), container.NewVScroll(list), []fyne.CanvasObject{
		s.button("home", s.t("nav.home"), widget.MediumImportance, s.home)}
}

func (s *unlockScreen) unlock(o capture.Operator) {
	sup := s.op
	s.task(func(context.Context) error { return s.k.Unlock(sup, o.ID) }, func() {
		s.showInfo(s.tf("unlock.done", o.Name))
	})
}
