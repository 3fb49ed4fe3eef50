package receipt

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
	"github.com/signintech/gopdf"
)

// Seal is the sealed evidence of a verification (see docs/cadena-original.md): printed
// on the receipt as text and as a QR code, and kept in the PDF's metadata so that
// `cotejo evidence verify` can recompute it. The receipt does not interpret it.
type Seal struct {
	Cadena   string          `json:"cadena"`              // the cadena original
	Sello    string          `json:"sello"`               // its signature, Base64
	Evidence json.RawMessage `json:"evidencia,omitempty"` // the record the cadena was built from
}

// QRText is what the receipt's QR code holds: the cadena original, a line feed, the
// sello. Neither contains a line feed.
func (s Seal) QRText() string { return s.Cadena + "\n" + s.Sello }

// subjectTag starts the PDF's Subject when it holds a Seal.
const subjectTag = "cotejo-sello-1 "

// subject is the Info dictionary's Subject for s: the tag and s as JSON with every
// non-ASCII character escaped, because gopdf writes the Subject as one UTF-16 unit per
// rune (so a rune outside the BMP would not survive) and ReadSeal decodes it back.
func (s Seal) subject() (string, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return "", fmt.Errorf("receipt: seal: %w", err)
	}
	var b strings.Builder
	b.WriteString(subjectTag)
	for _, r := range string(raw) {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		for _, u := range utf16.Encode([]rune{r}) {
			fmt.Fprintf(&b, `\u%04x`, u)
		}
	}
	return b.String(), nil
}

// MaxPDF bounds what ReadSeal reads.
const MaxPDF = 32 << 20

// ErrNoSeal is a PDF that carries no Cotejo seal: not a receipt, or one made before
// receipts were sealed.
var ErrNoSeal = errors.New("receipt: el PDF no lleva sello de Cotejo (the PDF carries no Cotejo seal)")

// ReadSeal recovers the Seal a receipt keeps in its metadata. It reads the last
// /Subject of the PDF, as written by Write; it is not a general PDF parser.
func ReadSeal(r io.Reader) (*Seal, error) {
	pdf, err := io.ReadAll(io.LimitReader(r, MaxPDF+1))
	if err != nil {
		return nil, fmt.Errorf("receipt: reading the PDF: %w", err)
	}
	if len(pdf) > MaxPDF {
		return nil, fmt.Errorf("receipt: the PDF is larger than %d bytes", MaxPDF)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		return nil, errors.New("receipt: not a PDF")
	}
	const key = "/Subject <FEFF"
	i := bytes.LastIndex(pdf, []byte(key))
	if i < 0 {
		return nil, ErrNoSeal
	}
	rest := pdf[i+len(key):]
	end := bytes.IndexByte(rest, '>')
	if end < 0 || end%4 != 0 {
		return nil, fmt.Errorf("receipt: the PDF's Subject is cut or malformed")
	}
	raw, err := hex.DecodeString(string(rest[:end]))
	if err != nil {
		return nil, fmt.Errorf("receipt: the PDF's Subject: %w", err)
	}
	units := make([]uint16, len(raw)/2)
	for j := range units {
		units[j] = uint16(raw[2*j])<<8 | uint16(raw[2*j+1])
	}
	text := string(utf16.Decode(units))
	js, ok := strings.CutPrefix(text, subjectTag)
	if !ok {
		return nil, ErrNoSeal
	}
	var s Seal
	dec := json.NewDecoder(strings.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("receipt: the PDF's seal: %w", err)
	}
	if dec.More() {
		return nil, errors.New("receipt: the PDF's seal has trailing data")
	}
	return &s, nil
}

// qrSize is the printed QR code's side, mm: about half a millimetre per module for a
// cadena and a 2048-bit sello, which a phone reads off paper.
const qrSize = 60.0

// sealSection prints the cadena, the sello and the QR code holding both.
func (rd *renderer) sealSection(s Seal) error {
	if err := rd.heading(rd.lb.sealHead); err != nil {
		return err
	}
	rd.y += cellPad
	for _, p := range [][2]string{{rd.lb.cadena, s.Cadena}, {rd.lb.sello, s.Sello}} {
		if err := rd.paragraph(margin, contentW, true, sizeFooter, colText, p[0]); err != nil {
			return err
		}
		if err := rd.paragraph(margin, contentW, false, sizeFooter, colMuted, p[1]); err != nil {
			return err
		}
		rd.y += cellPad
	}
	m, err := qrMatrix(s.QRText())
	if err != nil {
		return err
	}
	rd.ensure(qrSize + lineH(sizeFooter) + 2)
	module := qrSize / float64(m.GetWidth()+8) // 4 modules of quiet zone each side
	x0, y0 := margin+4*module, rd.y+4*module
	rd.pdf.SetFillColor(colText.parts())
	for y := 0; y < m.GetHeight(); y++ {
		// One rectangle per run of dark modules: fewer operators, no hairline seams.
		for x := 0; x < m.GetWidth(); {
			if !m.Get(x, y) {
				x++
				continue
			}
			start := x
			for x < m.GetWidth() && m.Get(x, y) {
				x++
			}
			if err := rd.pdf.RectFromUpperLeftWithOpts(gopdf.DrawableRectOptions{
				X: x0 + float64(start)*module, Y: y0 + float64(y)*module,
				Rect: gopdf.Rect{W: float64(x-start) * module, H: module}, PaintStyle: gopdf.FillPaintStyle,
			}); err != nil {
				return err
			}
		}
	}
	rd.y += qrSize
	return rd.paragraph(margin, contentW, false, sizeFooter, colMuted, rd.lb.sealNote)
}

// qrMatrix encodes text as a QR code, one matrix cell per module and no quiet zone.
// Byte mode in UTF-8, so that accents survive; level M, for paper that gets creased.
func qrMatrix(text string) (*gozxing.BitMatrix, error) {
	hints := map[gozxing.EncodeHintType]any{
		gozxing.EncodeHintType_CHARACTER_SET:    "UTF-8",
		gozxing.EncodeHintType_ERROR_CORRECTION: "M",
		gozxing.EncodeHintType_MARGIN:           0,
	}
	m, err := qrcode.NewQRCodeWriter().Encode(text, gozxing.BarcodeFormat_QR_CODE, 0, 0, hints)
	if err != nil {
		return nil, fmt.Errorf("receipt: QR code of the seal (%s bytes): %w", strconv.Itoa(len(text)), err)
	}
	return m, nil
}
