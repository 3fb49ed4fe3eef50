// Package catalog holds INE's catalogues: the answer codes with what each means to an
// operator and what the app does next, the 32 federal entities, and the situaciones
// registrales a credential can be in.
package catalog

import (
	"fmt"
	"sort"
)

// Code is one of INE's answer codes (codigoRespuesta, codigoRespuestaDatos,
// codigoRespuestaMinucia).
type Code int

// Action is what the app does after a code.
type Action int

const (
	ActionNone        Action = iota // 0: nothing went wrong
	ActionRetryLater                // a passing fault at INE or on the way: send the same request again later
	ActionFixRequest                // the request is wrong: correct the data and send a new one
	ActionRecapture                 // the fingerprints are unusable: capture them again
	ActionCallSupport               // configuration, licence or keys: the operator cannot fix it
)

func (a Action) String() string {
	switch a {
	case ActionNone:
		return "none"
	case ActionRetryLater:
		return "retry-later"
	case ActionFixRequest:
		return "fix-request"
	case ActionRecapture:
		return "recapture"
	case ActionCallSupport:
		return "call-support"
	}
	return fmt.Sprintf("action(%d)", int(a))
}

// Service is the part of INE's system a code comes from.
type Service int

const (
	Central Service = iota
	Data
	Biometric
)

// Entry is one code of the catalogue.
type Entry struct {
	Code    Code
	Service Service
	Action  Action
	ES, EN  string
}

