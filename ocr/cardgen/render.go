// Package cardgen draws synthetic Credenciales para Votar, models C to H, front and back,
// for tests, benchmarks and the demo: no real credential is ever used. Each card is the
// layout's design filled with a synthetic citizen's data, a correct machine-readable
// zone and QR code, then photographed badly on purpose (distortion levels 0–3).
package cardgen

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"cotejo/ocr/layout"
	"cotejo/ocr/mrz"
	"cotejo/verify/credential"
	"cotejo/verify/credential/synthetic"
)

// Font files from Debian's fonts-dejavu-core and fonts-ocr-b.
const (
	SansFile = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
	BoldFile = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
	// OCR-B "Sharp": x/image cannot rasterise the '8' and '<' outlines of the regular
	// OCRB.otf (the glyphs fail to load and are skipped).
	OCRBFile = "/usr/share/fonts/opentype/ocr-b/OCRBS.otf"
)

// ErrFonts means the fonts the cards are printed with are not installed.
var ErrFonts = errors.New("cardgen: fonts missing (install the Debian packages fonts-dejavu-core, fonts-ocr-b, fonts-liberation, fonts-freefont-ttf and fonts-noto-core)")

// typeface names one of the loaded fonts.
type typeface int

const (
	dejavu typeface = iota
	dejavuBold
	ocrb
	liberation
	liberationBold
	narrowBold // Liberation Sans Narrow
	noto
	notoBold
	freeSans
	freeSansBold
	freeSansOblique
	serifBold   // DejaVu Serif Bold
	serifItalic // Liberation Serif Italic
	numTypefaces
)

// typefaceFiles are the fonts' files; the layout families print with the ones after
// OCR-B, from Debian's fonts-liberation, fonts-noto-core and fonts-freefont-ttf.
func typefaceFiles() [numTypefaces]string {
	const lib, free = "/usr/share/fonts/truetype/liberation/", "/usr/share/fonts/truetype/freefont/"
	return [numTypefaces]string{
		dejavu: SansFile, dejavuBold: BoldFile, ocrb: OCRBFile,
		liberation: lib + "LiberationSans-Regular.ttf", liberationBold: lib + "LiberationSans-Bold.ttf",
		narrowBold: lib + "LiberationSansNarrow-Bold.ttf",
		noto:       "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", notoBold: "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
		freeSans: free + "FreeSans.ttf", freeSansBold: free + "FreeSansBold.ttf", freeSansOblique: free + "FreeSansOblique.ttf",
		serifBold: "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf", serifItalic: lib + "LiberationSerif-Italic.ttf",
	}
}

// Fonts are the parsed typefaces; safe for concurrent use (faces are made per card).
type Fonts struct {
	tf [numTypefaces]*opentype.Font
	// capRatio is each typeface's cap height over its size, so that families can ask
	// for a cap height whatever the font.
	capRatio [numTypefaces]float64
}

// LoadFonts parses the Debian fonts.
func LoadFonts() (*Fonts, error) {
	var f Fonts
	var buf sfnt.Buffer
	for t, path := range typefaceFiles() {
		b, err := os.ReadFile(path)
		if err != nil {
			if typeface(t) > ocrb {
				return nil, fmt.Errorf("%w: layout families need fonts-liberation fonts-freefont-ttf fonts-noto-core: %v", ErrFonts, err)
			}
			return nil, fmt.Errorf("%w: %v", ErrFonts, err)
		}
		if f.tf[t], err = opentype.Parse(b); err != nil {
			return nil, fmt.Errorf("cardgen: %s: %w", path, err)
		}
		m, err := f.tf[t].Metrics(&buf, fixed.I(1000), font.HintingNone)
		if err != nil {
			return nil, fmt.Errorf("cardgen: %s: %w", path, err)
		}
		f.capRatio[t] = math.Abs(float64(m.CapHeight)) / 64 / 1000
		if f.capRatio[t] == 0 {
			f.capRatio[t] = 0.7 // no OS/2 cap height: a typical sans's
		}
	}
	return &f, nil
}

// Holder is who a card belongs to: the citizen and what else the card prints.
type Holder struct {
	synthetic.Citizen
	Domicilio []string // three lines, printed on models C, D and E
	Vigencia  string   // last year of validity
	QRDigits  string   // the small QR's 24 digits (models G and H), ending in the CIC
	Optional  string   // the MRZ's line 2 positions 19–29
}

