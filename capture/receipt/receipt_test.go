package receipt

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/signintech/gopdf"
)

const (
	testCURP = "MAMA800101MDFRRR35"
	testCIC  = "123456789"
)

func ptr(v float64) *float64 { return &v }

// sample returns a typical answered receipt in lang.
func sample(lang string) Receipt {
	r := Receipt{
		Lang:        lang,
		Institution: "Banco Ejemplo, Sucursal Centro",
		Operator:    "Juana Pérez",
		Indice:      "7c9e6679-7425-40de-944b-e07fc1f90ae7",
		At:          time.Date(2025, 3, 14, 16, 32, 5, 0, time.UTC),
		Verdict:     "VÁLIDA: la credencial está vigente y los datos coinciden",
		Good:        true,
		Situation:   "La credencial se encuentra vigente y el ciudadano está inscrito en la Lista Nominal.",
		Citizen:     "MARÍA ÁNGELES MARTÍNEZ MARTÍNEZ",
		CURP:        testCURP,
		CIC:         testCIC,
		Fields: []Field{
			{Label: "Nombre", Mark: "✓"},
			{Label: "CURP", Mark: "✓"},
			{Label: "Año de registro", Mark: "✗"},
			{Label: "Número de emisión", Mark: "—"},
		},
		Fingers: []Finger{
			{Label: "Índice derecho", Similarity: ptr(83.5), Threshold: 70},
			{Label: "Índice izquierdo", Similarity: nil, Threshold: 70},
		},
		Codes: []string{"Código 104: Los datos de la credencial coinciden con el Padrón Electoral."},
	}
	if lang == "en" {
		r.Verdict = "VALID: the credential is current and the data match"
		r.Situation = "The credential is current and the citizen is on the voter list."
	}
	return r
}

func write(t *testing.T, r Receipt) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, r, Options{}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

// uncompressed renders r with content streams left uncompressed, so that
// a search of the raw bytes also covers the drawn text.
func uncompressed(t *testing.T, r Receipt) []byte {
	t.Helper()
	rd, err := render(r, Options{}, func(p *gopdf.GoPdf) { p.SetNoCompression() })
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	var buf bytes.Buffer
	if _, err := rd.pdf.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriteIsPDF(t *testing.T) {
	for _, lang := range []string{"es", "en"} {
		t.Run(lang, func(t *testing.T) {
			pdf := write(t, sample(lang))
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
				t.Errorf("does not start with %%PDF-: %q", pdf[:min(16, len(pdf))])
			}
			if !bytes.HasSuffix(bytes.TrimRight(pdf, "\r\n"), []byte("%%EOF")) {
				t.Errorf("does not end with %%%%EOF: %q", pdf[max(0, len(pdf)-16):])
			}
			// Two subset fonts dominate the size: tens of kB, not MB.
			if n := len(pdf); n < 5_000 || n > 500_000 {
				t.Errorf("implausible size %d bytes", n)
			}
			if n := countPages(pdf); n != 1 {
				t.Errorf("got %d pages, want 1", n)
			}
		})
	}
}

