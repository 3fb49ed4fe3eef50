package remoteid

import (
	"crypto/subtle"
	"errors"
	"io"
	"log/slog"
	"net/http"
)

// WebhookAuth is the basic-auth credential set for reports in the provider's panel.
// The API signs nothing: this credential is the reports' only proof of origin, so the
// handler requires it.
type WebhookAuth struct {
	User, Password string
}

// HandlerOptions tune a webhook handler; zero values take the defaults.
type HandlerOptions struct {
	Logger *slog.Logger // one line per report: ID and status only; default discarded
	// OnChange is called, after the store has it, with each case a report changed:
	// the place for a window to refresh and for fetching the certificate after 5100.
	// The provider waits for the answer meanwhile: OnChange must hand slow work on.
	OnChange func(Case)
}

// NewWebhookHandler returns the receiver of the provider's reports: POST only, the
// basic-auth credential checked, the body bounded, each report recorded in store and
// answered 200 with an empty body (duplicates too). A report that cannot be recorded
// is answered 500, so that a provider that retries does.
func NewWebhookHandler(store Store, auth WebhookAuth, o HandlerOptions) (http.Handler, error) {
	if store == nil {
		return nil, errors.New("remoteid: webhook handler without a store")
	}
	if auth.User == "" || auth.Password == "" {
		return nil, errors.New("remoteid: the webhook needs a basic-auth user and password (set them in the provider's panel)")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &webhookHandler{store: store, auth: auth, o: o}, nil
}

type webhookHandler struct {
	store Store
	auth  WebhookAuth
	o     HandlerOptions
}

func (h *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	user, pass, ok := r.BasicAuth()
	// Both compared in full whatever the first gives, so timing says nothing.
	uOK := subtle.ConstantTimeCompare([]byte(user), []byte(h.auth.User))
	pOK := subtle.ConstantTimeCompare([]byte(pass), []byte(h.auth.Password))
	if !ok || uOK&pOK != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="cotejo remoteid"`)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
	if err != nil {
		http.Error(w, "report too large", http.StatusRequestEntityTooLarge)
		return
	}
	e, err := ParseWebhook(r.Header.Get("Content-Type"), body)
	if err != nil {
		// The reason only: the body may hold personal data.
		reason := "malformed"
		if errors.Is(err, ErrOtherService) {
			reason = "other service"
		}
		h.o.Logger.Warn("remoteid: report refused", "reason", reason)
		http.Error(w, "bad report", http.StatusBadRequest)
		return
	}
	c, changed, err := Record(r.Context(), h.store, e)
	if err != nil {
		h.o.Logger.Error("remoteid: report not recorded", "id", e.ID, "estado", int(e.Estado), "error", err)
		http.Error(w, "not recorded", http.StatusInternalServerError)
		return
	}
	h.o.Logger.Info("remoteid: report", "id", e.ID, "estado", int(e.Estado), "new", changed)
	w.WriteHeader(http.StatusOK)
	if changed && h.o.OnChange != nil {
		h.o.OnChange(c)
	}
}
