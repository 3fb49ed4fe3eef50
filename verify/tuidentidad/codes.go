package tuidentidad

import (
	"fmt"
	"sort"
)

// Code is one of Tu Identidad's service message codes, spelled as the provider spells
// it (e.g. "INENL001", "RFC005").
type Code string

// Class is what the app does after a code.
type Class int

const (
	ClassUnknown    Class = iota // a code the catalogue does not hold: treated as support's
	ClassRetryLater              // the source or the service is down: ask again later
	ClassFixData                 // the captured data are malformed: correct them
	ClassNegative                // a result, not a fault: the source holds nothing for it
	ClassConfig                  // API key or account: stop and call support
	ClassClientBug               // a verification id that is not ours or not valid
	ClassQuota                   // the period's operations are used up: try after it
)

func (c Class) String() string {
	switch c {
	case ClassRetryLater:
		return "retry-later"
	case ClassFixData:
		return "fix-data"
	case ClassNegative:
		return "negative"
	case ClassConfig:
		return "configuration"
	case ClassClientBug:
		return "client-bug"
	case ClassQuota:
		return "quota"
	}
	return "unknown"
}

// Entry is one code of the catalogue: the provider's message verbatim, and the
// operator's sentences.
type Entry struct {
	Code     Code
	Class    Class
	Provider string // the provider's message, verbatim
	ES, EN   string
}

// entries is the digest's table of service messages with the classes it proposes.
func entries() []Entry {
	return []Entry{
		{"INENL001", ClassRetryLater, "Unable to validate data with source.", "No se pudo consultar al INE. Se reintentará más tarde.", "INE could not be consulted. It will be retried later."},
		{"INENL002", ClassRetryLater, "Something was wrong, we are working on the failure.", "Falla en el servicio de verificación del INE del proveedor. Se reintentará más tarde.", "The provider's INE verification service failed. It will be retried later."},
		{"INENL003", ClassConfig, "Access Denied. ApiKey header not found.", "El proveedor rechazó la llave de acceso (ApiKey). Llame a soporte.", "The provider refused the access key (ApiKey). Call support."},
		{"INENL004", ClassFixData, "Invalid issue number format.", "El número de emisión no tiene el formato correcto (2 dígitos).", "The issue number is malformed (2 digits)."},
		{"INENL005", ClassFixData, "Invalid Id format.", "El CIC o la clave de elector no tienen el formato correcto.", "The CIC or the elector key is malformed."},
		{"INENL006", ClassFixData, "Invalid OCR format.", "El OCR no tiene el formato correcto (9 o 13 dígitos).", "The OCR is malformed (9 or 13 digits)."},
		{"INENL007", ClassFixData, "Invalid type.", "El modelo de credencial no es válido (C a H).", "The credential model is invalid (C to H)."},
		{"INENL015", ClassClientBug, "Access denied the company could not be identified.", "La verificación pertenece a otra empresa. Llame a soporte.", "The verification belongs to another company. Call support."},
		{"INENL016", ClassClientBug, "The register could not be found.", "El proveedor no encuentra esa verificación. Llame a soporte.", "The provider cannot find that verification. Call support."},
		{"RFC002", ClassConfig, "Access Denied. ApiKey header not found.", "Falta la llave de acceso (apikey) del servicio de RFC. Llame a soporte.", "The RFC service's access key (apikey) is missing. Call support."},
		{"RFC003", ClassConfig, "The apiKey is not valid.", "La llave de acceso (apikey) del servicio de RFC no es válida. Llame a soporte.", "The RFC service's access key (apikey) is not valid. Call support."},
		{"RFC004", ClassRetryLater, "Something was wrong, we are working on the failure", "Falla en el servicio de RFC del proveedor. Se reintentará más tarde.", "The provider's RFC service failed. It will be retried later."},
		{"RFC005", ClassNegative, "CURP does not match with source", "El SAT no tiene información para esa CURP.", "SAT holds no information for that CURP."},
		{"RFC006", ClassFixData, "The structure of the CURP is not correct", "La CURP no tiene la estructura correcta.", "The CURP is malformed."},
		{"RFC007", ClassFixData, "The structure of the state is not correct", "La entidad federativa no es válida (1 a 32).", "The state is invalid (1 to 32)."},
		{"RFC008", ClassNegative, "The information associated to the RFC was not found.", "No se encontró un RFC asociado a esa CURP.", "No RFC was found for that CURP."},
		{"RFC010", ClassRetryLater, "SAT source unavailable.", "El SAT no está disponible. Se reintentará más tarde.", "SAT is unavailable. It will be retried later."},
		{"NSS002", ClassConfig, "Access Denied. ApiKey header not found.", "Falta la llave de acceso (apikey) del servicio de NSS. Llame a soporte.", "The NSS service's access key (apikey) is missing. Call support."},
		{"NSS003", ClassConfig, "The apiKey is not valid.", "La llave de acceso (apikey) del servicio de NSS no es válida. Llame a soporte.", "The NSS service's access key (apikey) is not valid. Call support."},
		{"NSS004", ClassRetryLater, "Something was wrong, We are working on the failure", "Falla en el servicio de NSS del proveedor. Se reintentará más tarde.", "The provider's NSS service failed. It will be retried later."},
		{"NSS005", ClassNegative, "CURP does not match with source.", "El IMSS no tiene información para esa CURP.", "IMSS holds no information for that CURP."},
		{"NSS006", ClassFixData, "The structure of the CURP is not correct", "La CURP no tiene la estructura correcta.", "The CURP is malformed."},
		{"NSS007", ClassRetryLater, "IMSS source unavailable.", "El IMSS no está disponible. Se reintentará más tarde.", "IMSS is unavailable. It will be retried later."},
		{"NSS008", ClassQuota, "The number of operations per period has been reached.", "Se alcanzó el límite de consultas de NSS del periodo (2 por día). Intente después.", "The period's NSS look-ups are used up (2 a day). Try later."},
	}
}

// All returns the catalogue in code order.
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

// Class is what to do after the code; an unknown code is ClassUnknown, which callers
// treat as support's.
func (c Code) Class() Class {
	e, _ := Lookup(c)
	return e.Class
}

// Message is the operator's sentence in Spanish ("es", the default) or English.
func (c Code) Message(lang string) string {
	e, ok := Lookup(c)
	switch {
	case !ok && lang == "en":
		return fmt.Sprintf("Tu Identidad answered the unknown code %q. Call support.", string(c))
	case !ok:
		return fmt.Sprintf("Tu Identidad respondió el código desconocido %q. Llame a soporte.", string(c))
	case lang == "en":
		return e.EN
	}
	return e.ES
}
