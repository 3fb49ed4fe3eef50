package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// keypad is an on-screen keyboard, since Fyne has none on desktop and a kiosk may have
// only a touch screen: digits for PINs, or the credential's letters for corrections. It
// types into whichever entry it is told is the target.
type keypad struct {
	widget.BaseWidget
	target func() *widget.Entry
	rows   [][]string
	onOK   func()
	okText string
}

var (
	digitRows  = [][]string{{"1", "2", "3"}, {"4", "5", "6"}, {"7", "8", "9"}, {"⌫", "0", "OK"}}
	letterRows = [][]string{
		{"1", "2", "3", "4", "5", "6", "7", "8", "9", "0"},
		{"Q", "W", "E", "R", "T", "Y", "U", "I", "O", "P"},
		{"A", "S", "D", "F", "G", "H", "J", "K", "L", "Ñ"},
		{"Z", "X", "C", "V", "B", "N", "M", "␣", "⌫", "OK"},
	}
)

// newKeypad makes a keypad of rows typing into target(); OK calls onOK (nil: no key).
func newKeypad(rows [][]string, target func() *widget.Entry, okText string, onOK func()) *keypad {
	k := &keypad{target: target, rows: rows, onOK: onOK, okText: okText}
	k.ExtendBaseWidget(k)
	return k
}

func (k *keypad) press(key string) {
	e := k.target()
	switch key {
	case "OK":
		if k.onOK != nil {
			k.onOK()
		}
		return
	case "⌫":
		if e != nil && e.Text != "" {
			r := []rune(e.Text)
			e.SetText(string(r[:len(r)-1]))
		}
		return
	case "␣":
		key = " "
	}
	if e != nil {
		e.SetText(e.Text + key)
	}
}

func (k *keypad) CreateRenderer() fyne.WidgetRenderer {
	grid := container.NewVBox()
	for _, row := range k.rows {
		line := container.NewGridWithColumns(len(row))
		for _, key := range row {
			label := key
			if key == "OK" {
				if k.onOK == nil {
					line.Add(widget.NewLabel(""))
					continue
				}
				label = k.okText
			}
			b := widget.NewButton(label, func() { k.press(key) })
			if key == "OK" {
				b.Importance = widget.HighImportance
			}
			line.Add(b)
		}
		grid.Add(line)
	}
	return widget.NewSimpleRenderer(grid)
}
