package capture

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"cotejo/capture/docscan"
	"cotejo/capture/location"
	"cotejo/capture/outbox"
	"cotejo/capture/receipt"
	"cotejo/capture/signin"
	"cotejo/ocr"
	"cotejo/scanner"
	"cotejo/scanner/usb"
	"cotejo/storage"
	"cotejo/verify"
	"cotejo/verify/credential"
	"cotejo/verify/sello"
)

// Kiosk is every service a verification uses, wired once by Open: the window's screens
// and the terminal's commands talk to this, not to the packages behind it.
type Kiosk struct {
	OCR       *ocr.Reader // nil: credentials are typed, not read
	Scanner   ScannerSettings
	Sealer    Sealer
	Client    *verify.Client
	DB        *storage.DB
	Threshold float64 // the institution's fingerprint similarity threshold, %
	Branch    Place
	Operators *signin.Book
	// ScanOptions are extra SANE options for the document scanner, if it needs any.
	ScanOptions []string
	// Position, when set, gives the GPS position (or an error when there is no fix);
	// the branch's place fills what it lacks.
	Position func(ctx context.Context) (lat, lon float64, err error)
	// GPS, when the position comes from a receiver, is watched for the home screen.
	GPS location.Watcher
	// NOM151 validates receipts' NOM-151 constancies ([nom151]); nil: not configured.
	NOM151 ConstancyValidator
	// Preserver preserves saved receipts under NOM-151 constancies (the demonstration's
	// stand-in PSC); nil: constancies are attached by hand (`cotejo evidence attach`).
	Preserver Preserver
}

// ErrNoService is what INE's features answer when the configuration has no [service]
// section: the kiosk then opens for Tu Identidad and remote verification alone.
var ErrNoService error = noServiceError{}

type noServiceError struct{}

func (noServiceError) Error() string {
	return "capture: INE's service is not configured (no [service] section)"
}

// Message says it in the operator's words.
func (noServiceError) Message(lang string) string {
	if lang == "en" {
		return "INE's service is not configured on this kiosk: verifications with INE (and their queue) are not available. Tu Identidad's lista nominal check and remote verification still work, if configured."
	}
	return "El servicio del INE no está configurado en este equipo: las verificaciones con el INE (y su cola) no están disponibles. La consulta de la lista nominal por Tu Identidad y la verificación remota sí funcionan, si están configuradas."
}

// HasService reports whether INE's service is configured: requests can be sealed and
// sent (or queued).
func (k *Kiosk) HasService() bool { return k.Sealer != nil && k.Client != nil }

// sender makes the outbox's sender for the kiosk's store and client.
func (k *Kiosk) sender(events func(outbox.Event)) *outbox.Sender {
	return &outbox.Sender{DB: k.DB, Client: k.Client, Events: events}
}

// SenderStatus is the queue's sender's state, for the home screen: Message(lang) says it
// in the operator's words.
type SenderStatus = outbox.Status

// SenderFailing is the state of a sender whose passes fail (it retries by itself).
const SenderFailing = outbox.SenderFailing

// SendQueued delivers, until ctx ends, what was queued while INE was unreachable,
// calling answered with each entry INE answers (on the sender's goroutine: the window
// says so on whatever screen is shown) and status each time the sender's state changes. The sender is supervised: a failed pass
// (the data file unwritable, say) is retried after a pause, never the end of sending.
func (k *Kiosk) SendQueued(ctx context.Context, answered func(Entry), status func(SenderStatus)) {
	if k.DB == nil || k.Client == nil {
		return
	}
	s := k.sender(func(ev outbox.Event) {
		if ev.Kind == outbox.EventAnswered && answered != nil {
			answered(ev.Entry)
		}
	})
	s.OnStatus = status
	s.Run(ctx)
}

// Operator is who signed in, as the screens need them.
type Operator struct {
	ID, Name string
	// Supervisor may change the settings and sees every operator's verifications.
	Supervisor bool
}

// SignInError is a refused sign-in, in the operator's words: a wrong PIN with the
// tries left before the lockout, or the lockout itself.
type SignInError struct {
	err  error
	left int
	at   time.Time
}

func (e *SignInError) Error() string { return e.err.Error() }
func (e *SignInError) Unwrap() error { return e.err }

