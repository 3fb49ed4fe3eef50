package capture

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"cotejo/assets"
	"cotejo/storage"
	"cotejo/verify"
	"cotejo/verify/credential"
)

// Stage is where a verification session stands. The operator moves forward only when the
// stage's data are complete and valid, may go back without losing anything, and may
// cancel at any point, which wipes the citizen's data from memory.
type Stage int

const (
	StageCredential Stage = iota // the credential's fields, read or typed
	StageFingers                 // both index fingers, or a reason to go without
	StageConsent                 // the privacy notice accepted; the location
	StageReview                  // everything shown once more before sending
	StageResult                  // sent (answered) or queued
	StageCancelled
)

func (s Stage) String() string {
	return [...]string{"credential", "fingers", "consent", "review", "result", "cancelled"}[s]
}

// Consent is the citizen's acceptance of a version of the privacy notice.
type Consent struct {
	Notice   string // notice version
	At       time.Time
	Operator string
}

// StageError is a step that cannot be left yet, with the reason in the operator's words.
type StageError struct {
	Stage Stage
	es    string
	en    string
}

func (e *StageError) Error() string { return "capture: " + e.Stage.String() + ": " + e.en }

// Message is the sentence for the operator.
func (e *StageError) Message(lang string) string {
	if lang == "en" {
		return e.en
	}
	return e.es
}

// Sealer builds the encrypted, signed request (verify.Sealer).
type Sealer interface {
	Seal(ctx context.Context, v verify.Verification) (*verify.Sealed, error)
}

// Submitter stores a request durably and sends it when it can (outbox.Sender).
type Submitter interface {
	Submit(ctx context.Context, r storage.Request, sendNow bool) (storage.Entry, error)
}

// Session is one verification as the operator builds it. It is not safe for concurrent
// use: the GUI's controller owns it.
type Session struct {
	operator string
	now      func() time.Time
	stage    Stage

	cred     credential.Credential
	credSet  bool
	fingers  *verify.Fingers
	results  []FingerResult
	noFinger string // why the verification goes without fingers
	consent  *Consent
	place    verify.Ubicacion
	placeSet bool
}

// NewSession starts a verification for operator. now is the clock (nil: time.Now).
func NewSession(operator string, now func() time.Time) *Session {
	if now == nil {
		now = time.Now
	}
	return &Session{operator: operator, now: now}
}

// Stage reports where the session stands.
func (s *Session) Stage() Stage { return s.stage }

func (s *Session) at(st Stage) error {
	if s.stage != st {
		return &StageError{Stage: s.stage, es: "Este paso no está disponible ahora.", en: "This step is not available now."}
	}
	return nil
}

// SetCredential records the credential's fields (normalised); they are checked when the
// operator moves on, so a half-corrected form can be kept.
func (s *Session) SetCredential(c credential.Credential) error {
	if err := s.at(StageCredential); err != nil {
		return err
	}
	s.cred, s.credSet = c.Normalized(), true
	return nil
}

// Credential returns the credential as recorded.
func (s *Session) Credential() credential.Credential { return s.cred }

// SetFingers records the captured fingers.
func (s *Session) SetFingers(f *verify.Fingers, results []FingerResult) error {
	if err := s.at(StageFingers); err != nil {
		return err
	}
	if f == nil || f.Right == nil && f.Left == nil {
		return errors.New("capture: no finger captured")
	}
	if s.fingers != f {
		s.wipeFingers()
	}
	s.fingers, s.results, s.noFinger = f, results, ""
	return nil
}

// Fingers returns the captured fingers and their capture reports.
func (s *Session) Fingers() (*verify.Fingers, []FingerResult) { return s.fingers, s.results }

// WithoutFingers makes this a data-only verification, for the reason given (recorded in
// the review).
func (s *Session) WithoutFingers(reason string) error {
	if err := s.at(StageFingers); err != nil {
		return err
	}
	if strings.TrimSpace(reason) == "" {
		return &StageError{Stage: StageFingers, es: "Indique por qué no se capturan las huellas.", en: "Say why the fingers are not captured."}
	}
	s.wipeFingers()
	s.fingers, s.results, s.noFinger = nil, nil, reason
	return nil
}

// WithoutFingersReason is the reason given for a data-only verification, or "".
func (s *Session) WithoutFingersReason() string { return s.noFinger }

// Notice is the privacy notice the citizen is asked to accept, in lang: the version
// Accept records.
func (s *Session) Notice(lang string) string { return assets.PrivacyNotice(lang) }

// Accept records the citizen's acceptance of the current privacy notice.
func (s *Session) Accept() error {
	if err := s.at(StageConsent); err != nil {
		return err
	}
	s.consent = &Consent{Notice: assets.NoticeVersion, At: s.now().UTC(), Operator: s.operator}
	return nil
}

// Decline records that the citizen refused: nothing can be sent, and the session is
// cancelled.
func (s *Session) Decline() {
	s.Cancel()
}

// Consent returns the recorded consent, or nil.
func (s *Session) Consent() *Consent { return s.consent }

// SetLocation records where the verification is made.
func (s *Session) SetLocation(u verify.Ubicacion) error {
	if s.stage != StageConsent && s.stage != StageFingers && s.stage != StageCredential {
		return s.at(StageConsent)
	}
	s.place, s.placeSet = u, true
	return nil
}

// Location returns the recorded location.
func (s *Session) Location() verify.Ubicacion { return s.place }

