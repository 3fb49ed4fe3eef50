package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
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
	c.notifyCase(caseNotice{kind: "nom", id: n.Key, open: func() { c.openNominal(n, nil) }, text: func(lang string) string {
		name := n.Name
		if name == "" {
			name = "—"
		}
		return fmt.Sprintf(tr(lang, "nom.answered"), name) + " (" + n.KindText(lang) + "): " + n.Outcome(lang).Verdict
	}})
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

// nominalOf are Tu Identidad's cases for the history: those made from these INE
// requests, and those made without one that q selects.
func (c *Controller) nominalOf(ctx context.Context, q capture.Query, entries []capture.Entry) ([]capture.NominalCase, error) {
	if c.opts.Nominal == nil {
		return nil, nil
	}
	refs, err := c.opts.Nominal.Standalone(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		refs = append(refs, e.Indice)
	}
	if len(refs) == 0 {
		return nil, nil // Cases without refs would list everyone's
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
