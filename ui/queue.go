package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// entryLine is an entry in plain words: whose, when, its state and what comes next
// (INE's verdict, or the next try's time).
func (c *Controller) entryLine(e capture.Entry, sum capture.Summary) string {
	when := e.Created.Local()
	at := when.Format("15:04")
	if y, m, d := when.Date(); y != time.Now().Year() || m != time.Now().Month() || d != time.Now().Day() {
		at = when.Format("02/01 15:04")
	}
	line := sum.Name + " · " + at + " · " + c.t("state."+string(e.State))
	switch {
	case sum.Answered:
		line += ": " + c.t("verdict."+sum.Verdict.String())
	case (e.State == "pending" || e.State == "sending") && !e.NextAttempt.IsZero():
		line += " · " + c.tf("queue.next", e.NextAttempt.Local().Format("15:04"))
	}
	return line
}

// queueScreen lists the entries waiting to be sent, read in the background; failed
// ones can be retried, and everything sent now.
type queueScreen struct {
	frame
	list *fyne.Container
	// then says, once the list is shown, the outcome of what was done from the previous
	// list.
	then func()
}

func (s *queueScreen) name() string { return "queue" }

func (s *queueScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	s.list = container.NewVBox()
	drain := s.button("drain", s.t("queue.drain"), widget.HighImportance, s.drain)
	drain.Disable()
	return s.t("queue.title"), container.NewBorder(nil, s.status, nil, nil, container.NewVScroll(s.list)),
		[]fyne.CanvasObject{s.button("home", s.t("nav.home"), widget.MediumImportance, s.home), drain}
}

// start reads the list.
func (s *queueScreen) start() {
	var (
		entries []capture.Entry
		sums    []capture.Summary
		cases   []capture.NominalCase
	)
	s.task(func(ctx context.Context) (err error) {
		entries, err = s.k.Pending()
		for _, e := range entries { // each decrypts its citizen's name
			sums = append(sums, s.k.Summarize(e))
		}
		if err == nil {
			cases, err = s.pendingNominal(ctx)
		}
		return err
	}, func() {
		s.fill(entries, sums, len(cases) > 0)
		s.addNominal(s.list, cases, s.queue)
		if s.then != nil {
			s.then()
			s.then = nil
		}
	})
}

// fill lists INE's requests; the queue is empty when there are neither those nor
// other cases (listed after them).
func (s *queueScreen) fill(entries []capture.Entry, sums []capture.Summary, cases bool) {
	s.list.RemoveAll()
	if len(entries) == 0 && !cases {
		s.list.Add(widget.NewLabel(s.t("queue.empty")))
	}
	for i, e := range entries {
		line := wrapLabel(s.entryLine(e, sums[i]))
		if e.State != "failed" {
			s.list.Add(line)
			continue
		}
		retry := widget.NewButton(s.t("queue.retry"), func() {
			s.task(func(context.Context) error {
				_, err := s.k.Retry(e.ID, s.op.ID)
				return err
			}, s.queue)
		})
		s.list.Add(container.NewBorder(nil, nil, nil, retry, line))
	}
	if len(entries) > 0 {
		s.buttons["drain"].Enable()
	}
}

// drain sends everything now, then lists what is left and says how many went.
func (s *queueScreen) drain() {
	s.buttons["drain"].Disable()
	s.list.Add(widget.NewProgressBarInfinite())
	var n int
	s.background(func(ctx context.Context) {
		var err error
		n, err = s.k.Drain(ctx, func(e capture.Entry) {
			if e.Answers > 0 {
				s.answered(e)
			}
		})
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			s.goTo(&queueScreen{then: func() {
				if err != nil {
					s.showError(capture.ProblemMessage(err, s.lang))
					return
				}
				s.showInfo(s.tf("queue.sent", n))
			}})
		})
	})
}

// historyScreen finds past verifications by a citizen's CURP or CIC (an operator sees
// their own; a supervisor everyone's) and opens their results.
type historyScreen struct {
	frame
	search  *widget.Entry
	results *fyne.Container
	query   string // what was searched, kept across languages
}

func (s *historyScreen) name() string { return "history" }

func (s *historyScreen) keep() { s.query = s.search.Text }

func (s *historyScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	s.search = widget.NewEntry()
	s.search.SetPlaceHolder(s.t("hist.search"))
	s.search.SetText(s.query)
	s.results = container.NewVBox()
	s.search.OnSubmitted = func(string) { s.find() }
	top := container.NewBorder(nil, nil, nil, s.button("find", s.t("hist.find"), widget.HighImportance, s.find), s.search)
	return s.t("hist.title"), container.NewBorder(top, s.status, nil, nil, container.NewVScroll(s.results)),
		[]fyne.CanvasObject{s.button("home", s.t("nav.home"), widget.MediumImportance, s.home)}
}

func (s *historyScreen) start() { s.find() }

func (s *historyScreen) find() {
	q := capture.Query{Subject: s.search.Text}
	if !s.op.Supervisor {
		q.Operator = s.op.ID // an operator sees their own verifications
	}
	var (
		entries []capture.Entry
		sums    []capture.Summary
		cases   []capture.NominalCase
	)
	// Each line decrypts its citizen's name: off the UI goroutine.
	s.task(func(ctx context.Context) (err error) {
		entries, err = s.k.History(ctx, q)
		for _, e := range entries {
			sums = append(sums, s.k.Summarize(e))
		}
		if err == nil {
			cases, err = s.nominalOf(ctx, q, entries)
		}
		return err
	}, func() {
		defer func() {
			query := q.Subject
			s.addNominal(s.results, cases, func() { s.goTo(&historyScreen{query: query}) })
		}()
		s.results.RemoveAll()
		if len(entries) == 0 && len(cases) == 0 {
			s.results.Add(widget.NewLabel(s.t("hist.none")))
		}
		for i := len(entries) - 1; i >= 0; i-- { // newest first
			e := entries[i]
			query := q.Subject
			back := func() { s.goTo(&historyScreen{query: query}) }
			b := widget.NewButton(s.entryLine(e, sums[i]), func() {
				s.goTo(&resultScreen{entry: e, back: back})
			})
			b.Alignment = widget.ButtonAlignLeading
			if !e.Constancy {
				s.results.Add(b)
				continue
			}
			// A receipt preserved under a NOM-151 constancy can be checked from here.
			s.results.Add(container.NewBorder(nil, nil, nil, s.constancyButton(e, back), b))
		}
	})
}
