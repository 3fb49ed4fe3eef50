package ui

import (
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// frame is what every screen has: the controller, a status line for progress and
// problems, and its buttons by name (which tests and the screenshot walk press). The
// router makes the status line and the buttons anew each time the screen is built.
type frame struct {
	*Controller
	status  *widget.Label
	buttons map[string]*widget.Button
}

func (f *frame) base() *frame { return f }

// button makes a button remembered under key.
func (f *frame) button(key, text string, imp widget.Importance, tapped func()) *widget.Button {
	b := widget.NewButton(text, tapped)
	b.Importance = imp
	f.buttons[key] = b
	return b
}

// enable enables or disables the buttons named.
func (f *frame) enable(on bool, keys ...string) {
	for _, k := range keys {
		if b := f.buttons[k]; b != nil {
			if on {
				b.Enable()
			} else {
				b.Disable()
			}
		}
	}
}

// wrapLabel is a label whose text wraps at words.
func wrapLabel(s string) *widget.Label {
	l := widget.NewLabel(s)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// banner is a sentence on a coloured band: verdicts and warnings.
func banner(text string, bg color.Color) fyne.CanvasObject { return sizedBanner(text, bg, 22) }

// bigBanner is a verdict a teller sees from a step away.
func bigBanner(text string, bg color.Color) fyne.CanvasObject { return sizedBanner(text, bg, 40) }

func sizedBanner(text string, bg color.Color, size float32) fyne.CanvasObject {
	rect := canvas.NewRectangle(bg)
	rect.CornerRadius = 6
	// White on the band's colour: a themed label would be grey on green.
	var lines []fyne.CanvasObject
	// About 1400 pixels of characters a line: within 1024 pixels at any size.
	for _, line := range wrapWords(text, int(1400/size)) {
		t := canvas.NewText(line, color.White)
		t.TextStyle.Bold = true
		t.TextSize = size
		t.Alignment = fyne.TextAlignCenter
		lines = append(lines, t)
	}
	return container.NewStack(rect, container.NewPadded(container.NewPadded(container.NewVBox(lines...))))
}

// wrapWords breaks text into lines of at most n characters, at spaces.
func wrapWords(text string, n int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		if line != "" && len([]rune(line))+1+len([]rune(w)) > n {
			lines = append(lines, line)
			line = ""
		}
		if line != "" {
			line += " "
		}
		line += w
	}
	return append(lines, line)
}

// fieldCell is one field of a two-column form: its name in small type above its value,
// so that a credential's eleven fields fit a 768-pixel screen without scrolling.
func fieldCell(name string, value fyne.CanvasObject) fyne.CanvasObject {
	// Plain text without a label's padding, indented as the value's own text is.
	l := canvas.NewText(name, theme.Color(theme.ColorNamePlaceHolder))
	l.TextSize = theme.CaptionTextSize()
	l.TextStyle.Bold = true
	caption := container.New(layout.NewCustomPaddedLayout(0, 0, theme.InnerPadding(), 0), l)
	return container.New(layout.NewCustomPaddedVBoxLayout(0), caption, value)
}

// fieldGrid lays cells out in columns, row by row, each row as tall as its own tallest
// cell (a grid's rows are all as tall as its tallest cell).
func fieldGrid(columns int, cells ...fyne.CanvasObject) *fyne.Container {
	rows := container.NewVBox()
	for i := 0; i < len(cells); i += columns {
		row := slices.Clip(cells[i:min(i+columns, len(cells))])
		for len(row) < columns {
			row = append(row, layout.NewSpacer())
		}
		rows.Add(container.NewGridWithColumns(columns, row...))
	}
	return rows
}
