package remoteid

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"net/url"
	"strings"
)

// Servicio is the report type of this API's webhook.
const Servicio = "VERIFICACION_IDENTIDAD"

// Event is one webhook report: a request changed status.
type Event struct {
	Servicio            string       `json:"Servicio"`
	ID                  string       `json:"ID"`
	Estado              Estado       `json:"Estado"`
	FechaEnvio          string       `json:"FechaEnvio,omitempty"`
	UltimaActualizacion string       `json:"UltimaActualizacion,omitempty"`
	Telefono            string       `json:"Telefono,omitempty"`
	DNIAnverso          string       `json:"DNIAnverso,omitempty"`
	DNIReverso          string       `json:"DNIReverso,omitempty"`
	DNISolicitado       string       `json:"DNISolicitado,omitempty"`
	Acceso              *Acceso      `json:"Acceso,omitempty"`
	Posicion            *Posicion    `json:"Posicion,omitempty"`
	Dispositivo         *Dispositivo `json:"Dispositivo,omitempty"`
	Result              *Result      `json:"Result,omitempty"`
	// Unreadable names the optional fields (Acceso, Posicion, Dispositivo, Result)
	// present but in a shape that could not be read: the report is kept for its
	// status, and a screen can say that part is missing.
	Unreadable []string `json:"Unreadable,omitempty"`
}

// Acceso is where the person connected from.
type Acceso struct {
	Fecha  string `json:"Fecha,omitempty"`
	IP     string `json:"IP,omitempty"`
	Puerto string `json:"Puerto,omitempty"`
}

// Posicion is the person's location, if they allowed it.
type Posicion struct {
	Direccion   string       `json:"Direccion,omitempty"`
	Coordenadas *Coordenadas `json:"Coordenadas,omitempty"`
}

// Coordenadas are decimal degrees; Altura and Precision in metres.
type Coordenadas struct {
	Longitud  float64 `json:"Longitud"`
	Latitud   float64 `json:"Latitud"`
	Altura    float64 `json:"Altura"`
	Precision float64 `json:"Precision"`
}

// Dispositivo is the person's device.
type Dispositivo struct {
	Browser           string `json:"browser,omitempty"`
	SysOp             string `json:"SysOp,omitempty"`
	DisplayResolution string `json:"displayResolution,omitempty"`
}

// Result is the verification's outcome. The yes/no fields hold "Si", "No" or "N/A"
// as the provider sends them.
type Result struct {
	Resultado                   Resultado     `json:"Resultado"`
	DNIAnverso                  string        `json:"DNIAnverso,omitempty"`
	DNIReverso                  string        `json:"DNIReverso,omitempty"`
	AnversoReversoCoinciden     string        `json:"AnversoReversoCoinciden,omitempty"`
	DNISolicitado               string        `json:"DNISolicitado,omitempty"`
	DNISolicitadoCoincide       string        `json:"DNISolicitadoCoincide,omitempty"`
	DNI                         *DocumentData `json:"DNI,omitempty"`
	ProcesoRelizadoMismaPersona string        `json:"ProcesoRelizadoMismaPersona,omitempty"` // sic
	Barba                       string        `json:"Barba,omitempty"`
	Bigote                      string        `json:"Bigote,omitempty"`
	GafasLectura                string        `json:"GafasLectura,omitempty"`
	GafasSol                    string        `json:"GafasSol,omitempty"`
	Sexo                        string        `json:"Sexo,omitempty"` // free text: display, don't parse
	RangoAparenteEdad           string        `json:"RangoAparenteEdad,omitempty"`
	Dispositivo                 string        `json:"Dispositivo,omitempty"`
	ParecidoPersonaDNI          float64       `json:"ParecidoPersonaDNI,omitempty"`
	PruebaDeVida                string        `json:"PruebaDeVida,omitempty"`
}

// DocumentData is what was read from the ID document.
type DocumentData struct {
	Edad            int    `json:"Edad,omitempty"`
	FechaNacimiento string `json:"FechaNacimiento,omitempty"` // DD/MM/YYYY
	DNI             string `json:"DNI,omitempty"`
	Nacionalidad    string `json:"Nacionalidad,omitempty"`
	Pais            string `json:"Pais,omitempty"`
	Nombre          string `json:"Nombre,omitempty"` // "Surnames, Name"
	NumeroSerie     string `json:"NumeroSerie,omitempty"`
	TipoDocumento   string `json:"TipoDocumento,omitempty"`
	Sexo            string `json:"Sexo,omitempty"`
	FechaExpira     string `json:"FechaExpira,omitempty"` // DD/MM/YYYY
	Caducado        string `json:"Caducado,omitempty"`
}

// ErrOtherService is returned for a well-formed report of another service, so that a
// shared receiver can pass it on.
var ErrOtherService = errors.New("remoteid: report of another service")