// NewHolder completes a citizen with an address, validity and the codes' extra digits,
// drawn from rnd.
func NewHolder(c synthetic.Citizen, rnd *rand.Rand) Holder {
	streets := []string{"AV. JUAREZ", "C. HIDALGO", "C. MORELOS", "AV. REFORMA", "C. ALLENDE", "C. ZARAGOZA", "PRIV. LAS FLORES", "AV. INSURGENTES"}
	cols := []string{"COL. CENTRO", "COL. DEL VALLE", "COL. SAN RAFAEL", "COL. LAS AMERICAS", "COL. JARDINES", "FRACC. LOS PINOS"}
	towns := []string{"TOLUCA, MEX.", "PUEBLA, PUE.", "LEON, GTO.", "MERIDA, YUC.", "OAXACA, OAX.", "ZAPOPAN, JAL.", "SALTILLO, COAH.", "CULIACAN, SIN."}
	h := Holder{Citizen: c}
	h.Domicilio = []string{
		fmt.Sprintf("%s %d", streets[rnd.IntN(len(streets))], 1+rnd.IntN(999)),
		fmt.Sprintf("%s %05d", cols[rnd.IntN(len(cols))], 10000+rnd.IntN(89999)),
		towns[rnd.IntN(len(towns))],
	}
	year := 0
	fmt.Sscan(c.AnioEmision, &year)
	h.Vigencia = fmt.Sprint(year + 10)
	h.QRDigits = fmt.Sprintf("%015d", rnd.Uint64()%1_000_000_000_000_000) + c.CIC
	h.Optional = fmt.Sprintf("<%s<<%05d<", c.NumeroEmisionCredencial, rnd.IntN(100000))
	return h
}

// MRZ returns the three lines of the holder's machine-readable zone.
func (h Holder) MRZ() ([3]string, error) {
	year := 0
	fmt.Sscan(h.Vigencia, &year)
	z := mrz.Zone{CIC: h.CIC, OCR: h.OCR, Birth: h.Birth, Sex: string(h.Sex),
		Expiry:    h.Birth.AddDate(year-h.Birth.Year(), 0, 0).AddDate(0, 12-int(h.Birth.Month()), 31-h.Birth.Day()),
		Optional2: h.Optional, Paterno: h.ApellidoPaterno, Materno: h.ApellidoMaterno, Nombres: h.Nombre}
	return z.Format()
}

// value is what the card prints in a field's box, one string per line.
func (h Holder) value(f layout.Field, m credential.Model) []string {
	switch f {
	case layout.Nombre:
		if h.ApellidoMaterno == "" {
			return []string{h.ApellidoPaterno, h.Nombre}
		}
		return []string{h.ApellidoPaterno, h.ApellidoMaterno, h.Nombre}
	case layout.Domicilio:
		return h.Domicilio
	case layout.ClaveElector:
		return []string{h.ClaveElector}
	case layout.CURP:
		return []string{h.CURP}
	case layout.Registro:
		return []string{h.AnioRegistro + " " + h.NumeroEmisionCredencial}
	case layout.Nacimiento:
		return []string{h.Birth.Format("02/01/2006")}
	case layout.Sexo:
		return []string{string(h.Sex)}
	case layout.Seccion:
		return []string{h.Seccion()}
	case layout.Emision:
		return []string{h.AnioEmision}
	case layout.Vigencia:
		if m == credential.ModelG || m == credential.ModelH {
			return []string{h.AnioEmision + " - " + h.Vigencia}
		}
		return []string{h.Vigencia}
	case layout.OCRLine:
		return []string{h.OCR}
	}
	return nil
}

// Render draws one side of the holder's card of model m, straightened, at layout size,
// as the layout's tables say (the base family).
// rnd varies only decoration (pattern phase, large codes' contents).
func (f *Fonts) Render(h Holder, m credential.Model, side layout.Side, rnd *rand.Rand) (*image.RGBA, error) {
	return f.RenderFamily(h, m, side, Family{Name: "base"}, rnd)
}

// faceCache makes each face once per card.
type faceCache struct {
	f *Fonts
	m map[faceKey]font.Face
}

type faceKey struct {
	t    typeface
	size float64
}

func newFaceCache(f *Fonts) *faceCache { return &faceCache{f: f, m: map[faceKey]font.Face{}} }

