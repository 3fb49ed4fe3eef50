package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// nominalScreen is Tu Identidad's data-only check of a credential against the lista
// nominal, and the RFC and NSS look-ups of its CURP: each answer shown under a banner
// that says what the check is not (INE's verification with fingerprints). It is opened
// from INE's result screen with the session's credential, which it sends at once, or
// from the history with the cases already made.
type nominalScreen struct {
	frame
	ref, citizen, curp string
	cred               *capture.Credential // the credential to check; nil when only shown
	back               func()

	cases   map[capture.NominalKind]capture.NominalCase // the cases shown, by kind
	asked   bool                                        // the roll was sent (or loaded)
	busy    map[capture.NominalKind]bool
	verdict string // the roll's verdict's key ("valid", "cannot-vote" …), for tests
	body    *fyne.Container
	who     *widget.Label
}

func (s *nominalScreen) name() string { return "nominal" }

func (s *nominalScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	if s.cases == nil {
		s.cases, s.busy = map[capture.NominalKind]capture.NominalCase{}, map[capture.NominalKind]bool{}
	}
	s.who = widget.NewLabelWithStyle(s.citizen, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.who.SizeName = theme.SizeNameSubHeadingText
	s.body = container.NewVBox()
	s.fill()
	content := container.NewVBox(banner(capture.NominalNotice(s.lang), colourWarn), s.who, s.body, s.status)
	buttons := []fyne.CanvasObject{
		s.button("rfc", s.t("nom.rfc"), widget.MediumImportance, func() { s.lookup(capture.NominalRFC) }),
		s.button("nss", s.t("nom.nss"), widget.MediumImportance, func() { s.lookup(capture.NominalNSS) }),
	}
	if s.curp == "" {
		s.enable(false, "rfc", "nss")
	}
	if s.back != nil {
		buttons = append(buttons, s.button("back", s.t("nav.back"), widget.MediumImportance, s.back))
	} else {
		buttons = append(buttons, s.button("home", s.t("nav.home"), widget.MediumImportance, s.home))
	}
	buttons = append(buttons, s.button("new", s.t("home.new"), widget.HighImportance, s.startVerification))
	return s.t("nom.title"), container.NewVScroll(content), buttons
}

// start sends the credential the first time the screen is shown, or reads the cases
// made from the INE request when opened from the history.
func (s *nominalScreen) start() {
	if s.asked {
		return
	}
	s.asked = true
	n, op, ref := s.opts.Nominal, s.op.ID, s.ref
	if s.cred != nil {
		cred := *s.cred
		s.ask(capture.NominalRoll, "nom.asking", func(ctx context.Context) (capture.NominalCase, error) {
			return n.CheckRoll(ctx, op, ref, cred)
		})
		return
	}
	var cases []capture.NominalCase
	s.task(func(ctx context.Context) (err error) {
		cases, err = n.Cases(ctx, ref)
		return err
	}, func() {
		for _, c := range cases {
			s.cases[c.Kind] = c
			if s.citizen == "" {
				s.citizen = c.Name
				s.who.SetText(c.Name)
			}
		}
		s.fill()
	})
}

// lookup asks for the RFC or the NSS of the citizen's CURP.
func (s *nominalScreen) lookup(kind capture.NominalKind) {
	n, op, ref, curp := s.opts.Nominal, s.op.ID, s.ref, s.curp
	word := "nom.askingrfc"
	if kind == capture.NominalNSS {
		word = "nom.askingnss"
	}
	s.ask(kind, word, func(ctx context.Context) (capture.NominalCase, error) {
		if kind == capture.NominalNSS {
			return n.LookupNSS(ctx, op, ref, curp)
		}
		return n.LookupRFC(ctx, op, ref, curp)
	})
}

// ask sends a check in the background and waits a while for its answer (the
// background pass and a notice take over after that), showing progress meanwhile.
func (s *nominalScreen) ask(kind capture.NominalKind, word string, send func(context.Context) (capture.NominalCase, error)) {
	if s.busy[kind] {
		return
	}
	s.busy[kind] = true
	s.fill()
	s.showInfo(s.t(word))
	n, wait := s.opts.Nominal, s.opts.NominalWait
	s.background(func(ctx context.Context) {
		c, err := send(ctx)
		if err == nil && !c.State.Final() {
			wctx, cancel := context.WithTimeout(ctx, wait)
			c, err = n.Wait(wctx, c.Key)
			cancel()
		}
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			s.busy[kind] = false
			s.status.SetText("")
			if err != nil {
				s.fill()
				s.showError(capture.ProblemMessage(err, s.lang))
				return
			}
			s.cases[kind] = c
			s.fill()
		})
	})
}

