package ocr

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"cotejo/ocr/layout"
	"cotejo/ocr/mrz"
	"cotejo/ocr/qrtext"
	"cotejo/verify/credential"
)

// Field is one reconciled value.
type Field struct {
	Value      string  `json:"value"`
	Confidence float64 `json:"confidence"`       // 0–1
	Source     string  `json:"source,omitempty"` // front, back, mrz, qr, or several joined by +
	Note       string  `json:"note,omitempty"`   // what was corrected or doubted, in English
	// Found is how the field's place on the card was found: ByLayout, ByLabel or ByZone;
	// empty for what came from the QR code or was derived.
	Found string `json:"found,omitempty"`
}

// Review is the confidence under which the operator is asked to check a field.
const Review = 0.8

// Result is a read credential.
type Result struct {
	Model       credential.Model
	Fields      map[string]Field // by the plaintext's field names
	Front, Back *SideInfo
	Zone        *mrz.Zone // the machine-readable zone, when read
	// ZoneText is the zone as tesseract read it, before repairs; ZoneErr why it did not
	// parse. Both are for the operator's correction screen, never for logs.
	ZoneText string
	ZoneErr  error
	// ModelSure is false when the model was inferred from the card's content and more
	// than one model fits: the operator must confirm it.
	ModelSure bool
	// Problems are why something could not be read, for the operator, in image order;
	// the fields still hold all that was read.
	Problems []*Problem
}

// Credential is the record to verify.
func (r *Result) Credential() credential.Credential {
	values := map[string]string{}
	for k, f := range r.Fields {
		values[k] = f.Value
	}
	return credential.FromFields(r.Model, values)
}

// ToReview lists the fields the operator should check: low confidence, or invalid.
func (r *Result) ToReview() []string {
	var out []string
	for _, k := range credential.FieldNames() {
		f, ok := r.Fields[k]
		if !ok {
			continue
		}
		if f.Confidence < Review {
			out = append(out, k)
		}
	}
	return out
}

// text joins a region's lines.
func (v raw) text() string {
	var b []string
	for _, l := range v.lines {
		b = append(b, l.Text)
	}
	return strings.Join(b, "\n")
}

// conf is the lowest line confidence, 0 when nothing was read.
func (v raw) conf() float64 {
	if len(v.lines) == 0 {
		return 0
	}
	c := 1.0
	for _, l := range v.lines {
		c = min(c, l.Confidence)
	}
	return c
}

func squeeze(s string) string { return strings.Join(strings.Fields(s), "") }

// Positional classes for repairing OCR confusions.
func asLetter(c byte) byte {
	switch c {
	case '0':
		return 'O'
	case '1':
		return 'I'
	case '2':
		return 'Z'
	case '4':
		return 'A'
	case '5':
		return 'S'
	case '6':
		return 'G'
	case '8':
		return 'B'
	}
	return c
}

func asDigit(c byte) byte {
	switch c {
	case 'O', 'D', 'Q', 'U':
		return '0'
	case 'I', 'L', 'T':
		return '1'
	case 'Z':
		return '2'
	case 'A':
		return '4'
	case 'S':
		return '5'
	case 'G':
		return '6'
	case 'B':
		return '8'
	}
	return c
}

// shape applies a pattern (L letter, D digit, S sex H/M, A any) to s.
func shape(s, pattern string) string {
	if len(s) != len(pattern) {
		return s
	}
	b := []byte(s)
	for i := range b {
		switch pattern[i] {
		case 'L':
			b[i] = asLetter(b[i])
		case 'D':
			b[i] = asDigit(b[i])
		case 'S':
			if b[i] == 'N' || b[i] == 'W' {
				b[i] = 'M'
			}
		}
	}
	return string(b)
}

