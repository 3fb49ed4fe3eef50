package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// resultScreen shows an entry's outcome as a teller reads it aloud: whose verification,
// the verdict in big words, what failed and what to do next, then the detail. The
// answer is read from the data file, decrypted and its signature checked in the
// background.
type resultScreen struct {
	frame
	entry capture.Entry
	// back, when set, returns to where the result was opened from (the history).
	back func()

	verdict     string // the verdict's key ("valid", "queued" …), for tests
	who         *widget.Label
	what, next  *widget.Label // the sentences read aloud
	answer      *fyne.Container
	right, left *widget.Label            // the fingers' similarities
	marks       map[string]*widget.Label // INE's comparison, by field
}

func (s *resultScreen) name() string { return "result" }

func (s *resultScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	e := s.entry
	s.verdict, s.right, s.left, s.marks = "", nil, nil, map[string]*widget.Label{}
	s.who = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.who.SizeName = theme.SizeNameSubHeadingText
	s.what, s.next = big(""), big("")
	s.next.TextStyle.Bold = true
	s.answer = container.NewVBox()
	body := container.NewVBox(s.who, s.answer, s.status, widget.NewLabel(s.t("res.request")+" "+e.Indice))
	var buttons []fyne.CanvasObject
	if e.Answers > 0 {
		buttons = append(buttons,
			s.button("print", s.t("res.print"), widget.MediumImportance, s.print),
			s.button("receipt", s.t("res.receipt"), widget.MediumImportance, s.saveReceipt))
		if s.opts.ReceiptDir == "" {
			s.buttons["receipt"].Disable()
		}
	}
	if s.back != nil {
		buttons = append(buttons, s.button("back", s.t("nav.back"), widget.MediumImportance, s.back))
	} else {
		buttons = append(buttons, s.button("home", s.t("nav.home"), widget.MediumImportance, s.home))
	}
	buttons = append(buttons, s.button("new", s.t("home.new"), widget.HighImportance, s.startVerification))
	if e.Answers == 0 {
		s.verdict = "queued"
		s.answer.Add(banner("⏳ "+s.t("res.queuedword"), colourWarn))
		s.what.SetText(s.tf("res.queued", e.ID))
		s.next.SetText(s.t("res.queuednext"))
		s.answer.Objects = append(s.answer.Objects, s.what, s.next)
	} else {
		s.status.SetText(s.t("res.loading"))
	}
	return s.t("step.result"), container.NewVScroll(body), buttons
}

// big is a wrapping label in the subheading's size: sentences read aloud.
func big(text string) *widget.Label {
	l := wrapLabel(text)
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// start finds whose verification it is and opens INE's answer, when there is one.
func (s *resultScreen) start() {
	s.background(func(ctx context.Context) {
		name := s.k.CitizenName(s.entry)
		var (
			res *capture.Result
			err error
		)
		if s.entry.Answers > 0 {
			res, err = s.k.Answer(s.entry)
		}
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			s.who.SetText(name)
			if s.entry.Answers == 0 {
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

// show lays out INE's answer: the verdict, what failed and what next, then the fingers,
// each field's comparison and INE's codes.
func (s *resultScreen) show(res *capture.Result) {
	v := res.Verdict(s.k.Threshold)
	s.verdict = v.String()
	ex := capture.Explain(res, s.k.Threshold, s.lang)
	col, mark := colourNeutral, "!"
	switch v {
	case capture.VerdictValid:
		col, mark = colourGood, "✓"
	case capture.VerdictInvalid:
		col, mark = colourBad, "✗"
	case capture.VerdictIncomplete:
		col = colourWarn
	}
	s.what.SetText(ex.What)
	s.next.SetText(ex.Next)
	s.answer.Add(bigBanner(mark+"  "+ex.Verdict, col))
	s.answer.Objects = append(s.answer.Objects, s.what, s.next, widget.NewSeparator())
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
		mark := f.Comparison.String()
		l := widget.NewLabel(mark + " " + s.t("res.cmp"+mark))
		l.TextStyle.Bold = true
		l.Importance = map[string]widget.Importance{"✓": widget.SuccessImportance, "✗": widget.DangerImportance}[mark]
		fields.Append(capture.FieldLabel(f.Field, s.lang), l)
		s.marks[f.Field] = l
	}
	for _, code := range res.Codes() {
		form.Append(s.tf("res.code", int(code)), wrapLabel(strings.TrimSpace(code.Message(s.lang))))
	}
	s.answer.Add(container.NewGridWithColumns(2, form, fields))
}

// similarity is a finger's similarity against the institution's minimum.
func (s *resultScreen) similarity(sim *float64) *widget.Label {
	l := widget.NewLabel("—")
	l.TextStyle.Bold = true
	if sim != nil {
		mark, word, imp := "✗", s.t("res.fingerbad"), widget.DangerImportance
		if *sim >= s.k.Threshold {
			mark, word, imp = "✓", s.t("res.fingergood"), widget.SuccessImportance
		}
		l.SetText(fmt.Sprintf("%s %s: %.0f %% (%s)", mark, word, *sim, s.tf("res.minimum", s.k.Threshold)))
		l.Importance = imp
	}
	return l
}

// print sends the receipt to the system's printer (CUPS), in the background.
func (s *resultScreen) print() {
	e, lang, op, inst := s.entry, s.lang, s.op.Name, s.opts.Institution
	noPrinter := false
	s.task(func(ctx context.Context) error {
		err := s.k.PrintReceipt(ctx, e, lang, inst, op)
		if errors.Is(err, capture.ErrNoPrinter) {
			noPrinter, err = true, nil
		}
		return err
	}, func() {
		if noPrinter {
			s.showError(s.t("res.noprinter"))
			return
		}
		s.showInfo(s.t("res.printed"))
	})
}

// saveReceipt writes the citizen's receipt as a PDF in the receipts folder, in the
// background (fonts and layout take a moment).
func (s *resultScreen) saveReceipt() {
	e, lang, op, dir, inst := s.entry, s.lang, s.op.Name, s.opts.ReceiptDir, s.opts.Institution
	path := filepath.Join(dir, "comprobante-"+e.Indice+".pdf")
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
