package ocr

import (
	"image"
	"slices"
	"strings"
	"testing"

	"cotejo/ocr/labels"
	"cotejo/ocr/layout"
)

// page lays words out as lines of text: each line's words at y, 25 px high, left to
// right from x, 15 px a letter.
func page(lines ...string) []labels.Word {
	var ws []labels.Word
	y := 20
	for _, l := range lines {
		x := 40
		if strings.HasPrefix(l, ">") { // indented: the right column
			l, x = l[1:], 400
		}
		for _, w := range strings.Fields(l) {
			ws = append(ws, labels.Word{Text: w, Box: image.Rect(x, y, x+15*len(w), y+25), Conf: 0.9})
			x += 15*len(w) + 12
		}
		y += 33
	}
	return ws
}

func TestNameBlock(t *testing.T) {
	for _, tc := range []struct {
		name  string
		page  []string
		want  string // the names' words, "" for none found
		lines int
	}{
		{"under a header", []string{"INSTITUTO NACIONAL ELECTORAL", "CREDENCIAL PARA VOTAR", "CRUZ", "TORRES", "SERGIO", "C. HIDALGO 344", "CUTS690604HMNRRR71"}, "CRUZ TORRES SERGIO", 3},
		{"two lines", []string{"GOMEZ", "JOSE LUIS", "AV. JUAREZ 201", "GOXJ460202HBCMXS18"}, "GOMEZ JOSE LUIS", 2},
		{"the key's initial decides", []string{"LEON GTO", "SAN PEDRO", "CRUZ", "TORRES", "SERGIO", "CUTS690604HMNRRR71"}, "CRUZ TORRES SERGIO", 3},
		{"one line is no block", []string{"CRUZ", "C. HIDALGO 344"}, "", 0},
		{"letters with digits are no names", []string{"C. HIDALGO 344", "FRACC LOS PINOS 46349"}, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &SideInfo{words: page(tc.page...), card: image.NewRGBA(image.Rect(0, 0, 1000, 630))}
			reg := s.nameBlock()
			got := ""
			if reg != nil {
				var ws []string
				for _, w := range s.words {
					if w.Box.In(reg.Box) {
						ws = append(ws, w.Text)
					}
				}
				got = strings.Join(ws, " ")
				if reg.Field != layout.Nombre || reg.Lines != tc.lines {
					t.Errorf("region %+v", reg)
				}
			}
			if got != tc.want {
				t.Errorf("names %q, want %q", got, tc.want)
			}
		})
	}
}

// A caption read under the names alone, with no other label to say the page prints
// captions under values: the names above it are taken, not the address below.
func TestCaptionUnderNames(t *testing.T) {
	ws := page("GOMEZ", "RAMIREZ", "JOSE LUIS", "nombre", "AV. JUAREZ 201", "FRACC. LOS PINOS 24653")
	s := &SideInfo{words: ws, card: image.NewRGBA(image.Rect(0, 0, 1000, 630))}
	s.labels = labels.Find(ws, s.card.Bounds())
	if len(s.labels) != 1 || s.labels[0].Field != layout.Nombre || namesText(s.labels[0].Text) {
		t.Fatalf("labels %+v: want the caption nombre with the address under it", s.labels)
	}
	if !s.captionsUnder() {
		t.Fatal("the names over their caption were not taken")
	}
	if got := s.labels[0].Text; got != "GOMEZ\nRAMIREZ\nJOSE LUIS" {
		t.Errorf("names %q", got)
	}
}

// Words beside the names that are not names: a caption in small letters under the last
// line, read into its row, and a mark of the photo read as text, in another column.
func TestNameBlockBeside(t *testing.T) {
	ws := page("MENDOZA", "REYES", "ALEJANDRA", "AV. INSURGENTES 627")
	ws = append(ws,
		labels.Word{Text: "nombre", Box: image.Rect(40, 104, 100, 112)}, // the caption, overlapping ALEJANDRA's row
		labels.Word{Text: ">", Box: image.Rect(800, 60, 900, 110)},      // the photo's, between the rows
		labels.Word{Text: "MERA630809MCHNYL64", Box: image.Rect(40, 200, 300, 225)})
	s := &SideInfo{words: ws, card: image.NewRGBA(image.Rect(0, 0, 1000, 630))}
	reg := s.nameBlock()
	if reg == nil || reg.Lines != 3 {
		t.Fatalf("region %+v, want three lines", reg)
	}
	ws[len(ws)-1].Text = "CUTS690604HMNRRR71" // a key of other initials
	if reg := s.nameBlock(); reg != nil {
		t.Fatalf("region %+v, want none", reg)
	}
}

