package capture

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"

	"cotejo/storage"
	"cotejo/verify/nom151"
	"cotejo/verify/nom151/standin"
)

// A receipt may be preserved under a NOM-151 constancy by the institution's
// preservation provider (a PSC). The kiosk records, per entry, what validating it later
// takes (the folio or the constancy file, and the digest of the receipt as preserved)
// and checks it with Sovos' validation service on an operator's request. The digest is
// the one recorded when the constancy was attached, not a fresh receipt's: a receipt
// rendered again is a different file (its seal and creation date differ), and the
// constancy covers the bytes that were preserved.

// Constancy is a receipt's NOM-151 constancy as the data file keeps it.
type Constancy = storage.Constancy

// MaxConstancyFile bounds a constancy file the data file keeps.
const MaxConstancyFile = storage.MaxConstancyFile

// ConstancyValidator is Sovos' validation service as the kiosk uses it
// (*nom151.Client).
type ConstancyValidator interface {
	Validate(ctx context.Context, r nom151.Request) (*nom151.Result, error)
}

// ReceiptDigest is the digest of a receipt file the way the constancy was requested:
// SHA-256, or SHA-512 when sha512 is set.
func ReceiptDigest(r io.Reader, sha512 bool) ([]byte, error) { return nom151.Digest(r, sha512) }

// ConstancyProblem is what went wrong attaching or validating a constancy, for the
// operator.
type ConstancyProblem int

const (
	ConstancyNotAnswered  ConstancyProblem = iota // the entry has no answer, so no receipt
	ConstancyNone                                 // no constancy recorded for the entry
	ConstancyNoService                            // no [nom151] section configured
	ConstancyUnreachable                          // the service did not answer (down, timed out)
	ConstancyRefused                              // the service answered an Estado other than 0
	ConstancyFault                                // the service refused the envelope (SOAP fault)
	ConstancyUnreadable                           // the answer could not be read
	ConstancyBadConstancy                         // the constancy cannot be sent as recorded
)

// ConstancyError is a refused attachment or a validation that got no verdict.
type ConstancyError struct {
	Problem ConstancyProblem
	Err     error
}

func (e *ConstancyError) Error() string {
	if e.Err == nil {
		return "capture: constancy: " + e.Message("en")
	}
	return "capture: constancy: " + e.Message("en") + ": " + e.Err.Error()
}

func (e *ConstancyError) Unwrap() error { return e.Err }

// Message is the operator's sentence in Spanish ("es") or English ("en").
func (e *ConstancyError) Message(lang string) string {
	var ee *nom151.EstadoError
	var fe *nom151.FaultError
	switch {
	case e.Problem == ConstancyRefused && errors.As(e.Err, &ee):
		return say(lang, "El servicio NOM-151 rechazó la validación: ", "The NOM-151 service refused the validation: ") +
			ee.Message(lang) + fmt.Sprintf(" (Estado %d)", int(ee.Estado))
	case e.Problem == ConstancyFault && errors.As(e.Err, &fe):
		return fe.Message(lang)
	}
	switch e.Problem {
	case ConstancyNotAnswered:
		return say(lang, "Esta verificación aún no tiene respuesta del INE, así que no tiene comprobante que amparar.",
			"This verification has no answer from INE yet, so it has no receipt to preserve.")
	case ConstancyNone:
		return say(lang, "Esta verificación no tiene constancia NOM-151 registrada.", "This verification has no NOM-151 constancy recorded.")
	case ConstancyNoService:
		return say(lang, "El servicio de validación NOM-151 no está configurado (sección [nom151]). Avise al administrador.",
			"The NOM-151 validation service is not configured ([nom151] section). Tell the administrator.")
	case ConstancyUnreachable:
		return say(lang, "El servicio NOM-151 no respondió (sin conexión o fuera de tiempo). Intente más tarde; la constancia sigue registrada.",
			"The NOM-151 service did not answer (no connection or timed out). Try later; the constancy is still recorded.")
	case ConstancyUnreadable:
		return say(lang, "La respuesta del servicio NOM-151 no se pudo leer. Llame a soporte.",
			"The NOM-151 service's answer could not be read. Call support.")
	case ConstancyBadConstancy:
		return say(lang, "La constancia no se puede registrar así: ", "The constancy cannot be recorded this way: ") + errText(e.Err)
	}
	return say(lang, "Error con la constancia NOM-151.", "NOM-151 constancy error.")
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return strings.TrimPrefix(err.Error(), "storage: constancy refused: ")
}

func say(lang, es, en string) string {
	if lang == "en" {
		return en
	}
	return es
}

