package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// SettingsStore reads and writes the settings a supervisor may change
// (capture.SettingsFile: the configuration file).
type SettingsStore interface {
	Load() ([]capture.Setting, error)
	Save(values map[string]string) error
}

// settingsScreen is the configuration a supervisor may change, read and written in the
// background.
type settingsScreen struct {
	frame
	form *widget.Form
	get  map[string]func() string // each setting's value as it stands
}

func (s *settingsScreen) name() string { return "settings" }

func (s *settingsScreen) build() (string, fyne.CanvasObject, []fyne.CanvasObject) {
	home := s.button("home", s.t("nav.home"), widget.MediumImportance, s.home)
	if !s.op.Supervisor || s.opts.Settings == nil {
		return s.t("set.title"), container.NewVBox(widget.NewLabel(s.t("set.only"))), []fyne.CanvasObject{home}
	}
	s.form, s.get = widget.NewForm(), map[string]func() string{}
	save := s.button("save", s.t("set.save"), widget.HighImportance, s.save)
	save.Disable()
	return s.t("set.title"), container.NewBorder(nil, s.status, nil, nil, container.NewVScroll(s.form)), []fyne.CanvasObject{home, save}
}

// start reads the settings.
func (s *settingsScreen) start() {
	if s.form == nil {
		return // not a supervisor's
	}
	var settings []capture.Setting
	s.task(func(context.Context) (err error) {
		settings, err = s.opts.Settings.Load()
		return err
	}, func() {
		for _, st := range settings {
			s.add(st)
		}
		s.buttons["save"].Enable()
	})
}

// add puts a setting on the form: a choice, or free text.
func (s *settingsScreen) add(st capture.Setting) {
	label := st.Label[0]
	if s.lang == "en" {
		label = st.Label[1]
	}
	if len(st.Choices) > 0 {
		sel := widget.NewSelect(st.Choices, nil)
		sel.SetSelected(st.Value)
		s.get[st.Key] = func() string { return sel.Selected }
		s.form.Append(label, sel)
		return
	}
	e := widget.NewEntry()
	e.SetText(st.Value)
	s.get[st.Key] = func() string { return e.Text }
	s.form.Append(label, e)
}

func (s *settingsScreen) save() {
	values := map[string]string{}
	for k, f := range s.get {
		values[k] = f()
	}
	// The configuration file is written and checked to load: not on the UI goroutine.
	s.task(func(context.Context) error { return s.opts.Settings.Save(values) },
		func() { s.showInfo(s.t("set.saved")) })
}