// Message is the sentence for the operator.
func (e *SignInError) Message(lang string) string {
	var locked *signin.LockedError
	switch {
	case errors.As(e.err, &locked):
		return locked.Message(lang, e.at)
	}
	return triesLeft(e.left, lang)
}

// SignIn checks an operator's PIN (argon2id: tens of milliseconds). A refusal is a
// *SignInError. Every try is in the audit trail, and so is each lock.
func (k *Kiosk) SignIn(id, pin string) (Operator, error) {
	if k.Operators == nil {
		return Operator{}, errors.New("capture: no operators are configured ([[operator]])")
	}
	who := id
	if len(who) > storage.MaxSignInID {
		who = who[:storage.MaxSignInID]
	}
	op, err := k.Operators.SignIn(id, pin)
	if err != nil {
		var locked *signin.LockedError
		switch {
		case errors.As(err, &locked) && locked.Fresh:
			k.auditf(who, "signin.locked", "", "hasta "+locked.Until.UTC().Format(time.RFC3339))
		case errors.As(err, &locked):
			k.auditf(who, "signin.refused", "", "bloqueado")
		case errors.Is(err, signin.ErrWrongPIN):
			k.auditf(who, "signin.failed", "", "PIN incorrecto")
		default:
			return Operator{}, err // the record could not be read or kept: not a refusal
		}
		return Operator{}, &SignInError{err: err, left: k.Operators.Remaining(id), at: time.Now()}
	}
	if err := k.auditf(op.ID, "signin.ok", "", ""); err != nil {
		return Operator{}, err
	}
	return Operator{ID: op.ID, Name: op.Name, Supervisor: op.Role == signin.RoleSupervisor}, nil
}

// Unlock lifts an operator's lock (and wrong PINs) on a supervisor's word, recorded in
// the audit trail. The supervisor's role is checked against the configuration.
func (k *Kiosk) Unlock(supervisor Operator, id string) error {
	if k.Operators == nil {
		return errors.New("capture: no operators are configured ([[operator]])")
	}
	if conf, ok := k.Operators.Lookup(supervisor.ID); !ok || conf.Role != signin.RoleSupervisor {
		k.auditf(supervisor.ID, "signin.unlock-refused", id, "not a supervisor")
		return &SettingsError{Kind: SettingsNotSupervisor}
	}
	if err := k.Operators.Unlock(id); err != nil {
		return err
	}
	return k.auditf(supervisor.ID, "signin.unlock", id, "")
}

// attemptStore keeps sign-in attempts in the data file.
type attemptStore struct{ db *storage.DB }

func (s attemptStore) LoadAttempts(id string) (signin.Attempts, error) {
	var a signin.Attempts
	raw, err := s.db.SignInRecord(id)
	if err != nil || raw == nil {
		return a, err
	}
	return a, json.Unmarshal(raw, &a)
}

func (s attemptStore) SaveAttempts(id string, a signin.Attempts) error {
	if a == (signin.Attempts{}) {
		return s.db.PutSignInRecord(id, nil)
	}
	raw, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return s.db.PutSignInRecord(id, raw)
}

// ReadCredential reads the credential in photos of its sides.
func (k *Kiosk) ReadCredential(ctx context.Context, sides []image.Image, progress func(ocr.Progress)) (*ocr.Result, error) {
	if k.OCR == nil {
		return nil, errors.New("capture: credential reading is not available here")
	}
	return k.OCR.Read(ctx, sides, progress)
}

// DecodePhoto decodes a photo of the credential (PNG or JPEG), its size read from its
// header and capped before the pixels are decoded.
func DecodePhoto(r io.Reader) (image.Image, error) { return ocr.DecodePhoto(r) }

// FieldLabel is a credential field's name for the operator.
func FieldLabel(field, lang string) string { return credential.Label(field, lang) }

// CheckField validates one field's value as typed, for marks beside the inputs; nil when
// it looks right.
func CheckField(field, value string) error { return credential.ValidateField(field, value) }

// OpenScanner opens the configured fingerprint reader.
func (k *Kiosk) OpenScanner(ctx context.Context) (scanner.Device, error) { return k.Scanner.Open(ctx) }

