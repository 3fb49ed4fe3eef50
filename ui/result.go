package ui

import (
	"context"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// resultScreen shows an entry's outcome: INE's answer, or that it waits in the queue.
// The answer is read from the data file, decrypted and its signature checked in the
// background.
type resultScreen struct {
	frame
	entry capture.Entry

	verdict     string // the verdict's key ("valid", "queued" …), for tests
	answer      *fyne.Container
	right, left *widget.Label            // the fingers' similarities
	marks       map[string]*widget.Label // INE's comparison, by field
}

func (s *resultScreen) name() string { return "result" }

func (s *resultScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	e := s.entry
	s.verdict, s.right, s.left, s.marks = "", nil, nil, map[string]*widget.Label{}
	s.answer = container.NewVBox()
	body := container.NewVBox(s.answer, widget.NewLabel(s.t("res.request")+" "+e.Indice), s.status)
	buttons := []fyne.CanvasObject{
		s.button("home", s.t("nav.home"), widget.MediumImportance, s.home),
		s.button("new", s.t("home.new"), widget.HighImportance, s.startVerification),
	}
	if e.Answers > 0 && s.opts.ReceiptDir != "" {
		buttons = append([]fyne.CanvasObject{s.button("receipt", s.t("res.receipt"), widget.MediumImportance, s.saveReceipt)}, buttons...)
	}
	if e.Answers == 0 {
		s.verdict = "queued"
		s.answer.Add(banner(s.tf("res.queued", e.ID), colourWarn))
	} else {
		s.status.SetText(s.t("res.loading"))
	}
	return s.t("step.result"), container.NewVScroll(body), buttons
}

// start opens INE's answer, when there is one.
func (s *resultScreen) start() {
	if s.entry.Answers == 0 {
		return
	}
	s.background(func(ctx context.Context) {
		res, err := s.k.Answer(s.entry)
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			s.showInfo("")
			if err != nil {
				s.answer.Add(banner(capture.ProblemMessage(err, s.lang), colourBad))
				return
			}
			s.show(res)
		})
	})
}

// show lays out INE's answer: the verdict, the fingers, each field's comparison and
// INE's codes.
func (s *resultScreen) show(res *capture.Result) {
	v := res.Verdict(s.k.Threshold)
	s.verdict = v.String()
	col := map[capture.Verdict]color.Color{capture.VerdictValid: colourGood, capture.VerdictInvalid: colourBad, capture.VerdictIncomplete: colourWarn}[v]
	if col == nil {
		col = colourNeutral
	}
	s.answer.Add(banner(res.VerdictLabel(s.lang, s.k.Threshold), col))
	form := widget.NewForm()
	if res.Situation != "" {
		form.Append(s.t("res.situation"), wrapLabel(res.Situation.Message(s.lang)))
	}
	if res.TheftReport != "" {
		form.Append("", wrapLabel(res.TheftReport))
	}
	// The fingers first: with the verdict, they are what the teller acts on.
	if res.HasFingers {
		s.right, s.left = s.similarity(res.Similarity(2)), s.similarity(res.Similarity(7))
		form.Append(capture.FingerLabel(2, s.lang), s.right)
		form.Append(capture.FingerLabel(7, s.lang), s.left)
	}
	fields := widget.NewForm()
	for _, f := range res.Fields {
		l := widget.NewLabel(f.Comparison.String())
		l.TextStyle.Bold = true
		l.Importance = map[string]widget.Importance{"✓": widget.SuccessImportance, "✗": widget.DangerImportance}[f.Comparison.String()]
		fields.Append(capture.FieldLabel(f.Field, s.lang), l)
		s.marks[f.Field] = l
	}
	for _, code := range res.Codes() {
		form.Append(s.tf("res.code", int(code)), wrapLabel(strings.TrimSpace(code.Message(s.lang))))
	}
	s.answer.Add(container.NewGridWithColumns(2, form, fields))
}

// similarity is a finger's similarity against the institution's threshold.
func (s *resultScreen) similarity(sim *float64) *widget.Label {
	l := widget.NewLabel("—")
	l.TextStyle.Bold = true
	if sim != nil {
		mark, imp := "✗", widget.DangerImportance
		if *sim >= s.k.Threshold {
			mark, imp = "✓", widget.SuccessImportance
		}
		l.SetText(fmt.Sprintf("%s %.1f %% (%s)", mark, *sim, s.tf("res.threshold", s.k.Threshold)))
		l.Importance = imp
	}
	return l
}

// saveReceipt writes the citizen's receipt as a PDF in the receipts folder, in the
// background (fonts and layout take a moment).
func (s *resultScreen) saveReceipt() {
	e, lang, op, dir, inst := s.entry, s.lang, s.op.Name, s.opts.ReceiptDir, s.opts.Institution
	path := filepath.Join(dir, capture.ReceiptName(e.Indice))
	s.task(func(context.Context) error {
		err := os.MkdirAll(dir, 0o700)
		var f *os.File
		if err == nil {
			f, err = os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
		}
		if err == nil {
			err = s.k.Receipt(f, e, lang, inst, op)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(path)
			}
		}
		return err
	}, func() { s.showInfo(s.tf("res.saved", path)) })
}