// MaxWebhookBody bounds a report; the sample is about 2 KiB.
const MaxWebhookBody = 256 << 10

// ParseWebhook decodes a report from its body and its Content-Type header (JSON,
// multipart/form-data or a urlencoded form; empty: JSON if it looks like JSON). It is
// lenient where the provider is inconsistent: numbers may be strings, and the nested
// values a JSON string or an object. It does not check credentials: the handler does.
func ParseWebhook(contentType string, body []byte) (Event, error) {
	if len(body) > MaxWebhookBody {
		return Event{}, fmt.Errorf("%w: report over %d bytes", ErrMalformed, MaxWebhookBody)
	}
	mt, params, _ := mime.ParseMediaType(contentType)
	var o object
	var err error
	switch {
	case mt == "multipart/form-data":
		o, err = multipartObject(body, params["boundary"])
	case mt == "application/x-www-form-urlencoded",
		mt == "" && len(bytes.TrimSpace(body)) > 0 && bytes.TrimSpace(body)[0] != '{':
		o, err = formObject(body)
	default:
		o, err = jsonObject(body)
	}
	if err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return o.event()
}

// object is a report's fields by lowercased name, each as JSON.
type object map[string]json.RawMessage

func jsonObject(b []byte) (object, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errors.New("null")
	}
	return object(fold(m)), nil
}

func formObject(b []byte) (object, error) {
	v, err := url.ParseQuery(string(b))
	if err != nil {
		return nil, err
	}
	return valuesObject(v), nil
}

func multipartObject(b []byte, boundary string) (object, error) {
	if boundary == "" {
		return nil, errors.New("multipart without boundary")
	}
	f, err := multipart.NewReader(bytes.NewReader(b), boundary).ReadForm(MaxWebhookBody)
	if err != nil {
		return nil, err
	}
	defer f.RemoveAll()
	return valuesObject(f.Value), nil
}

// valuesObject turns form values (all strings) into JSON strings.
func valuesObject(v map[string][]string) object {
	m := map[string]json.RawMessage{}
	for k, vs := range v {
		if len(vs) > 0 {
			m[k], _ = json.Marshal(vs[0])
		}
	}
	return object(fold(m))
}

func (o object) str(name string) (string, error) {
	raw, ok := o[strings.ToLower(name)]
	if !ok {
		return "", nil
	}
	s, err := lenientString(raw)
	if err != nil {
		return "", fmt.Errorf("%s: not text", name)
	}
	return s, nil
}

func (o object) num(name string) (float64, error) {
	raw, ok := o[strings.ToLower(name)]
	if !ok || isNull(raw) {
		return 0, nil
	}
	if s, err := lenientString(raw); err == nil && strings.TrimSpace(s) == "" {
		return 0, nil
	}
	n, err := lenientNumber(raw)
	if err != nil {
		return 0, fmt.Errorf("%s: not a number", name)
	}
	return n, nil
}

// nested reads a value that is an object or a JSON string holding one; nil when
// absent, null or empty.
func (o object) nested(name string) (object, error) {
	raw, ok := o[strings.ToLower(name)]
	if !ok || isNull(raw) {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if strings.TrimSpace(s) == "" {
			return nil, nil
		}
		raw = json.RawMessage(s)
	}
	// Documented as "Array of arrays", sent as an object: an array is read as its
	// first element.
	var arr []json.RawMessage
	if json.Unmarshal(raw, &arr) == nil {
		if len(arr) == 0 {
			return nil, nil
		}
		raw = arr[0]
	}
	n, err := jsonObject(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: not an object", name)
	}
	return n, nil
}

// strs fills string fields by name; the first error wins.
func (o object) strs(err *error, fields map[string]*string) {
	for name, p := range fields {
		if *err != nil {
			return
		}
		*p, *err = o.str(name)
	}
}

