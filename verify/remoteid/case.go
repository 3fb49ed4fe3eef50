package remoteid

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Case is one verification request as the kiosk knows it: what was sent and every
// report received, one per status. Reports apply in any order and any number of
// times: the case is a function of the set of reports, not of their arrival.
type Case struct {
	ID       string    `json:"id"`
	Phone    string    `json:"phone,omitempty"`
	Document string    `json:"document,omitempty"`
	SentAt   time.Time `json:"sent_at,omitzero"`
	// Events holds one report per status, in the order of the process.
	Events []Event `json:"events,omitempty"`
	// Certificate is the provider's PDF, fetched after 5100.
	Certificate   []byte    `json:"certificate,omitempty"`
	CertificateAt time.Time `json:"certificate_at,omitzero"`
	// Cadena and Sello are the institution's seal over the case's outcome and the
	// certificate's digest (the kiosk's cadena original and sello,
	// docs/cadena-original.md), made once the certificate is kept; empty before, or
	// without a signing key.
	Cadena string `json:"cadena,omitempty"`
	Sello  string `json:"sello,omitempty"`
}

// Apply adds a report and says whether the case changed. A report of a status already
// held changes the case only if it is newer (UltimaActualizacion) or, at the same
// time, sorts after the one held; so duplicates are harmless and the result does not
// depend on the order of arrival.
func (c *Case) Apply(e Event) bool {
	if c.ID == "" {
		c.ID = e.ID
	}
	if e.ID != c.ID {
		return false
	}
	i := slices.IndexFunc(c.Events, func(h Event) bool { return h.Estado == e.Estado })
	if i >= 0 {
		if !supersedes(e, c.Events[i]) {
			return false
		}
		c.Events[i] = e
		return true
	}
	c.Events = append(c.Events, e)
	slices.SortStableFunc(c.Events, func(a, b Event) int {
		if r := a.Estado.rank() - b.Estado.rank(); r != 0 {
			return r
		}
		return int(a.Estado) - int(b.Estado)
	})
	return true
}

// supersedes reports whether a should replace b, of the same status.
func supersedes(a, b Event) bool {
	if a.UltimaActualizacion != b.UltimaActualizacion {
		return a.UltimaActualizacion > b.UltimaActualizacion
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Compare(ja, jb) > 0
}

// Estado is where the request stands: the furthest status reported, a rejection
// outranking a validation; 0 before any report.
func (c Case) Estado() Estado {
	var best Estado
	for _, e := range c.Events {
		if e.Estado.rank() > best.rank() || best == 0 {
			best = e.Estado
		}
	}
	return best
}

// Latest is the report of the current status.
func (c Case) Latest() (Event, bool) {
	est := c.Estado()
	for _, e := range c.Events {
		if e.Estado == est {
			return e, true
		}
	}
	return Event{}, false
}

// Result is the outcome of the furthest report that carries one.
func (c Case) Result() *Result {
	for i := len(c.Events) - 1; i >= 0; i-- {
		if c.Events[i].Result != nil && c.Events[i].Estado.rank() > 0 {
			return c.Events[i].Result
		}
	}
	return nil
}

// Outcome is a case's end, in words an operator reads.
type Outcome int

// The outcomes.
const (
	Pending   Outcome = iota // no final report yet
	Validated                // 5100: the provider certified it
	Rejected                 // 5500: an operator of the provider rejected it
)

// Outcome is how the case ended, or Pending.
func (c Case) Outcome() Outcome {
	switch c.Estado() {
	case EstadoValidated:
		return Validated
	case EstadoRejected:
		return Rejected
	}
	return Pending
}

// NeedsCertificate reports a validated case whose PDF has not been fetched. A
// rejected case (5500) has none.
func (c Case) NeedsCertificate() bool {
	return c.Outcome() == Validated && len(c.Certificate) == 0
}

// ForeignDocument reports a document whose nationality is not the one expected (the
// settings' Nationality): the API was written for Spain.
func (c Case) ForeignDocument(nationality string) bool {
	r := c.Result()
	return r != nil && r.DNI != nil && r.DNI.Nacionalidad != "" && r.DNI.Nacionalidad != nationality
}

// ErrNoCase is returned by a Store for an unknown ID.
var ErrNoCase = errors.New("remoteid: no such case")

// Store keeps cases durably. Cases hold personal data (name, document numbers, the
// person's location and the certificate): an implementation must not keep them in
// plaintext at rest; sealing them is the application's job (the app's store seals
// every value with its data key), not this package's.
type Store interface {
	// Update runs fn on the case with that ID (a zero Case with the ID if there is
	// none) and saves it if fn returns nil, atomically with respect to other updates.
	Update(ctx context.Context, id string, fn func(*Case) error) error
	// Get returns the case, or an error wrapping ErrNoCase.
	Get(ctx context.Context, id string) (Case, error)
	// List returns every case.
	List(ctx context.Context) ([]Case, error)
}

// errUnchanged makes Update keep the stored case as it was.
var errUnchanged = errors.New("unchanged")

// Record applies a report to its case in the store and returns the case and whether
// it changed. A shared webhook receiver calls it with the output of ParseWebhook.
func Record(ctx context.Context, s Store, e Event) (Case, bool, error) {
	var out Case
	var changed bool
	err := s.Update(ctx, e.ID, func(c *Case) error {
		changed = c.Apply(e)
		out = *c
		if !changed {
			return errUnchanged
		}
		return nil
	})
	if errors.Is(err, errUnchanged) {
		err = nil
	}
	return out, changed, err
}

// Opened records a request just sent, so that its reports find the phone and
// document it was sent for.
func Opened(ctx context.Context, s Store, id string, r SendRequest, at time.Time) error {
	return s.Update(ctx, id, func(c *Case) error {
		c.ID, c.Phone, c.Document, c.SentAt = id, r.Phone, r.Document, at
		return nil
	})
}

// Start sends a request and records its case, the send's data kept with it: what a
// window calls when the agent presses Send.
func Start(ctx context.Context, s Store, c *Client, r SendRequest, now time.Time) (Case, error) {
	sent, err := c.Send(ctx, r)
	if err != nil {
		return Case{}, err
	}
	if err := Opened(ctx, s, sent.ID, r, now); err != nil {
		return Case{ID: sent.ID}, fmt.Errorf("remoteid: request %s sent but not recorded: %w", sent.ID, err)
	}
	return s.Get(ctx, sent.ID)
}

// Certifier downloads a certificate; *Client is one.
type Certifier interface {
	Certificate(ctx context.Context, id string) ([]byte, error)
}

// FetchCertificate downloads and keeps the PDF of a validated case that has none.
// It does nothing for any other case: the API has a certificate only after 5100.
func FetchCertificate(ctx context.Context, s Store, cert Certifier, id string, now time.Time) (Case, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return Case{}, err
	}
	if !c.NeedsCertificate() {
		return c, nil
	}
	pdf, err := cert.Certificate(ctx, id)
	if err != nil {
		return c, fmt.Errorf("remoteid: certificate of %s: %w", id, err)
	}
	err = s.Update(ctx, id, func(c *Case) error {
		c.Certificate, c.CertificateAt = pdf, now
		return nil
	})
	if err != nil {
		return c, err
	}
	return s.Get(ctx, id)
}