func TestKeyText(t *testing.T) {
	for in, want := range map[string]string{
		"¡ASR8GOL15MCMBNC69": "IASR8GOL15MCMBNC69", "gorl460202hbcmms18": "GORL460202HBCMMS18",
		"MERA-630809.MCH": "MERA630809MCH", "|BSN": "IBSN", "ÑÁ": "",
	} {
		if got := keyText(in); got != want {
			t.Errorf("keyText(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRegistroByShape: where the año de registro's caption was not read, its value is
// the one place where a year and two digits stand together, as one word or two.
func TestRegistroByShape(t *testing.T) {
	word := func(text string, x, y, w int) labels.Word {
		return labels.Word{Text: text, Box: image.Rect(x, y, x+w, y+40)}
	}
	base := []labels.Word{word("04/06/1969", 260, 394, 135), word("H", 490, 394, 16), word("0384", 33, 476, 60), word("2013", 261, 476, 59), word("C.", 33, 181, 20), word("46349", 251, 207, 64)}
	for _, tc := range []struct {
		name string
		more []labels.Word
		want image.Rectangle // the value's words; empty: none found
	}{
		{"two words", []labels.Word{word("1995", 33, 394, 58), word("00", 100, 394, 28)}, image.Rect(33, 394, 128, 434)},
		{"one word", []labels.Word{word("190500", 33, 394, 97)}, image.Rect(33, 394, 130, 434)},
		{"none", nil, image.Rectangle{}},
		{"two of them: neither", []labels.Word{word("199500", 33, 394, 97), word("200801", 600, 476, 97)}, image.Rectangle{}},
		{"digits far apart", []labels.Word{word("1995", 33, 394, 58), word("00", 300, 600, 28)}, image.Rectangle{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &SideInfo{Side: layout.Front, words: append(slices.Clone(base), tc.more...), card: image.NewRGBA(image.Rect(0, 0, 1000, 630))}
			reg := s.registroByShape()
			switch {
			case tc.want.Empty() && reg != nil:
				t.Errorf("found %+v, want none", reg)
			case !tc.want.Empty() && (reg == nil || !tc.want.In(reg.Box) || reg.Field != layout.Registro):
				t.Errorf("found %+v, want a region round %v", reg, tc.want)
			}
		})
	}
	back := &SideInfo{Side: layout.Back, words: []labels.Word{word("199500", 33, 394, 97)}, card: image.NewRGBA(image.Rect(0, 0, 1000, 630))}
	if reg := back.registroByShape(); reg != nil {
		t.Errorf("a back: found %+v", reg)
	}
}

// TestZoneFromWords: where the zone's look is lost (a straightening gone slightly wrong
// leaves its pitch uneven), the page's reading may still give its three lines as words.
func TestZoneFromWords(t *testing.T) {
	w := func(text string, r image.Rectangle) labels.Word { return labels.Word{Text: text, Box: r} }
	zoneWords := []labels.Word{
		w("1DMEX1008188505<<0384584733242", image.Rect(41, 448, 929, 497)), // slanted: a taller box
		w("6906045H2812313MEX<00<<67512<8", image.Rect(39, 508, 937, 552)),
		w("CRUZ<TORRES<<SERGIO<<<<<<<<<<<", image.Rect(41, 572, 946, 608)),
	}
	other := []labels.Word{w("CUTS690604HMNRRR71", image.Rect(325, 517, 688, 541)), w("LY8BS1ES0O>>S0S881800LX3W01", image.Rect(249, 141, 971, 190))}
	b := zoneFromWords(append(slices.Clone(other), zoneWords...))
	if b == nil || b.Lines[0] != zoneWords[0].Box || b.Lines[2] != zoneWords[2].Box || b.Height != 36 {
		t.Fatalf("band %+v", b)
	}
	for name, ws := range map[string][]labels.Word{
		"two lines":       zoneWords[:2],
		"not one column":  {zoneWords[0], zoneWords[1], w(zoneWords[2].Text, zoneWords[2].Box.Add(image.Pt(300, 0)))},
		"far apart":       {zoneWords[0], zoneWords[1], w(zoneWords[2].Text, zoneWords[2].Box.Add(image.Pt(0, 400)))},
		"no fillers":      {zoneWords[0], zoneWords[1], w("CRUZTORRESSERGIOXXXXXXXXXXXXX", zoneWords[2].Box)},
		"nothing like it": other,
	} {
		if b := zoneFromWords(ws); b != nil {
			t.Errorf("%s: band %+v", name, b)
		}
	}
}
