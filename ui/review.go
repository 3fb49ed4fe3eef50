package ui

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// reviewScreen shows the whole request once more before it is sent.
type reviewScreen struct {
	frame
	sending *widget.ProgressBarInfinite
}

func (s *reviewScreen) name() string { return "review" }

func (s *reviewScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	cred := s.session.Credential()
	cells := []fyne.CanvasObject{fieldCell(s.t("cred.model"), widget.NewLabel(string(cred.Modelo)))}
	fields := cred.Fields()
	for _, name := range capture.FieldNames() {
		v := fields[name]
		if v == "" {
			v = "—"
		}
		cells = append(cells, fieldCell(capture.FieldLabel(name, s.lang), widget.NewLabel(v)))
	}
	fingers := ""
	if _, results := s.session.Fingers(); len(results) > 0 {
		for _, r := range results {
			fingers += s.tf("fing.done", capture.FingerLabel(r.Finger, s.lang), r.Quality.Score) + "\n"
		}
	} else {
		fingers = s.tf("fing.skipped", s.session.WithoutFingersReason())
	}
	cells = append(cells, fieldCell(s.t("rev.fingers"), wrapLabel(strings.TrimSpace(fingers))))
	if cons := s.session.Consent(); cons != nil {
		cells = append(cells, fieldCell(s.t("rev.consent"), wrapLabel(s.tf("cons.accepted", cons.At.Local().Format("15:04"), cons.Notice))))
	}
	loc := s.session.Location()
	where := ""
	if p := loc.PosicionSatelital; p != nil {
		where = fmt.Sprintf("%.5f, %.5f ", p.Latitud, p.Longitud)
	}
	if l := loc.Localidad; l != nil {
		where += fmt.Sprintf("%s %s", l.Ciudad, l.CodigoPostal)
	}
	cells = append(cells, fieldCell(s.t("cons.where"), wrapLabel(where)))
	s.sending = widget.NewProgressBarInfinite()
	s.sending.Hide()
	body := container.NewBorder(nil, container.NewVBox(s.sending, s.status), nil, nil, container.NewVScroll(fieldGrid(3, cells...)))
	buttons := []fyne.CanvasObject{
		s.button("cancel", s.t("nav.cancel"), widget.LowImportance, s.askCancel),
		s.button("back", s.t("nav.back"), widget.MediumImportance, func() { s.step(s.session.Back) }),
		s.button("send", s.t("rev.send"), widget.HighImportance, s.send)}
	if !s.k.HasService() {
		s.enable(false, "send")
		s.status.SetText(capture.ProblemMessage(capture.ErrNoService, s.lang))
		s.status.Importance = widget.WarningImportance
	}
	if s.opts.Nominal != nil && (!s.k.HasService() || s.ineDown) {
		// Without INE, the data-only check is what can be done now.
		buttons = append(buttons, s.button("nominal", s.t("nom.check"), widget.HighImportance, s.nominal))
	}
	return s.t("step.review"), body, buttons
}

// nominal runs Tu Identidad's lista nominal check of the session's credential. The
// session keeps one reference for its checks, so that a second tap does not ask (and
// pay) twice.
func (s *reviewScreen) nominal() {
	if s.nominalRef == "" {
		s.nominalRef = capture.NewNominalRef()
	}
	cred := s.session.Credential()
	name := strings.Join(strings.Fields(cred.Nombre+" "+cred.ApellidoPaterno+" "+cred.ApellidoMaterno), " ")
	back := func() { s.goTo(&reviewScreen{}) }
	s.goTo(&nominalScreen{ref: s.nominalRef, curp: cred.CURP, cred: &cred, citizen: name, back: back})
}

// send seals the request and sends or queues it, then shows the result.
func (s *reviewScreen) send() {
	for _, b := range s.buttons {
		b.Disable()
	}
	s.sending.Show()
	s.showInfo(s.t("rev.sending"))
	session := s.session
	// Not tied to the screen: once sending starts it finishes (or queues) even if the
	// operator switches language meanwhile.
	s.backgroundApp(func(ctx context.Context) {
		entry, err := s.k.Submit(ctx, session)
		fyne.Do(func() {
			s.sending.Hide()
			if err != nil {
				for _, b := range s.buttons {
					b.Enable()
				}
				s.showError(capture.ProblemMessage(err, s.lang))
				return
			}
			s.session = nil
			cred := session.Credential()
			s.goTo(&resultScreen{entry: entry, cred: &cred})
		})
	})
}
