package labels

import (
	"image"
	"strings"
	"testing"

	"cotejo/ocr/layout"
)

// page is a hand-built page: its words, and which field's value each word is (""
// for labels and noise).
type testPage struct {
	words []Word
	owner []layout.Field
}

// put adds the words of text from x on the line whose top is y, letters h tall and cw
// wide, words a third of h apart.
func (p *testPage) put(f layout.Field, text string, x, y, h, cw int) {
	for _, t := range strings.Fields(text) {
		w := len([]rune(t)) * cw
		p.words = append(p.words, Word{Text: t, Box: image.Rect(x, y, x+w, y+h), Conf: 0.9})
		p.owner = append(p.owner, f)
		x += w + h/3 + 2
	}
}

// label prints a label in the small bold style of the C–H designs (11 px capitals).
func (p *testPage) label(text string, x, y int) { p.put("", text, x, y, 11, 12) }

// value prints a value in the large style (23 px capitals).
func (p *testPage) value(f layout.Field, text string, x, y int) { p.put(f, text, x, y, 23, 20) }

// lines prints a multi-line value, lines 40 px apart.
func (p *testPage) lines(f layout.Field, x, y int, lines ...string) {
	for i, l := range lines {
		p.value(f, l, x, y+40*i)
	}
}

func (p *testPage) junk(text string, r image.Rectangle) {
	p.words = append(p.words, Word{Text: text, Box: r, Conf: 0.2})
	p.owner = append(p.owner, "")
}

type want struct {
	where Placement
	text  string // the value's words, lines joined by "\n"; "" for an estimated box
	lines int
}

// check compares Find's values with the page's truth: every wanted field found with its
// text, placement and lines, nothing else found; each box covering its value's words
// and no other word of the page.
func check(t *testing.T, p testPage, wants map[layout.Field]want) {
	t.Helper()
	page := image.Rect(0, 0, layout.Width, layout.Height)
	vs := Find(p.words, page)
	got := map[layout.Field]Value{}
	for _, v := range vs {
		if _, dup := got[v.Field]; dup {
			t.Errorf("%s found twice", v.Field)
		}
		got[v.Field] = v
		if _, ok := wants[v.Field]; !ok {
			t.Errorf("unexpected %s: label %v, value %q at %v", v.Field, v.Label, v.Text, v.Box)
		}
	}
	for f, w := range wants {
		v, ok := got[f]
		if !ok {
			t.Errorf("%s not found", f)
			continue
		}
		if v.Text != w.text || v.Where != w.where || w.lines != 0 && v.Lines != w.lines {
			t.Errorf("%s: %q %s %d lines, want %q %s %d", f, v.Text, v.Where, v.Lines, w.text, w.where, w.lines)
		}
		if !v.Box.In(page) || v.Box.Empty() {
			t.Errorf("%s: box %v", f, v.Box)
		}
		for i, word := range p.words {
			switch in := word.Box.In(v.Box); {
			case p.owner[i] == f && !in && w.text != "":
				t.Errorf("%s: box %v misses its word %q %v", f, v.Box, word.Text, word.Box)
			case p.owner[i] != f && word.Box.Overlaps(v.Box):
				t.Errorf("%s: box %v overlaps %q %v", f, v.Box, word.Text, word.Box)
			}
		}
	}
	if t.Failed() {
		for _, v := range vs {
			t.Logf("%-12s %-5s %.2f label %v box %v %q", v.Field, v.Where, v.Score, v.Label, v.Box, v.Text)
		}
	}
}

// cLabels are the C design's labels in the order modelC prints them.
func cLabels() []string {
	return []string{"NOMBRE", "FECHA DE NACIMIENTO", "SEXO", "DOMICILIO", "CLAVE DE ELECTOR", "CURP", "AÑO DE REGISTRO", "SECCIÓN", "EMISIÓN", "VIGENCIA"}
}

