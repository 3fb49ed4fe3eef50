package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// notice is an answer that arrived for a queued verification, shown on every screen
// until the operator opens or dismisses it.
type notice struct {
	entry capture.Entry
	sum   capture.Summary
}

// answered is told, off the UI goroutine, of an entry INE has answered: it reads whose
// it is and the verdict there, then shows the notice on the UI goroutine.
func (c *Controller) answered(e capture.Entry) {
	sum := c.k.Summarize(e)
	fyne.Do(func() { c.notify(notice{e, sum}) })
}

// notify shows n on every screen; a result screen showing the same entry, queued, is
// shown again with its answer.
func (c *Controller) notify(n notice) {
	for i, old := range c.notices {
		if old.entry.ID == n.entry.ID {
			c.notices = append(c.notices[:i], c.notices[i+1:]...)
			break
		}
	}
	c.notices = append(c.notices, n)
	if r, ok := c.cur.(*resultScreen); ok && r.entry.ID == n.entry.ID && r.entry.Answers == 0 {
		c.dismiss(n.entry.ID)
		c.goTo(&resultScreen{entry: n.entry})
		return
	}
	c.showNotices()
}

func (c *Controller) dismiss(id string) {
	for i, n := range c.notices {
		if n.entry.ID == id {
			c.notices = append(c.notices[:i], c.notices[i+1:]...)
			break
		}
	}
	c.showNotices()
}

// showNotices fills the notice bar, in the language of the moment. Its buttons are
// "note:ID" (open) and "note.x:ID" (dismiss) in the screen's buttons.
func (c *Controller) showNotices() {
	if c.noticeBar == nil || c.cur == nil {
		return
	}
	c.noticeBar.RemoveAll()
	// Hidden when empty: an empty box would still take a padding from the screen.
	if c.op.ID == "" || len(c.notices)+len(c.caseNotices) == 0 {
		c.noticeBar.Hide() // and not before sign-in: names are personal data
		return
	}
	c.noticeBar.Show()
	f := c.cur.base()
	for _, n := range c.notices {
		text := c.tf("note.answered", n.sum.Name)
		if n.sum.Answered {
			text += ": " + c.t("verdict."+n.sum.Verdict.String())
		}
		e := n.entry
		open := f.button("note:"+e.ID, c.t("note.open"), widget.HighImportance, func() {
			c.dismiss(e.ID)
			c.goTo(&resultScreen{entry: e})
		})
		x := f.button("note.x:"+e.ID, "✕", widget.LowImportance, func() { c.dismiss(e.ID) })
		label := widget.NewLabel("🔔 " + text)
		label.TextStyle.Bold = true
		label.Importance = widget.WarningImportance
		c.noticeBar.Add(container.NewBorder(nil, nil, nil, container.NewHBox(open, x), label))
	}
	c.showCaseNotices(f)
}

// caseNotice is a provider's case finished in the background (Tu Identidad's check, a
// remote verification), on every screen until the operator opens or dismisses it.
type caseNotice struct {
	kind, id string                   // "nom" or "rem", and the case's key: buttons KIND:ID, KIND.x:ID
	text     func(lang string) string // what happened, in the language of the moment
	open     func()                   // shows the case
}

// notifyCase shows n on every screen, in place of an older notice of the same case.
func (c *Controller) notifyCase(n caseNotice) {
	c.dropCase(n.kind, n.id)
	c.caseNotices = append(c.caseNotices, n)
	c.showNotices()
}

func (c *Controller) dropCase(kind, id string) {
	for i, old := range c.caseNotices {
		if old.kind == kind && old.id == id {
			c.caseNotices = append(c.caseNotices[:i], c.caseNotices[i+1:]...)
			return
		}
	}
}

// showCaseNotices adds the providers' notices to the bar.
func (c *Controller) showCaseNotices(f *frame) {
	for _, n := range c.caseNotices {
		open := f.button(n.kind+":"+n.id, c.t("note.open"), widget.HighImportance, func() {
			c.dropCase(n.kind, n.id)
			n.open()
		})
		x := f.button(n.kind+".x:"+n.id, "✕", widget.LowImportance, func() { c.dropCase(n.kind, n.id); c.showNotices() })
		label := widget.NewLabel("🔔 " + n.text(c.lang))
		label.TextStyle.Bold = true
		label.Importance = widget.WarningImportance
		c.noticeBar.Add(container.NewBorder(nil, nil, nil, container.NewHBox(open, x), label))
	}
}
