package remoteid

import (
	"errors"
	"fmt"
	"time"
)

// ResError is a call the provider answered with a code other than 1.
type ResError struct {
	Op     string // the path called
	Res    Res
	Detail string // the provider's Error text, with -3
}

func (e *ResError) Error() string {
	s := fmt.Sprintf("remoteid: %s: Res %d: %s", e.Op, int(e.Res), e.Res.Message("en"))
	if e.Detail != "" {
		s += " (" + clip([]byte(e.Detail)) + ")"
	}
	return s
}

// Message is the error for an operator, in "es" or "en".
func (e *ResError) Message(lang string) string { return e.Res.Message(lang) }

// RepeatError is a call refused by the client itself: the same call was answered
// with a negative Res, and sending it again unchanged is what the provider counts as
// spam.
type RepeatError struct {
	Op  string
	Res Res
}

func (e *RepeatError) Error() string {
	return fmt.Sprintf("remoteid: %s: not sent: the same call was refused with Res %d; change something first", e.Op, int(e.Res))
}

// Message is the error for an operator, in "es" or "en".
func (e *RepeatError) Message(lang string) string {
	return words{
		"No se envió: la misma solicitud ya fue rechazada (" + e.Res.Message("es") + ") Corrija algo antes de reenviar.",
		"Not sent: the same request was already refused (" + e.Res.Message("en") + ") Change something before sending again.",
	}.in(lang)
}

// PauseError is a call refused by the client while it waits after transport failures.
type PauseError struct{ Until time.Time }

func (e *PauseError) Error() string {
	return fmt.Sprintf("remoteid: not sent: waiting after a connection failure until %s", e.Until.Format(time.RFC3339))
}

// Message is the error for an operator, in "es" or "en".
func (e *PauseError) Message(lang string) string {
	t := e.Until.Format("15:04:05")
	return words{"No se envió: falló la conexión con el proveedor; espere hasta las " + t + ".",
		"Not sent: the connection to the provider failed; wait until " + t + "."}.in(lang)
}

// HTTPError is a reply with a status other than 2xx: the API puts its outcome in Res,
// so any other status is a transport failure.
type HTTPError struct {
	Op     string
	Status int
}

func (e *HTTPError) Error() string { return fmt.Sprintf("remoteid: %s: HTTP %d", e.Op, e.Status) }

// Problem is what is wrong with a request before it is sent.
type Problem int

// The problems an InputError names.
const (
	ProblemPhone Problem = iota + 1
	ProblemNoLink
	ProblemSenderLong
	ProblemDocument
	ProblemTime
	ProblemNoID
)

var problemWords = map[Problem]words{
	ProblemPhone:      {"El teléfono no es un celular válido (10 dígitos, o 52 y 10 dígitos).", "The phone is not a valid mobile (10 digits, or 52 and 10 digits)."},
	ProblemNoLink:     {"El mensaje debe incluir [LINK], que el proveedor cambia por el enlace.", "The message must include [LINK], which the provider replaces with the link."},
	ProblemSenderLong: {"El remitente admite como máximo 11 caracteres.", "The sender takes at most 11 characters."},
	ProblemDocument:   {"El número de documento debe ser la CURP o la clave de elector (18 letras y números).", "The document number must be the CURP or the clave de elector (18 letters and digits)."},
	ProblemTime:       {"La fecha debe escribirse AAAA-MM-DD HH:MM.", "The date must be written YYYY-MM-DD HH:MM."},
	ProblemNoID:       {"Falta el identificador de la solicitud.", "The request identifier is missing."},
}

// InputError is a request the client refuses to send.
type InputError struct {
	Field   string // the API's parameter
	Problem Problem
}

func (e *InputError) Error() string {
	return fmt.Sprintf("remoteid: %s: %s", e.Field, e.Message("en"))
}

// Message is the error for an operator, in "es" or "en".
func (e *InputError) Message(lang string) string { return problemWords[e.Problem].in(lang) }

// Message is any error of this package for an operator, in "es" or "en".
func Message(err error, lang string) string {
	var m interface{ Message(string) string }
	if errors.As(err, &m) {
		return m.Message(lang)
	}
	var he *HTTPError
	if errors.As(err, &he) || errors.Is(err, ErrMalformed) {
		return words{"El proveedor respondió algo inesperado; se reintentará más tarde.", "The provider answered something unexpected; it will be retried later."}.in(lang)
	}
	return words{"No se pudo comunicar con el proveedor de verificación remota.", "Could not reach the remote verification provider."}.in(lang)
}
