package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// TestGlyphsBundled: every character of every string in the window's code (the
// screens' marks, the i18n table) is in a font Cotejo carries: the kiosk theme's
// marks font, Fyne's bundled text font in both weights the screens use, its emoji or
// its symbol font. Fyne looks a character up among the system's fonts only when these
// lack it, and what it found there differed: ✓ and ✗ came from DejaVu Sans on Linux
// and showed as "�" under Wine.
func TestGlyphsBundled(t *testing.T) {
	parse := func(r fyne.Resource) *sfnt.Font {
		t.Helper()
		f, err := sfnt.Parse(r.Content())
		if err != nil {
			t.Fatalf("%s: %v", r.Name(), err)
		}
		return f
	}
	th := newKioskTheme()
	var (
		marks   = parse(th.Font(fyne.TextStyle{}))
		regular = parse(theme.DefaultTextFont())
		bold    = parse(theme.DefaultTextBoldFont())
		emoji   = parse(theme.DefaultEmojiFont())
		symbols = parse(theme.DefaultSymbolFont())
	)
	if th.Font(fyne.TextStyle{Bold: true}) != th.Font(fyne.TextStyle{}) {
		t.Error("the bold style has not the marks font")
	}
	var buf sfnt.Buffer
	has := func(f *sfnt.Font, r rune) bool {
		i, err := f.GlyphIndex(&buf, r)
		return err == nil && i != 0
	}
	covered := func(r rune) bool {
		return has(marks, r) || has(emoji, r) || has(symbols, r) || has(regular, r) && has(bold, r)
	}
	for _, r := range "✓✗✕" {
		if !has(marks, r) {
			t.Errorf("the marks font lacks %c", r)
		}
	}
	for _, r := range "AaÁñ0.·•…—" {
		if has(marks, r) {
			t.Errorf("the marks font has %c: text would no longer come from Fyne's text font", r)
		}
	}
	// Fyne shapes the space after a mark with the mark's font, and takes every text's
	// height and baseline from the first font with a space: the marks font, whose
	// vertical metrics must then be the text font's.
	if !has(marks, ' ') {
		t.Error("the marks font has no space: the one after a mark would show as a box")
	}
	for _, px := range []fixed.Int26_6{fixed.I(15), fixed.I(18), fixed.I(28)} {
		m, err := marks.Metrics(&buf, px, font.HintingNone)
		if err != nil {
			t.Fatal(err)
		}
		want, err := regular.Metrics(&buf, px, font.HintingNone)
		if err != nil {
			t.Fatal(err)
		}
		if m.Height != want.Height || m.Ascent != want.Ascent || m.Descent != want.Descent {
			t.Errorf("at %v px the marks font's height, ascent and descent are %v, %v, %v; the text font's %v, %v, %v",
				px, m.Height, m.Ascent, m.Descent, want.Height, want.Ascent, want.Descent)
		}
	}

	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	missing := map[rune][]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0) // without comments
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatalf("%s: %v", fset.Position(lit.Pos()), err)
			}
			for _, r := range s {
				if r >= 0x80 && !covered(r) {
					missing[r] = append(missing[r], fset.Position(lit.Pos()).String())
				}
			}
			return true
		})
	}
	for r, where := range missing {
		t.Errorf("%c (U+%04X) is in no bundled font: %s", r, r, strings.Join(where, ", "))
	}
}
