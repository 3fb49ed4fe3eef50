package verify

import "encoding/json"

// The JSON shapes of the spec, names exactly as INE spells them. Fields that INE may send
// as null are pointers; elements whose bytes are signed are json.RawMessage so they are
// never re-serialised between signing and sending (or receiving and verifying).

// Request is the body POSTed to INE.
type Request struct {
	Data      json.RawMessage `json:"data"`
	Signature Signature       `json:"signature"`
	TimeStamp json.RawMessage `json:"timeStamp"`
}

// Data is the signed data element.
type Data struct {
	DatosCifrados  string     `json:"datosCifrados"`
	Minucias       *Minucias  `json:"minucias"`
	Ubicacion      *Ubicacion `json:"ubicacion"`
	Consentimiento bool       `json:"consentimiento"`
}

// Fingerprint encodings of minucias.tipo.
const (
	TipoANSI = 1 // ANSI INCITS 378-2004 minutiae template
	TipoWSQ  = 2 // WSQ-compressed image
	TipoRaw  = 3 // raw 8-bit grey image; needs ancho and alto
)

// Minucias carries up to two index fingers, base64 encoded.
type Minucias struct {
	Tipo     int     `json:"tipo"`
	Ancho    *int    `json:"ancho"`
	Alto     *int    `json:"alto"`
	Minucia2 *string `json:"minucia2"`
	Minucia7 *string `json:"minucia7"`
}

// Ubicacion is where the request was made: a satellite position, a locality, or both.
type Ubicacion struct {
	PosicionSatelital *PosicionSatelital `json:"posicionSatelital"`
	Localidad         *Localidad         `json:"localidad"`
}

// PosicionSatelital is a GPS position in decimal degrees.
type PosicionSatelital struct {
	Latitud  float64 `json:"latitud"`
	Longitud float64 `json:"longitud"`
}

// Localidad is the branch's postal address summary.
type Localidad struct {
	CodigoPostal string `json:"codigoPostal"`
	Ciudad       string `json:"ciudad"`
	Estado       int    `json:"estado"`
}

// TimeStamp is the request's (or response's) time-stamp element.
type TimeStamp struct {
	Momento     string `json:"momento"`
	Indice      string `json:"indice"`
	NumeroSerie string `json:"numeroSerie"`
}

// Signature is the XML-DSig-shaped signature element.
type Signature struct {
	SignedInfo     SignedInfo `json:"signedInfo"`
	SignatureValue string     `json:"signatureValue"`
	KeyInfo        KeyInfo    `json:"keyInfo"`
}

// SignedInfo names the algorithms and carries the digest of the signed string.
type SignedInfo struct {
	CanonicalizationMethod Algorithm `json:"canonicalizationMethod"`
	SignatureMethod        Algorithm `json:"signatureMethod"`
	Reference              Reference `json:"reference"`
}

// Algorithm is an XML-DSig algorithm identifier.
type Algorithm struct {
	Algorithm string `json:"algorithm"`
}

// Reference holds the digest of the signed string.
type Reference struct {
	DigestMethod Algorithm `json:"digestMethod"`
	DigestValue  string    `json:"digestValue"`
	URI          string    `json:"uri"`
}

// KeyInfo identifies the signing certificate by serial number.
type KeyInfo struct {
	X509Data X509Data `json:"x509Data"`
}

// X509Data carries the signing certificate's serial number.
type X509Data struct {
	X509SerialNumber string `json:"x509SerialNumber"`
}

// The algorithm URIs INE's samples carry.
const (
	AlgC14N         = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
	AlgRSASHA256    = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
	AlgSHA256       = "http://www.w3.org/2001/04/xmlenc#sha256"
	ReferenceURI    = "#DATA"
	ServicePath     = "/cxf/SVD/EntidadesExternas/consulta"
	MomentoLayout   = "20060102150405Z"
	maxResponseSize = 1 << 20
)

// Plaintext is the JSON encrypted into datosCifrados. nil fields are sent as null: INE
// then does not compare them.
type Plaintext struct {
	OCR                     *string `json:"ocr"`
	CIC                     *string `json:"cic"`
	Nombre                  *string `json:"nombre"`
	ApellidoPaterno         *string `json:"apellidoPaterno"`
	ApellidoMaterno         *string `json:"apellidoMaterno"`
	AnioRegistro            *string `json:"anioRegistro"`
	AnioEmision             *string `json:"anioEmision"`
	NumeroEmisionCredencial *string `json:"numeroEmisionCredencial"`
	ClaveElector            *string `json:"claveElector"`
	CURP                    *string `json:"curp"`
}

// Response is INE's answer as it arrives. Response and TimeStamp stay raw: the signature
// covers the exact bytes INE sent.
type Response struct {
	Response  json.RawMessage `json:"response"`
	Signature Signature       `json:"signature"`
	TimeStamp json.RawMessage `json:"timeStamp"`
}

// ResponseBody is the content of the response element.
type ResponseBody struct {
	FechaHoraPeticion   string            `json:"fechaHoraPeticion"`
	IndiceSolicitud     string            `json:"indiceSolicitud"`
	DataResponse        *DataResponse     `json:"dataResponse"`
	MinutiaeResponse    *MinutiaeResponse `json:"minutiaeResponse"`
	TiempoProcesamiento *int64            `json:"tiempoProcesamiento"`
	CodigoRespuesta     int               `json:"codigoRespuesta"`
}

// DataResponse is the outcome of the data comparison.
type DataResponse struct {
	RespuestaSituacionRegistral *SituacionRegistral `json:"respuestaSituacionRegistral"`
	RespuestaComparacion        *Comparacion        `json:"respuestaComparacion"`
	CodigoRespuestaDatos        int                 `json:"codigoRespuestaDatos"`
}

// SituacionRegistral is the credential's standing in the register.
type SituacionRegistral struct {
	TipoSituacionRegistral  string  `json:"tipoSituacionRegistral"`
	TipoReporteRoboExtravio *string `json:"tipoReporteRoboExtravio"`
}

// Comparacion holds, per field, true (matches), false (differs) or null (not sent).
type Comparacion struct {
	OCR                     *bool `json:"ocr"`
	CIC                     *bool `json:"cic,omitempty"`
	Nombre                  *bool `json:"nombre"`
	ApellidoPaterno         *bool `json:"apellidoPaterno"`
	ApellidoMaterno         *bool `json:"apellidoMaterno"`
	AnioRegistro            *bool `json:"anioRegistro"`
	AnioEmision             *bool `json:"anioEmision"`
	NumeroEmisionCredencial *bool `json:"numeroEmisionCredencial"`
	ClaveElector            *bool `json:"claveElector"`
	CURP                    *bool `json:"curp"`
}

// MinutiaeResponse is the outcome of the fingerprint comparison.
type MinutiaeResponse struct {
	CodigoRespuestaMinucia int         `json:"codigoRespuestaMinucia"`
	Similitud2             *Similarity `json:"similitud2"`
	Similitud7             *Similarity `json:"similitud7"`
}
