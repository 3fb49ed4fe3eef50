package ui

import (
	"context"
	"image"
	_ "image/jpeg" // credential photos
	_ "image/png"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

var models = []string{"C", "D", "E", "F", "G", "H"}

// credentialScreen is the credential's fields, read from photos (a file, a document
// scanner, the demo's samples) or typed, each marked ✓ or ✗ as it stands.
type credentialScreen struct {
	frame
	model    *widget.Select
	entries  map[string]*widget.Entry // by the plaintext's field names
	marks    map[string]*widget.Label
	progress *widget.ProgressBar
	photo    *canvas.Image
	sources  *fyne.Container
	scanned  []image.Image // sides scanned so far
	keyboard *keypad
}

func (s *credentialScreen) name() string { return "credential" }

func (s *credentialScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	s.scanned = nil
	cred := s.session.Credential()
	current := cred.Fields()
	s.model = widget.NewSelect(models, nil)
	s.model.PlaceHolder = s.t("cred.choosemodel") // Fyne's own is English
	if m := string(cred.Modelo); m != "" {
		s.model.SetSelected(m)
	}
	cells := []fyne.CanvasObject{fieldCell(s.t("cred.model"), s.model)}
	s.entries, s.marks = map[string]*widget.Entry{}, map[string]*widget.Label{}
	for _, name := range capture.FieldNames() {
		e := widget.NewEntry()
		e.SetText(current[name])
		mark := widget.NewLabel("")
		s.entries[name], s.marks[name] = e, mark
		e.OnChanged = func(v string) { s.markField(name, v, false) }
		s.markField(name, current[name], false)
		cells = append(cells, fieldCell(capture.FieldLabel(name, s.lang), container.NewBorder(nil, nil, nil, mark, e)))
	}
	if s.reading != nil {
		s.applyReading(s.reading, false)
	}
	// The keyboard types where the operator last tapped.
	var focused *widget.Entry
	target := func() *widget.Entry {
		if f, ok := s.win.Canvas().Focused().(*widget.Entry); ok {
			focused = f
		}
		return focused
	}
	keyboard := newKeypad(letterRows, target, nil)
	s.keyboard = keyboard
	keyboard.Hide()
	// While typing, the keyboard takes the photo's place: both would not fit 768 px.
	toggle := s.button("keyboard", s.t("cred.keyboard"), widget.MediumImportance, func() {
		if keyboard.Visible() {
			keyboard.Hide()
			s.sources.Show()
		} else {
			s.sources.Hide()
			keyboard.Show()
		}
		refocus(focused)
	})

	s.progress = widget.NewProgressBar()
	s.progress.Hide()
	s.photo = canvas.NewImageFromImage(nil)
	s.photo.FillMode = canvas.ImageFillContain
	s.photo.SetMinSize(fyne.NewSize(320, 200))
	s.sources = container.NewVBox(s.photo, s.progress)
	if s.k.OCR != nil {
		s.sources.Add(s.button("open", s.t("cred.open"), widget.MediumImportance, s.openPhotos))
		if s.opts.Demo {
			for _, model := range capture.SampleModels() {
				s.sources.Add(s.button("sample"+model, s.tf("cred.sample", model), widget.MediumImportance, func() {
					s.readSample(model)
				}))
			}
		}
	} else {
		s.status.SetText(s.t("cred.noocr"))
	}
	body := container.NewBorder(nil, container.NewVBox(keyboard, s.status), container.NewVBox(s.sources), nil, container.NewVScroll(fieldGrid(2, cells...)))
	return s.t("step.credential"), body, []fyne.CanvasObject{
		s.button("cancel", s.t("nav.cancel"), widget.LowImportance, s.askCancel),
		toggle,
		s.button("next", s.t("nav.next"), widget.HighImportance, func() {
			s.step(func() error {
				if err := s.keepErr(); err != nil {
					return err
				}
				return s.session.Next()
			})
		})}
}

// start offers a document scanner when SANE finds one (probing takes a moment: not on
// the UI goroutine).
func (s *credentialScreen) start() {
	if s.k.OCR == nil {
		return
	}
	s.background(func(ctx context.Context) {
		list := s.k.DocumentScanners(ctx)
		if len(list) == 0 {
			return
		}
		fyne.Do(func() {
			if ctx.Err() != nil {
				return
			}
			b := s.button("scan", s.tf("cred.scan", list[0].Vendor+" "+list[0].Model), widget.MediumImportance, func() { s.scanSides(list[0].Device) })
			s.sources.Objects = append([]fyne.CanvasObject{b}, s.sources.Objects...)
			s.sources.Refresh()
		})
	})
}

// keep records the form as it stands in the session, checked or not: what the operator
// typed survives the screen being built again (another language).
func (s *credentialScreen) keep() { s.keepErr() } // at this stage it cannot fail

func (s *credentialScreen) keepErr() error {
	fields := map[string]string{}
	for name, e := range s.entries {
		fields[name] = e.Text
	}
	return s.session.SetCredential(capture.NewCredential(s.model.Selected, fields))
}

// markField puts ✓ or what is wrong beside a field; review marks a low-confidence read.
func (s *credentialScreen) markField(name, value string, review bool) {
	mark := s.marks[name]
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
		mark.SetText("⚠ " + s.t("cred.check"))
		mark.Importance = widget.WarningImportance
	default:
		mark.SetText("✓")
		mark.Importance = widget.SuccessImportance
	}
	mark.Refresh()
}

