package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"
)

// screenWidgets are the current screen's live widgets: what background work updates and
// what tests press.
type screenWidgets struct {
	status  *widget.Label
	buttons map[string]*widget.Button
	entries map[string]*widget.Entry
	marks   map[string]*widget.Label
	labels  map[string]*widget.Label

	model    *widget.Select
	progress *widget.ProgressBar
	image    *canvas.Image
	quality  *widget.ProgressBar
	reason   *widget.Select
	history  *fyne.Container
}

// reset starts a screen's set of widgets, with an empty status line.
func (c *Controller) reset() *widget.Label {
	status := widget.NewLabel("")
	status.Wrapping = fyne.TextWrapWord
	c.w = screenWidgets{status: status, buttons: map[string]*widget.Button{}, entries: map[string]*widget.Entry{},
		marks: map[string]*widget.Label{}, labels: map[string]*widget.Label{}}
	return status
}

// button makes a button remembered under key.
func (c *Controller) button(key, text string, imp widget.Importance, f func()) *widget.Button {
	b := widget.NewButton(text, f)
	b.Importance = imp
	c.w.buttons[key] = b
	return b
}

// label makes a wrapping label remembered under key.
func (c *Controller) label(key, text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	c.w.labels[key] = l
	return l
}