func TestContent(t *testing.T) {
	tests := []struct {
		lang      string
		want      []string
		forbidden []string
	}{
		{
			lang: "es",
			want: []string{
				"Comprobante de verificación de credencial",
				"Banco Ejemplo, Sucursal Centro",
				"Juana Pérez",
				"14/03/2025 10:32:05 (hora de la Ciudad de México, UTC-06:00)",
				"VÁLIDA: la credencial está vigente y los datos coinciden",
				"MARÍA ÁNGELES MARTÍNEZ MARTÍNEZ",
				"MAMA************35",
				"*****6789",
				"✓", "✗", "—",
				"83.5 % (umbral 70 %)",
				"Código 104:",
				"Este comprobante no contiene huellas ni datos completos de la credencial.",
				"7c9e6679-7425-40de-944b-e07fc1f90ae7",
				"Página 1 de 1",
			},
			forbidden: []string{"threshold", "receipt", "Page "},
		},
		{
			lang: "en",
			want: []string{
				"Credential verification receipt",
				"2025-03-14 10:32:05 (Mexico City time, UTC-06:00)",
				"VALID: the credential is current",
				"MAMA************35",
				"*****6789",
				"83.5 % (threshold 70 %)",
				"This receipt contains no fingerprints and no complete credential data.",
				"7c9e6679-7425-40de-944b-e07fc1f90ae7",
				"Page 1 of 1",
			},
			forbidden: []string{"umbral", "Comprobante", "Operador", "Página"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			// The parser decompresses, so check what Write really emits.
			p := parsePDF(t, write(t, sample(tt.lang)))
			text := p.flat()
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q; text:\n%s", w, p.text())
				}
			}
			for _, f := range tt.forbidden {
				if strings.Contains(text, f) {
					t.Errorf("text contains %q; text:\n%s", f, p.text())
				}
			}
			for _, f := range []string{testCURP, testCIC, "MDFRRR", "12345"} {
				if strings.Contains(p.squeezed(), f) {
					t.Errorf("text contains %q; text:\n%s", f, p.text())
				}
			}
			checkBounds(t, p)
		})
	}
}

// TestNoFullIdentifiers checks the raw file, not only the decoded text:
// metadata, or a careless future change that writes plain strings, would
// show up here even though the parser above would not look there.
func TestNoFullIdentifiers(t *testing.T) {
	r := sample("es")
	// INE messages can quote the CURP; the receipt must still mask it.
	r.Codes = append(r.Codes, "Código 200: la CURP "+testCURP+" y el CIC "+testCIC+" no coinciden")
	r.Situation = "Registro de " + strings.ToLower(testCURP)
	pdf := uncompressed(t, r)
	for _, s := range []string{testCURP, testCIC, strings.ToLower(testCURP)} {
		if bytes.Contains(pdf, []byte(s)) {
			t.Errorf("raw PDF contains %q", s)
		}
	}
	p := parsePDF(t, pdf)
	text := p.flat()
	for _, s := range []string{testCURP, testCIC} {
		if strings.Contains(strings.ToUpper(p.squeezed()), s) {
			t.Errorf("text contains %q in some case:\n%s", s, p.text())
		}
	}
	if want := "la CURP MAMA************35 y el CIC *****6789 no coinciden"; !strings.Contains(text, want) {
		t.Errorf("text lacks redacted code %q:\n%s", want, text)
	}
}

func TestGlyphsPresent(t *testing.T) {
	rd, err := render(sample("es"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rd.missing) > 0 {
		t.Errorf("fonts lack glyphs for %q", string(mapKeys(rd.missing)))
	}
}

func mapKeys(m map[rune]bool) []rune {
	var out []rune
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestQueued(t *testing.T) {
	r := sample("es")
	r.Queued = true
	r.Fields, r.Fingers, r.Codes, r.Situation = nil, nil, nil, ""
	text := parsePDF(t, write(t, r)).flat()
	for _, w := range []string{"EN COLA", "En cola desde", "no es un resultado de verificación"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q:\n%s", w, text)
		}
	}
	for _, f := range []string{"VÁLIDA", "Respuesta del INE", "Cotejo de huellas"} {
		if strings.Contains(text, f) {
			t.Errorf("queued receipt contains %q:\n%s", f, text)
		}
	}
}

func TestPageBreaks(t *testing.T) {
	r := sample("es")
	for i := range 40 {
		r.Codes = append(r.Codes, fmt.Sprintf("Código %d: mensaje de prueba del INE para comprobar el salto de página.", 100+i))
	}
	pdf := write(t, r)
	if n := countPages(pdf); n != 2 {
		t.Fatalf("40 codes: got %d pages, want 2", n)
	}
	p := parsePDF(t, pdf)
	if p.pages != 2 {
		t.Errorf("page tree has %d pages, want 2", p.pages)
	}
	text := p.flat()
	for _, w := range []string{"Página 1 de 2", "Página 2 de 2", "Código 100:", "Código 139:"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q", w)
		}
	}
	checkBounds(t, p)
}

