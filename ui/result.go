package ui

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
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
	// cred is the session's credential, kept for Tu Identidad's lista nominal check
	// while INE's answer is queued; nil when the result was opened later.
	cred *capture.Credential

	verdict     string // the verdict's key ("valid", "queued" …), for tests
	who         *widget.Label
	what, next  bigLabel // the sentences read aloud
	answer      *fyne.Container
	right, left *canvas.Text            // the fingers' similarities
	marks       map[string]*canvas.Text // INE's comparison, by field
}

func (s *resultScreen) name() string { return "result" }

func (s *resultScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	e := s.entry
	s.verdict, s.right, s.left, s.marks = "", nil, nil, map[string]*canvas.Text{}
	s.who = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.who.SizeName = theme.SizeNameSubHeadingText
	s.what, s.next = big(""), big("")
	s.next.TextStyle.Bold = true
	s.answer = container.NewVBox()
	request := widget.NewLabel(s.t("res.request") + " " + e.Indice)
	body := container.NewVBox(container.NewBorder(nil, nil, nil, request, s.who), s.answer, s.status)
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
	if e.Answers == 0 && s.opts.Nominal != nil && s.cred != nil {
		// INE is out of reach: the data-only check is what can be done now.
		cred := s.cred
		buttons = append(buttons, s.button("nominal", s.t("nom.check"), widget.HighImportance, func() {
			s.goTo(&nominalScreen{ref: e.Indice, curp: cred.CURP, cred: cred, citizen: s.who.Text})
		}))
	}
	if e.Answers == 0 {
		s.verdict = "queued"
		s.answer.Add(banner("⏳ "+s.t("res.queuedword"), colourWarn))
		s.what.SetText(s.tf("res.queued", e.ID))
		s.next.SetText(s.t("res.queuednext"))
		s.answer.Objects = append(s.answer.Objects, s.what.Label, s.next.Label)
	} else {
		s.status.SetText(s.t("res.loading"))
	}
	// No scroll: wrapped sentences in a scroll keep the widest width they ever had, and
	// the main path must fit the screen anyway.
	return s.t("step.result"), body, buttons
}

// big is a label in the subheading's size: sentences read aloud. Lines are broken
// here rather than by Fyne, whose wrapped labels keep the widest width they were ever
// laid out at and would widen the window.
type bigLabel struct{ *widget.Label }

func big(text string) bigLabel {
	l := bigLabel{widget.NewLabel("")}
	l.SizeName = theme.SizeNameSubHeadingText
	l.SetText(text)
	return l
}

// SetText sets text broken into lines that fit 1024 pixels.
func (l bigLabel) SetText(text string) { l.Label.SetText(strings.Join(wrapWords(text, 72), "\n")) }

// Text is the sentence without its line breaks.
func (l bigLabel) Text() string { return strings.ReplaceAll(l.Label.Text, "\n", " ") }

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
			s.status.SetText("")
			s.status.Hide() // room for the answer until there is something to say
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
	s.answer.Objects = append(s.answer.Objects, s.what.Label, s.next.Label)
	// The detail in rows that fit the screen without scrolling: the register, the two
	// fingers side by side, INE's codes, then the fields four to a row.
	if res.Situation != "" {
		s.answer.Add(line(s.t("res.situation")+": "+res.Situation.Message(s.lang), colourNeutral))
	}
	if res.TheftReport != "" {
		s.answer.Add(broken(res.TheftReport, 90))
	}
	if res.HasFingers {
		s.right, s.left = s.similarity(2, res.Similarity(2)), s.similarity(7, res.Similarity(7))
		s.answer.Add(container.NewGridWithColumns(2, s.right, s.left))
	}
	for _, code := range res.Codes() {
		s.answer.Add(broken(s.tf("res.code", int(code))+": "+strings.TrimSpace(code.Message(s.lang)), 90))
	}
	fields := container.NewGridWithColumns(4)
	for _, f := range res.Fields {
		mark := f.Comparison.String()
		col := map[string]color.Color{"✓": colourGood, "✗": colourBad}[mark]
		if col == nil {
			col = colourNeutral
		}
		l := line(mark+" "+capture.FieldLabel(f.Field, s.lang), col)
		fields.Add(l)
		s.marks[f.Field] = l
	}
	s.answer.Add(line(s.t("res.fields"), colourNeutral))
	s.answer.Add(fields)
}

// broken is a label whose text is broken into lines of n characters here: Fyne's
// wrapped labels in a grid keep the widest width they were laid out at.
func broken(text string, n int) *widget.Label {
	return widget.NewLabel(strings.Join(wrapWords(text, n), "\n"))
}

// similarity is a finger's similarity against the institution's minimum.
func (s *resultScreen) similarity(finger int, sim *float64) *canvas.Text {
	if sim == nil {
		return line("— "+capture.FingerLabel(finger, s.lang), colourNeutral)
	}
	mark, word, col := "✗", s.t("res.fingerbad"), colourBad
	if *sim >= s.k.Threshold {
		mark, word, col = "✓", s.t("res.fingergood"), colourGood
	}
	return line(fmt.Sprintf("%s %s %s: %.0f %% (%s)", mark, capture.FingerLabel(finger, s.lang), word, *sim, s.tf("res.minimum", s.k.Threshold)), col)
}

// line is one bold line of detail in its colour, without a label's padding: the whole
// answer fits 768 pixels.
func line(text string, col color.Color) *canvas.Text {
	t := canvas.NewText(text, col)
	t.TextStyle.Bold = true
	t.TextSize = theme.TextSize()
	return t
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
// background (fonts and layout take a moment). When the kiosk has a preservation
// provider (the demonstration's), the file as written is preserved under a NOM-151
// constancy, which the history can then validate.
func (s *resultScreen) saveReceipt() {
	e, lang, op, opID, dir, inst := s.entry, s.lang, s.op.Name, s.op.ID, s.opts.ReceiptDir, s.opts.Institution
	path := filepath.Join(dir, capture.ReceiptName(e.Indice))
	s.task(func(ctx context.Context) error {
		var pdf bytes.Buffer
		if err := s.k.ReceiptContext(ctx, &pdf, e, lang, inst, op); err != nil {
			return err
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(path, pdf.Bytes(), 0o600); err != nil {
			os.Remove(path)
			return err
		}
		if s.k.Preserver == nil {
			return nil
		}
		_, err := s.k.PreserveReceipt(ctx, e, pdf.Bytes(), opID)
		return err
	}, func() { s.showInfo(s.tf("res.saved", path)) })
}
