package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

func (c *Controller) entryLine(e capture.Entry) string {
	return c.tf("queue.entry", e.ID, e.Created.Local().Format("2006-01-02 15:04"), e.Attempts, c.t("state."+capture.EntryState(e)))
}

// showQueue lists the entries waiting to be sent; the list is read in the background.
func (c *Controller) showQueue() { c.showQueueThen(nil) }

// showQueueThen is showQueue, then says what then says once the list is shown (the
// outcome of what was done from the previous one).
func (c *Controller) showQueueThen(then func()) {
	c.reset()
	list := container.NewVBox()
	drain := c.button("drain", c.t("queue.drain"), widget.HighImportance, nil)
	drain.Disable()
	fill := func(entries []capture.Entry) {
		list.RemoveAll()
		if len(entries) == 0 {
			list.Add(widget.NewLabel(c.t("queue.empty")))
		}
		for _, e := range entries {
			line := widget.NewLabel(c.entryLine(e))
			if capture.EntryState(e) != "failed" {
				list.Add(line)
				continue
			}
			retry := widget.NewButton(c.t("queue.retry"), func() {
				c.task(func(context.Context) error {
					_, err := c.k.Retry(e.ID, c.op.ID)
					return err
				}, c.showQueue)
			})
			list.Add(container.NewBorder(nil, nil, nil, retry, line))
		}
		if len(entries) > 0 {
			drain.Enable()
		}
	}
	drain.OnTapped = func() {
		drain.Disable()
		list.Add(widget.NewProgressBarInfinite())
		c.background(func(ctx context.Context) {
			n, err := c.k.Drain(ctx, nil)
			fyne.Do(func() {
				if ctx.Err() != nil {
					return
				}
				c.showQueueThen(func() {
					if err != nil {
						c.showError(capture.ProblemMessage(err, c.lang))
						return
					}
					c.showInfo(c.tf("queue.sent", n))
				})
			})
		})
	}
	c.w.labels["count"] = widget.NewLabel("")
	c.show("queue", c.t("queue.title"), container.NewBorder(nil, c.w.status, nil, nil, container.NewVScroll(list)),
		c.button("home", c.t("nav.home"), widget.MediumImportance, c.showHome), drain)
	var entries []capture.Entry
	c.task(func(context.Context) (err error) {
		entries, err = c.k.Pending()
		return err
	}, func() {
		fill(entries)
		if then != nil {
			then()
		}
	})
}

func (c *Controller) showHistory() {
	c.reset()
	search := widget.NewEntry()
	search.SetPlaceHolder(c.t("hist.search"))
	c.w.entries["search"] = search
	results := container.NewVBox()
	c.w.history = results
	find := func() {
		q := capture.Query{Subject: search.Text}
		if !c.op.Supervisor {
			q.Operator = c.op.ID // an operator sees their own verifications
		}
		// Each line decrypts its citizen's name: off the UI goroutine.
		c.background(func(ctx context.Context) {
			entries, err := c.k.History(ctx, q)
			names := make([]string, len(entries))
			for i, e := range entries {
				names[i] = c.k.CitizenName(e)
			}
			fyne.Do(func() {
				if ctx.Err() != nil {
					return
				}
				results.RemoveAll()
				if err != nil {
					c.showError(capture.ProblemMessage(err, c.lang))
					return
				}
				if len(entries) == 0 {
					results.Add(widget.NewLabel(c.t("hist.none")))
				}
				for i := len(entries) - 1; i >= 0; i-- { // newest first
					e := entries[i]
					b := widget.NewButton(names[i]+" · "+c.entryLine(e), func() { c.showResult(e) })
					b.Alignment = widget.ButtonAlignLeading
					results.Add(b)
				}
			})
		})
	}
	search.OnSubmitted = func(string) { find() }
	top := container.NewBorder(nil, nil, nil, c.button("find", c.t("hist.find"), widget.HighImportance, find), search)
	c.show("history", c.t("hist.title"), container.NewBorder(top, c.w.status, nil, nil, container.NewVScroll(results)),
		c.button("home", c.t("nav.home"), widget.MediumImportance, c.showHome))
	find() // after show: its work belongs to this screen
}