// fill lays out the roll's answer, then each look-up's, from the cases held.
func (s *nominalScreen) fill() {
	if s.body == nil {
		return
	}
	s.body.RemoveAll()
	roll, ok := s.cases[capture.NominalRoll]
	switch {
	case s.busy[capture.NominalRoll]:
		s.body.Add(widget.NewProgressBarInfinite())
	case ok:
		s.verdict = nominalVerdict(roll)
		o := roll.Outcome(s.lang)
		mark, col := "✗", colourBad // a final answer that is not good news
		switch {
		case !roll.State.Final():
			mark, col = "⏳", colourWarn
		case o.Good:
			mark, col = "✓", colourGood
		}
		s.body.Add(bigBanner(mark+"  "+o.Verdict, col))
		s.addLines(o)
	default:
		s.body.Add(widget.NewLabel(s.t("nom.none")))
	}
	for _, kind := range []capture.NominalKind{capture.NominalRFC, capture.NominalNSS} {
		c, ok := s.cases[kind]
		switch {
		case s.busy[kind]:
			s.body.Add(container.NewBorder(nil, nil, widget.NewLabel(kind.String()+":"), nil, widget.NewProgressBarInfinite()))
		case ok:
			o := c.Outcome(s.lang)
			col := colourNeutral
			if o.Found {
				col = colourGood
			} else if c.State.Final() {
				col = colourBad
			}
			s.body.Add(line(c.KindText(s.lang)+": "+o.Verdict, col))
			s.addLines(o)
		}
	}
	if s.curp == "" {
		s.body.Add(widget.NewLabel(s.t("nom.nocurp")))
	}
}

func (s *nominalScreen) addLines(o capture.NominalOutcome) {
	if len(o.Detail) > 0 {
		s.body.Add(broken(strings.Join(o.Detail, " · "), 90))
	}
	if o.Next != "" {
		n := big(o.Next)
		n.TextStyle.Bold = true
		s.body.Add(n.Label)
	}
}

// nominalVerdict is a roll case's verdict as a key, for tests.
func nominalVerdict(c capture.NominalCase) string {
	res, err := c.Result()
	switch {
	case !c.State.Final():
		return "waiting"
	case err != nil || res.INE == nil:
		return "failed"
	case res.INE.Valid && res.INE.CanVote:
		return "valid"
	case res.INE.Valid:
		return "cannot-vote"
	}
	return "not-valid"
}

// nominalLine is a case in plain words for the queue and the history: which check,
// whose, when, its state and its answer.
func (c *Controller) nominalLine(n capture.NominalCase) string {
	when := n.Created.Local()
	at := when.Format("15:04")
	if y, m, d := when.Date(); y != time.Now().Year() || m != time.Now().Month() || d != time.Now().Day() {
		at = when.Format("02/01 15:04")
	}
	name := n.Name
	if name == "" {
		name = "—"
	}
	text := n.KindText(c.lang) + " · " + name + " · " + at + " · " + n.StateText(c.lang)
	if n.State.Final() {
		text += ": " + n.Outcome(c.lang).Verdict
	}
	return text
}

// openNominal shows the cases made from an INE request, with a way back.
func (c *Controller) openNominal(n capture.NominalCase, back func()) {
	c.goTo(&nominalScreen{ref: n.Ref, citizen: n.Name, curp: n.CURP, back: back})
}
