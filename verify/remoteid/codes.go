// Package remoteid is a client of the Identity Verification Send API 3.0: a hosted
// service that texts a person a link, records a liveness video, reads their ID document,
// compares face and photo and reports each step by webhook, ending in a certificate PDF.
//
// It is a remote path for field agents, not the counter path. It does not consult INE
// and compares no fingerprints: its outcome is supporting evidence, never a substitute
// for INE's SVCV answer, and every screen that shows it must say so ([Notice]).
//
// The package holds the client of /VerificarIdentidad, /GetCertificadoIdentidad and
// /GetCreditos, the decoder of the provider's webhook reports, a case that applies
// those reports in any order, and an [http.Handler] receiving them. The stand-in server
// is in the subpackage standin.
//
// A window sends with [Start], shows a case from the [Store] with [Notice], and fetches
// the certificate with [FetchCertificate] once the case is validated (5100); a rejected
// one (5500) has none. The reports arrive at [NewWebhookHandler], complete on its own;
// a receiver shared with other providers calls [ParseWebhook] on the body and the
// Content-Type header (after checking the basic-auth credential) and [Record] on the
// event, passing on what fails with [ErrOtherService].
package remoteid

import "fmt"

// Notice is the warning every screen showing a remote verification carries.
func Notice(lang string) string {
	if lang == "en" {
		return "Remote verification by video and document: it does not consult INE and compares no fingerprints. Supporting evidence only, never a substitute for INE's verification."
	}
	return "Verificación remota por video y documento: no consulta al INE ni compara huellas. Es solo evidencia de apoyo; no sustituye la verificación del INE."
}

// words is a message in both of the project's languages.
type words struct{ es, en string }

func (w words) in(lang string) string {
	if lang == "en" {
		return w.en
	}
	return w.es
}

// Res is the provider's result code of a call.
type Res int

// The Res codes of the API.
const (
	ResOK           Res = 1
	ResAuth         Res = -1
	ResNoCredits    Res = -2
	ResBadData      Res = -3
	ResNotActivated Res = -4
	ResGeneral5     Res = -5
	ResGeneral6     Res = -6
	ResGeneral7     Res = -7
)

var resWords = map[Res]words{
	ResOK:           {"Correcto.", "Correct."},
	ResAuth:         {"Error de autenticación con el proveedor: revise el usuario y el token de la API.", "Authentication error with the provider: check the API user and token."},
	ResNoCredits:    {"No hay créditos suficientes en la cuenta del proveedor.", "There are not enough credits in the provider account."},
	ResBadData:      {"Datos de la solicitud incorrectos o incompletos: corríjalos antes de enviar de nuevo.", "The request data are wrong or incomplete: correct them before sending again."},
	ResNotActivated: {"La cuenta no tiene activada esta función: llame a soporte del proveedor.", "The account does not have this function activated: call the provider's support."},
	ResGeneral5:     {"Error general en la solicitud (-5): llame a soporte del proveedor con los datos usados.", "General error in the request (-5): call the provider's support with the data used."},
	ResGeneral6:     {"Error general en la solicitud (-6): llame a soporte del proveedor con los datos usados.", "General error in the request (-6): call the provider's support with the data used."},
	ResGeneral7:     {"Error general en la solicitud (-7): llame a soporte del proveedor con los datos usados.", "General error in the request (-7): call the provider's support with the data used."},
}

// Message is what the code means to an operator, in "es" or "en".
func (r Res) Message(lang string) string {
	if w, ok := resWords[r]; ok {
		return w.in(lang)
	}
	return words{fmt.Sprintf("Código %d desconocido del proveedor.", int(r)), fmt.Sprintf("Unknown provider code %d.", int(r))}.in(lang)
}

// Known reports whether the code is one the API documents.
func (r Res) Known() bool { _, ok := resWords[r]; return ok }

// Estado is the status a webhook report carries.
type Estado int

// The statuses of a request, in the order the provider reports them.
const (
	EstadoAccessed  Estado = 3000
	EstadoLiveness  Estado = 3001
	EstadoFront     Estado = 3002
	EstadoBack      Estado = 3003
	EstadoInProcess Estado = 5000
	EstadoData      Estado = 5001
	EstadoValidated Estado = 5100
	EstadoRejected  Estado = 5500
)

