// Package layout describes where each model of the Credencial para Votar prints what:
// the regions of its front and back, in pixels of the card straightened to 300 dpi. The
// reader crops fields from these regions; the synthetic card generator prints into them.
package layout

import (
	"image"
	"image/color"

	"cotejo/verify/credential"
)

// The straightened card: ID-1 (85.60 × 53.98 mm) at 300 dpi.
const (
	Width  = 1012
	Height = 638
)

// Side is the front or the back of a card.
type Side int

const (
	Front Side = iota
	Back
)

func (s Side) String() string {
	if s == Back {
		return "back"
	}
	return "front"
}

// Field names a printed item. Values that are also credential fields use the
// plaintext's names.
type Field string

const (
	Nombre       Field = "nombre" // three lines: paterno, materno, nombres
	Domicilio    Field = "domicilio"
	ClaveElector Field = "claveElector"
	CURP         Field = "curp"
	Registro     Field = "registro" // año de registro and número de emisión: "2008 01"
	Nacimiento   Field = "nacimiento"
	Sexo         Field = "sexo"
	Seccion      Field = "seccion"
	Emision      Field = "anioEmision"
	Vigencia     Field = "vigencia" // a year, or "2019 - 2029" on G and H
	MRZ          Field = "mrz"      // three TD1 lines, OCR-B
	OCRLine      Field = "ocr"      // model C's back: the 13-digit OCR, OCR-B
	QR           Field = "qr"       // G and H: the small QR code
	Barcode      Field = "barcode"
)

// Region is one printed item: its label and the box holding its value.
type Region struct {
	Field Field
	Label string          // printed above the value; empty for none
	Box   image.Rectangle // the value's box
	Lines int             // text lines in the box
	Size  float64         // font size in pixels
	Mono  bool            // OCR-B rather than DejaVu Sans
}

// Design is one side of one model.
type Design struct {
	Model  credential.Model
	Side   Side
	Title  []string   // header lines
	Accent color.RGBA // header band and labels
	Tint   color.RGBA // background pattern
	Photo  image.Rectangle
	Fields []Region
}

// Region returns the region of f, if the design has it.
func (d Design) Region(f Field) (Region, bool) {
	for _, r := range d.Fields {
		if r.Field == f {
			return r, true
		}
	}
	return Region{}, false
}

// Models lists the models in order.
var models = [...]credential.Model{credential.ModelC, credential.ModelD, credential.ModelE, credential.ModelF, credential.ModelG, credential.ModelH}

// Models returns the models C to H.
func Models() []credential.Model { return models[:] }

// All returns every design: each model's front and back.
func All() []Design {
	var out []Design
	for _, m := range models {
		out = append(out, For(m, Front), For(m, Back))
	}
	return out
}

func box(x, y, w, h int) image.Rectangle { return image.Rect(x, y, x+w, y+h) }

// For returns the design of model m's side s.
func For(m credential.Model, s Side) Design {
	d := Design{Model: m, Side: s}
	switch m {
	case credential.ModelC:
		d.Accent, d.Tint = color.RGBA{150, 40, 90, 255}, color.RGBA{235, 205, 220, 255}
		d.Title = []string{"INSTITUTO FEDERAL ELECTORAL", "REGISTRO FEDERAL DE ELECTORES", "CREDENCIAL PARA VOTAR"}
	case credential.ModelD:
		d.Accent, d.Tint = color.RGBA{120, 30, 110, 255}, color.RGBA{215, 210, 235, 255}
		d.Title = []string{"MÉXICO", "INSTITUTO FEDERAL ELECTORAL", "CREDENCIAL PARA VOTAR"}
	case credential.ModelE:
		d.Accent, d.Tint = color.RGBA{175, 30, 95, 255}, color.RGBA{240, 215, 200, 255}
		d.Title = []string{"MÉXICO", "INSTITUTO NACIONAL ELECTORAL", "CREDENCIAL PARA VOTAR"}
	case credential.ModelF:
		d.Accent, d.Tint = color.RGBA{30, 95, 140, 255}, color.RGBA{205, 225, 240, 255}
		d.Title = []string{"MÉXICO", "INSTITUTO NACIONAL ELECTORAL", "CREDENCIAL PARA VOTAR DESDE EL EXTRANJERO"}
	case credential.ModelG:
		d.Accent, d.Tint = color.RGBA{190, 20, 100, 255}, color.RGBA{245, 225, 235, 255}
		d.Title = []string{"MÉXICO", "INSTITUTO NACIONAL ELECTORAL", "CREDENCIAL PARA VOTAR"}
	case credential.ModelH:
		d.Accent, d.Tint = color.RGBA{20, 110, 90, 255}, color.RGBA{210, 240, 230, 255}
		d.Title = []string{"MÉXICO", "INSTITUTO NACIONAL ELECTORAL", "CREDENCIAL PARA VOTAR DESDE EL EXTRANJERO"}
	}
	if s == Front {
		d.Photo, d.Fields = front(m)
	} else {
		d.Photo, d.Fields = back(m)
	}
	return d
}