// modelC is a front laid out as the C design, labels above values, in two columns,
// with the labels spelt ls (as cLabels).
func modelC(ls []string) testPage {
	var p testPage
	p.put("", "INSTITUTO FEDERAL ELECTORAL", 302, 16, 16, 15)
	p.put("", "REGISTRO FEDERAL DE ELECTORES", 302, 48, 16, 15)
	p.put("", "CREDENCIAL PARA VOTAR", 301, 77, 19, 18)
	p.label(ls[0], 41, 133)
	p.label(ls[1], 521, 133)
	p.lines(layout.Nombre, 47, 157, "DOMINGUEZ", "MENDOZA", "SERGIO")
	p.value(layout.Nacimiento, "04/06/1964", 526, 157)
	p.label(ls[2], 521, 208)
	p.value(layout.Sexo, "H", 527, 233)
	p.label(ls[3], 41, 288)
	p.put(layout.Domicilio, "AV. REFORMA 731", 44, 311, 19, 16)
	p.put(layout.Domicilio, "COL. LAS AMERICAS 16589", 45, 343, 19, 16)
	p.put(layout.Domicilio, "SALTILLO, COAH.", 45, 375, 19, 16)
	p.label(ls[4], 41, 418)
	p.value(layout.ClaveElector, "DMMNSR64060417H121", 47, 443)
	p.label(ls[5], 41, 493)
	p.label(ls[6], 500, 493)
	p.value(layout.CURP, "DOMS640604HMSMNR14", 47, 517)
	p.value(layout.Registro, "1994 02", 507, 518)
	p.label(ls[7], 41, 565)
	p.label(ls[8], 191, 565)
	p.label(ls[9], 340, 565)
	p.value(layout.Seccion, "2224", 46, 593)
	p.value(layout.Emision, "2003", 196, 592)
	p.value(layout.Vigencia, "2013", 346, 593)
	return p
}

func modelCWants() map[layout.Field]want {
	return map[layout.Field]want{
		layout.Nombre:       {Below, "DOMINGUEZ\nMENDOZA\nSERGIO", 3},
		layout.Nacimiento:   {Below, "04/06/1964", 1},
		layout.Sexo:         {Below, "H", 1},
		layout.Domicilio:    {Below, "AV. REFORMA 731\nCOL. LAS AMERICAS 16589\nSALTILLO, COAH.", 3},
		layout.ClaveElector: {Below, "DMMNSR64060417H121", 1},
		layout.CURP:         {Below, "DOMS640604HMSMNR14", 1},
		layout.Registro:     {Below, "1994 02", 1},
		layout.Seccion:      {Below, "2224", 1},
		layout.Emision:      {Below, "2003", 1},
		layout.Vigencia:     {Below, "2013", 1},
	}
}

func TestPageBelow(t *testing.T) { check(t, modelC(cLabels()), modelCWants()) }

// A page read in another order finds the same.
func TestPageOrder(t *testing.T) {
	p := modelC(cLabels())
	for i, j := 0, len(p.words)-1; i < j; i, j = i+1, j-1 {
		p.words[i], p.words[j] = p.words[j], p.words[i]
		p.owner[i], p.owner[j] = p.owner[j], p.owner[i]
	}
	check(t, p, modelCWants())
}

func TestPageRight(t *testing.T) {
	var p testPage
	// Title-case labels as tall as lower-case text, values right of them, the address
	// continuing under its first line, two columns on the birth date's line.
	put := func(x, y int, s string) { p.put("", s, x, y, 16, 11) }
	put(300, 140, "Nombre")
	p.put(layout.Nombre, "GARCIA LOPEZ JUAN CARLOS", 390, 136, 20, 15)
	put(300, 190, "Domicilio")
	p.put(layout.Domicilio, "C. HIDALGO 12", 410, 186, 20, 15)
	p.put(layout.Domicilio, "COL. CENTRO 50000", 410, 216, 20, 15)
	p.put(layout.Domicilio, "TOLUCA, MEX.", 410, 246, 20, 15)
	put(300, 300, "Clave elector:")
	p.put(layout.ClaveElector, "GRLPJN80010115H400", 460, 296, 20, 15)
	put(300, 340, "CURP")
	p.put(layout.CURP, "GALJ800101HMCRPN09", 380, 336, 20, 15)
	put(300, 380, "Fecha de nacimiento")
	p.put(layout.Nacimiento, "01/01/1980", 520, 376, 20, 15)
	put(700, 380, "Sexo")
	p.put(layout.Sexo, "H", 760, 376, 20, 15)
	put(300, 420, "Año de registro")
	p.put(layout.Registro, "1998 03", 480, 416, 20, 15)
	put(640, 420, "Sección")
	p.put(layout.Seccion, "4321", 740, 416, 20, 15)
	put(300, 460, "Vigencia")
	p.put(layout.Vigencia, "2019 - 2029", 400, 456, 20, 15)
	check(t, p, map[layout.Field]want{
		layout.Nombre:       {Right, "GARCIA LOPEZ JUAN CARLOS", 1},
		layout.Domicilio:    {Right, "C. HIDALGO 12\nCOL. CENTRO 50000\nTOLUCA, MEX.", 3},
		layout.ClaveElector: {Right, "GRLPJN80010115H400", 1},
		layout.CURP:         {Right, "GALJ800101HMCRPN09", 1},
		layout.Nacimiento:   {Right, "01/01/1980", 1},
		layout.Sexo:         {Right, "H", 1},
		layout.Registro:     {Right, "1998 03", 1},
		layout.Seccion:      {Right, "4321", 1},
		layout.Vigencia:     {Right, "2019 - 2029", 1},
	})
}

