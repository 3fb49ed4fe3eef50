package ocr

import (
	"slices"
	"strings"
	"testing"
	"time"

	"cotejo/ocr/layout"
	"cotejo/ocr/mrz"
	"cotejo/verify/credential"
)

// A citizen whose card the tests "read": their values go in as tesseract lines.
var (
	tBirth = time.Date(1986, 1, 15, 0, 0, 0, 0, time.UTC)
	tCURP  = credential.MakeCURP("MUÑOZ", "PEÑA", "MARIA", tBirth, 'M', "CM", '0')
	tClave = credential.MakeClaveElector("MUÑOZ", "PEÑA", "MARIA", tBirth, 9, 'M', "123")
)

func zoneText(t *testing.T, cic, ocr string) string {
	t.Helper()
	z := mrz.Zone{CIC: cic, OCR: ocr, Birth: tBirth, Sex: "M", Expiry: time.Date(2031, 12, 31, 0, 0, 0, 0, time.UTC),
		Optional2: "<01<<12345<", Paterno: "MUÑOZ", Materno: "PEÑA", Nombres: "MARIA"}
	lines, err := z.Format()
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines[:], "\n")
}

func lines(conf float64, text ...string) raw {
	var r raw
	for _, s := range text {
		r.lines = append(r.lines, Line{Text: s, Confidence: conf})
	}
	return r
}

// frontG is a model G front as read, cleanly.
func frontG() map[layout.Field]raw {
	return map[layout.Field]raw{
		layout.Nombre:       lines(0.93, "MUÑOZ", "PEÑA", "MARIA"),
		layout.ClaveElector: lines(0.95, tClave),
		layout.CURP:         lines(0.95, tCURP),
		layout.Registro:     lines(0.95, "2004 01"),
		layout.Nacimiento:   lines(0.95, "15/01/1986"),
		layout.Sexo:         lines(0.95, "M"),
		layout.Seccion:      lines(0.95, "1234"),
		layout.Vigencia:     lines(0.95, "2021 - 2031"),
	}
}

