package ui

import (
	"context"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// consentScreen shows the privacy notice for the citizen to accept or decline, and
// where the verification is made.
type consentScreen struct {
	frame
	accepted, where *widget.Label
}

func (s *consentScreen) name() string { return "consent" }

func (s *consentScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	notice := wrapLabel(reflow(s.session.Notice(s.lang)))
	notice.SizeName = theme.SizeNameCaptionText // the whole notice on a 768-pixel screen
	s.accepted = wrapLabel("")
	s.where = wrapLabel(s.t("home.checking"))
	s.showAccepted()
	accept := s.button("accept", s.t("cons.accept"), widget.HighImportance, func() {
		if err := s.session.Accept(); err != nil {
			s.showError(capture.ProblemMessage(err, s.lang))
			return
		}
		s.showAccepted()
		s.buttons["next"].Enable()
	})
	decline := s.button("decline", s.t("cons.decline"), widget.DangerImportance, func() {
		s.confirm(s.t("confirm.decline"), s.t("confirm.declineyes"), s.decline)
	})
	side := container.NewVBox(widget.NewCard(s.t("cons.where"), "", s.where), s.accepted, accept, decline, s.status)
	body := container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(360, 420), side), container.NewVScroll(notice))
	next := s.button("next", s.t("nav.next"), widget.HighImportance, func() { s.step(s.session.Next) })
	if s.session.Consent() == nil {
		next.Disable()
	}
	return s.t("step.consent"), body, []fyne.CanvasObject{
		s.button("cancel", s.t("nav.cancel"), widget.LowImportance, s.askCancel),
		s.button("back", s.t("nav.back"), widget.MediumImportance, func() { s.step(s.session.Back) }),
		next}
}

func (s *consentScreen) showAccepted() {
	if cons := s.session.Consent(); cons != nil {
		s.accepted.SetText(s.tf("cons.accepted", cons.At.Local().Format("15:04"), cons.Notice))
	}
}

// start finds where the verification is made (a GPS fix takes up to its wait), and
// records it in the session.
func (s *consentScreen) start() {
	s.background(func(ctx context.Context) {
		u, source, err := s.k.Here(ctx)
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				s.where.SetText(s.t("cons.nowhere"))
				return
			}
			s.session.SetLocation(u)
			text := ""
			if p := u.PosicionSatelital; p != nil && source == "gps" {
				text = s.tf("cons.gps", p.Latitud, p.Longitud) + "\n"
			}
			if !s.k.Branch.IsZero() {
				text += s.tf("cons.branch", placeText(s.k.Branch))
			}
			s.where.SetText(text)
		})
	})
}

// decline erases the session: the citizen does not agree.
func (s *consentScreen) decline() {
	s.session.Decline()
	s.session = nil
	s.goTo(&homeScreen{info: s.t("cons.declined")})
}

// reflow joins the notice's lines within each paragraph: its file breaks lines at 80
// characters, which the label would break again at its own width, raggedly.
func reflow(text string) string {
	paras := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n")
	for i, p := range paras {
		paras[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.Join(paras, "\n\n")
}
