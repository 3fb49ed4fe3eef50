package ui

import (
	"bytes"
	"context"
	"image"
	_ "image/jpeg" // credential photos
	_ "image/png"
	"io"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

var models = []string{"C", "D", "E", "F", "G", "H"}

func (c *Controller) showCredential() {
	status := c.reset()
	c.scanned = nil
	s := c.session
	current := capture.CredentialFields(s.Credential())
	form := widget.NewForm()
	c.w.model = widget.NewSelect(models, nil)
	if m := string(s.Credential().Modelo); m != "" {
		c.w.model.SetSelected(m)
	}
	form.Append(c.t("cred.model"), c.w.model)
	var focused *widget.Entry
	for _, name := range capture.FieldNames() {
		e := widget.NewEntry()
		e.SetText(current[name])
		mark := widget.NewLabel("")
		c.w.entries[name], c.w.marks[name] = e, mark
		e.OnChanged = func(v string) { c.markField(name, v, false) }
		c.markField(name, current[name], false)
		form.Append(capture.FieldLabel(name, c.lang), container.NewBorder(nil, nil, nil, mark, e))
	}
	if c.reading != nil {
		c.applyReading(c.reading, false)
	}
	// The keyboard types where the operator last tapped.
	target := func() *widget.Entry {
		if f, ok := c.win.Canvas().Focused().(*widget.Entry); ok {
			focused = f
		}
		return focused
	}
	keyboard := newKeypad(letterRows, target, "", nil)
	keyboard.Hide()
	c.button("keyboard", c.t("cred.keyboard"), widget.LowImportance, func() {
		if keyboard.Visible() {
			keyboard.Hide()
		} else {
			keyboard.Show()
		}
	})

	c.w.progress = widget.NewProgressBar()
	c.w.progress.Hide()
	c.w.image = canvas.NewImageFromImage(nil)
	c.w.image.FillMode = canvas.ImageFillContain
	c.w.image.SetMinSize(fyne.NewSize(320, 200))
	sources := container.NewVBox(c.w.image, c.w.progress)
	if c.k.OCR != nil {
		sources.Add(c.button("open", c.t("cred.open"), widget.MediumImportance, c.openPhotos))
		if c.opts.Demo {
			for _, model := range capture.SampleModels() {
				sources.Add(c.button("sample"+model, c.tf("cred.sample", model), widget.MediumImportance, func() {
					c.readSample(model)
				}))
			}
		}
	} else {
		status.SetText(c.t("cred.noocr"))
	}
	sources.Add(c.w.buttons["keyboard"])
	body := container.NewBorder(nil, container.NewVBox(keyboard, status), container.NewVBox(sources), nil, container.NewVScroll(form))
	c.show("credential", c.t("step.credential"), body,
		c.button("cancel", c.t("nav.cancel"), widget.LowImportance, c.cancelSession),
		c.button("next", c.t("nav.next"), widget.HighImportance, c.credentialNext))
	// A document scanner, when SANE finds one (probing takes a moment: not on the UI
	// goroutine; after show, whose new screen context it runs under).
	c.background(func(ctx context.Context) {
		list := c.k.DocumentScanners(ctx)
		if len(list) == 0 || c.k.OCR == nil {
			return
		}
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			b := c.button("scan", c.tf("cred.scan", list[0].Vendor+" "+list[0].Model), widget.MediumImportance, func() { c.scanSides(list[0].Device) })
			sources.Objects = append([]fyne.CanvasObject{b}, sources.Objects...)
			sources.Refresh()
		})
	})
}

// markField puts ✓ or what is wrong beside a field; review marks a low-confidence read.
func (c *Controller) markField(name, value string, review bool) {
	mark := c.w.marks[name]
	if mark == nil {
		return
	}
	switch err := capture.CheckField(name, strings.ToUpper(strings.TrimSpace(value))); {
	case strings.TrimSpace(value) == "":
		mark.SetText("—")
		mark.Importance = widget.LowImportance
	case err != nil:
		mark.SetText("✗")
		mark.Importance = widget.DangerImportance
	case review:
		mark.SetText("⚠ " + c.t("cred.check"))
		mark.Importance = widget.WarningImportance
	default:
		mark.SetText("✓")
		mark.Importance = widget.SuccessImportance
	}
	mark.Refresh()
}