// Here is where the verification is made: the GPS position when there is a fix, and the
// branch's place for what it lacks. source says which ("gps" or "branch").
func (k *Kiosk) Here(ctx context.Context) (u verify.Ubicacion, source string, err error) {
	u = k.Branch.Ubicacion()
	source = "branch"
	if k.Position != nil {
		if lat, lon, perr := k.Position(ctx); perr == nil {
			u.PosicionSatelital = &verify.PosicionSatelital{Latitud: lat, Longitud: lon}
			source = "gps"
		}
	}
	if u.PosicionSatelital == nil && u.Localidad == nil {
		return u, source, errors.New("capture: no location: configure the branch's place ([branch]) or a GPS")
	}
	return u, source, nil
}

// Answer opens an entry's stored answer, checking INE's signature again.
func (k *Kiosk) Answer(e storage.Entry) (*verify.Result, error) {
	res, _, err := k.answer(e)
	return res, err
}

// answer is Answer, with INE's signed answer as stored.
func (k *Kiosk) answer(e storage.Entry) (*verify.Result, []byte, error) {
	raw, err := k.DB.Answer(e.Indice)
	if err != nil {
		return nil, nil, err
	}
	if k.Client == nil {
		return nil, nil, ErrNoService
	}
	res, err := verify.OpenResponse(raw, k.Client.INECert, e.Indice)
	if err != nil {
		return nil, nil, err
	}
	// The answer alone cannot tell that fingers were sent: the entry can.
	res.FingersSent = e.FingersSent
	return res, raw, nil
}

// Reachable reports whether INE's host accepts connections: a quick TCP dial, for the
// home screen's connectivity mark (the outbox does the real work either way).
func (k *Kiosk) Reachable(ctx context.Context) bool {
	if k.Client == nil {
		return false
	}
	u, err := url.Parse(k.Client.URL)
	if err != nil {
		return false
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "443")
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", host)
	if err != nil {
		return false
	}
	conn.Close()
	return true
}

// Pending lists the entries still to be answered.
func (k *Kiosk) Pending() ([]storage.Entry, error) {
	return k.DB.List(storage.StatePending, storage.StateSending, storage.StateFailed)
}

// History finds past verifications by day, operator or a citizen's CURP or CIC.
func (k *Kiosk) History(ctx context.Context, q storage.Query) ([]storage.Entry, error) {
	return k.DB.Find(ctx, q)
}

// CitizenName is the name recorded with an entry, for the history screen.
func (k *Kiosk) CitizenName(e storage.Entry) string {
	c, err := k.DB.CitizenOf(e.Indice)
	if err != nil {
		return "—"
	}
	return c.Nombre
}

// Submit sends the session's request at once, or queues it when INE is unreachable.
func (k *Kiosk) Submit(ctx context.Context, s *Session) (storage.Entry, error) {
	return k.submit(ctx, s, true)
}

// Enqueue queues the session's request without trying to send it now.
func (k *Kiosk) Enqueue(ctx context.Context, s *Session) (storage.Entry, error) {
	return k.submit(ctx, s, false)
}

func (k *Kiosk) submit(ctx context.Context, s *Session, sendNow bool) (storage.Entry, error) {
	if k.DB == nil {
		return storage.Entry{}, fmt.Errorf("capture: the data file is not open")
	}
	if !k.HasService() {
		return storage.Entry{}, ErrNoService
	}
	return s.Submit(ctx, k.Sealer, k.sender(nil), sendNow)
}

// Names the screens use for the services' types, so that the GUI depends on capture
// alone.
type (
	Reading      = ocr.Result
	ReadProgress = ocr.Progress
	Result       = verify.Result
	Entry        = storage.Entry
	Query        = storage.Query
	Verdict      = verify.Verdict
)

// FoundByLayout is how a field read at its model's usual place was found; FoundWord
// says how any other was, for the operator.
const FoundByLayout = ocr.ByLayout

// FoundWord says how a read field's place was found, in the operator's language.
func FoundWord(by, lang string) string { return ocr.FoundWord(by, lang) }

// ReviewConfidence is the confidence under which a read field is shown for checking.
const ReviewConfidence = ocr.Review