// TestLongInputs feeds unbroken and very long strings everywhere; nothing
// may be drawn outside the margins, and the text must survive intact.
func TestLongInputs(t *testing.T) {
	long := strings.Repeat("X", 300)
	words := strings.Repeat("palabra ", 400)
	r := sample("es")
	r.Institution = long
	r.Operator = words
	r.Indice = strings.Repeat("0123456789abcdef", 30)
	r.Verdict = "NO VÁLIDA: " + strings.Repeat("motivo largo ", 600)
	r.Good = false
	r.Citizen = long
	r.Fields = append(r.Fields, Field{Label: long + " " + words, Mark: "✗"})
	r.Fingers = append(r.Fingers, Finger{Label: long, Similarity: ptr(12.25), Threshold: 72.5})
	r.Codes = append(r.Codes, long+long, "línea1\nlínea2")
	pdf := write(t, r)
	p := parsePDF(t, pdf)
	if p.pages < 3 {
		t.Errorf("got %d pages; a 600-word verdict should span pages", p.pages)
	}
	checkBounds(t, p)
	text := p.flat()
	// Count words, not the phrase: a page's footer is drawn after its body,
	// so a phrase broken across pages has the footer in between.
	for _, w := range []string{"motivo", "largo"} {
		if got := strings.Count(text, w); got != 600 {
			t.Errorf("verdict lost words: %d of 600 %q", got, w)
		}
	}
	for _, w := range []string{"12.2 % (umbral 72.5 %)", "línea1\nlínea2"} {
		if !strings.Contains(p.text(), w) {
			t.Errorf("text lacks %q", w)
		}
	}
}

func TestWrap(t *testing.T) {
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitMM})
	if err := pdf.AddTTFFont(famRegular, DefaultRegular); err != nil {
		t.Fatal(err)
	}
	if err := pdf.SetFont(famRegular, "", sizeBody); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		in    string
		width float64
		want  []string // nil: only check widths
	}{
		{"", 50, []string{""}},
		{"uno dos tres", 170, []string{"uno dos tres"}},
		{"  uno   dos  ", 170, []string{"uno dos"}},
		{"uno\ndos", 170, []string{"uno", "dos"}},
		{"uno\n\ndos", 170, []string{"uno", "", "dos"}},
		{strings.Repeat("W", 200), 30, nil},
		{strings.Repeat("ancho ", 100) + strings.Repeat("Ñ", 90), 40, nil},
	}
	for _, tt := range tests {
		lines, err := wrap(pdf, tt.in, tt.width)
		if err != nil {
			t.Fatal(err)
		}
		if tt.want != nil && strings.Join(lines, "|") != strings.Join(tt.want, "|") {
			t.Errorf("wrap(%q) = %q, want %q", tt.in, lines, tt.want)
		}
		for _, l := range lines {
			if w, _ := pdf.MeasureTextWidth(l); w > tt.width+1e-6 {
				t.Errorf("wrap(%.20q…, %v): line %q is %.2f mm wide", tt.in, tt.width, l, w)
			}
		}
		// Nothing but whitespace is lost.
		if got, want := strings.Join(strings.Fields(strings.Join(lines, "")), ""), strings.Join(strings.Fields(tt.in), ""); got != want {
			t.Errorf("wrap(%.20q…) lost text", tt.in)
		}
	}
	e, err := ellipsize(pdf, strings.Repeat("a", 500), 50)
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := pdf.MeasureTextWidth(e); w > 50 || !strings.HasSuffix(e, "…") || len(e) < 20 {
		t.Errorf("ellipsize: %q (%.1f mm)", e, w)
	}
}