// applyReading fills the form from a read (when fill), marking what the operator should
// check.
func (s *credentialScreen) applyReading(r *capture.Reading, fill bool) {
	if fill {
		s.model.SetSelected(string(r.Model))
	}
	review := 0
	for _, name := range capture.FieldNames() {
		f, ok := r.Fields[name]
		e := s.entries[name]
		if fill {
			e.SetText(f.Value)
		}
		low := ok && f.Confidence < capture.ReviewConfidence
		if low {
			review++
		}
		s.markField(name, e.Text, low)
		if mark := s.marks[name]; ok && f.Found != "" && f.Found != capture.FoundByLayout {
			mark.SetText(mark.Text + " (" + capture.FoundWord(f.Found, s.lang) + ")")
		}
	}
	if !fill {
		return
	}
	// Whatever could not be read is said, in the operator's words; the form keeps all
	// that was read.
	var says []string
	for _, p := range r.Problems {
		says = append(says, p.Message(s.lang))
	}
	switch {
	case r.Front == nil && r.Back == nil:
		s.showError(strings.Join(says, "\n")) // nothing was read at all
	case len(says) > 0:
		s.showInfo(strings.Join(says, "\n"))
	case review > 0:
		s.showInfo(s.t("cred.read"))
	default:
		s.showInfo(s.t("cred.readok"))
	}
}

func (s *credentialScreen) readSample(model string) {
	sides, err := capture.Sample(model)
	if err != nil {
		s.showError(capture.ProblemMessage(err, s.lang))
		return
	}
	s.read(sides)
}

// openPhotos asks for the front and then the back; without a back, the front alone is
// read.
func (s *credentialScreen) openPhotos() {
	s.pickPhoto(s.t("photo.front"), s.opts.PhotoDir, s.t("nav.cancel"), func(front image.Image) {
		if front == nil {
			return
		}
		s.pickPhoto(s.t("photo.back"), s.opts.PhotoDir, s.t("photo.frontonly"), func(back image.Image) {
			if back == nil {
				s.read([]image.Image{front})
				return
			}
			s.read([]image.Image{front, back})
		})
	})
}

// read runs OCR in the background with progress, then fills the form.
func (s *credentialScreen) read(sides []image.Image) {
	s.progress.SetValue(0)
	s.progress.Show()
	s.photo.Image = sides[0]
	s.photo.Refresh()
	s.showInfo(s.t("cred.reading"))
	for key, b := range s.buttons {
		if key != "cancel" { // long work can always be abandoned
			b.Disable()
		}
	}
	bar := s.progress
	var r *capture.Reading
	s.task(func(ctx context.Context) (err error) {
		defer fyne.Do(func() {
			for _, b := range s.buttons {
				b.Enable()
			}
			bar.Hide()
		})
		r, err = s.k.ReadCredential(ctx, sides, func(p capture.ReadProgress) {
			if p.Total > 0 {
				v := float64(p.Done) / float64(p.Total)
				fyne.Do(func() { bar.SetValue(v) })
			}
		})
		return err
	}, func() {
		s.reading = r
		s.applyReading(r, true)
	})
}

// scanSides scans the front; the same button then scans the back, and reading starts
// when both are in (no modal dialog: the operator's hands are on the card).
func (s *credentialScreen) scanSides(device string) {
	b := s.buttons["scan"]
	b.Disable()
	s.showInfo(s.t("cred.scanning"))
	var img image.Image
	s.task(func(ctx context.Context) (err error) {
		defer fyne.Do(b.Enable)
		img, err = s.k.ScanDocument(ctx, device)
		return err
	}, func() {
		s.scanned = append(s.scanned, img)
		if len(s.scanned) == 1 {
			s.photo.Image = img
			s.photo.Refresh()
			b.SetText(s.t("cred.scanback"))
			s.showInfo(s.t("cred.turnwhat"))
			return
		}
		sides := s.scanned
		s.scanned = nil
		b.SetText(s.t("cred.scanagain"))
		s.read(sides)
	})
}
