package ui

import (
	"context"
	"image/color"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
	"cotejo/verify/nom151"
)

// constancyButton is a history line's "Validate constancy": tall and wide enough for a
// finger, beside the line it belongs to.
func (s *historyScreen) constancyButton(e capture.Entry, back func()) fyne.CanvasObject {
	b := s.button("constancy:"+e.ID, s.t("hist.constancy"), widget.HighImportance, func() {
		s.goTo(&constancyScreen{entry: e, back: back})
	})
	tall := canvas.NewRectangle(color.Transparent)
	tall.SetMinSize(fyne.NewSize(240, 56))
	return container.NewStack(tall, b)
}

// constancyScreen validates an entry's receipt against its NOM-151 constancy with the
// configured service, off the UI goroutine, and shows the verdict, the service's three
// checks and its Estado in words; the evidence sheet it returns can be saved beside
// the receipts.
type constancyScreen struct {
	frame
	entry capture.Entry
	back  func()

	verdict string // "valid", "invalid" or "error", for tests
	// What the last validation found, kept when the screen is built again in the other
	// language: switching does not ask the service again.
	done    bool
	check   *capture.ConstancyCheck
	err     error
	citizen string

	who      *widget.Label
	progress *widget.ProgressBarInfinite
	answer   *fyne.Container
}

func (s *constancyScreen) name() string { return "constancy" }

func (s *constancyScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	s.who = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	request := widget.NewLabel(s.t("res.request") + " " + s.entry.Indice)
	s.progress = widget.NewProgressBarInfinite()
	s.progress.Hide()
	s.answer = container.NewVBox()
	body := container.NewVBox(container.NewBorder(nil, nil, nil, request, s.who), s.progress, s.answer, s.status)
	save := s.button("save", s.t("cons.save"), widget.HighImportance, s.save)
	save.Disable()
	again := s.button("again", s.t("cons.again"), widget.MediumImportance, s.validate)
	again.Disable()
	back := s.back
	if back == nil {
		back = s.history
	}
	return s.t("cons.title"), body, []fyne.CanvasObject{s.button("back", s.t("nav.back"), widget.MediumImportance, back), again, save}
}

func (s *constancyScreen) start() {
	if s.done { // built again (the language changed): show what was found
		s.who.SetText(s.citizen)
		s.show(s.check, s.err)
		return
	}
	s.validate()
}

// validate asks the service, in the background; the screen shows it is waiting.
func (s *constancyScreen) validate() {
	e, op := s.entry, s.op.ID
	s.enable(false, "again", "save")
	s.answer.RemoveAll()
	s.progress.Show()
	s.progress.Start()
	s.showInfo(s.t("cons.checking"))
	s.background(func(ctx context.Context) {
		name := s.k.CitizenName(e)
		check, err := s.k.ValidateConstancy(ctx, e, op)
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			s.done, s.check, s.err, s.citizen = true, check, err, name
			s.who.SetText(name)
			s.show(check, err)
		})
	})
}

// show lays out the verdict, or why there is none.
func (s *constancyScreen) show(check *capture.ConstancyCheck, err error) {
	s.progress.Stop()
	s.progress.Hide()
	s.answer.RemoveAll()
	s.enable(true, "again")
	if err != nil {
		s.verdict = "error"
		s.answer.Add(bigBanner("✗  "+s.t("cons.failed"), colourBad))
		s.answer.Add(broken(capture.ProblemMessage(err, s.lang), 90))
		s.status.SetText("")
		s.status.Hide()
		return
	}
	s.verdict = "invalid"
	col, mark := colourBad, "✗"
	if check.Passed() {
		s.verdict, col, mark = "valid", colourGood, "✓"
	}
	r := check.Result
	s.answer.Add(bigBanner(mark+"  "+check.Verdict(s.lang), col))
	for _, f := range check.Findings(s.lang) {
		fmark, fcol := "✓", colourGood
		if !f.OK {
			fmark, fcol = "✗", colourBad
		}
		s.answer.Add(line(fmark+" "+f.Text(), fcol))
	}
	s.answer.Add(broken(s.tf("cons.estado", int(r.Estado), r.Estado.Message(s.lang)), 90))
	s.answer.Add(broken(s.tf("cons.folio", r.ConstanciaSerie, r.ConstanciaFecha.Format("2006-01-02 15:04:05"), r.ConstanciaAlgoritmo), 90))
	s.answer.Add(broken(s.tf("cons.when", nom151.FormatValidaFecha(r.ValidaFecha), r.PSCNombre), 90))
	s.answer.Add(broken(s.tf("cons.document", r.DocumentoNombre), 90))
	s.status.SetText("")
	s.status.Hide()
	s.answer.Refresh()
	if len(r.PDF) > 0 && s.opts.ReceiptDir != "" {
		s.enable(true, "save")
	}
}

// save writes the evidence sheet in the receipts folder, as receipts are saved: it
// names the receipt, so it is the owner's alone.
func (s *constancyScreen) save() {
	check, dir := s.check, s.opts.ReceiptDir
	if check == nil {
		return
	}
	path := filepath.Join(dir, check.EvidenceName())
	s.task(func(context.Context) error {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return err
		}
		return os.WriteFile(path, check.Result.PDF, 0o600)
	}, func() { s.showInfo(s.tf("cons.saved", path)) })
}