func TestMissingFont(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "NoSuchFont.ttf")
	for _, tt := range []struct {
		opts  Options
		field string
	}{
		{Options{Regular: missing}, "Options.Regular"},
		{Options{Bold: missing}, "Options.Bold"},
	} {
		err := Write(&bytes.Buffer{}, sample("es"), tt.opts)
		if err == nil {
			t.Fatalf("%+v: no error", tt.opts)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("error does not wrap fs.ErrNotExist: %v", err)
		}
		for _, w := range []string{missing, tt.field, "fonts-dejavu-core"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("error %q lacks %q", err, w)
			}
		}
	}

	// A file that exists but is not a font is a different, still clear, error.
	bogus := filepath.Join(t.TempDir(), "bogus.ttf")
	if err := os.WriteFile(bogus, []byte("not a font"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := Write(&bytes.Buffer{}, sample("es"), Options{Bold: bogus})
	if err == nil || !strings.Contains(err.Error(), bogus) || !strings.Contains(err.Error(), "Options.Bold") {
		t.Errorf("bogus font: %v", err)
	}
}

func TestFormatTime(t *testing.T) {
	at := time.Date(2025, 3, 14, 16, 32, 5, 0, time.UTC)
	if got, want := formatTime(at, labelsFor("es")), "14/03/2025 10:32:05 (hora de la Ciudad de México, UTC-06:00)"; got != want {
		t.Errorf("es: %q, want %q", got, want)
	}
	if got, want := formatTime(at, labelsFor("EN-us")), "2025-03-14 10:32:05 (Mexico City time, UTC-06:00)"; got != want {
		t.Errorf("en: %q, want %q", got, want)
	}
	if got := formatTime(time.Time{}, labelsFor("es")); got != "—" {
		t.Errorf("zero time: %q", got)
	}
}

func TestFormatScore(t *testing.T) {
	lb := labelsFor("es")
	for _, tt := range []struct {
		f    Finger
		want string
		col  rgb
	}{
		{Finger{Similarity: ptr(83.5), Threshold: 70}, "83.5 % (umbral 70 %)", colGood},
		{Finger{Similarity: ptr(69.96), Threshold: 70}, "69.9 % (umbral 70 %)", colBad},
		{Finger{Similarity: ptr(70), Threshold: 70}, "70.0 % (umbral 70 %)", colGood},
		{Finger{Similarity: ptr(0), Threshold: 72.5}, "0.0 % (umbral 72.5 %)", colBad},
		{Finger{Similarity: nil, Threshold: 70}, "—", colMuted},
	} {
		got, col := formatScore(tt.f, lb)
		if got != tt.want || col != tt.col {
			t.Errorf("formatScore(%+v) = %q %06x, want %q %06x", tt.f, got, col, tt.want, tt.col)
		}
	}
}

// TestExternalExtractor cross-checks the built-in parser with a real PDF
// text extractor when one is installed.
func TestExternalExtractor(t *testing.T) {
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, write(t, sample("es")), 0o600); err != nil {
		t.Fatal(err)
	}
	var cmd *exec.Cmd
	if _, err := exec.LookPath("pdftotext"); err == nil {
		cmd = exec.Command("pdftotext", "-layout", path, "-")
	} else if _, err := exec.LookPath("gs"); err == nil {
		cmd = exec.Command("gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", "-sDEVICE=txtwrite", "-o", "-", path)
	} else {
		t.Skip("neither pdftotext (poppler-utils) nor gs (ghostscript) is installed; TestContent covers the text with the built-in parser")
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", cmd.Path, err)
	}
	text := string(out)
	for _, w := range []string{"Comprobante de verificación de credencial", "MAMA************35", "*****6789", "83.5 % (umbral 70 %)", "Página 1 de 1"} {
		if !strings.Contains(text, w) {
			t.Errorf("%s output lacks %q:\n%s", filepath.Base(cmd.Path), w, text)
		}
	}
	for _, f := range []string{testCURP, testCIC} {
		if strings.Contains(text, f) {
			t.Errorf("%s output contains %q", filepath.Base(cmd.Path), f)
		}
	}
}