// Names on lines of their own after a right-placed first line, and a short name: the
// next field's line is not the name's third.
func TestPageRightShortName(t *testing.T) {
	var p testPage
	put := func(x, y int, s string) { p.put("", s, x, y, 16, 11) }
	put(60, 140, "Nombre")
	p.put(layout.Nombre, "PEÑA", 160, 136, 20, 15)
	p.put(layout.Nombre, "ROCIO", 160, 166, 20, 15)
	put(60, 200, "Domicilio")
	p.put(layout.Domicilio, "C. ALLENDE 5", 160, 196, 20, 15)
	p.put(layout.Domicilio, "LEON, GTO.", 160, 226, 20, 15)
	put(60, 290, "Curp")
	p.put(layout.CURP, "PXRX900101MGTXXX01", 160, 286, 20, 15)
	put(60, 330, "Sexo") // its "M" not read: placed right, as the others
	check(t, p, map[layout.Field]want{
		layout.Nombre:    {Right, "PEÑA\nROCIO", 2},
		layout.Domicilio: {Right, "C. ALLENDE 5\nLEON, GTO.", 2},
		layout.CURP:      {Right, "PXRX900101MGTXXX01", 1},
		layout.Sexo:      {Right, "", 1},
	})
}

// Lines packed tight: a value's margin would reach the next label, and is cut short.
func TestPageTight(t *testing.T) {
	var p testPage
	p.label("CLAVE DE ELECTOR", 40, 100)
	p.value(layout.ClaveElector, "GRLPJN80010115H400", 44, 113)
	p.label("CURP", 40, 140)
	p.value(layout.CURP, "GALJ800101HMCRPN09", 44, 153)
	p.label("SECCIÓN", 40, 180)
	p.label("VIGENCIA", 150, 180)
	p.value(layout.Seccion, "1234", 44, 193)
	p.value(layout.Vigencia, "2030", 154, 193)
	check(t, p, map[layout.Field]want{
		layout.ClaveElector: {Below, "GRLPJN80010115H400", 1},
		layout.CURP:         {Below, "GALJ800101HMCRPN09", 1},
		layout.Seccion:      {Below, "1234", 1},
		layout.Vigencia:     {Below, "2030", 1},
	})
}

// Slips in the labels themselves (a faint first letter: "EXO"), abbreviations, title
// case, and words run together.
func TestPageSlipsAndAbbreviations(t *testing.T) {
	cases := map[string][]string{ // the C design's labels, in order, as misread
		"slips":         {"N0MBRE", "FECHA DE NACIMlENTO", "SEX0", "D0MICILIO", "CIAVE DE ELECTOR", "CURP", "ANO DE REGlSTRO", "SECCI0N", "EMISI0N", "VIGENC1A"},
		"abbreviations": {"NOMBRE", "FECHA DE NAC.", "SEXO", "DOMICILIO", "CLAVE ELECTOR", "CURP:", "AÑO REGISTRO", "SECCIÓN", "EMISIÓN", "VIGENCIA"},
		"title case":    {"Nombre", "Fecha nacimiento", "Sexo", "Domicilio", "Clave de Elector", "Curp", "Año de Registro", "Sección", "Emisión", "Vigencia"},
		"merged words":  {"NOMBRE", "FECHADE NACIMIENTO", "EXO", "DOMICILIO", "CLAVEDE ELECTOR", "CURP", "AÑO DEREGISTRO", "SECCIÓN", "EMISIÓN", "VIGENCIA"},
	}
	for name, ls := range cases {
		t.Run(name, func(t *testing.T) { check(t, modelC(ls), modelCWants()) })
	}
}

// Two fields side by side on one line, values below each: each value stops before the
// other's column.
func TestPageTwoColumns(t *testing.T) {
	var p testPage
	p.label("CLAVE DE ELECTOR", 310, 283)
	p.label("FECHA DE NACIMIENTO", 781, 283)
	p.value(layout.ClaveElector, "GMAGVR99050614M109", 316, 308)
	p.value(layout.Nacimiento, "06/05/1999", 786, 308)
	p.label("CURP", 311, 358)
	p.value(layout.CURP, "GOAV990506MJCMGR06", 316, 383)
	check(t, p, map[layout.Field]want{
		layout.ClaveElector: {Below, "GMAGVR99050614M109", 1},
		layout.Nacimiento:   {Below, "06/05/1999", 1},
		layout.CURP:         {Below, "GOAV990506MJCMGR06", 1},
	})
}

