// Package receipt renders the paper (or PDF) receipt a citizen may take
// away after a credential check against INE.
//
// It takes plain data and returns PDF bytes, with no dependency on the rest
// of the app, so the UI can print or save the same document. What it leaves
// out is as deliberate as what it prints: a receipt carries no fingerprint
// data (the input types cannot even hold it), the CURP and the CIC/OCR are
// masked here rather than by each caller, and the raw identifiers are
// scrubbed from any free text that quotes them.
package receipt

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/signintech/gopdf"
)

// Default font paths, from Debian's fonts-dejavu-core. DejaVu is used
// because it covers Spanish accents and the ✓ ✗ — marks in one face.
const (
	DefaultRegular = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	DefaultBold    = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
)

// Receipt is everything printed on one receipt. All strings are shown as
// given except CURP and CIC, which are masked (see MaskCURP and MaskCIC).
type Receipt struct {
	Lang        string    // "es" (default) or "en": all labels in that language
	Institution string    // e.g. "Banco Ejemplo, Sucursal Centro"
	Operator    string    // who ran the check
	Indice      string    // INE's request id
	At          time.Time // when INE answered (or when queued)
	Verdict     string    // one line, already in the right language
	Good        bool      // verdict colour: green when true, red otherwise
	Situation   string    // situación registral sentence, may be empty
	Citizen     string    // full name
	CURP, CIC   string    // masked by the package
	Fields      []Field   // per-field comparison results
	Fingers     []Finger  // per-finger similarity scores (never images)
	Codes       []string  // "Código 104: …" lines, may be empty
	Queued      bool      // waiting in the offline queue: no verdict yet
	Seal        *Seal     // the sealed evidence, printed and kept in the metadata; may be nil
}

// Field is one row of the comparison table.
type Field struct {
	Label string
	Mark  string // "✓", "✗" or "—"
}

// Finger is one fingerprint comparison, as a score only.
type Finger struct {
	Label      string
	Similarity *float64 // percent; nil when the finger was not compared
	Threshold  float64  // percent needed to match
}

// Options locates the TrueType fonts. Empty fields take the defaults;
// they are options because the kiosk image may ship fonts elsewhere.
type Options struct {
	Regular, Bold string // TTF paths
}

// Write renders r as a PDF on w. It fails only if the fonts cannot be
// loaded or w fails: caller text is wrapped to the page, continues on
// further pages when long, and characters the fonts lack print as "?"
// rather than aborting a receipt the citizen is waiting for.
func Write(w io.Writer, r Receipt, o Options) error {
	rd, err := render(r, o)
	if err != nil {
		return err
	}
	if _, err := rd.pdf.WriteTo(w); err != nil {
		return fmt.Errorf("receipt: writing PDF: %w", err)
	}
	return nil
}

// Geometry, in millimetres (the document unit) and points (font sizes).
const (
	pageW, pageH = 210.0, 297.0 // A4
	margin       = 20.0
	contentW     = pageW - 2*margin
	ptToMM       = 25.4 / 72
	leading      = 1.3 // line height as a multiple of the font size

	sizeTitle   = 16.0
	sizeHeading = 11.0
	sizeBody    = 10.0
	sizeBand    = 11.0
	sizeFooter  = 8.0

	cellPad   = 1.2 // vertical padding inside table rows and around bands
	bandPad   = 3.0
	colGap    = 3.0
	labelColW = 45.0 // key column of key/value rows
)

// Font families as registered with gopdf.
const (
	famRegular = "regular"
	famBold    = "bold"
)

// rgb is a 0xRRGGBB colour; an integer type so the palette can be constants.
type rgb uint32

func (c rgb) parts() (r, g, b uint8) { return uint8(c >> 16), uint8(c >> 8), uint8(c) }

// Colours chosen to stay distinguishable when printed in greyscale on a
// thermal or laser printer (dark green vs. dark red vs. light amber).
const (
	colText   rgb = 0x000000
	colMuted  rgb = 0x5a5a5a
	colGood   rgb = 0x1b6e34
	colBad    rgb = 0xb01e1e
	colQueued rgb = 0xf2b134
	colWhite  rgb = 0xffffff
	colRule   rgb = 0xaaaaaa
)

