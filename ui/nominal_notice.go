package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// nominalNotify shows a Tu Identidad case finished in the background on every screen;
// the check's own screen, showing that request, is shown again with the answer.
func (c *Controller) nominalNotify(n capture.NominalCase) {
	if s, ok := c.cur.(*nominalScreen); ok && s.ref == n.Ref {
		s.cases[n.Kind] = n
		s.fill()
		return
	}
	c.dropNominal(n.Key)
	c.nominalNotices = append(c.nominalNotices, n)
	c.showNotices()
}

func (c *Controller) dropNominal(key string) {
	for i, old := range c.nominalNotices {
		if old.Key == key {
			c.nominalNotices = append(c.nominalNotices[:i], c.nominalNotices[i+1:]...)
			return
		}
	}
}

// showNominalNotices adds Tu Identidad's notices to the bar: buttons "nom:KEY" (open)
// and "nom.x:KEY" (dismiss).
func (c *Controller) showNominalNotices(f *frame) {
	for _, n := range c.nominalNotices {
		name := n.Name
		if name == "" {
			name = "—"
		}
		text := c.tf("nom.answered", name) + " (" + n.KindText(c.lang) + "): " + n.Outcome(c.lang).Verdict
		open := f.button("nom:"+n.Key, c.t("note.open"), widget.HighImportance, func() {
			c.dropNominal(n.Key)
			c.openNominal(n, nil)
		})
		x := f.button("nom.x:"+n.Key, "✕", widget.LowImportance, func() { c.dropNominal(n.Key); c.showNotices() })
		label := widget.NewLabel("🔔 " + text)
		label.TextStyle.Bold = true
		label.Importance = widget.WarningImportance
		c.noticeBar.Add(container.NewBorder(nil, nil, nil, container.NewHBox(open, x), label))
	}
}

// pendingNominal are Tu Identidad's cases still waiting for an answer, for the queue.
func (c *Controller) pendingNominal(ctx context.Context) ([]capture.NominalCase, error) {
	if c.opts.Nominal == nil {
		return nil, nil
	}
	all, err := c.opts.Nominal.Cases(ctx)
	var out []capture.NominalCase
	for _, n := range all {
		if !n.State.Final() {
			out = append(out, n)
		}
	}
	return out, err
}

// nominalOf are Tu Identidad's cases made from these INE requests, for the history.
func (c *Controller) nominalOf(ctx context.Context, entries []capture.Entry) ([]capture.NominalCase, error) {
	if c.opts.Nominal == nil || len(entries) == 0 {
		return nil, nil
	}
	refs := make([]string, len(entries))
	for i, e := range entries {
		refs[i] = e.Indice
	}
	return c.opts.Nominal.Cases(ctx, refs...)
}

// addNominal lists cases under their heading in list, each opening its screen, which
// leads back with back.
func (c *Controller) addNominal(list *fyne.Container, cases []capture.NominalCase, back func()) {
	if len(cases) == 0 {
		return
	}
	list.Add(widget.NewLabelWithStyle(c.t("nom.history"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	for _, n := range cases {
		b := widget.NewButton(c.nominalLine(n), func() { c.openNominal(n, back) })
		b.Alignment = widget.ButtonAlignLeading
		list.Add(b)
	}
}