func (c *faceCache) face(t typeface, size float64) font.Face {
	k := faceKey{t, size}
	if fc, ok := c.m[k]; ok {
		return fc
	}
	// opentype.NewFace cannot fail.
	fc, _ := opentype.NewFace(c.f.tf[t], &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	c.m[k] = fc
	return fc
}

func (c *faceCache) close() {
	for _, fc := range c.m {
		fc.Close()
	}
}

// draw prints a planned card side.
func (c *faceCache) draw(p *plan, h Holder, rnd *rand.Rand) (*image.RGBA, error) {
	d := p.design
	img := image.NewRGBA(image.Rect(0, 0, layout.Width, layout.Height))
	draw.Draw(img, img.Bounds(), image.NewUniform(p.paper), image.Point{}, draw.Src)
	drawGround(img, p, rnd)
	for _, b := range p.bands {
		if !b.fade {
			draw.Draw(img, b.r, image.NewUniform(b.c), image.Point{}, draw.Src)
			continue
		}
		// Toward white down the band, as the header's ink thins.
		for y := b.r.Min.Y; y < b.r.Max.Y; y++ {
			k := float64(y-b.r.Min.Y) / float64(b.r.Dy())
			row := color.RGBA{mix(b.c.R, 255, k*0.35), mix(b.c.G, 255, k*0.35), mix(b.c.B, 255, k*0.35), 255}
			draw.Draw(img, image.Rect(b.r.Min.X, y, b.r.Max.X, y+1), image.NewUniform(row), image.Point{}, draw.Src)
		}
	}
	for _, dc := range p.discs {
		disc(img, dc.at.X, dc.at.Y, dc.r, dc.c)
	}
	drawPhoto(img, d.Photo, d.Side)
	if p.holo.r > 0 {
		hologram(img, p.holo)
	}
	for _, t := range p.titles {
		text(img, c.face(t.tf, t.size), image.NewUniform(t.c), t.at.X, t.at.Y, t.s)
	}
	ink := image.NewUniform(p.ink)
	for _, it := range p.items {
		r := it.reg
		if it.label.s != "" {
			l := it.label
			text(img, c.face(l.tf, l.size), image.NewUniform(l.c), l.at.X, l.at.Y, l.s)
		}
		switch r.Field {
		case layout.MRZ:
			lines, err := h.MRZ()
			if err != nil {
				return nil, err
			}
			drawLines(img, c.face(ocrb, r.Size), ink, r, lines[:])
		case layout.QR:
			if err := drawQR(img, r.Box, "https://qr.ine.mx/"+h.QRDigits); err != nil {
				return nil, err
			}
		case layout.Barcode:
			if err := drawCodes(img, r.Box, d.Model, h, rnd); err != nil {
				return nil, err
			}
		default:
			drawLines(img, c.face(it.tf, r.Size), ink, r, h.value(r.Field, d.Model))
		}
	}
	return img, nil
}

func text(dst draw.Image, fc font.Face, src image.Image, x, baseline int, s string) {
	(&font.Drawer{Dst: dst, Src: src, Face: fc, Dot: fixed.P(x, baseline)}).DrawString(s)
}

// drawLines spreads lines evenly over the region's box, first baseline a cap height down.
func drawLines(img *image.RGBA, fc font.Face, ink image.Image, r layout.Region, lines []string) {
	for i, l := range lines {
		text(img, fc, ink, r.Box.Min.X+4, baseline(fc, r, i), l)
	}
}

// baseline of line i: lines spread evenly over the box, each centred on its cap height.
func baseline(fc font.Face, r layout.Region, i int) int {
	step := r.Box.Dy() / max(r.Lines, 1)
	c := fc.Metrics().CapHeight.Round()
	if c < 0 { // sfnt reports y-up heights for some fonts
		c = -c
	}
	return r.Box.Min.Y + i*step + (step-c)/2 + c
}

// drawGround draws the plan's guilloche in its tint, light enough that printed text
// stays the darkest thing on the card.
func drawGround(img *image.RGBA, p *plan, rnd *rand.Rand) {
	phase := rnd.Float64() * 2 * math.Pi
	t := p.design.Tint
	if p.ground != groundSine {
		drawPattern(img, p, phase)
		return
	}
	// Two crossed families of sine waves, as on security printing:
	// sin(x/9 + 4 sin(y/37+φ)) · sin(y/11 + 3 sin(x/53)), each factor split by the
	// sum formula into per-column and per-row tables.
	sx1, cx1, sx2, cx2 := make([]float64, layout.Width), make([]float64, layout.Width), make([]float64, layout.Width), make([]float64, layout.Width)
	for x := range layout.Width {
		sx1[x], cx1[x] = math.Sincos(float64(x) / 9)
		sx2[x], cx2[x] = math.Sincos(3 * math.Sin(float64(x)/53))
	}
	for y := range layout.Height {
		sy1, cy1 := math.Sincos(4 * math.Sin(float64(y)/37+phase))
		sy2, cy2 := math.Sincos(float64(y) / 11)
		for x := range layout.Width {
			v := (sx1[x]*cy1 + cx1[x]*sy1) * (sy2*cx2[x] + cy2*sx2[x])
			if v > 0.55 {
				img.SetRGBA(x, y, t)
			}
		}
	}
}

func mix(a, b uint8, k float64) uint8 { return uint8(float64(a)*(1-k) + float64(b)*k) }

func disc(img *image.RGBA, cx, cy, r int, c color.RGBA) {
	for y := cy - r; y <= cy+r; y++ {
		for x := cx - r; x <= cx+r; x++ {
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r && image.Pt(x, y).In(img.Bounds()) {
				img.SetRGBA(x, y, c)
			}
		}
	}
}

// drawPhoto: a grey silhouette where the photograph goes (a fingerprint box on C/D backs).
func drawPhoto(img *image.RGBA, r image.Rectangle, side layout.Side) {
	draw.Draw(img, r, image.NewUniform(color.RGBA{205, 208, 212, 255}), image.Point{}, draw.Src)
	grey := color.RGBA{140, 145, 150, 255}
	cx, w := (r.Min.X+r.Max.X)/2, r.Dx()
	if side == layout.Back {
		// A thumbprint-like set of rings.
		for k := 8; k < w/2-10; k += 9 {
			ring(img, cx, (r.Min.Y+r.Max.Y)/2, k, grey)
		}
		return
	}
	disc(img, cx, r.Min.Y+r.Dy()*2/5, w/4, grey)
	for y := r.Min.Y + r.Dy()*7/10; y < r.Max.Y; y++ {
		half := w/4 + (y-r.Min.Y-r.Dy()*7/10)/2
		draw.Draw(img, image.Rect(cx-half, y, cx+half, y+1), image.NewUniform(grey), image.Point{}, draw.Src)
	}
}

func ring(img *image.RGBA, cx, cy, r int, c color.RGBA) {
	for a := 0.0; a < 2*math.Pi; a += 0.5 / float64(r) {
		for t := 0; t < 3; t++ {
			img.SetRGBA(cx+int(float64(r+t)*math.Cos(a)), cy+int(float64(r+t)*0.8*math.Sin(a)), c)
		}
	}
}

// drawQR draws the small QR code with gozxing, scaled to fit the box.
func drawQR(img *image.RGBA, r image.Rectangle, content string) error {
	bm, err := qrcode.NewQRCodeWriter().Encode(content, gozxing.BarcodeFormat_QR_CODE, r.Dx(), r.Dy(),
		map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_MARGIN: 1})
	if err != nil {
		return fmt.Errorf("cardgen: QR: %w", err)
	}
	blit(img, r.Min, bm)
	return nil
}