// lineH is the height of one line of text at size points, in mm.
func lineH(size float64) float64 { return size * ptToMM * leading }

// renderer holds the state of one Write call; nothing outlives it.
type renderer struct {
	pdf        *gopdf.GoPdf
	lb         labels
	y          float64 // top of the next line, mm
	bodyBottom float64 // content must end above this, mm
	secrets    []secret
	missing    map[rune]bool // runes the fonts lack, replaced by '?'
}

// render lays out the whole receipt; it is separate from Write so that
// tests can inspect the document (and turn compression off).
func render(r Receipt, o Options, opts ...func(*gopdf.GoPdf)) (*renderer, error) {
	regular, bold := o.Regular, o.Bold
	if regular == "" {
		regular = DefaultRegular
	}
	if bold == "" {
		bold = DefaultBold
	}
	rd := &renderer{
		pdf:     &gopdf.GoPdf{},
		lb:      labelsFor(r.Lang),
		secrets: secretsOf(r),
		missing: map[rune]bool{},
	}
	rd.pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4, Unit: gopdf.UnitMM})
	for _, f := range opts {
		f(rd.pdf)
	}
	if err := rd.addFont(famRegular, regular, "regular", "Regular"); err != nil {
		return nil, err
	}
	if err := rd.addFont(famBold, bold, "bold", "Bold"); err != nil {
		return nil, err
	}
	info := gopdf.PdfInfo{Title: rd.lb.title, Creator: "cotejo"}
	if r.Seal != nil {
		subject, err := r.Seal.subject()
		if err != nil {
			return nil, err
		}
		info.Subject = subject
	}
	rd.pdf.SetInfo(info)

	footerH, err := rd.footerHeight(r)
	if err != nil {
		return nil, err
	}
	rd.bodyBottom = pageH - margin - footerH - 4
	rd.newPage()
	if err := rd.body(r); err != nil {
		return nil, err
	}
	if err := rd.footers(r); err != nil {
		return nil, err
	}
	return rd, nil
}

// addFont loads one TTF, turning a missing file into an error that tells
// the operator what to install or configure.
func (rd *renderer) addFont(family, path, which, field string) error {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("receipt: %s font %q not found (install Debian's fonts-dejavu-core or set Options.%s): %w", which, path, field, err)
		}
		return fmt.Errorf("receipt: %s font %q: %w", which, path, err)
	}
	opt := gopdf.TtfOption{
		OnGlyphNotFound:           func(c rune) { rd.missing[c] = true },
		OnGlyphNotFoundSubstitute: func(rune) rune { return '?' },
	}
	if err := rd.pdf.AddTTFFontWithOption(family, path, opt); err != nil {
		return fmt.Errorf("receipt: loading %s font %q (Options.%s): %w", which, path, field, err)
	}
	return nil
}

func (rd *renderer) setFont(bold bool, size float64) error {
	fam := famRegular
	if bold {
		fam = famBold
	}
	return rd.pdf.SetFont(fam, "", size)
}

func (rd *renderer) setColor(c rgb) { rd.pdf.SetTextColor(c.parts()) }

func (rd *renderer) newPage() {
	rd.pdf.AddPage()
	rd.y = margin
}

// ensure starts a new page unless h more millimetres fit on this one.
func (rd *renderer) ensure(h float64) {
	if rd.y+h > rd.bodyBottom {
		rd.newPage()
	}
}

// text draws one already-wrapped line with its top-left corner at (x, y).
func (rd *renderer) text(x, y, w, size float64, s string) error {
	rd.pdf.SetXY(x, y)
	return rd.pdf.CellWithOption(&gopdf.Rect{W: w, H: lineH(size)}, s, gopdf.CellOption{Align: gopdf.Left | gopdf.Top})
}