// AttachConstancy records the constancy of an answered entry's receipt (by id or
// indice): what the institution's preservation provider returned for it, or what an
// operator attaches. A second one replaces the first. The name on the evidence sheet
// defaults to the receipt's file name, which holds no personal data.
func (k *Kiosk) AttachConstancy(ctx context.Context, ref, operator string, c Constancy) (Entry, error) {
	e, err := k.DB.Get(ref)
	if err != nil {
		return Entry{}, err
	}
	if e.Answers == 0 {
		return Entry{}, &ConstancyError{Problem: ConstancyNotAnswered}
	}
	if c.Name == "" {
		c.Name = ReceiptName(e.Indice)
	}
	c.Name = filepath.Base(c.Name)
	if c.Source == "" {
		c.Source = operator
	}
	if len(c.Name) > 200 { // nombreArchivoOriginal is String (200)
		return Entry{}, &ConstancyError{Problem: ConstancyBadConstancy, Err: errors.New("the document's name is over 200 characters")}
	}
	e, err = k.DB.PutConstancy(ctx, e.ID, operator, c)
	if errors.Is(err, storage.ErrBadConstancy) {
		return Entry{}, &ConstancyError{Problem: ConstancyBadConstancy, Err: err}
	}
	return e, err
}

// Preserver is the institution's preservation provider: it preserves a document's
// digest under a NOM-151 constancy and returns what validating it later takes.
type Preserver interface {
	Preserve(ctx context.Context, name string, digest []byte) (Constancy, error)
}

// PreserveReceipt has the preservation provider preserve a saved receipt, its bytes
// as written, and records the constancy it returns with the entry.
func (k *Kiosk) PreserveReceipt(ctx context.Context, e Entry, receipt []byte, operator string) (Entry, error) {
	if k.Preserver == nil {
		return e, errors.New("capture: no preservation provider")
	}
	digest, err := ReceiptDigest(bytes.NewReader(receipt), false)
	if err != nil {
		return e, err
	}
	c, err := k.Preserver.Preserve(ctx, ReceiptName(e.Indice), digest)
	if err != nil {
		return e, fmt.Errorf("capture: preserving the receipt (conservando el comprobante): %w", err)
	}
	return k.AttachConstancy(ctx, e.ID, operator, c)
}

// ConstancyOf is the constancy recorded for an entry; a *ConstancyError
// (ConstancyNone) when there is none.
func (k *Kiosk) ConstancyOf(e Entry) (Constancy, error) {
	c, err := k.DB.ConstancyOf(e.Indice)
	if errors.Is(err, storage.ErrNoConstancy) {
		return c, &ConstancyError{Problem: ConstancyNone, Err: err}
	}
	return c, err
}

// ConstancyCheck is the service's verdict on an entry's constancy.
type ConstancyCheck struct {
	Indice string
	Result *nom151.Result
}

// Passed says the receipt is the one the constancy covers, its seal is intact and the
// PSC issued it.
func (c *ConstancyCheck) Passed() bool { return c.Result.Passed() }

// Verdict is the check in one sentence, in Spanish ("es") or English ("en").
func (c *ConstancyCheck) Verdict(lang string) string {
	if c.Passed() {
		return say(lang, "Constancia válida: el comprobante es el que la constancia ampara.",
			"Valid constancy: the receipt is the one the constancy covers.")
	}
	return say(lang, "Constancia NO válida: el comprobante no se puede acreditar con ella.",
		"Constancy NOT valid: the receipt cannot be proven by it.")
}

// Findings are the service's three checks in words, each with whether it held.
func (c *ConstancyCheck) Findings(lang string) []Finding {
	r := c.Result
	return []Finding{
		{r.ValidaRelacion, say(lang, "La huella del comprobante coincide con la de la constancia", "The receipt's digest matches the constancy's"),
			say(lang, "La huella del comprobante NO coincide con la de la constancia: la constancia es de otro documento", "The receipt's digest does NOT match the constancy's: the constancy is for another document")},
		{r.ValidaSello, say(lang, "El sello de la constancia está íntegro", "The constancy's seal is intact"),
			say(lang, "El sello de la constancia NO está íntegro: fue alterada", "The constancy's seal is NOT intact: it was altered")},
		{r.ValidaPSC, say(lang, "La emitió el PSC (Sovos)", "Issued by the PSC (Sovos)"),
			say(lang, "NO la emitió el PSC (Sovos)", "NOT issued by the PSC (Sovos)")},
	}
}

// Finding is one of the service's checks.
type Finding struct {
	OK       bool
	Yes, Not string // the sentence when it held, and when it did not
}

// Text is the finding's sentence.
func (f Finding) Text() string {
	if f.OK {
		return f.Yes
	}
	return f.Not
}

// EvidenceName is the file the evidence sheet is saved as: the receipt's name and the
// folio (digits only).
func (c *ConstancyCheck) EvidenceName() string {
	return filepath.Base(nom151.EvidencePath(ReceiptName(c.Indice), "", c.Result.ConstanciaSerie))
}

// ValidateConstancy checks an entry's recorded constancy with Sovos' validation
// service: by folio (validaFolioNOM151) or by the constancy file (validaNOM151), with
// the digest recorded. The outcome, or the failure's kind, goes to the audit trail
// with the entry's indice; nothing of the constancy or the citizen. A verdict, valid
// or not, is a *ConstancyCheck; no verdict is a *ConstancyError.
func (k *Kiosk) ValidateConstancy(ctx context.Context, e Entry, operator string) (*ConstancyCheck, error) {
	check, err := k.validateConstancy(ctx, e)
	outcome := "valida"
	var ce *ConstancyError
	switch {
	case errors.As(err, &ce):
		outcome = constancyOutcome(ce)
	case err != nil:
		outcome = "error"
	case !check.Passed():
		r := check.Result
		outcome = fmt.Sprintf("no valida: relacion=%t sello=%t psc=%t", r.ValidaRelacion, r.ValidaSello, r.ValidaPSC)
	}
	if aerr := k.auditf(operator, "nom151.validate", e.Indice, outcome); aerr != nil && err == nil {
		return nil, aerr // a check that could not be recorded is not reported as done
	}
	return check, err
}