const (
	valueSize = 30 // px: cap height ≈ 22 px, what tesseract reads best
	smallSize = 24
)

func front(m credential.Model) (image.Rectangle, []Region) {
	text := func(f Field, label string, x, y, w int) Region {
		return Region{Field: f, Label: label, Box: box(x, y, w, 40), Lines: 1, Size: valueSize}
	}
	switch m {
	case credential.ModelC:
		// The IFE's first design: photograph on the right.
		return box(740, 150, 240, 320), []Region{
			{Field: Nombre, Label: "NOMBRE", Box: box(40, 150, 460, 120), Lines: 3, Size: valueSize},
			{Field: Domicilio, Label: "DOMICILIO", Box: box(40, 305, 560, 96), Lines: 3, Size: smallSize},
			text(ClaveElector, "CLAVE DE ELECTOR", 40, 435, 420),
			text(CURP, "CURP", 40, 510, 420),
			text(Registro, "AÑO DE REGISTRO", 500, 510, 190),
			text(Nacimiento, "FECHA DE NACIMIENTO", 520, 150, 200),
			text(Sexo, "SEXO", 520, 225, 60),
			text(Seccion, "SECCIÓN", 40, 585, 110),
			text(Emision, "EMISIÓN", 190, 585, 110),
			text(Vigencia, "VIGENCIA", 340, 585, 110),
		}
	case credential.ModelD:
		return box(30, 140, 250, 330), []Region{
			{Field: Nombre, Label: "NOMBRE", Box: box(300, 150, 460, 120), Lines: 3, Size: valueSize},
			{Field: Domicilio, Label: "DOMICILIO", Box: box(300, 305, 560, 96), Lines: 3, Size: smallSize},
			text(ClaveElector, "CLAVE DE ELECTOR", 300, 435, 420),
			text(CURP, "CURP", 300, 510, 420),
			text(Registro, "AÑO DE REGISTRO", 740, 510, 190),
			text(Nacimiento, "FECHA DE NACIMIENTO", 780, 150, 200),
			text(Sexo, "SEXO", 780, 225, 60),
			text(Seccion, "SECCIÓN", 300, 585, 110),
			text(Emision, "EMISIÓN", 450, 585, 110),
			text(Vigencia, "VIGENCIA", 600, 585, 110),
		}
	case credential.ModelE, credential.ModelF:
		regions := []Region{
			{Field: Nombre, Label: "NOMBRE", Box: box(320, 150, 460, 120), Lines: 3, Size: valueSize},
			text(ClaveElector, "CLAVE DE ELECTOR", 320, 435, 420),
			text(CURP, "CURP", 320, 510, 420),
			text(Registro, "AÑO DE REGISTRO", 760, 510, 190),
			text(Nacimiento, "FECHA DE NACIMIENTO", 790, 150, 200),
			text(Sexo, "SEXO", 790, 225, 60),
			text(Seccion, "SECCIÓN", 320, 585, 110),
			text(Emision, "EMISIÓN", 470, 585, 110),
			text(Vigencia, "VIGENCIA", 620, 585, 110),
		}
		if m == credential.ModelE {
			regions = append(regions, Region{Field: Domicilio, Label: "DOMICILIO", Box: box(320, 305, 560, 96), Lines: 3, Size: smallSize})
		}
		return box(40, 150, 250, 320), regions
	default: // G, H
		return box(30, 130, 260, 340), []Region{
			{Field: Nombre, Label: "NOMBRE", Box: box(310, 145, 440, 120), Lines: 3, Size: valueSize},
			text(Sexo, "SEXO", 800, 145, 60),
			text(Nacimiento, "FECHA DE NACIMIENTO", 780, 300, 200),
			text(ClaveElector, "CLAVE DE ELECTOR", 310, 300, 420),
			text(CURP, "CURP", 310, 375, 420),
			text(Registro, "AÑO DE REGISTRO", 310, 450, 190),
			text(Seccion, "SECCIÓN", 560, 450, 110),
			text(Vigencia, "VIGENCIA", 310, 525, 260),
		}
	}
}

func back(m credential.Model) (image.Rectangle, []Region) {
	mrz := Region{Field: MRZ, Box: box(36, 440, 940, 180), Lines: 3, Size: 43, Mono: true}
	switch m {
	case credential.ModelC:
		return box(740, 60, 220, 260), []Region{
			{Field: Barcode, Box: box(60, 80, 600, 110)},
			{Field: OCRLine, Label: "OCR", Box: box(60, 520, 520, 60), Lines: 1, Size: 40, Mono: true},
		}
	case credential.ModelD:
		return box(60, 60, 220, 260), []Region{{Field: Barcode, Box: box(340, 80, 600, 110)}, mrz}
	case credential.ModelE, credential.ModelF:
		return box(780, 40, 190, 230), []Region{{Field: Barcode, Box: box(60, 60, 560, 180)}, mrz}
	default: // G, H
		return box(800, 40, 170, 210), []Region{{Field: QR, Box: box(40, 40, 170, 170)}, {Field: Barcode, Box: box(250, 40, 470, 300)}, mrz}
	}
}
