package capture

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ReceiptName is the file a verification's receipt is saved as, in the receipts folder:
// named by the request's indice, so that retention can find it again.
func ReceiptName(indice string) string { return "comprobante-" + indice + ".pdf" }

// PurgeReport says what a retention pass deleted.
type PurgeReport struct {
	Purged   int // verifications whose personal data were deleted
	Receipts int // receipt PDFs (the citizen's full name) deleted
	Cases    int // Tu Identidad's and remote verification's finished cases deleted whole
}

// Purge applies retention ([storage] retention_days): the personal data of finished
// verifications older than that, Tu Identidad's finished cases as old, then the
// receipts of every purged verification. Each
// pass is in the audit trail, receipts included.
func (a *App) Purge(ctx context.Context, operator string) (PurgeReport, error) {
	var rep PurgeReport
	n, err := a.DB.Purge(ctx, operator)
	if err != nil {
		return rep, err
	}
	rep.Purged = n
	if rep.Cases, err = a.DB.PurgeCases(ctx, tuidentidadProvider, operator, tuidentidadEnded); err != nil {
		return rep, err
	}
	// The records of checks made without an INE request, once their cases are gone:
	// not counted as cases, the audit line says how many.
	if _, err := a.purgeNominalRefs(ctx, operator); err != nil {
		return rep, err
	}
	remote, err := a.DB.PurgeCases(ctx, remoteProvider, operator, remoteEnded)
	rep.Cases += remote
	if err != nil {
		return rep, err
	}
	dir := a.Config.ReceiptDir()
	if dir == "" {
		return rep, nil
	}
	// Every purged entry, not only this pass's: a receipt saved after its entry was
	// purged, or left by a pass cut short, goes too.
	entries, err := a.DB.List()
	if err != nil {
		return rep, err
	}
	var errs []error
	for _, e := range entries {
		if !e.Purged {
			continue
		}
		err := os.Remove(filepath.Join(dir, ReceiptName(e.Indice)))
		switch {
		case err == nil:
			rep.Receipts++
		case !errors.Is(err, os.ErrNotExist):
			errs = append(errs, err)
		}
	}
	if err := a.auditf(operator, "retention.receipts", "", fmt.Sprintf("%d", rep.Receipts)); err != nil {
		errs = append(errs, err)
	}
	return rep, errors.Join(errs...)
}

// PurgeEvery runs Purge at once and then every interval until ctx ends, as the
// operator "retention", telling report of each pass (for the log). The kiosk's window
// runs it: retention applies by itself, not only when someone remembers the command.
func (a *App) PurgeEvery(ctx context.Context, interval time.Duration, report func(PurgeReport, error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		rep, err := a.Purge(ctx, "retention")
		if ctx.Err() != nil {
			return
		}
		if report != nil {
			report(rep, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