// Verdicts.
const (
	VerdictValid      = verify.VerdictValid
	VerdictInvalid    = verify.VerdictInvalid
	VerdictIncomplete = verify.VerdictIncomplete
)

// FieldNames are the credential's fields in the order the operator checks them.
func FieldNames() []string { return credential.FieldNames() }

// Drain sends everything pending now, whatever its schedule; settled, when set, is
// told of each entry that leaves the queue or is put back in it (not of mere sends).
func (k *Kiosk) Drain(ctx context.Context, settled func(storage.Entry)) (int, error) {
	if k.Client == nil {
		return 0, ErrNoService
	}
	s := k.sender(func(ev outbox.Event) {
		if ev.Kind != outbox.EventSent && settled != nil {
			settled(ev.Entry)
		}
	})
	s.Force = true
	return s.Drain(ctx)
}

// Retry puts a failed entry back in the queue.
func (k *Kiosk) Retry(id, operator string) (storage.Entry, error) { return k.DB.Retry(id, operator) }

// NewCredential builds a credential from the form's fields, by the plaintext's names.
func NewCredential(model string, fields map[string]string) credential.Credential {
	return credential.FromFields(credential.Model(model), fields)
}

// ProblemMessage is an error's sentence for the operator when the error carries one
// (a field, a scanner, a read), else its text.
func ProblemMessage(err error, lang string) string {
	var m interface{ Message(string) string }
	if errors.As(err, &m) {
		return m.Message(lang)
	}
	var ce *verify.ClockError
	if errors.As(err, &ce) {
		return ClockMessage(ce, lang)
	}
	for _, e := range []error{scanner.ErrUnplugged, scanner.ErrBusy, scanner.ErrClosed} {
		if errors.Is(err, e) {
			return scanner.Message(err, lang)
		}
	}
	return err.Error()
}

// ClockMessage says a clock set back in the operator's words: the request was not
// made, and the computer's date and time must be put right first.
func ClockMessage(e *verify.ClockError, lang string) string {
	now, last := e.Now.Local().Format("2006-01-02 15:04"), e.Last.Local().Format("2006-01-02 15:04")
	if lang == "en" {
		return fmt.Sprintf("The computer's clock says %s, before the last verification (%s): the clock was set back. Set the date and time right and try again; nothing was sent.", now, last)
	}
	return fmt.Sprintf("El reloj del equipo marca %s, antes de la última verificación (%s): se atrasó. Corrija la fecha y hora e intente de nuevo; no se envió nada.", now, last)
}

// Receipt renders an answered entry's receipt for the citizen as a PDF: the verdict and
// marks, never the fingerprints, and the CURP and CIC masked. Every receipt is sealed
// with the institution's signing key (docs/cadena-original.md): the seal is printed, as
// text and as a QR code, and kept in the PDF's metadata for `cotejo evidence verify`.
func (k *Kiosk) Receipt(w io.Writer, e storage.Entry, lang, institution, operator string) error {
	return k.ReceiptContext(context.Background(), w, e, lang, institution, operator)
}

// ReceiptContext is Receipt with a context for the seal's signature (an HSM's call).
func (k *Kiosk) ReceiptContext(ctx context.Context, w io.Writer, e storage.Entry, lang, institution, operator string) error {
	signer, err := k.signer()
	if err != nil {
		return err
	}
	res, raw, err := k.answer(e)
	if err != nil {
		return err
	}
	c, err := k.DB.CitizenOf(e.Indice)
	if err != nil {
		return err
	}
	at := e.Answered
	if at.IsZero() {
		at = e.Created
	}
	r := receipt.Receipt{Lang: lang, Institution: institution, Operator: operator, Indice: e.Indice, At: at,
		Verdict: res.VerdictLabel(lang, k.Threshold), Good: res.Verdict(k.Threshold) == verify.VerdictValid,
		Citizen: c.Nombre, CURP: c.CURP, CIC: c.CIC}
	if res.Situation != "" {
		r.Situation = res.Situation.Message(lang)
	}
	for _, f := range res.Fields {
		r.Fields = append(r.Fields, receipt.Field{Label: FieldLabel(f.Field, lang), Mark: f.Comparison.String()})
	}
	if res.HasFingers {
		for _, finger := range []int{2, 7} {
			r.Fingers = append(r.Fingers, receipt.Finger{Label: FingerLabel(finger, lang), Similarity: res.Similarity(finger), Threshold: k.Threshold})
		}
	}
	for _, code := range res.Codes() {
		word := "Código"
		if lang == "en" {
			word = "Code"
		}
		r.Codes = append(r.Codes, fmt.Sprintf("%s %d: %s", word, int(code), strings.TrimSpace(code.Message(lang))))
	}
	ev := k.evidence(e, res, c, raw, at, institution, operator)
	if r.Seal, err = SealReceipt(ctx, signer, ev); err != nil {
		return fmt.Errorf("capture: sealing the receipt (sellando el comprobante): %w", err)
	}
	return receipt.Write(w, r, receipt.Options{})
}

