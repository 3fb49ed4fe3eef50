// Package webhook receives providers' result notifications over HTTPS: it checks the
// authorization header the provider was registered with, bounds the body, lets a
// provider-specific Decoder find the event's id, hands the event to a sink and answers
// at once. It stores nothing: the payload is not signed, so the sink records it as a
// hint and the application confirms it with the provider before acting.
package webhook

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
)

// DefaultMaxBody bounds a notification's body.
const DefaultMaxBody = 64 << 10

// Auth is the authorization header value a provider must send.
type Auth struct{ value string }

// Basic is authorization "Basic base64(user:password)".
func Basic(user, password string) Auth {
	return Auth{"Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password))}
}

// Bearer is authorization "Bearer token".
func Bearer(token string) Auth { return Auth{"Bearer " + token} }

// ParseAuth reads the configuration's form: "basic:USER:PASSWORD" or "bearer:TOKEN".
func ParseAuth(s string) (Auth, error) {
	method, rest, _ := strings.Cut(s, ":")
	switch strings.ToLower(method) {
	case "basic":
		user, pass, ok := strings.Cut(rest, ":")
		if !ok || user == "" || pass == "" {
			return Auth{}, errors.New("webhook: basic auth wants basic:USER:PASSWORD")
		}
		return Basic(user, pass), nil
	case "bearer":
		if rest == "" {
			return Auth{}, errors.New("webhook: bearer auth wants bearer:TOKEN")
		}
		return Bearer(rest), nil
	}
	return Auth{}, errors.New("webhook: auth must be basic:USER:PASSWORD or bearer:TOKEN")
}

// Header is the authorization header's value, for a sender.
func (a Auth) Header() string { return a.value }

// IsZero reports whether no method was configured.
func (a Auth) IsZero() bool { return a.value == "" }

// Matches compares got with the configured value in constant time. The scheme's case is
// ignored, as RFC 9110 allows; the credentials are compared exactly.
func (a Auth) Matches(got string) bool {
	if a.value == "" {
		return false
	}
	wantScheme, wantCred, _ := strings.Cut(a.value, " ")
	gotScheme, gotCred, ok := strings.Cut(strings.TrimSpace(got), " ")
	if !ok || !strings.EqualFold(wantScheme, gotScheme) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(wantCred), []byte(strings.TrimLeft(gotCred, " "))) == 1
}

// Event is one notification, decoded far enough to be routed.
type Event struct {
	Provider string // e.g. "tuidentidad"
	ID       string // the provider's id of the transaction
	Body     []byte // the body as received
}

// Decoder is the provider-specific part: it reads the id out of a body, or refuses it.
type Decoder interface {
	Decode(body []byte) (Event, error)
}

// DecoderFunc adapts a function to Decoder.
type DecoderFunc func(body []byte) (Event, error)

// Decode calls f.
func (f DecoderFunc) Decode(body []byte) (Event, error) { return f(body) }

// Handler is one provider's webhook endpoint.
type Handler struct {
	Auth    Auth
	Decoder Decoder
	// Sink takes the event; it must be quick (record it and return). An error makes the
	// answer a 500, and the provider delivers again.
	Sink    func(ctx context.Context, e Event) error
	MaxBody int64        // default DefaultMaxBody
	Logger  *slog.Logger // ids and outcomes only, never the body
}

// The error codes the handler answers with, in the provider's error model.
const (
	CodeMethod       = "WH405"
	CodeUnauthorized = "WH401"
	CodeTooLarge     = "WH413"
	CodeMalformed    = "WH400"
	CodeSink         = "WH500"
)

func (h *Handler) logger() *slog.Logger {
	if h.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return h.Logger
}

// ServeHTTP answers {"completed": true} once the sink has the event, or
// {"code", "message"} with a failing status.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		reply(w, http.StatusMethodNotAllowed, CodeMethod, "method not allowed")
		return
	}
	if !h.Auth.Matches(r.Header.Get("Authorization")) {
		h.logger().Warn("webhook: authorization refused", "remote", r.RemoteAddr)
		reply(w, http.StatusUnauthorized, CodeUnauthorized, "authorization refused")
		return
	}
	limit := h.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			reply(w, http.StatusRequestEntityTooLarge, CodeTooLarge, "body too large")
			return
		}
		reply(w, http.StatusBadRequest, CodeMalformed, "body could not be read")
		return
	}
	ev, err := h.Decoder.Decode(body)
	if err != nil || ev.ID == "" {
		h.logger().Warn("webhook: payload refused", "error", err)
		reply(w, http.StatusBadRequest, CodeMalformed, "payload not understood")
		return
	}
	ev.Body = body
	if err := h.Sink(r.Context(), ev); err != nil {
		h.logger().Error("webhook: sink", "provider", ev.Provider, "id", ev.ID, "error", err)
		reply(w, http.StatusInternalServerError, CodeSink, "not recorded, deliver again")
		return
	}
	h.logger().Info("webhook: received", "provider", ev.Provider, "id", ev.ID)
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"completed":true}`)
}

func reply(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code, "message": msg})
}

// Completed reports whether a webhook's answer body says {"completed": true}.
func Completed(body []byte) bool {
	var x struct {
		Completed bool `json:"completed"`
	}
	return json.Unmarshal(body, &x) == nil && x.Completed
}

// ErrNoSink is a Handler without its parts.
var ErrNoSink = errors.New("webhook: handler needs Auth, Decoder and Sink")

// Check reports a handler that is not ready to serve.
func (h *Handler) Check() error {
	if h.Auth.IsZero() || h.Decoder == nil || h.Sink == nil {
		return ErrNoSink
	}
	return nil
}

// String names the method, without the secret, for logs.
func (a Auth) String() string {
	scheme, _, _ := strings.Cut(a.value, " ")
	if scheme == "" {
		return "none"
	}
	return fmt.Sprintf("%s (secret hidden)", scheme)
}
