package capture

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"cotejo/storage"
	"cotejo/verify/tuidentidad"
)

// tuidentidadProvider names Tu Identidad's cases in the data file.
const tuidentidadProvider = "tuidentidad"

// TuIdentidadStore keeps Tu Identidad's cases in the encrypted data file: each case
// (request, verificationId, result) sealed whole.
type TuIdentidadStore struct{ DB *storage.DB }

var _ tuidentidad.Store = TuIdentidadStore{}

// Save stores the case durably; a change of state goes to the audit trail with it.
func (s TuIdentidadStore) Save(ctx context.Context, c tuidentidad.Case) error {
	raw, err := json.Marshal(c)
	if err != nil {
		return err
	}
	event := string(c.State)
	if old, err := s.Load(ctx, c.Key); err == nil && old.State == c.State {
		event = "" // a poll that changed nothing: no line
		if c.Hints > old.Hints {
			event = "webhook" // a delivery: an answer to confirm
		}
	}
	if event != "" && c.Code != "" {
		event += " " + string(c.Code)
	}
	if event == string(tuidentidad.CaseDone) {
		event += " " + answerWords(c)
	}
	return s.DB.SaveCase(ctx, tuidentidadProvider, c.Key, raw, event)
}

// answerWords is a done case's answer for the audit trail: the roll's verdict, or that
// an RFC or NSS was found; never the data themselves.
func answerWords(c tuidentidad.Case) string {
	res, err := c.Result()
	switch {
	case err != nil:
		return "unreadable"
	case res.INE != nil:
		return fmt.Sprintf("valid=%t canVote=%t", res.INE.Valid, res.INE.CanVote)
	}
	return "found"
}

// Load returns a case; tuidentidad.ErrNoCase when there is none.
func (s TuIdentidadStore) Load(ctx context.Context, key string) (tuidentidad.Case, error) {
	raw, err := s.DB.LoadCase(ctx, tuidentidadProvider, key)
	if errors.Is(err, storage.ErrNotFound) {
		return tuidentidad.Case{}, tuidentidad.ErrNoCase
	}
	if err != nil {
		return tuidentidad.Case{}, err
	}
	var c tuidentidad.Case
	if err := json.Unmarshal(raw, &c); err != nil {
		return tuidentidad.Case{}, fmt.Errorf("capture: case %s: %w", key, err)
	}
	return c, nil
}

// All returns every case.
func (s TuIdentidadStore) All(ctx context.Context) ([]tuidentidad.Case, error) {
	raws, err := s.DB.Cases(ctx, tuidentidadProvider)
	if err != nil {
		return nil, err
	}
	out := make([]tuidentidad.Case, 0, len(raws))
	for _, raw := range raws {
		var c tuidentidad.Case
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("capture: a Tu Identidad case: %w", err)
		}
		out = append(out, c)
	}
	return out, nil
}

// tuidentidadEnded says, for retention, whether a stored case is final and since when.
// A record that does not parse is kept: retention must not delete what it cannot read.
func tuidentidadEnded(raw []byte) (time.Time, bool) {
	var c tuidentidad.Case
	if json.Unmarshal(raw, &c) != nil || !c.State.Final() || c.Ended.IsZero() {
		return time.Time{}, false
	}
	return c.Ended, true
}

// TuIdentidad is the tracker of Tu Identidad's cases, over the data file and the
// client the [tuidentidad] section describes. The window submits, waits for a minute,
// and lists; the background worker (Tracker.Run) and the webhook receiver finish the
// rest.
func (a *App) TuIdentidad(logger *slog.Logger) (*tuidentidad.Tracker, error) {
	if a.DB == nil {
		return nil, errors.New("capture: the data file is not open")
	}
	client, err := a.Config.TuIdentidad.Client(a.Config.Dir())
	if err != nil {
		return nil, err
	}
	return &tuidentidad.Tracker{API: client, Store: TuIdentidadStore{a.DB}, Now: a.DB.Now, Logger: logger}, nil
}
