package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// remoteScreen sends a remote verification by SMS link (phone, message with [LINK],
// the document expected) and lists the remote cases with their state; each opens its
// own screen. Every part of it says that it is supporting evidence only: no INE, no
// fingerprints.
type remoteScreen struct {
	frame
	phone, document, message *widget.Entry
	keyboard                 *keypad
	list                     *fyne.Container
	scroll                   *container.Scroll // the form, then the list below it
	// typed keeps the entries across languages.
	typed [3]string
	kept  bool
}

func (s *remoteScreen) name() string { return "remote" }

func (s *remoteScreen) keep() {
	s.typed, s.kept = [3]string{s.phone.Text, s.document.Text, s.message.Text}, true
}

func (s *remoteScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	if !s.kept {
		s.typed[2], s.kept = s.opts.Remote.DefaultMessage(), true
	}
	entry := func(hint, text string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(hint)
		e.SetText(text)
		return e
	}
	s.phone = entry(s.t("rem.phone"), s.typed[0])
	s.document = entry(s.t("rem.document"), s.typed[1])
	s.message = entry(s.t("rem.message"), s.typed[2])
	s.message.MultiLine, s.message.Wrapping = true, fyne.TextWrapWord
	// The keyboard types where the operator last tapped, the phone at first.
	focused := s.phone
	target := func() *widget.Entry {
		if f, ok := s.win.Canvas().Focused().(*widget.Entry); ok {
			focused = f
		}
		return focused
	}
	s.keyboard = newKeypad(letterRows, target, nil)
	s.list = container.NewVBox()
	form := container.NewVBox(
		banner(capture.RemoteNotice(s.lang), colourWarn),
		fieldGrid(2, fieldCell(s.t("rem.phone"), s.phone), fieldCell(s.t("rem.document"), s.document)),
		fieldCell(s.t("rem.message"), s.message),
		s.keyboard, s.status,
		widget.NewLabelWithStyle(s.t("rem.cases"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.list)
	s.scroll = container.NewVScroll(form)
	return s.t("rem.title"), s.scroll, []fyne.CanvasObject{
		s.button("home", s.t("nav.home"), widget.MediumImportance, s.home),
		s.button("send", s.t("rem.send"), widget.HighImportance, s.send),
	}
}

// start lists the cases.
func (s *remoteScreen) start() { s.reload(nil) }

// reload reads the list again, then runs then.
func (s *remoteScreen) reload(then func()) {
	var cases []capture.RemoteCase
	s.task(func(ctx context.Context) (err error) {
		cases, err = s.opts.Remote.Cases(ctx)
		return err
	}, func() {
		s.list.RemoveAll()
		if len(cases) == 0 {
			s.list.Add(widget.NewLabel(s.t("rem.none")))
		}
		for _, rc := range cases {
			b := widget.NewButton(s.remoteLine(rc), func() { s.goTo(&remoteCaseScreen{id: rc.ID}) })
			b.Alignment = widget.ButtonAlignLeading
			s.buttons["case:"+rc.ID] = b
			s.list.Add(b)
		}
		if then != nil {
			then()
		}
	})
}

// remoteLine is a case in a line: its request, when sent, its verdict and, while it
// is under way, its state (a finished case's state repeats its verdict at length, and
// a button does not wrap: the line must fit 1024 px).
func (c *Controller) remoteLine(r capture.RemoteCase) string {
	line := c.tf("rem.request", r.ID) + " · " + r.SentAt.Local().Format("02/01 15:04") + " · " + r.Verdict(c.lang)
	if r.Outcome() == capture.RemotePending {
		line += " · " + r.StateText(c.lang)
	}
	return line
}

// send texts the link in the background, then lists the new case; a refusal leaves
// the entries as typed, with the reason in the operator's words.
func (s *remoteScreen) send() {
	phone, doc, msg, op := s.phone.Text, s.document.Text, s.message.Text, s.op.ID
	s.enable(false, "send")
	s.showInfo(s.t("rem.sending"))
	s.background(func(ctx context.Context) {
		sent, err := s.opts.Remote.Send(ctx, op, phone, msg, doc)
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			s.enable(true, "send")
			if err != nil {
				s.showError(capture.ProblemMessage(err, s.lang))
				return
			}
			s.phone.SetText("")
			s.document.SetText("")
			s.reload(func() { s.showInfo(s.tf("rem.sent", sent.ID)) })
		})
	})
}

// remoteChanged is told of a remote case the provider moved: the screen showing it, or
// the list, is read again; a finished case is a notice on every other screen, as Tu
// Identidad's are.
func (c *Controller) remoteChanged(r capture.RemoteCase) {
	switch s := c.cur.(type) {
	case *remoteCaseScreen:
		if s.id == r.ID {
			s.show(r)
			return
		}
	case *remoteScreen:
		s.reload(nil)
		return
	}
	if r.Outcome() == capture.RemotePending {
		return
	}
	c.notifyCase(caseNotice{kind: "rem", id: r.ID, open: func() { c.goTo(&remoteCaseScreen{id: r.ID}) }, text: func(lang string) string {
		text := fmt.Sprintf(tr(lang, "rem.changed"), r.ID, r.Verdict(lang))
		if len(r.Certificate) > 0 {
			text += " · " + tr(lang, "rem.certificate")
		}
		return text
	}})
}