// clean makes caller text safe to lay out: invalid UTF-8 and control
// characters become spaces (a newline is kept as a paragraph break), and
// the full CURP/CIC are masked wherever they appear.
func (rd *renderer) clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(c rune) rune {
		switch {
		case c == '\n':
			return c
		case unicode.IsControl(c) || c == '\u2028' || c == '\u2029':
			return ' '
		}
		return c
	}, s)
	return redact(s, rd.secrets)
}

// paragraph wraps s to width w and draws it line by line from x, breaking
// pages between lines as needed.
func (rd *renderer) paragraph(x, w float64, bold bool, size float64, col rgb, s string) error {
	if err := rd.setFont(bold, size); err != nil {
		return err
	}
	lines, err := wrap(rd.pdf, rd.clean(s), w)
	if err != nil {
		return err
	}
	rd.setColor(col)
	for _, l := range lines {
		rd.ensure(lineH(size))
		if err := rd.text(x, rd.y, w, size, l); err != nil {
			return err
		}
		rd.y += lineH(size)
	}
	return nil
}

// cell is one cell of a table row.
type cell struct {
	text string
	bold bool
	col  rgb
}

// row draws cells side by side in columns of the given widths. Each cell
// wraps independently; the row is as tall as its tallest cell and, if it
// does not fit, continues on the next page line by line.
func (rd *renderer) row(widths []float64, size float64, cells ...cell) error {
	wrapped := make([][]string, len(cells))
	n := 1
	for i, c := range cells {
		if err := rd.setFont(c.bold, size); err != nil {
			return err
		}
		lines, err := wrap(rd.pdf, rd.clean(c.text), widths[i])
		if err != nil {
			return err
		}
		wrapped[i] = lines
		n = max(n, len(lines))
	}
	lh := lineH(size)
	// Keep short rows whole; a row taller than a page has to split anyway.
	if h := float64(n)*lh + 2*cellPad; h <= rd.bodyBottom-margin {
		rd.ensure(h)
	}
	rd.y += cellPad
	for l := range n {
		if rd.y+lh > rd.bodyBottom {
			rd.newPage()
		}
		x := margin
		for i, c := range cells {
			if l < len(wrapped[i]) {
				if err := rd.setFont(c.bold, size); err != nil {
					return err
				}
				rd.setColor(c.col)
				if err := rd.text(x, rd.y, widths[i], size, wrapped[i][l]); err != nil {
					return err
				}
			}
			x += widths[i] + colGap
		}
		rd.y += lh
	}
	rd.y += cellPad
	return nil
}

// rule draws a thin horizontal line across the content width.
func (rd *renderer) rule(c rgb, width float64) {
	rd.pdf.SetStrokeColor(c.parts())
	rd.pdf.SetLineWidth(width)
	rd.pdf.Line(margin, rd.y, margin+contentW, rd.y)
}

// heading starts a section, keeping it on the same page as at least two
// lines of what follows.
func (rd *renderer) heading(s string) error {
	rd.y += 4
	rd.ensure(lineH(sizeHeading) + 2*lineH(sizeBody) + 2*cellPad)
	if err := rd.paragraph(margin, contentW, true, sizeHeading, colText, s); err != nil {
		return err
	}
	rd.y += 0.5
	rd.rule(colText, 0.3)
	return nil
}

// band draws text in a filled colour band across the page. A band longer
// than the space left is split into one band per page.
func (rd *renderer) band(fill, fg rgb, s string) error {
	if err := rd.setFont(true, sizeBand); err != nil {
		return err
	}
	w := contentW - 2*bandPad
	lines, err := wrap(rd.pdf, rd.clean(s), w)
	if err != nil {
		return err
	}
	lh := lineH(sizeBand)
	for len(lines) > 0 {
		rd.ensure(2*bandPad + min(float64(len(lines)), 2)*lh)
		fit := max(1, int((rd.bodyBottom-rd.y-2*bandPad)/lh))
		chunk := lines[:min(fit, len(lines))]
		lines = lines[len(chunk):]
		h := 2*bandPad + float64(len(chunk))*lh
		rd.pdf.SetFillColor(fill.parts())
		if err := rd.pdf.RectFromUpperLeftWithOpts(gopdf.DrawableRectOptions{
			X: margin, Y: rd.y, Rect: gopdf.Rect{W: contentW, H: h}, PaintStyle: gopdf.FillPaintStyle,
		}); err != nil {
			return err
		}
		if err := rd.setFont(true, sizeBand); err != nil {
			return err
		}
		rd.setColor(fg)
		for i, l := range chunk {
			if err := rd.text(margin+bandPad, rd.y+bandPad+float64(i)*lh, w, sizeBand, l); err != nil {
				return err
			}
		}
		rd.y += h
	}
	return nil
}

