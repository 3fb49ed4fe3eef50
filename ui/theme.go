package ui

import (
	_ "embed"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// kioskTheme is Fyne's default look with touch-sized targets: larger text, padding and
// inputs, so a teller can hit a button with a thumb and a citizen can read the notice.
type kioskTheme struct {
	fyne.Theme
	marks fyne.Resource // marksFont
}

func newKioskTheme() fyne.Theme {
	return kioskTheme{theme.DefaultTheme(), fyne.NewStaticResource("CotejoMarks.ttf", marksFont)}
}

// Color is always the light variant: bank halls are bright, and the verdict colours are
// chosen against white.
func (t kioskTheme) Color(name fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	switch name {
	case theme.ColorNameSuccess: // the default light green is unreadable on white
		return colourGood
	case theme.ColorNameError:
		return colourBad
	case theme.ColorNameWarning:
		return colourWarn
	}
	return t.Theme.Color(name, theme.VariantLight)
}

// marksFont holds only ✓, ✗ and ✕ (DejaVu Sans's, made by fonts/make-marks.sh). Fyne's
// bundled fonts lack them, so it looked them up among the system's: on Linux it found
// DejaVu Sans, under Wine nothing ("�"), and on Windows it would depend on the fonts
// installed.
//
//go:embed fonts/marks.ttf
var marksFont []byte

// Font puts the marks font before the default text font of each style: Fyne looks a
// character up in the theme's font first and then in its default one, so the marks come
// from marksFont and every other character from the same font as before (text's height
// and baseline too, which Fyne takes from the space, absent from marksFont).
func (t kioskTheme) Font(style fyne.TextStyle) fyne.Resource {
	if style.Monospace || style.Symbol {
		return t.Theme.Font(style)
	}
	return t.marks
}

func (t kioskTheme) Size(name fyne.ThemeSizeName) float32 {
	switch name {
	case theme.SizeNameText:
		return 18
	case theme.SizeNameHeadingText:
		return 28
	case theme.SizeNameSubHeadingText:
		return 22
	case theme.SizeNameCaptionText: // fields' names, the privacy notice's long text
		return 15
	case theme.SizeNamePadding:
		return 8
	case theme.SizeNameInnerPadding:
		return 14
	case theme.SizeNameInlineIcon:
		return 26
	case theme.SizeNameScrollBar:
		return 18
	}
	return t.Theme.Size(name)
}

// Colours for verdicts, the same in light and dark variants: they carry meaning.
var (
	colourGood    = color.NRGBA{R: 0x1b, G: 0x7f, B: 0x3b, A: 0xff}
	colourBad     = color.NRGBA{R: 0xb3, G: 0x26, B: 0x1e, A: 0xff}
	colourWarn    = color.NRGBA{R: 0xb2, G: 0x6a, B: 0x00, A: 0xff}
	colourNeutral = color.NRGBA{R: 0x55, G: 0x5f, B: 0x6b, A: 0xff}
)