// Value words that spell labels are values: a surname, a street named like a label,
// a sex letter; noise from the photograph and the emblem is ignored.
func TestPageLookalikesAndGarbage(t *testing.T) {
	var p testPage
	p.label("NOMBRE", 41, 133)
	p.lines(layout.Nombre, 47, 157, "SEXO", "CURP", "NOMBRE")
	p.label("DOMICILIO", 41, 288)
	p.put(layout.Domicilio, "PRIV. SECCION 4", 44, 311, 19, 16)
	p.put(layout.Domicilio, "COL. VIGENCIA", 45, 343, 19, 16)
	p.label("CLAVE DE ELECTOR", 41, 418)
	p.value(layout.ClaveElector, "SXCRNM80010109H100", 47, 443)
	p.label("SEXO", 521, 418)
	p.value(layout.Sexo, "H", 527, 443)
	p.junk("MM", image.Rect(753, 374, 967, 470))
	p.junk("O", image.Rect(106, 12, 195, 101))
	p.junk("~", image.Rect(600, 560, 612, 566))
	p.junk("ee", image.Rect(700, 600, 716, 608))
	check(t, p, map[layout.Field]want{
		layout.Nombre:       {Below, "SEXO\nCURP\nNOMBRE", 3},
		layout.Domicilio:    {Below, "PRIV. SECCION 4\nCOL. VIGENCIA", 2},
		layout.ClaveElector: {Below, "SXCRNM80010109H100", 1},
		layout.Sexo:         {Below, "H", 1},
	})
}

// Missing labels are not reported; a label whose value was not read gets a box where
// the others suggest.
func TestPageMissing(t *testing.T) {
	var p testPage
	p.label("NOMBRE", 41, 133)
	p.lines(layout.Nombre, 47, 157, "GOMEZ", "AGUILAR", "VERONICA")
	p.label("SEXO", 521, 133)
	p.label("CURP", 41, 493)
	p.value(layout.CURP, "GOAV990506MJCMGR06", 47, 517)
	check(t, p, map[layout.Field]want{
		layout.Nombre: {Below, "GOMEZ\nAGUILAR\nVERONICA", 3},
		layout.Sexo:   {Below, "", 1},
		layout.CURP:   {Below, "GOAV990506MJCMGR06", 1},
	})
	for _, v := range Find(p.words, image.Rect(0, 0, layout.Width, layout.Height)) {
		if v.Field == layout.Sexo && (v.Box.Min.Y < 144 || v.Box.Max.Y > 200 || v.Box.Min.X > 521 || v.Box.Dx() < 40) {
			t.Errorf("estimated SEXO box %v", v.Box)
		}
	}
	if vs := Find(nil, image.Rect(0, 0, 100, 100)); len(vs) != 0 {
		t.Errorf("no words: %v", vs)
	}
	var noise testPage
	noise.put("", "LOREM IPSUM DOLOR SIT AMET", 10, 10, 20, 14)
	noise.put("", "H M 2024 ELECTORAL", 10, 50, 20, 14)
	if vs := Find(noise.words, image.Rectangle{}); len(vs) != 0 {
		t.Errorf("noise: %v", vs)
	}
}

func TestPageFold(t *testing.T) {
	for in, want := range map[string]string{"Año de Registro": "ANODEREGISTRO", "SECCIÓN": "SECCION", "Fecha de nac.": "FECHADENAC", "CURP:": "CURP", "ü-Ñ": "UN"} {
		if got := fold(in); got != want {
			t.Errorf("fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPageDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want float64
	}{{"NOMBRE", "NOMBRE", 0}, {"N0MBRE", "NOMBRE", 0.5}, {"SECO", "SEXO", 1}, {"SEXTO", "SEXO", 1}, {"", "CURP", 4}, {"CIAVEDEELECTOR", "CLAVEDEELECTOR", 0.5}} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestPageRegion(t *testing.T) {
	v := Value{Field: layout.Registro, Box: image.Rect(1, 2, 3, 4), Lines: 1, Height: 22}
	r := v.Region()
	if r.Field != layout.Registro || r.Label != "AÑO DE REGISTRO" || r.Box != v.Box || r.Lines != 1 || r.Size < 29 || r.Size > 31 {
		t.Errorf("region %+v", r)
	}
}

// BenchmarkFind times matching one page's words (the C design's 50).
func BenchmarkFind(b *testing.B) {
	p := modelC(cLabels())
	page := image.Rect(0, 0, layout.Width, layout.Height)
	for b.Loop() {
		Find(p.words, page)
	}
}
