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

// fingersScreen captures both index fingers, showing each image, its quality and what
// to ask of the citizen; or records why the verification goes without them.
type fingersScreen struct {
	frame
	print       *canvas.Image
	quality     *widget.ProgressBar
	guide       *widget.Label
	right, left *widget.Label
}

func (s *fingersScreen) name() string { return "fingers" }

func (s *fingersScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	s.print = canvas.NewImageFromImage(nil)
	s.print.FillMode = canvas.ImageFillContain
	s.print.SetMinSize(fyne.NewSize(300, 300))
	s.quality = widget.NewProgressBar()
	s.quality.Max = 100
	s.quality.TextFormatter = func() string { return s.tf("fing.quality", int(s.quality.Value)) }
	s.guide = wrapLabel("")
	s.guide.TextStyle.Bold = true
	s.right, s.left = wrapLabel("—"), wrapLabel("—")
	f, results := s.session.Fingers()
	s.quality.Hide() // until there is a print to rate
	for _, r := range results {
		s.done(r.Finger, r.Quality.Score)
		// Back on the screen: the last print and the lower of the two qualities, not
		// an empty bar beside two captured fingers.
		s.print.Image = r.Image
		if !s.quality.Visible() || float64(r.Quality.Score) < s.quality.Value {
			s.quality.SetValue(float64(r.Quality.Score))
		}
		s.quality.Show()
	}
	if reason := s.session.WithoutFingersReason(); reason != "" {
		s.guide.SetText(s.tf("fing.skipped", reason))
	}
	start := s.button("start", s.t("fing.start"), widget.HighImportance, s.capture)
	if f != nil {
		start.SetText(s.t("fing.again"))
	}
	skip := s.button("skip", s.t("fing.skip"), widget.MediumImportance, s.askSkip)
	side := container.NewVBox(s.guide, s.quality, widget.NewCard("", "", container.NewVBox(s.right, s.left)), start, skip, s.status)
	buttons := []fyne.CanvasObject{
		s.button("cancel", s.t("nav.cancel"), widget.LowImportance, s.askCancel),
		s.button("back", s.t("nav.back"), widget.MediumImportance, func() { s.step(s.session.Back) }),
		s.button("next", s.t("nav.next"), widget.HighImportance, func() { s.step(s.session.Next) }),
	}
	return s.t("step.fingers"), container.NewBorder(nil, nil, s.print, nil, side), buttons
}

// start captures at once when there is nothing yet: the citizen is waiting.
func (s *fingersScreen) start() {
	if f, _ := s.session.Fingers(); f == nil && s.session.WithoutFingersReason() == "" && s.k.Scanner.Kind != "" {
		s.capture()
	}
}

// done shows a finger captured, with its quality.
func (s *fingersScreen) done(finger, score int) {
	l := map[int]*widget.Label{2: s.right, 7: s.left}[finger]
	l.SetText(s.tf("fing.done", capture.FingerLabel(finger, s.lang), score))
}

// capture runs the capture in the background, reporting each step on the screen.
func (s *fingersScreen) capture() {
	s.enable(false, "start", "skip", "next", "back")
	failed := func(err error) {
		s.enable(true, "start", "skip", "back")
		s.showError(capture.ProblemMessage(err, s.lang))
	}
	s.background(func(ctx context.Context) {
		dev, err := s.k.OpenScanner(ctx)
		if err != nil {
			fyne.Do(func() {
				if ctx.Err() == nil {
					failed(err)
				}
			})
			return
		}
		defer dev.Close()
		fingers, results, err := capture.CaptureFingers(ctx, dev, capture.FingerOptions{Steps: func(st capture.Step) {
			fyne.Do(func() {
				if ctx.Err() == nil {
					s.show(st)
				}
			})
		}})
		fyne.Do(func() {
			switch {
			case ctx.Err() != nil || s.session == nil: // the operator left: nobody will send these
				capture.WipeFingers(fingers, results)
			case err != nil:
				failed(err)
			default:
				if err := s.session.SetFingers(fingers, results); err != nil {
					capture.WipeFingers(fingers, results)
					failed(err)
					return
				}
				s.guide.SetText("")
				s.enable(true, "start", "skip", "next", "back")
				s.buttons["start"].SetText(s.t("fing.again"))
			}
		})
	})
}

// show says a capture's step: where to place which finger, the image and its quality,
// what to correct.
func (s *fingersScreen) show(st capture.Step) {
	name := capture.FingerName(st.Finger, s.lang)
	switch st.Kind {
	case capture.PlaceFinger:
		s.guide.SetText(s.tf("fing.place", name))
	case capture.Captured:
		s.print.Image = st.Image
		s.print.Refresh()
		s.quality.SetValue(float64(st.Score))
		s.quality.Show()
	case capture.Retry:
		s.guide.SetText(st.Problem.Message(s.lang))
	case capture.DifferentFinger:
		s.status.SetText(s.tf("fing.different", name))
	case capture.FingerDone:
		s.done(st.Finger, st.Score)
	}
}

// askSkip asks why the fingers are not taken, for a data-only verification.
func (s *fingersScreen) askSkip() {
	reasons := widget.NewSelect([]string{s.t("fing.reason1"), s.t("fing.reason2"), s.t("fing.reason3")}, nil)
	reasons.PlaceHolder = s.t("fing.choosereason") // Fyne's own is English
	d := dialog.NewForm(s.t("fing.skip"), s.t("nav.next"), s.t("nav.cancel"),
		[]*widget.FormItem{widget.NewFormItem(s.t("fing.skipreason"), reasons)}, func(ok bool) {
			if ok {
				s.skipWith(reasons.Selected)
			}
		}, s.win)
	d.Show()
}

func (s *fingersScreen) skipWith(reason string) {
	if err := s.session.WithoutFingers(reason); err != nil {
		s.showError(capture.ProblemMessage(err, s.lang))
		return
	}
	s.goTo(&fingersScreen{})
}
