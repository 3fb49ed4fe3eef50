// Package tuidentidad is a client of Tu Identidad's asynchronous verification service:
// INE lista nominal by credential, RFC by CURP and NSS by CURP. A create returns a
// verificationId at once; the result comes later, pushed to a webhook or read by
// polling verificationStatus, with the result encoded as JSON inside a JSON string.
//
// The wire format follows the provider's documentation as digested in
// the project's spec tu-identidad.md, spellings included (the path segment is
// "AsyncVerication").
package tuidentidad

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// DefaultPrefix is the path prefix of the four operations, spelled as the provider does.
const DefaultPrefix = "/api/AsyncVerication"

// The operations' path segments.
const (
	OpINE    = "IneNominalList"
	OpRFC    = "RfcByCurp"
	OpNSS    = "NssByCurp"
	OpStatus = "verificationStatus"
)

// Kind is verificationType: which check a verification is.
type Kind int

const (
	KindINE Kind = 1 // IneNominalList
	KindRFC Kind = 2 // RfcByCurp
	KindNSS Kind = 3 // NssByCurp
)

func (k Kind) String() string {
	switch k {
	case KindINE:
		return "ine"
	case KindRFC:
		return "rfc"
	case KindNSS:
		return "nss"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Op is the operation that creates a verification of this kind.
func (k Kind) Op() string {
	switch k {
	case KindINE:
		return OpINE
	case KindRFC:
		return OpRFC
	case KindNSS:
		return OpNSS
	}
	return ""
}

// Status is verificationStatus: where a verification stands.
type Status int

const (
	StatusProcessing Status = 1
	StatusRetrying   Status = 2 // the source was down: the provider retries at +20 and +60 min
	StatusDelivering Status = 3 // the result is ready; the webhook is being called
	StatusCompleted  Status = 4 // the webhook acknowledged it
)

func (s Status) String() string {
	switch s {
	case StatusProcessing:
		return "processing"
	case StatusRetrying:
		return "retrying"
	case StatusDelivering:
		return "delivering"
	case StatusCompleted:
		return "completed"
	}
	return fmt.Sprintf("status(%d)", int(s))
}

// Done reports whether the result is readable: from status 3 on.
func (s Status) Done() bool { return s == StatusDelivering || s == StatusCompleted }

// INERequest is the IneNominalList body. IssueNumber is sent empty, not omitted, for
// models other than C, as the provider's examples do.
type INERequest struct {
	Type        string `json:"type"`
	ID          string `json:"id"`
	OCR         string `json:"ocr"`
	IssueNumber string `json:"issueNumber"`
}

// RFCRequest is the RfcByCurp body; State goes as a JSON number.
type RFCRequest struct {
	CURP  string `json:"curp"`
	State State  `json:"state"`
}

// NSSRequest is the NssByCurp body.
type NSSRequest struct {
	CURP string `json:"curp"`
}

// Created is a create's answer.
type Created struct {
	VerificationID string `json:"verificationId"`
}

// Warning is one entry of a record's warnings.
type Warning struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
}

// Record is the status answer, and the webhook's body: the same document.
type Record struct {
	VerificationID string    `json:"verificationId"`
	Type           Kind      `json:"verificationType"`
	Status         Status    `json:"verificationStatus"`
	Verification   string    `json:"verification"` // JSON inside a string: see Result
	Warnings       []Warning `json:"warnings"`
}

// INEData is the credential as the lista nominal holds it; every field a string.
type INEData struct {
	Type             string `json:"type"`
	ElectorCode      string `json:"electorCode"`
	CICNumber        string `json:"cicNumber"`
	IssueNumber      string `json:"issueNumber"`
	IssueYear        string `json:"issueYear"`
	RegistrationYear string `json:"registrationYear"`
	OCRNumber        string `json:"ocrNumber"`
	ExpDate          string `json:"expDate"`
}

// INEResult is the decoded verification of an IneNominalList check.
type INEResult struct {
	Valid   bool    `json:"valid"`
	CanVote bool    `json:"canVote"`
	Data    INEData `json:"data"`
}

// Result is a decoded verification: exactly one of the three is set.
type Result struct {
	INE *INEResult `json:"ine,omitempty"`
	RFC string     `json:"rfc,omitempty"`
	NSS string     `json:"nss,omitempty"`
}

// ErrNoResult means the record carries no verification (yet, or because it failed:
// see Record.Failure).
var ErrNoResult = errors.New("tuidentidad: the record carries no result")

// ProtocolError is an answer that does not follow the documented format.
type ProtocolError struct {
	What string
	Err  error
}

func (e *ProtocolError) Error() string {
	if e.Err == nil {
		return "tuidentidad: malformed answer: " + e.What
	}
	return "tuidentidad: malformed answer: " + e.What + ": " + e.Err.Error()
}

func (e *ProtocolError) Unwrap() error { return e.Err }

// ParseRecord decodes a status answer or a webhook body, and checks what a caller
// relies on: an id, a known type and status.
func ParseRecord(body []byte) (*Record, error) {
	var r Record
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, &ProtocolError{What: "record", Err: err}
	}
	switch {
	case r.VerificationID == "":
		return nil, &ProtocolError{What: "record without verificationId"}
	case r.Type < KindINE || r.Type > KindNSS:
		return nil, &ProtocolError{What: fmt.Sprintf("verificationType %d", int(r.Type))}
	case r.Status < StatusProcessing || r.Status > StatusCompleted:
		return nil, &ProtocolError{What: fmt.Sprintf("verificationStatus %d", int(r.Status))}
	}
	return &r, nil
}

