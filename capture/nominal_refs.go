package capture

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"cotejo/storage"
	"cotejo/verify/credential"
)

// Checks made without an INE request (INE down or not contracted) have no outbox entry
// to say whose they are: their "TI-" reference gets a record of its own, sealed like a
// case, with the citizen and the operator, so that the history finds them by CURP, CIC
// or operator and the notices name the citizen.

// nominalRefProvider names those records among the data file's cases.
const nominalRefProvider = "tuidentidad.ref"

// nominalRefPrefix starts the references NewNominalRef makes.
const nominalRefPrefix = "TI-"

// nominalRef is what is kept of a reference made without an INE request.
type nominalRef struct {
	Ref      string          `json:"ref"`
	Operator string          `json:"operator"`
	Created  time.Time       `json:"created"`
	Citizen  storage.Citizen `json:"citizen"`
}

func standalone(ref string) bool { return strings.HasPrefix(ref, nominalRefPrefix) }

// remember records whose a "TI-" reference is, the first time it is used; a later use
// (an RFC look-up after the roll) adds what the first did not know and keeps the rest.
// INE requests' references are left alone: their outbox entry says it.
func (n *Nominal) remember(ctx context.Context, operator, ref string, cit storage.Citizen) error {
	if !standalone(ref) {
		return nil
	}
	rec, err := n.refRecord(ctx, ref)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		rec = nominalRef{Ref: ref, Operator: operator, Created: n.DB.Now()}
	case err != nil:
		return err
	}
	merged := rec.Citizen
	for _, f := range []struct {
		dst *string
		src string
	}{
		{&merged.Nombre, cit.Nombre}, {&merged.CURP, cit.CURP}, {&merged.CIC, cit.CIC}, {&merged.OCR, cit.OCR},
	} {
		if *f.dst == "" {
			*f.dst = f.src
		}
	}
	if err == nil && merged == rec.Citizen {
		return nil
	}
	rec.Citizen = merged
	raw, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return n.DB.SaveCase(ctx, nominalRefProvider, ref, raw, "")
}

func (n *Nominal) refRecord(ctx context.Context, ref string) (nominalRef, error) {
	raw, err := n.DB.LoadCase(ctx, nominalRefProvider, ref)
	if err != nil {
		return nominalRef{}, err
	}
	var rec nominalRef
	if err := json.Unmarshal(raw, &rec); err != nil {
		return nominalRef{}, fmt.Errorf("capture: reference %s: %w", ref, err)
	}
	return rec, nil
}

// citizenOf is the citizen a case's reference names: the INE entry's, or the record
// of a check made without one.
func (n *Nominal) citizenOf(ctx context.Context, ref string) (storage.Citizen, error) {
	if !standalone(ref) {
		return n.DB.CitizenOf(ref)
	}
	rec, err := n.refRecord(ctx, ref)
	return rec.Citizen, err
}

// Standalone lists the references of checks made without an INE request that q
// selects (its operator, dates, and a CURP or CIC as the subject), for the history.
// The records are sealed: each is opened and compared, which for a branch's few
// hundred such checks is quick.
func (n *Nominal) Standalone(ctx context.Context, q storage.Query) ([]string, error) {
	raws, err := n.DB.Cases(ctx, nominalRefProvider)
	if err != nil {
		return nil, err
	}
	subject := credential.Normalize(q.Subject)
	var refs []string
	for _, raw := range raws {
		var rec nominalRef
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, fmt.Errorf("capture: a Tu Identidad reference: %w", err)
		}
		if (q.Operator != "" && rec.Operator != q.Operator) ||
			(!q.From.IsZero() && rec.Created.Before(q.From)) ||
			(!q.To.IsZero() && !rec.Created.Before(q.To)) ||
			(subject != "" && subject != credential.Normalize(rec.Citizen.CURP) && subject != credential.Normalize(rec.Citizen.CIC)) {
			continue
		}
		refs = append(refs, rec.Ref)
	}
	return refs, nil
}

// purgeNominalRefs deletes, past retention, the records of references none of whose
// cases is left (retention deleted them first).
func (a *App) purgeNominalRefs(ctx context.Context, operator string) (int, error) {
	raws, err := a.DB.Cases(ctx, tuidentidadProvider)
	if err != nil {
		return 0, err
	}
	var live []string
	for _, raw := range raws {
		var c struct {
			Key string `json:"key"`
		}
		if json.Unmarshal(raw, &c) == nil {
			if i := strings.LastIndexByte(c.Key, '.'); i > 0 {
				live = append(live, c.Key[:i])
			}
		}
	}
	return a.DB.PurgeCases(ctx, nominalRefProvider, operator, func(raw []byte) (time.Time, bool) {
		var rec nominalRef
		if json.Unmarshal(raw, &rec) != nil || slices.Contains(live, rec.Ref) {
			return time.Time{}, false
		}
		return rec.Created, true
	})
}