func TestReconcile(t *testing.T) {
	const cic, ocr = "123456789", "1234567890123"
	good := zoneText(t, cic, ocr)
	qr := "https://qr.ine.mx/000000000000000" + cic
	want := credential.Credential{Modelo: "G", CIC: cic, OCR: ocr, Nombre: "MARIA", ApellidoPaterno: "MUÑOZ", ApellidoMaterno: "PEÑA",
		AnioRegistro: "2004", AnioEmision: "2021", NumeroEmisionCredencial: "01", ClaveElector: tClave, CURP: tCURP}
	cases := []struct {
		name   string
		model  credential.Model
		edit   func(in map[layout.Field]raw)
		want   func(c *credential.Credential)
		check  map[string]string // field → wanted source
		review []string          // fields the operator must check
	}{
		{name: "all sources agree", check: map[string]string{"cic": "mrz+qr", "ocr": "mrz+front", "curp": "front+mrz", "apellidoPaterno": "front+mrz"}},
		{name: "CIC check digit fails, QR holds",
			edit: func(in map[layout.Field]raw) {
				in[layout.MRZ] = lines(0.9, strings.Replace(good, "IDMEX123456789", "IDMEX123456780", 1))
			},
			check: map[string]string{"cic": "qr"}},
		{name: "no QR, CIC check digit fails", edit: func(in map[layout.Field]raw) {
			in[layout.MRZ] = lines(0.9, strings.Replace(good, "IDMEX123456789", "IDMEX123456780", 1))
			delete(in, layout.QR)
		}, want: func(c *credential.Credential) { c.CIC = "123456780" }, review: []string{"cic"}},
		{name: "front misreads a surname letter: the zone corrects it, Ñ kept",
			edit:  func(in map[layout.Field]raw) { in[layout.Nombre] = lines(0.7, "MUÑOZ", "PEÑA", "MARlA") },
			check: map[string]string{"nombre": "mrz+front"}},
		{name: "a filler in the zone read as X: the front's space stands",
			edit: func(in map[layout.Field]raw) {
				in[layout.Nombre] = lines(0.9, "MUÑOZ", "PEÑA", "MARIA JOSE")
				in[layout.MRZ] = lines(0.9, strings.Replace(good, "MUNOZ<PENA<<MARIA<<<<<", "MUNOZ<PENA<<MARIAXJOSE", 1))
			}, want: func(c *credential.Credential) { c.Nombre = "MARIA JOSE" },
			// The clave and the CURP were made for "MARIA": their letters no longer
			// follow (a CURP takes MARIA JOSE's J), and the clave and the name are doubted.
			review: []string{"claveElector", "nombre"}},
		{name: "front and zone both sure of different letters: the zone's, for the operator to check",
			edit: func(in map[layout.Field]raw) {
				in[layout.Nombre] = lines(0.95, "MUÑOZ", "PEÑA", "MARIA")
				in[layout.MRZ] = lines(0.9, strings.Replace(good, "MUNOZ<PENA<<MARIA", "MUNOZ<PENA<<MARTA", 1))
			}, want: func(c *credential.Credential) { c.Nombre = "MARTA" },
			check: map[string]string{"nombre": "mrz+front"}, review: []string{"nombre"}},
		{name: "the zone's readings of the names differ: a sure front stands, for the operator to check",
			edit: func(in map[layout.Field]raw) {
				in[layout.Nombre] = lines(0.95, "MUÑOZ", "PEÑA", "MARIA")
				zone := strings.Split(strings.Replace(good, "MUNOZ<PENA<<MARIA", "MUNOZ<PENA<<MARTA", 1), "\n")
				in[layout.MRZ] = raw{lines: []Line{{Text: zone[0], Confidence: 0.9}, {Text: zone[1], Confidence: 0.9}, {Text: zone[2], Confidence: doubtful}}}
			}, check: map[string]string{"nombre": "front"}, review: []string{"nombre"}},
		{name: "zone line 3 gained a character: the front's names stand",
			edit: func(in map[layout.Field]raw) {
				in[layout.MRZ] = lines(0.9, strings.Replace(good, "MUNOZ<PENA<<MARIA", "MUNOZ<PENA<<MARTIA", 1)+"<")
			}, check: map[string]string{"nombre": "front"}},
		{name: "CURP with a date digit misread, repaired from the zone's checked birth date",
			edit: func(in map[layout.Field]raw) { in[layout.CURP] = lines(0.8, tCURP[:8]+"7"+tCURP[9:]) }},
		{name: "CURP check digit misread where several repairs fit: the names settle it",
			edit: func(in map[layout.Field]raw) { in[layout.CURP] = lines(0.8, tCURP[:17]+"8") }},
		{name: "CURP check digit misread, several repairs fit, names unsure: left for the operator",
			edit: func(in map[layout.Field]raw) {
				in[layout.CURP] = lines(0.8, tCURP[:17]+"8")
				in[layout.Nombre] = lines(0.6, "MUÑOZ", "PEÑA")
			},
			want: func(c *credential.Credential) {
				// The zone fills the names in, without the Ñ, which the clave's X puts
				// back; all to be checked.
				c.CURP = tCURP[:17] + "8"
			},
			review: []string{"curp", "nombre", "apellidoMaterno"}},
		{name: "a name read without its Ñ: the keys' X puts it back, and the clave keeps its X",
			edit: func(in map[layout.Field]raw) { in[layout.Nombre] = lines(0.95, "MUNOZ", "PEÑA", "MARIA") }},
		{name: "CURP with its first letter lost",
			edit: func(in map[layout.Field]raw) { in[layout.CURP] = lines(0.8, tCURP[1:]) }},
		{name: "CURP with its first letter lost, the given name's letters left for the operator: the names still filter the repairs",
			edit: func(in map[layout.Field]raw) {
				in[layout.CURP] = lines(0.8, tCURP[1:])
				in[layout.Nombre] = lines(0.95, "MUÑOZ", "PEÑA", "MARIA")
				in[layout.MRZ] = lines(0.9, strings.Replace(good, "MUNOZ<PENA<<MARIA", "MUNOZ<PENA<<MARTA", 1))
			}, want: func(c *credential.Credential) { c.Nombre = "MARTA" }, review: []string{"nombre"}},
		{name: "CURP with a zero read as 0O0",
			edit: func(in map[layout.Field]raw) { in[layout.CURP] = lines(0.8, tCURP[:16]+"0O"+tCURP[16:]) }},
		{name: "CURP with a doubled character",
			edit: func(in map[layout.Field]raw) { in[layout.CURP] = lines(0.8, tCURP[:16]+"O"+tCURP[16:]) }},
		{name: "CURP digits read as letters in the date",
			edit: func(in map[layout.Field]raw) {
				in[layout.CURP] = lines(0.8, tCURP[:4]+strings.NewReplacer("0", "O", "1", "I", "5", "S").Replace(tCURP[4:10])+tCURP[10:])
			}},
		{name: "clave with a wrong letter, corrected from the names",
			edit:  func(in map[layout.Field]raw) { in[layout.ClaveElector] = lines(0.8, "MZPXMR"+tClave[6:]) },
			check: map[string]string{"claveElector": "front+names"}},
		{name: "clave with an extra character",
			edit:  func(in map[layout.Field]raw) { in[layout.ClaveElector] = lines(0.8, tClave[:3]+"3"+tClave[3:]) },
			check: map[string]string{"claveElector": "front+names"}},
		{name: "model C: printed OCR line, no zone", model: credential.ModelC, edit: func(in map[layout.Field]raw) {
			delete(in, layout.MRZ)
			delete(in, layout.QR)
			delete(in, layout.Vigencia)
			in[layout.OCRLine] = lines(0.9, ocr)
			in[layout.Emision] = lines(0.9, "2021")
		}, want: func(c *credential.Credential) { c.Modelo, c.CIC = "C", "" }, check: map[string]string{"ocr": "back+front", "curp": "front"}},
		{name: "model C: OCR line misread as letters is reshaped", model: credential.ModelC, edit: func(in map[layout.Field]raw) {
			delete(in, layout.MRZ)
			delete(in, layout.QR)
			delete(in, layout.Vigencia)
			in[layout.OCRLine] = lines(0.7, "I2345678901Z3")
			in[layout.Emision] = lines(0.9, "2021")
		}, want: func(c *credential.Credential) { c.Modelo, c.CIC = "C", "" }},
		{name: "no second surname: two lines", edit: func(in map[layout.Field]raw) {
			in[layout.Nombre] = lines(0.9, "MUÑOZ", "MARIA")
			z := mrz.Zone{CIC: cic, OCR: ocr, Birth: tBirth, Sex: "M", Expiry: time.Date(2031, 12, 31, 0, 0, 0, 0, time.UTC),
				Optional2: "<01<<12345<", Paterno: "MUÑOZ", Nombres: "MARIA"}
			l, _ := z.Format()
			in[layout.MRZ] = lines(0.9, l[:]...)
			in[layout.ClaveElector] = lines(0.9, credential.MakeClaveElector("MUÑOZ", "", "MARIA", tBirth, 9, 'M', "123"))
			in[layout.CURP] = lines(0.9, credential.MakeCURP("MUÑOZ", "", "MARIA", tBirth, 'M', "CM", '0'))
		}, want: func(c *credential.Credential) {
			c.ApellidoMaterno = ""
			c.ClaveElector = credential.MakeClaveElector("MUÑOZ", "", "MARIA", tBirth, 9, 'M', "123")
			c.CURP = credential.MakeCURP("MUÑOZ", "", "MARIA", tBirth, 'M', "CM", '0')
		}},
		{name: "registration year after the year of issue is doubted",
			edit:   func(in map[layout.Field]raw) { in[layout.Registro] = lines(0.9, "2024 01") },
			want:   func(c *credential.Credential) { c.AnioRegistro = "2024" },
			review: []string{"anioRegistro"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := frontG()
			in[layout.MRZ] = lines(0.9, strings.Split(good, "\n")...)
			in[layout.QR] = lines(1, qr)
			if tc.edit != nil {
				tc.edit(in)
			}
			m := tc.model
			if m == "" {
				m = credential.ModelG
			}
			res := &Result{Back: &SideInfo{Model: m, Side: layout.Back, Known: true}, Front: &SideInfo{Model: m, Known: true}}
			reconcile(res, in)
			w := want
			if tc.want != nil {
				tc.want(&w)
			}
			if got := res.Credential(); got != w {
				t.Errorf("got  %+v\nwant %+v", got, w)
			}
			for k, src := range tc.check {
				if res.Fields[k].Source != src {
					t.Errorf("%s: source %q, want %q (%+v)", k, res.Fields[k].Source, src, res.Fields[k])
				}
			}
			if got := strings.Join(res.ToReview(), ","); got != strings.Join(tc.review, ",") {
				t.Errorf("to review: %q, want %q", got, strings.Join(tc.review, ","))
			}
		})
	}
}