// ErrNoSigner is a kiosk without the institution's signing key, which seals receipts.
var ErrNoSigner = errors.New("capture: no signing key to seal the receipt (no hay llave de firma para sellar el comprobante)")

// signer is the institution's signing key: the one that signs the requests to INE, a
// PEM key or the HSM's.
func (k *Kiosk) signer() (verify.Signer, error) {
	if s, ok := k.Sealer.(*verify.Sealer); ok && s.Signer != nil {
		return s.Signer, nil
	}
	return nil, ErrNoSigner
}

// evidence is what a receipt seals of an answered entry: no more personal data than
// the receipt prints, and the digest of INE's signed answer, raw.
func (k *Kiosk) evidence(e storage.Entry, res *verify.Result, c storage.Citizen, raw []byte, at time.Time, institution, operator string) sello.Evidence {
	// Sealed in Spanish whatever the receipt's language: the cadena is the record, and
	// an auditor recomputing it must get the same bytes.
	answer := res.VerdictLabel("es", k.Threshold)
	if codes := res.Codes(); len(codes) > 0 {
		nums := make([]string, len(codes))
		for i, code := range codes {
			nums[i] = strconv.Itoa(int(code))
		}
		answer += "; códigos " + strings.Join(nums, ", ")
	}
	cic := c.CIC
	if cic == "" {
		cic = c.OCR
	}
	ev := sello.Evidence{Indice: e.Indice, At: at, Operator: orNoRecord(operator, e.Operator), Branch: orNoRecord(institution),
		CURP: receipt.MaskCURP(c.CURP), CIC: receipt.MaskCIC(cic),
		ConsentVersion: e.ConsentNotice, ConsentAt: e.ConsentAt,
		Answer: answer, AnswerSHA256: sha256.Sum256(raw)}
	if e.ConsentNotice == "" || e.ConsentAt.IsZero() {
		// An entry stored before consents were kept with it: the consent is in the
		// audit trail only, and the seal says there is no record here.
		ev.ConsentVersion, ev.ConsentAt = sello.NoRecord, time.Time{}
	}
	return ev
}

// orNoRecord is the first of values that is not blank, else sello.NoRecord.
func orNoRecord(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return sello.NoRecord
}

// DocumentScanners lists the document scanners SANE finds (none when SANE is absent).
func (k *Kiosk) DocumentScanners(ctx context.Context) []docscan.Scanner {
	list, _ := docscan.List(ctx)
	return list
}

// ScanDocument takes one side of the credential from a document scanner.
func (k *Kiosk) ScanDocument(ctx context.Context, device string) (image.Image, error) {
	return docscan.Scan(ctx, device, docscan.Options{Extra: k.ScanOptions})
}

// WatchReaders reports, until ctx ends, whether a supported USB reader is plugged in:
// at once, then at each change (polled every interval).
func WatchReaders(ctx context.Context, interval time.Duration) <-chan string {
	out := make(chan string, 1)
	go func() {
		defer close(out)
		present := map[string]string{}
		for ch := range usb.Watch(ctx, interval) {
			if ch.Err != nil {
				continue
			}
			key := fmt.Sprintf("%d/%d", ch.Bus, ch.Address)
			if ch.Plugged {
				present[key] = ch.Model.String()
			} else {
				delete(present, key)
			}
			name := ""
			for _, n := range present {
				name = n
			}
			select {
			case out <- name:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