// applyReading fills the form from a read, marking what the operator should check.
func (c *Controller) applyReading(r *capture.Reading, fill bool) {
	if fill {
		c.w.model.SetSelected(string(r.Model))
	}
	review := 0
	for _, name := range capture.FieldNames() {
		f, ok := r.Fields[name]
		e := c.w.entries[name]
		if fill {
			e.SetText(f.Value)
		}
		low := ok && f.Confidence < capture.ReviewConfidence
		if low {
			review++
		}
		c.markField(name, e.Text, low)
		if mark := c.w.marks[name]; ok && mark != nil && f.Found != "" && f.Found != capture.FoundByLayout {
			mark.SetText(mark.Text + " (" + capture.FoundWord(f.Found, c.lang) + ")")
		}
	}
	if !fill {
		return
	}
	// Whatever could not be read is said, in the operator's words; the form keeps all
	// that was read.
	var says []string
	for _, p := range r.Problems {
		says = append(says, p.Message(c.lang))
	}
	switch {
	case r.Front == nil && r.Back == nil:
		c.showError(strings.Join(says, "\n")) // nothing was read at all
	case len(says) > 0:
		c.showInfo(strings.Join(says, "\n"))
	case review > 0:
		c.showInfo(c.t("cred.read"))
	default:
		c.showInfo(c.t("cred.readok"))
	}
}

func (c *Controller) readSample(model string) {
	sides, err := capture.Sample(model)
	if err != nil {
		c.showError(capture.ProblemMessage(err, c.lang))
		return
	}
	c.read(sides)
}

// openPhotos asks for the front and then the back.
func (c *Controller) openPhotos() {
	var sides []image.Image
	var ask func()
	ask = func() {
		d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
			if err != nil || rc == nil {
				if len(sides) > 0 {
					c.read(sides) // the front alone
				}
				return
			}
			defer rc.Close()
			data, err := io.ReadAll(io.LimitReader(rc, 50<<20))
			if err != nil {
				c.showError(err.Error())
				return
			}
			img, _, err := image.Decode(bytes.NewReader(data))
			if err != nil {
				c.showError(capture.ProblemMessage(err, c.lang))
				return
			}
			sides = append(sides, img)
			if len(sides) == 1 {
				ask()
				return
			}
			c.read(sides)
		}, c.win)
		d.Show()
	}
	ask()
}

// read runs OCR in the background with progress, then fills the form.
func (c *Controller) read(sides []image.Image) {
	c.w.progress.SetValue(0)
	c.w.progress.Show()
	c.w.image.Image = sides[0]
	c.w.image.Refresh()
	c.showInfo(c.t("cred.reading"))
	for key, b := range c.w.buttons {
		if key != "cancel" { // long work can always be abandoned
			b.Disable()
		}
	}
	bar := c.w.progress
	c.background(func(ctx context.Context) {
		r, err := c.k.ReadCredential(ctx, sides, func(p capture.ReadProgress) {
			if p.Total > 0 {
				v := float64(p.Done) / float64(p.Total)
				fyne.Do(func() { bar.SetValue(v) })
			}
		})
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			for _, b := range c.w.buttons {
				b.Enable()
			}
			bar.Hide()
			if err != nil {
				c.showError(capture.ProblemMessage(err, c.lang))
				return
			}
			c.reading = r
			c.applyReading(r, true)
		})
	})
}

// keepCredential records the form as it stands in the session, checked or not: what
// the operator typed survives the screen being redrawn (another language).
func (c *Controller) keepCredential() error {
	fields := map[string]string{}
	for name, e := range c.w.entries {
		fields[name] = e.Text
	}
	return c.session.SetCredential(capture.NewCredential(c.w.model.Selected, fields))
}

func (c *Controller) credentialNext() {
	if err := c.keepCredential(); err != nil {
		c.showError(capture.ProblemMessage(err, c.lang))
		return
	}
	if err := c.session.Next(); err != nil {
		c.showError(capture.ProblemMessage(err, c.lang))
		return
	}
	c.showFingers()
}

// scanSides scans the front; the same button then scans the back, and reading starts
// when both are in (no modal dialog: the operator's hands are on the card).
func (c *Controller) scanSides(device string) {
	b := c.w.buttons["scan"]
	b.Disable()
	c.showInfo(c.t("cred.scanning"))
	c.background(func(ctx context.Context) {
		img, err := c.k.ScanDocument(ctx, device)
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			b.Enable()
			if err != nil {
				c.showError(capture.ProblemMessage(err, c.lang))
				return
			}
			c.scanned = append(c.scanned, img)
			if len(c.scanned) == 1 {
				c.w.image.Image = img
				c.w.image.Refresh()
				b.SetText(c.t("cred.scanback"))
				c.showInfo(c.t("cred.turnwhat"))
				return
			}
			sides := c.scanned
			c.scanned = nil
			b.SetText(c.t("cred.scanagain"))
			c.read(sides)
		})
	})
}