func TestTrimStray(t *testing.T) {
	for in, want := range map[string]string{
		"RAMIREZ J": "RAMIREZ", "IBARRA LA": "IBARRA", "JOSE LUIS": "JOSE LUIS", "DE LA O": "DE LA O",
		"MARIA DE LA O": "MARIA DE LA O", "LI": "LI", "OCTAVIO OO": "OCTAVIO", "": "",
	} {
		if got := trimStray(in); got != want {
			t.Errorf("trimStray(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestRestoreEnye(t *testing.T) {
	curp := func(p, m, n string) string { return credential.MakeCURP(p, m, n, tBirth, 'H', "CM", '0') }
	clave := func(p, m, n string) string { return credential.MakeClaveElector(p, m, n, tBirth, 9, 'H', "123") }
	for _, tc := range []struct {
		name        string
		curp, clave string
		read, want  [3]string // paterno, materno, nombre
	}{
		{"surnames by the CURP", curp("NUÑEZ", "PEÑA", "JUAN"), "", [3]string{"NUNEZ", "PENA", "JUAN"}, [3]string{"NUÑEZ", "PEÑA", "JUAN"}},
		{"given name's word", curp("GOMEZ", "RUIZ", "JOSE IÑIGO"), "", [3]string{"GOMEZ", "RUIZ", "JOSE INIGO"}, [3]string{"GOMEZ", "RUIZ", "JOSE IÑIGO"}},
		{"a real N stays", curp("NUNEZ", "PENA", "JUAN"), "", [3]string{"NUNEZ", "PENA", "JUAN"}, [3]string{"NUNEZ", "PENA", "JUAN"}},
		{"a Ñ the key cannot see stays lost", curp("IBAÑEZ", "RUIZ", "JUAN"), "", [3]string{"IBANEZ", "RUIZ", "JUAN"}, [3]string{"IBANEZ", "RUIZ", "JUAN"}},
		{"a read Ñ stays", curp("MUÑOZ", "RUIZ", "JUAN"), "", [3]string{"MUÑOZ", "RUIZ", "JUAN"}, [3]string{"MUÑOZ", "RUIZ", "JUAN"}},
		{"the clave when the CURP fails", "MUXO860115HCMXXX09", clave("MUÑOZ", "RUIZ", "JUAN"), [3]string{"MUNOZ", "RUIZ", "JUAN"}, [3]string{"MUÑOZ", "RUIZ", "JUAN"}},
		{"no key, no change", "", "", [3]string{"MUNOZ", "RUIZ", "JUAN"}, [3]string{"MUNOZ", "RUIZ", "JUAN"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keys := []string{"apellidoPaterno", "apellidoMaterno", "nombre"}
			fs := map[string]Field{"curp": {Value: tc.curp}, "claveElector": {Value: tc.clave}}
			for i, k := range keys {
				fs[k] = Field{Value: tc.read[i]}
			}
			restoreEnye(fs)
			for i, k := range keys {
				if fs[k].Value != tc.want[i] {
					t.Errorf("%s = %q, want %q", k, fs[k].Value, tc.want[i])
				}
			}
		})
	}
}

// TestStrayNameLine: a letter of the label or the background read as a line of its own
// above the names is not taken for the first surname (model C has no zone to say so).
func TestStrayNameLine(t *testing.T) {
	in := map[layout.Field]raw{layout.Nombre: {lines: []Line{{Text: "N", Confidence: 0.7}, {Text: "HERNANDEZ", Confidence: 0.95}, {Text: "REYES", Confidence: 0.95}, {Text: "OCTAVIO", Confidence: 0.95}}}}
	got := readNames(in, nil, 0)
	for k, want := range map[string]string{"apellidoPaterno": "HERNANDEZ", "apellidoMaterno": "REYES", "nombre": "OCTAVIO"} {
		if got[k].Value != want {
			t.Errorf("%s = %q, want %q", k, got[k].Value, want)
		}
	}
}

func TestVote(t *testing.T) {
	for _, tc := range []struct {
		name     string
		readings []string
		weights  []float64
		want     string
		split    bool
		others   []string
	}{
		{"all agree", []string{"ROCIO", "ROCIO", "ROCIO"}, []float64{0.9, 0.8, 0.7}, "ROCIO", false, nil},
		{"most win", []string{"ROCTO", "ROCIO", "ROCIO"}, []float64{0.95, 0.5, 0.5}, "ROCIO", true, []string{"ROCTO"}},
		{"a tie goes to the surer readings", []string{"ROCTO", "ROCIO", "ROCTO", "ROCIO"}, []float64{0.70, 0.78, 0.68, 0.80}, "ROCIO", true, []string{"ROCTO"}},
		{"place by place", []string{"12345", "12845", "17345"}, []float64{0.9, 0.9, 0.9}, "12345", true, []string{"12845", "17345"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, split, others := vote(tc.readings, tc.weights)
			if got != tc.want || split != tc.split || strings.Join(others, ",") != strings.Join(tc.others, ",") {
				t.Errorf("vote = %q, %v, %q; want %q, %v, %q", got, split, others, tc.want, tc.split, tc.others)
			}
		})
	}
}

// TestNamesSideWithZoneReading: where the zone's readings of line 3 differ (a blot of the
// background makes an I a T in some) and a sure front reads as one of them, the front's
// name is kept, for the operator to check; a front that matches none of the zone's
// readings still yields to the zone's letters.
func TestNamesSideWithZoneReading(t *testing.T) {
	zoneText := func(l3 string) *mrz.Zone {
		z, err := mrz.Parse("IDMEX3960886271<<2713732063311\n8601159M2712310MEX<03<<91603<1\n" + l3)
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	front := func(nombre string) map[layout.Field]raw {
		return map[layout.Field]raw{
			layout.Nombre: {lines: []Line{{Text: "IBARRA", Confidence: 0.96}, {Text: "SANCHEZ", Confidence: 0.96}, {Text: nombre, Confidence: 0.9}}},
			mrzLine3:      {others: []string{"IBARRA<SANCHEZ<<ROCIO<<<<<<<<<"}},
		}
	}
	z := zoneText("IBARRA<SANCHEZ<<ROCTO<<<<<<<<<")
	got := readNames(front("ROCIO"), z, doubtful)["nombre"]
	if got.Value != "ROCIO" || got.Confidence >= Review {
		t.Errorf("front sided with a zone reading: %+v, want ROCIO flagged", got)
	}
	got = readNames(front("RODIO"), z, doubtful)["nombre"]
	if got.Value != "ROCTO" || got.Confidence >= Review {
		t.Errorf("front with no zone reading on its side: %+v, want the zone's ROCTO flagged", got)
	}
}

// TestCURPLostCharacterWeakNames: tesseract drops a CURP's thin leading I; names read
// with little confidence still pick the one restoration the check digit and the birth
// date allow, and the CURP is then left for the operator to check.
func TestCURPLostCharacterWeakNames(t *testing.T) {
	birth := time.Date(1986, 1, 15, 0, 0, 0, 0, time.UTC)
	curp := credential.MakeCURP("IBARRA", "SANCHEZ", "ROCIO", birth, 'M', "MC", '6')
	in := map[layout.Field]raw{layout.CURP: {lines: []Line{{Text: curp[1:], Confidence: 0.9}}}}
	names := func(c float64) map[string]Field {
		return map[string]Field{"apellidoPaterno": {Value: "IBARRA", Confidence: 0.96}, "apellidoMaterno": {Value: "SANCHEZ", Confidence: 0.96}, "nombre": {Value: "ROCIO", Confidence: c}}
	}
	for _, tc := range []struct {
		name    string
		conf    float64
		want    string
		flagged bool
	}{
		{"sure names", 0.95, curp, false},
		{"weak names", 0.62, curp, true},
		{"no names to go by", 0.2, curp[1:], true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := readCURP(in, names(tc.conf), birth, "M", "front")
			if got.Value != tc.want || (got.Confidence < Review) != tc.flagged {
				t.Errorf("got %+v, want %q flagged %v", got, tc.want, tc.flagged)
			}
		})
	}
}

// TestNamesAgainstCURP: a name line lost on model C's front (no zone to say so) makes
// the given name read as the second surname; the sure CURP's letters show it, and both
// names are left for the operator. Names that give the CURP's letters stay as sure.
func TestNamesAgainstCURP(t *testing.T) {
	birth := time.Date(1975, 3, 2, 0, 0, 0, 0, time.UTC)
	curp := credential.MakeCURP("MORALES", "VAZQUEZ", "PATRICIA", birth, 'M', "DF", '0')
	for _, tc := range []struct {
		name     string
		p, m, n  string
		curpConf float64
		flagged  []string
	}{
		{"names agree", "MORALES", "VAZQUEZ", "PATRICIA", 0.99, nil},
		{"a line lost", "MORALES", "", "VAZQUEZ", 0.99, []string{"apellidoMaterno", "nombre"}},
		{"a misread initial", "NORALES", "VAZQUEZ", "PATRICIA", 0.99, []string{"apellidoPaterno"}},
		{"a CURP not sure enough to judge", "MORALES", "", "VAZQUEZ", 0.5, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := map[string]Field{"curp": {Value: curp, Confidence: tc.curpConf},
				"apellidoPaterno": {Value: tc.p, Confidence: 0.95}, "apellidoMaterno": {Value: tc.m, Confidence: 0.95}, "nombre": {Value: tc.n, Confidence: 0.95}}
			namesAgainstCURP(fs)
			for _, k := range []string{"apellidoPaterno", "apellidoMaterno", "nombre"} {
				if flagged := fs[k].Confidence < Review; flagged != slices.Contains(tc.flagged, k) {
					t.Errorf("%s %q: flagged %v, want %v", k, fs[k].Value, flagged, !flagged)
				}
			}
		})
	}
}