// body lays out everything except the per-page footers.
func (rd *renderer) body(r Receipt) error {
	lb := rd.lb
	if err := rd.paragraph(margin, contentW, true, sizeTitle, colText, lb.title); err != nil {
		return err
	}
	rd.y += 1.5
	if strings.TrimSpace(r.Institution) != "" {
		if err := rd.paragraph(margin, contentW, true, sizeHeading, colText, r.Institution); err != nil {
			return err
		}
	}
	rd.y += 1.5
	kv := []float64{labelColW, contentW - labelColW - colGap}
	when := lb.answeredAt
	if r.Queued {
		when = lb.queuedAt
	}
	header := [][2]string{
		{lb.operator, orDash(r.Operator)},
		{when, formatTime(r.At, lb)},
		{lb.requestID, orDash(r.Indice)},
	}
	for _, h := range header {
		if err := rd.row(kv, sizeBody, cell{h[0], true, colText}, cell{h[1], false, colText}); err != nil {
			return err
		}
	}

	rd.y += 4
	var err error
	switch {
	case r.Queued:
		err = rd.band(colQueued, colText, lb.queued)
	case r.Good:
		err = rd.band(colGood, colWhite, orDash(r.Verdict))
	default:
		err = rd.band(colBad, colWhite, orDash(r.Verdict))
	}
	if err != nil {
		return err
	}
	rd.y += 2
	if strings.TrimSpace(r.Situation) != "" {
		if err := rd.row(kv, sizeBody, cell{lb.situation, true, colText}, cell{r.Situation, false, colText}); err != nil {
			return err
		}
	}

	if err := rd.heading(lb.citizen); err != nil {
		return err
	}
	citizen := [][2]string{
		{lb.name, orDash(r.Citizen)},
		{lb.curp, orDash(MaskCURP(r.CURP))},
		{lb.cic, orDash(MaskCIC(r.CIC))},
	}
	for _, c := range citizen {
		if err := rd.row(kv, sizeBody, cell{c[0], true, colText}, cell{c[1], false, colText}); err != nil {
			return err
		}
	}

	if len(r.Fields) > 0 {
		if err := rd.heading(lb.fieldsHead); err != nil {
			return err
		}
		const markW = 25.0
		cols := []float64{contentW - markW - colGap, markW}
		if err := rd.row(cols, sizeBody, cell{lb.fieldCol, true, colMuted}, cell{lb.resultCol, true, colMuted}); err != nil {
			return err
		}
		for _, f := range r.Fields {
			rd.rule(colRule, 0.1)
			mark := strings.TrimSpace(f.Mark)
			if err := rd.row(cols, sizeBody, cell{orDash(f.Label), false, colText}, cell{orDash(mark), true, markColor(mark)}); err != nil {
				return err
			}
		}
	}

	if len(r.Fingers) > 0 {
		if err := rd.heading(lb.fingersHead); err != nil {
			return err
		}
		const scoreW = 60.0
		cols := []float64{contentW - scoreW - colGap, scoreW}
		if err := rd.row(cols, sizeBody, cell{lb.fingerCol, true, colMuted}, cell{lb.scoreCol, true, colMuted}); err != nil {
			return err
		}
		for _, f := range r.Fingers {
			rd.rule(colRule, 0.1)
			score, col := formatScore(f, lb)
			if err := rd.row(cols, sizeBody, cell{orDash(f.Label), false, colText}, cell{score, true, col}); err != nil {
				return err
			}
		}
	}

	if len(r.Codes) > 0 {
		if err := rd.heading(lb.codesHead); err != nil {
			return err
		}
		rd.y += cellPad
		for _, c := range r.Codes {
			if err := rd.paragraph(margin, contentW, false, sizeBody, colText, c); err != nil {
				return err
			}
			rd.y += cellPad
		}
	}
	if r.Seal != nil {
		return rd.sealSection(*r.Seal)
	}
	return nil
}