// reconcile builds the result's fields from what was read.
func reconcile(res *Result, in map[layout.Field]raw) {
	res.Fields = map[string]Field{}
	set := func(k string, f Field) { res.Fields[k] = f }
	// The model: the back tells C (no zone) from D–H best; the front otherwise; from
	// the content when neither design was recognised.
	hasQR := false
	if qr, ok := in[layout.QR]; ok && qr.err == nil {
		_, err := qrtext.Parse(qr.text())
		hasQR = err == nil
	}
	res.Model, res.ModelSure = decideModel(res, hasQR)

	// The machine-readable zone.
	var z *mrz.Zone
	var zoneConf [3]float64
	if _, ok := in[layout.MRZ]; !ok {
		// Read line by line: join the lines into one region's reading.
		var v raw
		for _, f := range []layout.Field{mrzLine1, mrzLine2, mrzLine3} {
			l, ok := in[f]
			if !ok {
				break
			}
			v.err = errors.Join(v.err, l.err)
			text, conf := l.text(), l.conf()
			v.lines = append(v.lines, Line{Text: strings.ReplaceAll(text, "\n", ""), Confidence: conf})
		}
		if len(v.lines) > 0 {
			in[layout.MRZ] = v
		}
	}
	if v, ok := in[layout.MRZ]; ok && v.err == nil {
		res.ZoneText = v.text()
		zz, err := mrz.Parse(res.ZoneText)
		if err == nil {
			z = zz
			res.Zone = z
			for i := range min(3, len(v.lines)) {
				zoneConf[i] = v.lines[len(v.lines)-min(3, len(v.lines))+i].Confidence
			}

		}
		res.ZoneErr = err
	}
	var qrCIC string
	if v, ok := in[layout.QR]; ok && v.err == nil {
		if c, err := qrtext.Parse(v.text()); err == nil {
			qrCIC = c.CIC
		}
	}

	// CIC: the zone's check digit, the QR code's copy, or the start of the zone's first
	// line when the rest is hidden.
	if z == nil && res.ZoneText != "" {
		if zz, err := mrz.ParsePartial(res.ZoneText); err == nil {
			z, res.Zone = zz, zz
		}
	}
	if res.Model.HasCIC() {
		switch {
		case z != nil && z.Partial && z.Checks.CIC:
			set("cic", Field{Value: z.CIC, Confidence: 0.95, Source: "mrz", Note: "only the start of the zone's first line was read; its check digit verifies"})
		case z != nil && z.Checks.CIC:
			f := Field{Value: z.CIC, Confidence: 0.99, Source: "mrz"}
			if qrCIC == z.CIC {
				f = Field{Value: z.CIC, Confidence: 1, Source: "mrz+qr"}
			}
			set("cic", f)
		case qrCIC != "":
			set("cic", Field{Value: qrCIC, Confidence: 0.97, Source: "qr", Note: "zone's CIC failed its check digit"})
		case z != nil:
			f := Field{Value: z.CIC, Confidence: 0.3, Source: "mrz", Note: "check digit failed"}
			if c := z.Candidates["CIC"]; len(c) > 0 {
				f.Note = fmt.Sprintf("several readings fit the check digit: %s", strings.Join(c, ", "))
			}
			set("cic", f)
		default:
			set("cic", Field{Confidence: 0, Note: "no machine-readable zone read"})
		}
	}

	// Front fields.
	front := func(f layout.Field) (string, float64) {
		v, ok := in[f]
		if !ok || v.err != nil {
			return "", 0
		}
		return v.text(), v.conf()
	}
	seccion, seccionConf := front(layout.Seccion)
	seccion = shape(squeeze(seccion), "DDDD")

	// OCR: the zone's line 1 (composite check) or model C's printed line.
	if z != nil && z.OCR != "" && res.Model.HasCIC() {
		f := Field{Value: z.OCR, Source: "mrz", Confidence: 0.6}
		if z.Checks.Composite {
			f.Confidence = 0.99
		}
		if seccion == z.OCR[:4] {
			f.Confidence = min(1, f.Confidence+0.2)
			f.Source = "mrz+front"
		}
		set("ocr", f)
	} else if v, ok := in[layout.OCRLine]; ok {
		s := shape(squeeze(v.text()), strings.Repeat("D", 13))
		f := Field{Value: s, Source: "back", Confidence: v.conf()}
		if len(s) == 13 && seccion == s[:4] {
			f.Confidence = max(f.Confidence, 0.9)
			f.Source = "back+front"
		}
		if credential.ValidateOCR(s) != nil {
			f.Confidence = min(f.Confidence, 0.3)
			f.Note = "not 13 digits"
		}
		set("ocr", f)
	} else if z != nil && z.OCR != "" {
		set("ocr", Field{Value: z.OCR, Source: "mrz", Confidence: 0.5})
	}
	_ = seccionConf

	// Birth date and sex, from the zone (checked) or the front.
	var birth time.Time
	var sex string
	birthSrc := "front"
	if z != nil && z.Checks.Birth {
		birth, sex, birthSrc = z.Birth, z.Sex, "mrz"
	} else {
		if s, _ := front(layout.Nacimiento); s != "" {
			if t, err := time.Parse("02/01/2006", squeeze(s)); err == nil {
				birth = t
			}
		}
		if s, _ := front(layout.Sexo); s != "" {
			sex = shape(squeeze(s), "S")
		}
	}

	nameZone := z
	if z != nil && (len(z.Lines[2]) != 30 || z.Partial && z.Paterno == "") {
		// Line 3 gained or lost a character, or its names are hidden: they cannot be
		// trusted.
		nameZone = nil
	}
	names := readNames(in, nameZone, zoneConf[2])
	for k, f := range names {
		set(k, f)
	}

	set("curp", readCURP(in, names, birth, sex, birthSrc))
	set("claveElector", readClave(in, names, res.Fields["curp"], birth, sex))
	restoreEnye(res.Fields)
	namesAgainstCURP(res.Fields)

	// Año de registro and número de emisión: "2008 01".
	if s, c := front(layout.Registro); s != "" {
		parts := strings.Fields(s)
		if len(parts) >= 2 {
			year := shape(parts[0], "DDDD")
			num := shape(strings.Join(parts[1:], ""), "DD")
			set("anioRegistro", yearField(year, c, "front"))
			nf := Field{Value: num, Confidence: c, Source: "front"}
			if credential.ValidateNumeroEmision(num) != nil {
				nf.Confidence, nf.Note = min(c, 0.3), "not 2 digits"
			}
			set("numeroEmisionCredencial", nf)
		} else {
			sq := shape(squeeze(s), "DDDDDD")
			if len(sq) == 6 {
				set("anioRegistro", yearField(sq[:4], c*0.9, "front"))
				set("numeroEmisionCredencial", Field{Value: sq[4:], Confidence: c * 0.9, Source: "front"})
			} else {
				set("anioRegistro", Field{Value: sq, Confidence: 0.2, Source: "front", Note: "unreadable"})
			}
		}
	}

	// Año de emisión: its own box (C–F) or the validity's first year (G, H).
	if s, c := front(layout.Emision); s != "" {
		set("anioEmision", yearField(shape(squeeze(s), "DDDD"), c, "front"))
	} else if s, c := front(layout.Vigencia); s != "" {
		sq := shape(strings.ReplaceAll(squeeze(s), "-", ""), "DDDDDDDD")
		if len(sq) == 8 {
			f := yearField(sq[:4], c, "front")
			if z != nil && z.Checks.Expiry && z.Expiry.Year() == atoi(sq[4:]) {
				f.Confidence = min(1, f.Confidence+0.05)
			}
			set("anioEmision", f)
		} else {
			set("anioEmision", Field{Value: sq, Confidence: 0.2, Source: "front", Note: "unreadable"})
		}
	}
	annotate(res)
	if r, ok := res.Fields["anioRegistro"]; ok {
		if e, ok := res.Fields["anioEmision"]; ok && r.Value > e.Value && len(e.Value) == 4 {
			r.Confidence, r.Note = min(r.Confidence, 0.5), "after the year of issue"
			res.Fields["anioRegistro"] = r
		}
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func yearField(y string, c float64, src string) Field {
	f := Field{Value: y, Confidence: c, Source: src}
	if credential.ValidateYear(y) != nil {
		f.Confidence, f.Note = min(c, 0.3), "not a year"
	}
	return f
}

// printedAt is where on the front a field is printed.
func printedAt(field string) []layout.Field {
	switch field {
	case "nombre", "apellidoPaterno", "apellidoMaterno":
		return []layout.Field{layout.Nombre}
	case "curp":
		return []layout.Field{layout.CURP}
	case "claveElector":
		return []layout.Field{layout.ClaveElector}
	case "anioRegistro", "numeroEmisionCredencial":
		return []layout.Field{layout.Registro}
	case "anioEmision":
		return []layout.Field{layout.Emision, layout.Vigencia}
	case "ocr":
		return []layout.Field{layout.Seccion}
	}
	return nil
}

// annotate says how each field's place was found, and lists every field the model
// needs that nothing was read for, flagged for the operator.
func annotate(res *Result) {
	for k, f := range res.Fields {
		switch {
		case strings.HasPrefix(f.Source, "mrz") && res.Back != nil:
			f.Found = res.Back.by[mrzLine1]
		case strings.HasPrefix(f.Source, "back") && res.Back != nil:
			f.Found = res.Back.by[layout.OCRLine]
		case strings.HasPrefix(f.Source, "front") && res.Front != nil:
			for _, lf := range printedAt(k) {
				if by := res.Front.by[lf]; by != "" {
					f.Found = by
					break
				}
			}
		}
		res.Fields[k] = f
	}
	for _, k := range credential.FieldNames() {
		if k == "cic" && !res.Model.HasCIC() {
			continue
		}
		// An empty second surname can be right (a citizen with one surname).
		if f, ok := res.Fields[k]; !ok || (f.Value == "" && k != "apellidoMaterno") {
			f.Confidence = 0
			if f.Note == "" {
				f.Note = "not found on the card"
			}
			res.Fields[k] = f
		}
	}
}
