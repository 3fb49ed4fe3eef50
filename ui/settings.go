package ui

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"cotejo/capture"
)

// SettingsStore reads and writes the settings a supervisor may change
// (capture.SettingsEditor: it checks the role, the keys and the values, and audits).
type SettingsStore interface {
	Load() ([]capture.Setting, error)
	Save(op capture.Operator, values map[string]string, pin string) error
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
	var top fyne.CanvasObject
	if s.opts.Demo {
		top = banner(s.t("set.demo"), colourWarn)
	}
	return s.t("set.title"), container.NewBorder(top, s.status, nil, nil, container.NewVScroll(s.form)), []fyne.CanvasObject{home, save}
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

// add puts a setting on the form: a choice in words, or free text; each says when it
// applies (the running kiosk keeps what it started with).
func (s *settingsScreen) add(st capture.Setting) {
	label := st.Label[0]
	if s.lang == "en" {
		label = st.Label[1]
	}
	if l, ok := settingLabels[st.Key]; ok {
		label = tr2(s.lang, l)
	}
	hint := s.t("set.restart")
	if st.Key == "lang" {
		hint = s.t("set.langhint")
	}
	if st.Key == "service.url" && s.opts.Demo {
		hint = s.t("set.demourl")
	}
	if len(st.Choices) > 0 {
		// Buttons with words, not a list of raw values: a tap each, nothing to open.
		var words []string
		value := map[string]string{}
		for _, c := range st.Choices {
			w := choiceWord(s.lang, st.Key, c)
			words = append(words, w)
			value[w] = c
		}
		radio := widget.NewRadioGroup(words, nil)
		// Side by side when two fit; one under the other otherwise, within 1024 pixels.
		radio.Horizontal, radio.Required = len(words) <= 2, true
		radio.SetSelected(choiceWord(s.lang, st.Key, st.Value))
		s.get[st.Key] = func() string { return value[radio.Selected] }
		s.form.AppendItem(&widget.FormItem{Text: label, Widget: radio, HintText: hint})
		return
	}
	e := widget.NewEntry()
	e.SetText(st.Value)
	s.get[st.Key] = func() string { return e.Text }
	s.form.AppendItem(&widget.FormItem{Text: label, Widget: e, HintText: hint})
}

func (s *settingsScreen) save() {
	values := map[string]string{}
	for k, f := range s.get {
		values[k] = f()
	}
	s.saveWith(values, "")
}

// saveWith saves; when the change needs the supervisor's PIN again (the service's URL
// or CA), it asks for it and tries once more.
func (s *settingsScreen) saveWith(values map[string]string, pin string) {
	op := s.op
	var err error
	s.background(func(ctx context.Context) {
		// The configuration file is written and checked to load: not on the UI goroutine.
		err = s.opts.Settings.Save(op, values, pin)
		fyne.Do(func() {
			if ctx.Err() != nil {
				return // the screen was left
			}
			var se *capture.SettingsError
			switch {
			case errors.As(err, &se) && se.Kind == capture.SettingsNeedPIN && pin == "":
				entry := widget.NewPasswordEntry()
				dialog.ShowForm(capture.ProblemMessage(err, s.lang), s.t("set.save"), s.t("nav.home"),
					[]*widget.FormItem{widget.NewFormItem(s.t("signin.pin"), entry)}, func(ok bool) {
						if ok {
							s.saveWith(values, entry.Text)
						}
					}, s.win)
			case err != nil:
				s.showError(capture.ProblemMessage(err, s.lang))
			default:
				s.showInfo(s.t("set.saved"))
			}
		})
	})
}

// settingLabels are labels the screen words better than the file's own.
var settingLabels = map[string][2]string{
	"service.threshold": {"Mínimo de similitud de huellas (%)", "Minimum fingerprint similarity (%)"},
}

// choices are the words for a setting's values, by setting and value.
var choices = map[string]map[string][2]string{
	"lang":             {"es": {"Español", "Spanish"}, "en": {"Inglés", "English"}},
	"scanner.kind":     {"": {"Ninguno", "None"}, "usb": {"USB", "USB"}, "simulated": {"Simulado (demostración)", "Simulated (demonstration)"}},
	"location.source":  {"branch": {"Lugar de la sucursal", "The branch's place"}, "gpsd": {"GPS (gpsd)", "GPS (gpsd)"}, "nmea": {"GPS serie (NMEA)", "Serial GPS (NMEA)"}},
	"kiosk.fullscreen": {"true": {"Sí", "Yes"}, "false": {"No", "No"}},
}

// choiceWord is the word for a setting's value, or the value itself when it has none.
func choiceWord(lang, key, value string) string {
	if w, ok := choices[key][value]; ok {
		return tr2(lang, w)
	}
	return value
}

// tr2 picks the word in lang from a Spanish and English pair.
func tr2(lang string, w [2]string) string {
	if lang == "en" {
		return w[1]
	}
	return w[0]
}