func (o object) event() (Event, error) {
	var e Event
	var err error
	o.strs(&err, map[string]*string{
		"Servicio": &e.Servicio, "ID": &e.ID, "FechaEnvio": &e.FechaEnvio,
		"UltimaActualizacion": &e.UltimaActualizacion, "Telefono": &e.Telefono,
		"DNIAnverso": &e.DNIAnverso, "DNIReverso": &e.DNIReverso, "DNISolicitado": &e.DNISolicitado,
	})
	if err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if _, ok := o["estado"]; !ok {
		return Event{}, fmt.Errorf("%w: no Estado", ErrMalformed)
	}
	est, err := o.num("Estado")
	if err != nil || est != float64(int32(est)) {
		return Event{}, fmt.Errorf("%w: Estado is not a whole number", ErrMalformed)
	}
	e.Estado = Estado(est)
	switch {
	case e.Servicio == "":
		return Event{}, fmt.Errorf("%w: no Servicio", ErrMalformed)
	case !strings.EqualFold(e.Servicio, Servicio):
		return Event{}, fmt.Errorf("%w: %s", ErrOtherService, clip([]byte(e.Servicio)))
	case !validID(e.ID):
		return Event{}, fmt.Errorf("%w: ID %s", ErrMalformed, clip([]byte(e.ID)))
	}
	// The status is what the report is for: a nested part the provider shaped
	// otherwise than documented does not cost it (the API's own types disagree with
	// its sample).
	unreadable := func(name string, err error) {
		if err != nil {
			e.Unreadable = append(e.Unreadable, name)
		}
	}
	var aerr, perr, derr, rerr error
	e.Acceso, aerr = acceso(o)
	unreadable("Acceso", aerr)
	e.Posicion, perr = posicion(o)
	unreadable("Posicion", perr)
	e.Dispositivo, derr = dispositivo(o)
	unreadable("Dispositivo", derr)
	e.Result, rerr = result(o)
	unreadable("Result", rerr)
	return e, nil
}

// validID accepts the provider's identifiers (digits in every sample) and any other
// short printable token, but nothing that could not be a key or a file name part.
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, r := range id {
		if (r < '0' || r > '9') && (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

func acceso(o object) (*Acceso, error) {
	n, err := o.nested("Acceso")
	if n == nil || err != nil {
		return nil, err
	}
	var a Acceso
	n.strs(&err, map[string]*string{"Fecha": &a.Fecha, "IP": &a.IP, "Puerto": &a.Puerto})
	return &a, err
}

func posicion(o object) (*Posicion, error) {
	n, err := o.nested("Posicion")
	if n == nil || err != nil {
		return nil, err
	}
	var p Posicion
	if p.Direccion, err = n.str("Direccion"); err != nil {
		return nil, err
	}
	c, err := n.nested("Coordenadas")
	if c == nil || err != nil {
		return &p, err
	}
	var k Coordenadas
	for name, f := range map[string]*float64{"Longitud": &k.Longitud, "Latitud": &k.Latitud, "Altura": &k.Altura, "Precision": &k.Precision} {
		if *f, err = c.num(name); err != nil {
			return nil, err
		}
	}
	p.Coordenadas = &k
	return &p, nil
}

func dispositivo(o object) (*Dispositivo, error) {
	n, err := o.nested("Dispositivo")
	if n == nil || err != nil {
		return nil, err
	}
	var d Dispositivo
	n.strs(&err, map[string]*string{"browser": &d.Browser, "SysOp": &d.SysOp, "displayResolution": &d.DisplayResolution})
	return &d, err
}

func result(o object) (*Result, error) {
	n, err := o.nested("Result")
	if n == nil || err != nil {
		return nil, err
	}
	var r Result
	v, err := n.num("Resultado")
	if err != nil {
		return nil, err
	}
	r.Resultado = Resultado(v)
	if r.ParecidoPersonaDNI, err = n.num("ParecidoPersonaDNI"); err != nil {
		return nil, err
	}
	n.strs(&err, map[string]*string{
		"DNIAnverso": &r.DNIAnverso, "DNIReverso": &r.DNIReverso, "AnversoReversoCoinciden": &r.AnversoReversoCoinciden,
		"DNISolicitado": &r.DNISolicitado, "DNISolicitadoCoincide": &r.DNISolicitadoCoincide,
		"ProcesoRelizadoMismaPersona": &r.ProcesoRelizadoMismaPersona, "Barba": &r.Barba, "Bigote": &r.Bigote,
		"GafasLectura": &r.GafasLectura, "GafasSol": &r.GafasSol, "Sexo": &r.Sexo,
		"RangoAparenteEdad": &r.RangoAparenteEdad, "Dispositivo": &r.Dispositivo, "PruebaDeVida": &r.PruebaDeVida,
	})
	if err != nil {
		return nil, err
	}
	d, err := n.nested("DNI")
	if d == nil || err != nil {
		return &r, err
	}
	var doc DocumentData
	edad, err := d.num("Edad")
	if err != nil || edad != float64(int32(edad)) {
		return nil, errors.New("DNI.Edad: not a whole number")
	}
	doc.Edad = int(edad)
	d.strs(&err, map[string]*string{
		"FechaNacimiento": &doc.FechaNacimiento, "DNI": &doc.DNI, "Nacionalidad": &doc.Nacionalidad,
		"Pais": &doc.Pais, "Nombre": &doc.Nombre, "NumeroSerie": &doc.NumeroSerie,
		"TipoDocumento": &doc.TipoDocumento, "Sexo": &doc.Sexo, "FechaExpira": &doc.FechaExpira, "Caducado": &doc.Caducado,
	})
	if err != nil {
		return nil, err
	}
	r.DNI = &doc
	return &r, nil
}
