package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// keypad is an on-screen keyboard, since Fyne has none on desktop and a kiosk may have
// only a touch screen: digits for PINs, or letters (with Ñ and accents) for names and
// corrections. It types into whichever entry it is told is the target, asked when a
// key goes down (before the window takes the focus away from the field), and gives the
// field its focus back after each key, so the operator sees where they type.
type keypad struct {
	widget.BaseWidget
	target func() *widget.Entry
	aim    *widget.Entry // the target when the key under the finger went down
	rows   [][]string
	// special keys do something other than type, by label (switching keypads).
	special map[string]func()
}

var (
	digitRows  = [][]string{{"1", "2", "3"}, {"4", "5", "6"}, {"7", "8", "9"}, {"⌫", "0"}}
	letterRows = [][]string{
		{"1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "⌫"},
		{"Q", "W", "E", "R", "T", "Y", "U", "I", "O", "P", "Á"},
		{"A", "S", "D", "F", "G", "H", "J", "K", "L", "Ñ", "É"},
		{"Z", "X", "C", "V", "B", "N", "M", "Í", "Ó", "Ú", "Ü"},
		{"-", "/", ".", "␣"},
	}
)

// newKeypad makes a keypad of rows typing into target(), and of special keys.
func newKeypad(rows [][]string, target func() *widget.Entry, special map[string]func()) *keypad {
	k := &keypad{target: target, rows: rows, special: special}
	k.ExtendBaseWidget(k)
	return k
}

// press types key into the target, at the end of its text.
func (k *keypad) press(key string) {
	e := k.aim
	if e == nil {
		e = k.target()
	}
	k.aim = nil
	defer refocus(e)
	if f := k.special[key]; f != nil {
		f()
		return
	}
	switch key {
	case "⌫":
		if e != nil && e.Text != "" {
			r := []rune(e.Text)
			e.SetText(string(r[:len(r)-1]))
			e.CursorColumn = len(r) - 1
		}
		return
	case "␣":
		key = " "
	}
	if e != nil {
		e.SetText(e.Text + key)
		e.CursorColumn = len([]rune(e.Text))
		e.Refresh()
	}
}

func (k *keypad) CreateRenderer() fyne.WidgetRenderer {
	grid := container.NewVBox()
	for _, row := range k.rows {
		line := container.NewGridWithColumns(len(row))
		for _, key := range row {
			line.Add(newKey(key, k.special[key] != nil, func() { k.aim = k.target() }, func() { k.press(key) }))
		}
		grid.Add(line)
	}
	return widget.NewSimpleRenderer(grid)
}

// refocus gives e the focus back, if it is in a window.
func refocus(e *widget.Entry) {
	if e == nil {
		return
	}
	if c := fyne.CurrentApp().Driver().CanvasForObject(e); c != nil && c.Focused() != e {
		c.Focus(e)
	}
}

// key is one key of the keypad: tappable, not focusable, and told when the finger goes
// down: the window unfocuses the field after that and before the tap.
type key struct {
	widget.BaseWidget
	label        string
	primary      bool
	down, tapped func()
}

func newKey(label string, primary bool, down, tapped func()) *key {
	k := &key{label: label, primary: primary, down: down, tapped: tapped}
	k.ExtendBaseWidget(k)
	return k
}

func (k *key) Tapped(*fyne.PointEvent)       { k.tapped() }
func (k *key) MouseDown(*desktop.MouseEvent) { k.down() }
func (k *key) MouseUp(*desktop.MouseEvent)   {}

func (k *key) CreateRenderer() fyne.WidgetRenderer {
	th := k.Theme()
	v := fyne.CurrentApp().Settings().ThemeVariant()
	bg, fg := th.Color(theme.ColorNameButton, v), th.Color(theme.ColorNameForeground, v)
	if k.primary {
		bg, fg = th.Color(theme.ColorNamePrimary, v), color.White
	}
	rect := canvas.NewRectangle(bg)
	rect.CornerRadius = th.Size(theme.SizeNameInputRadius)
	rect.StrokeColor = th.Color(theme.ColorNameInputBorder, v)
	rect.StrokeWidth = 1
	text := canvas.NewText(k.label, fg)
	text.Alignment = fyne.TextAlignCenter
	text.TextSize = th.Size(theme.SizeNameText) + 2
	text.TextStyle.Bold = true
	// At least a thumb's size (44 px) whatever the label.
	rect.SetMinSize(fyne.NewSize(44, 44))
	return widget.NewSimpleRenderer(container.NewStack(rect, container.NewCenter(text)))
}