// Result decodes the verification string a second time, by the record's type.
// A record without a verification gives ErrNoResult.
func (r *Record) Result() (Result, error) {
	v := bytes.TrimSpace([]byte(r.Verification))
	if len(v) == 0 || string(v) == "null" || string(v) == "{}" {
		return Result{}, ErrNoResult
	}
	dec := func(into any) error {
		d := json.NewDecoder(bytes.NewReader(v))
		if err := d.Decode(into); err != nil {
			return &ProtocolError{What: "verification", Err: err}
		}
		if d.More() {
			return &ProtocolError{What: "verification: data after the document"}
		}
		return nil
	}
	switch r.Type {
	case KindINE:
		var x struct {
			Valid   *bool   `json:"valid"`
			CanVote *bool   `json:"canVote"`
			Data    INEData `json:"data"`
		}
		if err := dec(&x); err != nil {
			return Result{}, err
		}
		if x.Valid == nil {
			return Result{}, &ProtocolError{What: "verification without valid"}
		}
		res := &INEResult{Valid: *x.Valid, Data: x.Data}
		if x.CanVote != nil {
			res.CanVote = *x.CanVote
		}
		return Result{INE: res}, nil
	case KindRFC:
		var x struct {
			RFC string `json:"rfc"`
		}
		if err := dec(&x); err != nil {
			return Result{}, err
		}
		if x.RFC == "" {
			return Result{}, &ProtocolError{What: "verification without rfc"}
		}
		return Result{RFC: x.RFC}, nil
	case KindNSS:
		var x struct {
			NSS string `json:"nss"`
		}
		if err := dec(&x); err != nil {
			return Result{}, err
		}
		if x.NSS == "" {
			return Result{}, &ProtocolError{What: "verification without nss"}
		}
		return Result{NSS: x.NSS}, nil
	}
	return Result{}, &ProtocolError{What: fmt.Sprintf("verificationType %d", int(r.Type))}
}

// Failure is the reason a finished record carries no result: the first warning whose
// code the catalogue knows, else the first warning. Nil when there is a result or the
// record is not finished.
func (r *Record) Failure() *APIError {
	if !r.Status.Done() {
		return nil
	}
	if _, err := r.Result(); err == nil {
		return nil
	}
	for _, w := range r.Warnings {
		if _, ok := Lookup(w.Code); ok {
			return &APIError{Code: w.Code, Message: w.Message}
		}
	}
	if len(r.Warnings) > 0 {
		return &APIError{Code: r.Warnings[0].Code, Message: r.Warnings[0].Message}
	}
	return nil
}

// ParseCreated decodes a create's answer: a verificationId, or the error model.
func ParseCreated(body []byte) (string, error) {
	var x struct {
		VerificationID string `json:"verificationId"`
		Code           Code   `json:"code"`
		Message        string `json:"message"`
	}
	if err := json.Unmarshal(body, &x); err != nil {
		return "", &ProtocolError{What: "create answer", Err: err}
	}
	if x.Code != "" {
		return "", &APIError{Code: x.Code, Message: x.Message}
	}
	if x.VerificationID == "" {
		return "", &ProtocolError{What: "create answer without verificationId"}
	}
	return x.VerificationID, nil
}

// parseError reads the error model {"code", "message"}; ok is false when body is not one.
func parseError(body []byte) (*APIError, bool) {
	var x struct {
		Code    Code   `json:"code"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &x) != nil || x.Code == "" {
		return nil, false
	}
	return &APIError{Code: x.Code, Message: x.Message}, true
}

// APIError is an answer in the provider's error model, or a finished record's failure.
// Callers decide on Code (its Class), never on the HTTP status.
type APIError struct {
	Code       Code
	Message    string // the provider's text, for the log
	HTTPStatus int    // 0 when it came in a record's warnings
}

func (e *APIError) Error() string {
	return fmt.Sprintf("tuidentidad: %s: %s", e.Code, e.Message)
}

// Class is what to do next.
func (e *APIError) Class() Class { return e.Code.Class() }

// Text is the operator's sentence in Spanish ("es") or English ("en").
func (e *APIError) Text(lang string) string { return e.Code.Message(lang) }