// entries is the catalogue of the spec's annex 5.2. Codes the spec does not class are
// classed by what an operator can do about them; each such choice says why.
func entries() []Entry {
	return []Entry{
		{0, Central, ActionNone, "Consulta atendida.", "Request served."},
		{100, Central, ActionCallSupport, "La licencia de la institución con el INE no está vigente. Llame a soporte.", "The institution's licence with INE is not in force. Call support."},
		{101, Central, ActionCallSupport, "El INE no encuentra la licencia de la institución. Llame a soporte.", "INE cannot find the institution's licence. Call support."},
		{102, Central, ActionCallSupport, "Error inesperado al validar la licencia con el INE. Llame a soporte.", "Unexpected error validating the licence with INE. Call support."},
		{103, Central, ActionCallSupport, "Falta el aviso de privacidad registrado ante el INE. Llame a soporte.", "No privacy notice is registered with INE. Call support."},
		{104, Central, ActionRetryLater, "El INE no pudo comunicarse con su servicio de huellas. Se reintentará más tarde.", "INE could not reach its fingerprint service. It will be retried later."},
		{105, Central, ActionRetryLater, "El INE no pudo comunicarse con su servicio de datos. Se reintentará más tarde.", "INE could not reach its data service. It will be retried later."},
		{106, Central, ActionRetryLater, "El INE rechazó los parámetros biométricos por un error interno. Se reintentará más tarde.", "INE refused the biometric parameters with an internal error. It will be retried later."},
		{107, Central, ActionRetryLater, "Error inesperado en el servicio del INE. Se reintentará más tarde.", "Unexpected error in INE's service. It will be retried later."},
		{108, Central, ActionRetryLater, "Error al llamar al servicio de huellas del INE. Se reintentará más tarde.", "Error calling INE's fingerprint service. It will be retried later."},
		{109, Central, ActionRetryLater, "Error al llamar al servicio de datos del INE. Se reintentará más tarde.", "Error calling INE's data service. It will be retried later."},
		{110, Central, ActionFixRequest, "El INE rechazó la consulta: hay parámetros no válidos. Revise los datos y el consentimiento.", "INE refused the request: some parameters are invalid. Check the data and the consent."},
		{111, Central, ActionCallSupport, "El INE no pudo descifrar los datos (llave de cifrado o configuración). Llame a soporte.", "INE could not decrypt the data (encryption key or settings). Call support."},
		{112, Central, ActionCallSupport, "El INE no pudo verificar la firma de la institución. Llame a soporte.", "INE could not verify the institution's signature. Call support."},
		{113, Central, ActionCallSupport, "El INE considera inválida la firma de la institución. Llame a soporte.", "INE found the institution's signature invalid. Call support."},
		{114, Central, ActionCallSupport, "El INE no pudo convertir los datos cifrados. Llame a soporte.", "INE could not convert the encrypted data. Call support."},
		{115, Central, ActionCallSupport, "El INE no pudo firmar su respuesta. Llame a soporte.", "INE could not sign its answer. Call support."},
		{116, Central, ActionCallSupport, "Error inesperado del INE al guardar la consulta. Llame a soporte.", "Unexpected INE error saving the request. Call support."},
		{117, Central, ActionRetryLater, "El INE no pudo obtener el sello de tiempo. Se reintentará más tarde.", "INE could not obtain a time stamp. It will be retried later."},
		// 200: a failed search is INE's fault, not the data's (that is 202/205).
		{200, Data, ActionRetryLater, "Error del INE al buscar al ciudadano. Se reintentará más tarde.", "INE failed searching the citizen. It will be retried later."},
		{201, Data, ActionRetryLater, "Error inesperado del INE al consultar al ciudadano. Se reintentará más tarde.", "Unexpected INE error querying the citizen. It will be retried later."},
		{202, Data, ActionFixRequest, "Los datos de búsqueda no son correctos. Revise CIC, OCR, clave de elector y número de emisión.", "The search data are wrong. Check CIC, OCR, elector key and issue number."},
		// 204: the request names a kind of query the institution does not have.
		{204, Data, ActionCallSupport, "El tipo de consulta no es válido para esta institución. Llame a soporte.", "The kind of request is not valid for this institution. Call support."},
		{205, Data, ActionFixRequest, "Faltan datos de búsqueda: sin CIC se necesitan OCR, clave de elector y número de emisión.", "Search data missing: without a CIC, OCR, elector key and issue number are needed."},
		{300, Biometric, ActionRetryLater, "Error inesperado del servicio de huellas del INE. Se reintentará más tarde.", "Unexpected error in INE's fingerprint service. It will be retried later."},
		// 301: the citizen has no fingerprints at INE; recapturing cannot help.
		{301, Biometric, ActionFixRequest, "El INE no tiene huellas registradas de este ciudadano. Verifique solo con datos.", "INE holds no fingerprints for this citizen. Verify with data only."},
		{302, Biometric, ActionRecapture, "Ninguna huella capturada sirve para comparar. Vuelva a capturar las huellas.", "No captured fingerprint can be compared. Capture the fingerprints again."},
		{303, Biometric, ActionRecapture, "El formato de la huella no es compatible. Vuelva a capturar las huellas.", "The fingerprint format is not supported. Capture the fingerprints again."},
		// 304: a comparison failure inside INE; the same sample may compare later.
		{304, Biometric, ActionRetryLater, "El INE no pudo comparar las huellas. Se reintentará más tarde.", "INE could not compare the fingerprints. It will be retried later."},
		// 305: INE's own stored image is the problem; nothing to do at the branch.
		{305, Biometric, ActionCallSupport, "El INE no puede leer la huella que tiene registrada. Llame a soporte.", "INE cannot read the fingerprint it holds. Call support."},
		// 306–308: the biometric request was malformed: a software or data problem.
		{306, Biometric, ActionFixRequest, "La consulta de huellas no es válida. Revise y envíe de nuevo.", "The fingerprint request is invalid. Check it and send again."},
		{307, Biometric, ActionFixRequest, "Falta el identificador de la transacción de huellas. Envíe de nuevo.", "The fingerprint transaction id is missing. Send again."},
		{308, Biometric, ActionFixRequest, "No se identificó al ciudadano para comparar huellas. Revise los datos de la credencial.", "The citizen could not be identified to compare fingerprints. Check the credential data."},
		{309, Biometric, ActionFixRequest, "Falta el tipo de imagen de las huellas.", "The fingerprint image type is missing."},
		{310, Biometric, ActionFixRequest, "Las imágenes sin comprimir necesitan ancho y alto.", "Raw images need a width and a height."},
		{311, Biometric, ActionFixRequest, "Se enviaron más o menos huellas de las permitidas (una o dos).", "More or fewer fingerprints than allowed were sent (one or two)."},
		{312, Biometric, ActionFixRequest, "El tipo de imagen de las huellas no es válido.", "The fingerprint image type is invalid."},
		{313, Biometric, ActionRetryLater, "El servicio de huellas del INE está saturado. Se reintentará más tarde.", "INE's fingerprint service is overloaded. It will be retried later."},
		{314, Biometric, ActionRecapture, "La huella es de baja calidad o no parece una huella. Pida al ciudadano limpiar el dedo y vuelva a capturar.", "The fingerprint is of low quality or not a fingerprint. Ask the citizen to clean the finger and capture again."},
		{315, Biometric, ActionRecapture, "La huella tiene muy pocas minucias. Pida al ciudadano apoyar bien el dedo y vuelva a capturar.", "The fingerprint has too few minutiae. Ask the citizen to press the finger flat and capture again."},
		{316, Biometric, ActionRecapture, "La resolución de la imagen no es la correcta. Revise el lector y vuelva a capturar.", "The image resolution is wrong. Check the scanner and capture again."},
		// 317/318: INE's biometric libraries are off; they come back on INE's side.
		{317, Biometric, ActionRetryLater, "El INE tiene desactivada la comparación de huellas. Los datos sí se verificaron.", "INE has fingerprint comparison switched off. The data were verified."},
		{318, Biometric, ActionRetryLater, "El INE no tiene cargada la comparación de huellas. Los datos sí se verificaron.", "INE has not loaded fingerprint comparison. The data were verified."},
		// 320–323: image conversion at INE failed on what we sent: send it anew.
		{320, Biometric, ActionRecapture, "El INE no pudo convertir la imagen de la huella. Vuelva a capturar.", "INE could not convert the fingerprint image. Capture again."},
		{321, Biometric, ActionRecapture, "El formato de imagen no se puede convertir. Vuelva a capturar.", "The image format cannot be converted. Capture again."},
		{322, Biometric, ActionFixRequest, "La consulta no llevaba imágenes de huellas.", "The request carried no fingerprint images."},
		{323, Biometric, ActionFixRequest, "El formato de los argumentos de la consulta de huellas no es válido.", "The fingerprint request's arguments are malformed."},
	}
}

// All returns the whole catalogue in code order.
func All() []Entry {
	e := entries()
	sort.Slice(e, func(i, j int) bool { return e[i].Code < e[j].Code })
	return e
}

// Lookup finds a code.
func Lookup(c Code) (Entry, bool) {
	for _, e := range entries() {
		if e.Code == c {
			return e, true
		}
	}
	return Entry{}, false
}

// Action is what to do after the code; an unknown code goes to support.
func (c Code) Action() Action {
	if e, ok := Lookup(c); ok {
		return e.Action
	}
	return ActionCallSupport
}

// Message is the operator's sentence, in Spanish ("es", the default) or English ("en").
func (c Code) Message(lang string) string {
	e, ok := Lookup(c)
	if !ok {
		if lang == "en" {
			return fmt.Sprintf("Unknown INE code %d. Call support.", int(c))
		}
		return fmt.Sprintf("Código %d desconocido del INE. Llame a soporte.", int(c))
	}
	if lang == "en" {
		return e.EN
	}
	return e.ES
}
