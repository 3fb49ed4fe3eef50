package ui

import (
	"context"
	"fmt"
	"image/color"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// showResult shows an entry's outcome: INE's answer, or that it waits in the queue.
// The answer is read from the data file, decrypted and its signature checked in the
// background.
func (c *Controller) showResult(e capture.Entry) {
	c.shown = e
	c.reset()
	answer := container.NewVBox()
	c.w.labels["verdict"] = widget.NewLabel("")
	body := container.NewVBox(answer, widget.NewLabel(c.t("res.request")+" "+e.Indice), c.w.status)
	buttons := []fyne.CanvasObject{
		c.button("home", c.t("nav.home"), widget.MediumImportance, c.showHome),
		c.button("new", c.t("home.new"), widget.HighImportance, c.startVerification),
	}
	if e.Answers > 0 && c.opts.ReceiptDir != "" {
		buttons = append([]fyne.CanvasObject{c.button("receipt", c.t("res.receipt"), widget.MediumImportance, func() { c.saveReceipt(e) })}, buttons...)
	}
	c.show("result", c.t("step.result"), container.NewVScroll(body), buttons...)
	if e.Answers == 0 {
		c.w.labels["verdict"].SetText("queued")
		answer.Add(banner(c.tf("res.queued", e.ID), colourWarn))
		return
	}
	c.showInfo(c.t("res.loading"))
	c.background(func(ctx context.Context) {
		res, err := c.k.Answer(e)
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			c.showInfo("")
			if err != nil {
				answer.Add(banner(capture.ProblemMessage(err, c.lang), colourBad))
				return
			}
			c.resultBody(answer, res)
		})
	})
}

func (c *Controller) resultBody(body *fyne.Container, res *capture.Result) {
	v := res.Verdict(c.k.Threshold)
	c.w.labels["verdict"].SetText(v.String())
	col := map[capture.Verdict]color.Color{capture.VerdictValid: colourGood, capture.VerdictInvalid: colourBad, capture.VerdictIncomplete: colourWarn}[v]
	if col == nil {
		col = colourNeutral
	}
	body.Add(banner(res.VerdictLabel(c.lang, c.k.Threshold), col))
	form := widget.NewForm()
	if res.Situation != "" {
		form.Append(c.t("res.situation"), wrapLabel(res.Situation.Message(c.lang)))
	}
	if res.TheftReport != "" {
		form.Append("", wrapLabel(res.TheftReport))
	}
	// The fingers first: with the verdict, they are what the teller acts on.
	if res.HasFingers {
		for _, f := range []struct {
			key, label string
			s          *float64
		}{{"right", capture.FingerLabel(2, c.lang), res.Similarity(2)}, {"left", capture.FingerLabel(7, c.lang), res.Similarity(7)}} {
			l := widget.NewLabel("—")
			l.TextStyle.Bold = true
			if f.s != nil {
				mark, imp := "✗", widget.DangerImportance
				if *f.s >= c.k.Threshold {
					mark, imp = "✓", widget.SuccessImportance
				}
				l.SetText(fmt.Sprintf("%s %.1f %% (%s)", mark, *f.s, c.tf("res.threshold", c.k.Threshold)))
				l.Importance = imp
			}
			c.w.labels[f.key] = l
			form.Append(f.label, l)
		}
	}
	fields := widget.NewForm()
	for _, f := range res.Fields {
		l := widget.NewLabel(f.Comparison.String())
		l.TextStyle.Bold = true
		l.Importance = map[string]widget.Importance{"✓": widget.SuccessImportance, "✗": widget.DangerImportance}[f.Comparison.String()]
		fields.Append(capture.FieldLabel(f.Field, c.lang), l)
		c.w.marks[f.Field] = l
	}
	for _, code := range res.Codes() {
		form.Append(c.tf("res.code", int(code)), wrapLabel(strings.TrimSpace(code.Message(c.lang))))
	}
	body.Add(container.NewGridWithColumns(2, form, fields))
}

func wrapLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// saveReceipt writes the citizen's receipt as a PDF in the receipts folder, in the
// background (fonts and layout take a moment).
func (c *Controller) saveReceipt(e capture.Entry) {
	lang, op, dir, inst := c.lang, c.op.Name, c.opts.ReceiptDir, c.opts.Institution
	path := filepath.Join(dir, "comprobante-"+e.Indice+".pdf")
	c.task(func(context.Context) error {
		err := os.MkdirAll(dir, 0o700)
		var f *os.File
		if err == nil {
			f, err = os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
		}
		if err == nil {
			err = c.k.Receipt(f, e, lang, inst, op)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				os.Remove(path)
			}
		}
		return err
	}, func() { c.showInfo(c.tf("res.saved", path)) })
}
