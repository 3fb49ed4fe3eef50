package ui

import (
	"context"

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

func (c *Controller) showSettings() {
	c.reset()
	if !c.op.Supervisor || c.opts.Settings == nil {
		c.show("settings", c.t("set.title"), container.NewVBox(widget.NewLabel(c.t("set.only"))),
			c.button("home", c.t("nav.home"), widget.MediumImportance, c.showHome))
		return
	}
	form := widget.NewForm()
	get := map[string]func() string{}
	save := c.button("save", c.t("set.save"), widget.HighImportance, nil)
	save.Disable()
	save.OnTapped = func() {
		values := map[string]string{}
		for k, f := range get {
			values[k] = f()
		}
		// The configuration file is written and checked to load: not on the UI goroutine.
		c.task(func(context.Context) error { return c.opts.Settings.Save(values) },
			func() { c.showInfo(c.t("set.saved")) })
	}
	c.show("settings", c.t("set.title"), container.NewBorder(nil, c.w.status, nil, nil, container.NewVScroll(form)),
		c.button("home", c.t("nav.home"), widget.MediumImportance, c.showHome), save)
	var settings []capture.Setting
	c.task(func(context.Context) (err error) {
		settings, err = c.opts.Settings.Load()
		return err
	}, func() {
		for _, s := range settings {
			label := s.Label[0]
			if c.lang == "en" {
				label = s.Label[1]
			}
			if len(s.Choices) > 0 {
				sel := widget.NewSelect(s.Choices, nil)
				sel.SetSelected(s.Value)
				get[s.Key] = func() string { return sel.Selected }
				form.Append(label, sel)
				continue
			}
			e := widget.NewEntry()
			e.SetText(s.Value)
			c.w.entries[s.Key] = e
			get[s.Key] = func() string { return e.Text }
			form.Append(label, e)
		}
		save.Enable()
	})
}