func blit(img *image.RGBA, at image.Point, bm *gozxing.BitMatrix) {
	for y := range bm.GetHeight() {
		for x := range bm.GetWidth() {
			c := color.RGBA{255, 255, 255, 255}
			if bm.Get(x, y) {
				c = color.RGBA{0, 0, 0, 255}
			}
			img.SetRGBA(at.X+x, at.Y+y, c)
		}
	}
}

// drawCodes draws each model's large codes: a Code 128 of the OCR on C and D, a
// PDF417-like block on E and F (its content is INE's; only its look matters), and the
// two large QR codes of G and H (signed, encrypted data: random bytes here).
func drawCodes(img *image.RGBA, r image.Rectangle, m credential.Model, h Holder, rnd *rand.Rand) error {
	switch m {
	case credential.ModelC, credential.ModelD:
		bm, err := oned.NewCode128Writer().Encode(h.OCR, gozxing.BarcodeFormat_CODE_128, r.Dx(), r.Dy(), nil)
		if err != nil {
			return fmt.Errorf("cardgen: barcode: %w", err)
		}
		blit(img, r.Min, bm)
	case credential.ModelE, credential.ModelF:
		const rows, cols = 18, 34
		cw, ch := r.Dx()/cols, r.Dy()/rows
		for y := range rows {
			for x := range cols {
				if x < 2 || x >= cols-2 || rnd.IntN(2) == 0 {
					draw.Draw(img, image.Rect(r.Min.X+x*cw, r.Min.Y+y*ch, r.Min.X+(x+1)*cw, r.Min.Y+(y+1)*ch),
						image.NewUniform(color.RGBA{0, 0, 0, 255}), image.Point{}, draw.Src)
				}
			}
		}
	default:
		half := r.Dx() / 2
		for i := range 2 {
			data := make([]byte, 120)
			for j := range data {
				data[j] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[rnd.IntN(36)]
			}
			box := image.Rect(r.Min.X+i*half, r.Min.Y, r.Min.X+(i+1)*half-10, r.Min.Y+half-10)
			if err := drawQR(img, box, string(data)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Truth is what a generated card holds: the credential's fields under the plaintext's
// names, with the model.
func (h Holder) Truth() credential.Credential {
	c := h.Credential
	c.Nombre = strings.TrimSpace(c.Nombre)
	return c
}
