package nom151

import (
	"fmt"
	"sort"
)

// Estado is the service's answer code: 0 is success, anything else an exception.
type Estado int

// Class is what a caller does after a code. The seed gives no classes; these are the
// digest's reading of each code's "action".
type Class int

const (
	ClassNone       Class = iota // 0: the service answered
	ClassRetryLater              // a passing fault at Sovos: the same request may succeed later
	ClassFixRequest              // the request is wrong: correct it before sending again
	ClassAccount                 // credentials or account: stop and alert an administrator
	ClassNotFound                // the service has nothing for this case: a result, not a fault
)

func (c Class) String() string {
	switch c {
	case ClassNone:
		return "none"
	case ClassRetryLater:
		return "retry-later"
	case ClassFixRequest:
		return "fix-request"
	case ClassAccount:
		return "account"
	case ClassNotFound:
		return "not-found"
	}
	return fmt.Sprintf("class(%d)", int(c))
}

// Entry is one code of the service's table with its meaning in words.
type Entry struct {
	Estado Estado
	Class  Class
	ES, EN string
}

// entries is the seed's table of Estado codes.
func entries() []Entry {
	return []Entry{
		{-500, ClassRetryLater, "Sovos no pudo generar el PDF de la hoja de evidencia. Reintente más tarde; si persiste, llame a soporte de Sovos.", "Sovos could not generate the evidence sheet PDF. Retry later; if it persists, call Sovos support."},
		{-112, ClassFixRequest, "No se envió la constancia NOM-151.", "The NOM-151 constancy was not sent."},
		{-111, ClassRetryLater, "Sovos tuvo un error al procesar la solicitud. Reintente más tarde; si persiste, llame a soporte de Sovos.", "Sovos failed processing the request. Retry later; if it persists, call Sovos support."},
		{-110, ClassRetryLater, "Sovos no pudo decodificar un sello de tiempo. Reintente más tarde.", "Sovos could not decode a time stamp. Retry later."},
		{-109, ClassRetryLater, "Sovos no pudo generar el sello de tiempo. Reintente más tarde.", "Sovos could not generate the time stamp. Retry later."},
		{-108, ClassFixRequest, "El algoritmo de la huella digital no es válido: solo se admiten SHA-256 y SHA-512.", "The digest algorithm is invalid: only SHA-256 and SHA-512 are accepted."},
		// -107: the constancy file is what we were given; resending it cannot help.
		{-107, ClassFixRequest, "Sovos no pudo decodificar la constancia NOM-151. Revise que sea el archivo emitido por el PSC.", "Sovos could not decode the NOM-151 constancy. Check it is the file the PSC issued."},
		{-106, ClassFixRequest, "El folio de la constancia debe ser mayor que 0.", "The constancy folio must be greater than 0."},
		{-105, ClassFixRequest, "La huella digital del documento no está en Base64 válido.", "The document digest is not valid Base64."},
		{-104, ClassFixRequest, "No se envió la huella digital del documento.", "The document digest was not sent."},
		{-103, ClassFixRequest, "No se envió el nombre del archivo original.", "The original file name was not sent."},
		{-102, ClassFixRequest, "No se envió la clave (contraseña) del servicio.", "The service password was not sent."},
		{-101, ClassFixRequest, "No se envió el usuario del servicio.", "The service user was not sent."},
		{-100, ClassFixRequest, "No se envió el código de entidad.", "The entity code was not sent."},
		{-2, ClassRetryLater, "Sovos tuvo un error al ejecutar un procedimiento almacenado. Reintente más tarde; si persiste, llame a soporte de Sovos.", "Sovos failed running a stored procedure. Retry later; if it persists, call Sovos support."},
		{-1, ClassRetryLater, "Sovos no tiene conexión con su base de datos. Reintente más tarde.", "Sovos has no connection to its database. Retry later."},
		{0, ClassNone, "Satisfactorio.", "Satisfactory."},
		{1, ClassAccount, "La cuenta de usuario no es válida o no existe. Avise al administrador.", "The user account is not valid or does not exist. Tell the administrator."},
		// 2: never retried on its own, repeated attempts lock the account (3).
		{2, ClassAccount, "El usuario o la contraseña no son válidos. No reintente: los intentos repetidos bloquean la cuenta. Avise al administrador.", "The user or password is not valid. Do not retry: repeated attempts lock the account. Tell the administrator."},
		{3, ClassAccount, "La cuenta quedó bloqueada por exceder los intentos de conexión permitidos. Llame a soporte de Sovos.", "The account was locked after too many connection attempts. Call Sovos support."},
		{4, ClassAccount, "La cuenta de usuario está pendiente de activación. El usuario debe activarla.", "The user account is pending activation. The user must activate it."},
		{5, ClassAccount, "Cuenta de usuario bloqueada. Llame a soporte de Sovos.", "User account locked. Call Sovos support."},
		// 6: the seed gives 6 the same text as 5.
		{6, ClassAccount, "Cuenta de usuario bloqueada (código 6). Llame a soporte de Sovos.", "User account locked (code 6). Call Sovos support."},
		{7, ClassAccount, "La contraseña del usuario expiró. El usuario debe cambiarla.", "The user's password expired. The user must change it."},
		{9, ClassAccount, "La cuenta de usuario debe activarse en el sitio de Sovos.", "The user account must be activated on Sovos' site."},
		{10, ClassRetryLater, "Error genérico de Sovos. Reintente más tarde; si persiste, avise al administrador.", "Generic Sovos error. Retry later; if it persists, tell the administrator."},
		{11, ClassNotFound, "Sovos no tiene información para los datos dados.", "Sovos has no information for the given data."},
		{13, ClassAccount, "La cuenta de usuario no permite conectarse. Llame a soporte de Sovos.", "The user account does not allow connecting. Call Sovos support."},
		{15, ClassAccount, "El usuario no tiene permiso para la operación solicitada. Llame a soporte de Sovos.", "The user has no permission for the requested operation. Call Sovos support."},
		{18, ClassAccount, "El estado de la cuenta de usuario no permite la operación. Llame a soporte de Sovos.", "The user account's status does not allow the operation. Call Sovos support."},
		{19, ClassAccount, "El perfil asignado al usuario no está autorizado. Llame a soporte de Sovos.", "The user's profile is not authorised. Call Sovos support."},
		{20, ClassAccount, "El código de operación no existe. Llame a soporte de Sovos.", "The operation code does not exist. Call Sovos support."},
		{22, ClassFixRequest, "Los valores de la solicitud exceden los límites permitidos: revise sus longitudes.", "The request's values exceed the allowed limits: check their lengths."},
		{23, ClassAccount, "El perfil del usuario no existe o el usuario no está activo. Llame a soporte de Sovos.", "The user's profile does not exist or the user is not active. Call Sovos support."},
		{25, ClassAccount, "El código de perfil no es válido. Llame a soporte de Sovos.", "The profile code is not valid. Call Sovos support."},
		{26, ClassAccount, "El código de entidad no existe.", "The entity code does not exist."},
		{27, ClassAccount, "El código de entidad no tiene permiso para la operación. Llame a soporte de Sovos.", "The entity code has no permission for the operation. Call Sovos support."},
		{29, ClassFixRequest, "El tipo de digestión no es válido para la operación (use el algoritmo con que se pidió la constancia).", "The digest type is not valid for the operation (use the algorithm the constancy was requested with)."},
		{30, ClassRetryLater, "El certificado del PSC no se encontró o no está activo. Reintente más tarde.", "The PSC certificate was not found or is inactive. Retry later."},
		{31, ClassFixRequest, "El tipo de un dato enviado no es válido.", "The type of a value sent is invalid."},
		{32, ClassNotFound, "No existe una constancia con ese folio para esta institución.", "No constancy with that folio exists for this institution."},
	}
}

// All returns the whole table in code order.
func All() []Entry {
	e := entries()
	sort.Slice(e, func(i, j int) bool { return e[i].Estado < e[j].Estado })
	return e
}

// Lookup finds a code in the table.
func Lookup(e Estado) (Entry, bool) {
	for _, x := range entries() {
		if x.Estado == e {
			return x, true
		}
	}
	return Entry{}, false
}

// Class is what to do after the code; an unknown code is treated as the account's
// problem, so that nothing retries it blindly.
func (e Estado) Class() Class {
	if x, ok := Lookup(e); ok {
		return x.Class
	}
	return ClassAccount
}

// Message is the operator's sentence, in Spanish ("es", the default) or English ("en").
func (e Estado) Message(lang string) string {
	x, ok := Lookup(e)
	if !ok {
		if lang == "en" {
			return fmt.Sprintf("Unknown NOM-151 service code %d. Call Sovos support.", int(e))
		}
		return fmt.Sprintf("Código %d desconocido del servicio NOM-151. Llame a soporte de Sovos.", int(e))
	}
	if lang == "en" {
		return x.EN
	}
	return x.ES
}