var estadoWords = map[Estado]words{
	EstadoAccessed:  {"La persona abrió el enlace.", "The person opened the link."},
	EstadoLiveness:  {"Verificando a la persona y la prueba de vida.", "Verifying the person and the liveness test."},
	EstadoFront:     {"Se pidió el frente del documento.", "The front of the document was requested."},
	EstadoBack:      {"Se pidió el reverso del documento.", "The back of the document was requested."},
	EstadoInProcess: {"En proceso: aceptada y en verificación.", "In process: accepted and being verified."},
	EstadoData:      {"Proceso terminado: datos disponibles, pendiente de validación.", "Process finished: data available, awaiting validation."},
	EstadoValidated: {"Validada y certificada: el certificado se puede descargar.", "Validated and certified: the certificate can be downloaded."},
	EstadoRejected:  {"Rechazada por un operador del proveedor.", "Rejected by a provider operator."},
}

// Message is what the status means to an operator, in "es" or "en".
func (e Estado) Message(lang string) string {
	if w, ok := estadoWords[e]; ok {
		return w.in(lang)
	}
	return words{fmt.Sprintf("Estado %d desconocido.", int(e)), fmt.Sprintf("Unknown status %d.", int(e))}.in(lang)
}

// Known reports whether the status is one the API documents.
func (e Estado) Known() bool { _, ok := estadoWords[e]; return ok }

// Terminal reports whether no report follows this one.
func (e Estado) Terminal() bool { return e == EstadoValidated || e == EstadoRejected }

// rank orders statuses for a case: a later stage outranks an earlier one, and a
// rejection outranks a validation so that conflicting reports never show a rejected
// person as validated. Unknown statuses rank lowest; they are kept but move nothing.
func (e Estado) rank() int {
	switch e {
	case EstadoAccessed:
		return 1
	case EstadoLiveness:
		return 2
	case EstadoFront:
		return 3
	case EstadoBack:
		return 4
	case EstadoInProcess:
		return 5
	case EstadoData:
		return 6
	case EstadoValidated:
		return 7
	case EstadoRejected:
		return 8
	}
	return 0
}

// Resultado is the outcome of the comparison in a report's Result: a similarity
// percentage when positive, a reason code when negative.
type Resultado float64

// Passed reports a positive outcome. The API says ">80" and "80–100 %"; 80 itself is
// read as positive.
func (r Resultado) Passed() bool { return r >= 80 }

var resultadoWords = map[int]words{
	-1: {"Parecido menor al 80 %: un operador del proveedor debe validarlo.", "Similarity below 80 %: a provider operator must validate it."},
	-2: {"La persona es menor de edad.", "The person is a minor."},
	-3: {"El frente y el reverso del documento no parecen coincidir.", "The front and back of the document do not seem to match."},
	-4: {"La prueba de vida parece hecha por personas distintas.", "The liveness test seems to have been done by different people."},
	-5: {"Documento de identidad vencido.", "Expired ID document."},
	-6: {"La prueba de vida no dio un resultado válido (¿es una foto?).", "The liveness test did not give a valid result (is it a photo?)."},
	-7: {"El proceso aún no ha terminado.", "The process has not finished yet."},
	-8: {"La persona es muy distinta de la foto del documento, o el documento no es válido.", "The person is very different from the document photo, or the document is not valid."},
	-9: {"El número de documento pedido no coincide con el que presentó la persona.", "The requested document number does not match the one the person presented."},
}

// Message is what the outcome means to an operator, in "es" or "en".
func (r Resultado) Message(lang string) string {
	if r.Passed() {
		return words{fmt.Sprintf("Parecido persona–documento del %.1f %%: todo correcto.", float64(r)), fmt.Sprintf("Person–document similarity %.1f %%: all correct.", float64(r))}.in(lang)
	}
	if w, ok := resultadoWords[int(r)]; ok && float64(int(r)) == float64(r) {
		return w.in(lang)
	}
	return words{fmt.Sprintf("Resultado %v no documentado.", float64(r)), fmt.Sprintf("Undocumented result %v.", float64(r))}.in(lang)
}