// footerLines returns the footer text for one page, wrapped to the
// content width. The request id is cut to one line here (it is printed in
// full in the header), so the footer's height is known before layout.
func (rd *renderer) footerLines(r Receipt, page, pages int) ([]string, error) {
	if err := rd.setFont(false, sizeFooter); err != nil {
		return nil, err
	}
	lines, err := wrap(rd.pdf, rd.lb.footerNote, contentW)
	if err != nil {
		return nil, err
	}
	id, err := ellipsize(rd.pdf, rd.lb.requestID+": "+orDash(rd.clean(strings.ReplaceAll(r.Indice, "\n", " "))), contentW)
	if err != nil {
		return nil, err
	}
	return append(lines, id, fmt.Sprintf(rd.lb.page, page, pages)), nil
}

func (rd *renderer) footerHeight(r Receipt) (float64, error) {
	lines, err := rd.footerLines(r, 1, 1)
	if err != nil {
		return 0, err
	}
	return float64(len(lines))*lineH(sizeFooter) + 2, nil
}

// footers draws the footer on every page once the page count is known.
func (rd *renderer) footers(r Receipt) error {
	pages := rd.pdf.GetNumberOfPages()
	for p := 1; p <= pages; p++ {
		if err := rd.pdf.SetPage(p); err != nil {
			return fmt.Errorf("receipt: footer of page %d: %w", p, err)
		}
		lines, err := rd.footerLines(r, p, pages)
		if err != nil {
			return err
		}
		lh := lineH(sizeFooter)
		rd.y = pageH - margin - float64(len(lines))*lh - 1
		rd.rule(colRule, 0.2)
		rd.y += 1
		rd.setColor(colMuted)
		for _, l := range lines {
			if err := rd.text(margin, rd.y, contentW, sizeFooter, l); err != nil {
				return err
			}
			rd.y += lh
		}
	}
	return nil
}

// markColor colours a comparison mark so that a mismatch stands out.
func markColor(mark string) rgb {
	switch mark {
	case "✓":
		return colGood
	case "✗":
		return colBad
	}
	return colMuted
}

// formatScore renders "83.5 % (umbral 70 %)", or "—" when the finger was
// not compared or the score is not a number, and picks the colour from
// the raw score.
func formatScore(f Finger, lb labels) (string, rgb) {
	if f.Similarity == nil || math.IsNaN(*f.Similarity) || math.IsInf(*f.Similarity, 0) {
		return "—", colMuted
	}
	s := *f.Similarity
	col := colBad
	if s >= f.Threshold {
		col = colGood
	}
	// Truncate rather than round: 69.96 against a threshold of 70 must not
	// print as "70.0" in the failure colour.
	shown := math.Floor(s*10) / 10
	return fmt.Sprintf("%s %% (%s %s %%)", strconv.FormatFloat(shown, 'f', 1, 64), lb.threshold, trimFloat(f.Threshold)), col
}

// trimFloat prints a threshold as written ("70", "72.5"), at most two
// decimals so that float noise never reaches paper.
func trimFloat(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// formatTime prints t in Mexico City time with the zone spelled out, so a
// receipt printed on a kiosk set to UTC still shows the citizen's time.
func formatTime(t time.Time, lb labels) string {
	if t.IsZero() {
		return "—"
	}
	loc, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		// No tzdata on the kiosk: Mexico City has had no DST since 2022,
		// so a fixed UTC-6 is right for every current timestamp.
		loc = time.FixedZone("UTC-6", -6*60*60)
	}
	t = t.In(loc)
	return t.Format(lb.dateLayout) + " (" + fmt.Sprintf(lb.timeZone, t.Format("-07:00")) + ")"
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}