// Next checks the current stage and moves to the following one.
func (s *Session) Next() error {
	switch s.stage {
	case StageCredential:
		if !s.credSet {
			return &StageError{Stage: s.stage, es: "Capture los datos de la credencial.", en: "Enter the credential's data."}
		}
		if err := s.cred.Validate(); err != nil {
			var fe *credential.FieldError
			if errors.As(err, &fe) {
				return &StageError{Stage: s.stage, es: fe.Message("es"), en: fe.Message("en")}
			}
			return err
		}
	case StageFingers:
		if s.fingers == nil && s.noFinger == "" {
			return &StageError{Stage: s.stage, es: "Capture las huellas o indique por qué no se capturan.", en: "Capture the fingers, or say why not."}
		}
	case StageConsent:
		if s.consent == nil {
			return &StageError{Stage: s.stage, es: "Sin el consentimiento del ciudadano no se puede consultar al INE.", en: "Without the citizen's consent INE cannot be asked."}
		}
		if !s.placeSet || s.place.PosicionSatelital == nil && s.place.Localidad == nil {
			return &StageError{Stage: s.stage, es: "Falta la ubicación: configure la de la sucursal o espere la señal del GPS.", en: "The location is missing: configure the branch's or wait for the GPS."}
		}
	case StageReview:
		return &StageError{Stage: s.stage, es: "Envíe la consulta para ver el resultado.", en: "Send the request to see the result."}
	default:
		return s.at(StageCredential)
	}
	s.stage++
	return nil
}

// Back returns to the previous stage, keeping everything entered.
func (s *Session) Back() error {
	if s.stage == StageCredential || s.stage >= StageResult {
		return &StageError{Stage: s.stage, es: "No hay paso anterior.", en: "There is no previous step."}
	}
	s.stage--
	return nil
}

// SessionFor walks a verification prepared elsewhere (a citizen file, at the terminal)
// through the window's stages up to the review: the same checks, and the consent
// recorded the same way, so that both paths write the same request and audit trail. A
// verification without the citizen's consent is refused.
func SessionFor(v verify.Verification, operator string, now func() time.Time) (*Session, error) {
	s := NewSession(operator, now)
	fingers := func() error {
		if v.Fingers == nil || v.Fingers.Right == nil && v.Fingers.Left == nil {
			return s.WithoutFingers("sin huellas en los datos del ciudadano")
		}
		return s.SetFingers(v.Fingers, nil)
	}
	consent := func() error {
		if !v.Consent {
			return s.Next() // refused there, in the operator's words
		}
		return s.Accept()
	}
	for _, step := range []func() error{
		func() error { return s.SetCredential(v.Credential) }, s.Next,
		fingers, s.Next,
		consent, func() error { return s.SetLocation(v.Location) }, s.Next,
	} {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Verification is the request's content, at the review stage.
func (s *Session) Verification() (verify.Verification, error) {
	if err := s.at(StageReview); err != nil {
		return verify.Verification{}, err
	}
	return verify.Verification{Credential: s.cred, Fingers: s.fingers, Location: s.place, Consent: s.consent != nil}, nil
}

// Submit seals the request and hands it to the outbox, which sends it at once when
// sendNow and INE is reachable, and keeps it queued otherwise. The fingerprints leave
// memory once sealed: only the encrypted request holds them.
func (s *Session) Submit(ctx context.Context, sealer Sealer, out Submitter, sendNow bool) (storage.Entry, error) {
	v, err := s.Verification()
	if err != nil {
		return storage.Entry{}, err
	}
	sealed, err := sealer.Seal(ctx, v)
	if err != nil {
		return storage.Entry{}, err
	}
	entry, err := out.Submit(ctx, storage.Request{
		Indice: sealed.Indice, Body: sealed.Body, Kind: "verificacion", Operator: s.operator, Biometrics: s.fingers != nil,
		Citizen:       CitizenRecord(s.cred),
		Consent:       fmt.Sprintf("aviso de privacidad v%s aceptado %s", s.consent.Notice, s.consent.At.Format(time.RFC3339)),
		ConsentNotice: s.consent.Notice, ConsentAt: s.consent.At,
	}, sendNow)
	if err != nil {
		return storage.Entry{}, err
	}
	s.wipeFingers()
	s.stage = StageResult
	return entry, nil
}

// CitizenRecord is what the outbox keeps of a credential to find a verification again
// and to print the receipt: the full name and the identifiers (sealed at rest).
func CitizenRecord(c credential.Credential) storage.Citizen {
	return storage.Citizen{Nombre: strings.TrimSpace(c.Nombre + " " + c.ApellidoPaterno + " " + c.ApellidoMaterno), CURP: c.CURP, CIC: c.CIC, OCR: c.OCR}
}

// Cancel ends the session and wipes the citizen's data from memory.
func (s *Session) Cancel() {
	s.wipeFingers()
	s.fingers, s.results = nil, nil
	s.cred, s.credSet = credential.Credential{}, false
	s.consent, s.place, s.placeSet, s.noFinger = nil, verify.Ubicacion{}, false, ""
	s.stage = StageCancelled
}

func (s *Session) wipeFingers() {
	WipeFingers(s.fingers, s.results)
	s.fingers, s.results = nil, nil
}

// WipeFingers overwrites fingerprint samples and images in place: the GC frees memory
// when it likes, and until then the bytes should not be a person's fingers. For
// captures that never reach a session (abandoned screens).
func WipeFingers(f *verify.Fingers, results []FingerResult) {
	if f != nil {
		clear(f.Right)
		clear(f.Left)
	}
	for _, r := range results {
		if r.Image != nil {
			clear(r.Image.Pix)
		}
	}
}