func constancyOutcome(ce *ConstancyError) string {
	var ee *nom151.EstadoError
	if errors.As(ce.Err, &ee) {
		return fmt.Sprintf("estado %d", int(ee.Estado))
	}
	return map[ConstancyProblem]string{
		ConstancyNotAnswered: "sin respuesta", ConstancyNone: "sin constancia", ConstancyNoService: "sin servicio",
		ConstancyUnreachable: "sin conexion", ConstancyFault: "falla soap", ConstancyUnreadable: "respuesta ilegible",
		ConstancyBadConstancy: "constancia invalida",
	}[ce.Problem]
}

func (k *Kiosk) validateConstancy(ctx context.Context, e Entry) (*ConstancyCheck, error) {
	if k.NOM151 == nil {
		return nil, &ConstancyError{Problem: ConstancyNoService}
	}
	c, err := k.ConstancyOf(e)
	if err != nil {
		return nil, err
	}
	req := nom151.Request{Name: c.Name, Digest: c.Digest, Folio: c.Folio}
	if len(c.File) > 0 {
		req.Constancy = c.File
	}
	res, err := k.NOM151.Validate(ctx, req)
	if err != nil {
		return nil, classifyNOM151(err)
	}
	return &ConstancyCheck{Indice: e.Indice, Result: res}, nil
}

// classifyNOM151 sorts the client's errors into what the operator is told.
func classifyNOM151(err error) error {
	var (
		ee *nom151.EstadoError
		fe *nom151.FaultError
		pe *nom151.ParseError
		he *nom151.HTTPError
		ne net.Error
	)
	switch {
	case errors.As(err, &ee):
		return &ConstancyError{Problem: ConstancyRefused, Err: err}
	case errors.As(err, &fe):
		return &ConstancyError{Problem: ConstancyFault, Err: err}
	case errors.As(err, &pe), errors.As(err, &he), errors.Is(err, nom151.ErrTooLarge):
		return &ConstancyError{Problem: ConstancyUnreadable, Err: err}
	case errors.Is(err, context.Canceled):
		return err
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne):
		return &ConstancyError{Problem: ConstancyUnreachable, Err: err}
	}
	// TLS and other transport failures: the operator's remedy is the same.
	return &ConstancyError{Problem: ConstancyUnreachable, Err: err}
}

// openNOM151 makes the validation client of the [nom151] section, when it has one and
// the demonstration has not put its stand-in there already. The password may come
// from $COTEJO_NOM151_CLAVE instead of the file, as for `cotejo evidence nom151`.
func (a *App) openNOM151() error {
	if r := a.nom151Demo; r != nil {
		a.NOM151, a.Preserver = r.Client(), demoPreserver{r}
		return nil
	}
	st := a.Config.NOM151
	if st == (nom151.Settings{}) {
		return nil
	}
	st.CACert = a.Config.path(st.CACert)
	if clave := os.Getenv("COTEJO_NOM151_CLAVE"); clave != "" {
		st.Clave = clave
	}
	c, err := st.Client()
	if err != nil {
		return fmt.Errorf("configuration [nom151]: %w", err)
	}
	a.NOM151 = c
	return nil
}

// StandInPreserver is the demonstration's preservation provider: the NOM-151
// stand-in's own PSC issues the constancy, which the stand-in then validates by folio.
func StandInPreserver(r *standin.Running) Preserver { return demoPreserver{r} }

type demoPreserver struct{ r *standin.Running }

func (p demoPreserver) Preserve(_ context.Context, name string, digest []byte) (Constancy, error) {
	folio, _, err := p.r.Issue(p.r.Account.Entidad, digest)
	if err != nil {
		return Constancy{}, err
	}
	return Constancy{Folio: folio, Digest: digest, Name: name, Source: standin.SovosName}, nil
}

// startNOM151Demo runs Sovos' stand-in in the process for the demonstration, as
// Tu Identidad's: saved receipts get a constancy, and the history validates it.
func (a *App) startNOM151Demo(o Options) error {
	o.Progress("Iniciando el simulador NOM-151…", "Starting the NOM-151 stand-in…")
	r, err := standin.Start(standin.Config{Logger: slog.New(slog.NewTextHandler(o.Log, &slog.HandlerOptions{Level: slog.LevelWarn}))},
		standin.Account{Entidad: "DEMO", Usuario: "demo", Clave: "demo1234"})
	if err != nil {
		return fmt.Errorf("capture: the NOM-151 stand-in: %w", err)
	}
	a.closers = append(a.closers, r.Close)
	a.nom151Demo = r
	return nil
}
