package capture_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cotejo/capture"
)

// TestRetentionSchedule: the kiosk purges by itself on a schedule, receipts included,
// and records each pass in the audit trail.
func TestRetentionSchedule(t *testing.T) {
	cfg := installation(t, "")
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\n[kiosk]\nreceipts = \"comprobantes\"\n")
	f.Close()
	receipts := filepath.Join(filepath.Dir(cfg), "comprobantes")
	os.MkdirAll(receipts, 0o700)

	t0 := time.Now()
	a := openApp(t, cfg, capture.Options{Now: func() time.Time { return t0 }})
	done, err := a.Enqueue(context.Background(), session(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	waiting, err := a.Enqueue(context.Background(), session(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB.Cancel(done.ID, "super"); err != nil {
		t.Fatal(err)
	}
	for _, e := range []capture.Entry{done, waiting} {
		os.WriteFile(filepath.Join(receipts, capture.ReceiptName(e.Indice)), []byte("%PDF-1.4 ARTURO MARTINEZ"), 0o600)
	}
	a.Close()

	// 31 days on (retention_days = 30 in the development configuration).
	later := t0.AddDate(0, 0, 31)
	a = openApp(t, cfg, capture.Options{Now: func() time.Time { return later }})
	ctx, cancel := context.WithCancel(context.Background())
	reports := make(chan capture.PurgeReport, 1)
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		a.PurgeEvery(ctx, time.Hour, func(rep capture.PurgeReport, err error) {
			if err != nil {
				t.Error(err)
			}
			reports <- rep
		})
	}()
	rep := <-reports // the first pass runs at once
	cancel()
	<-stopped
	if rep.Purged != 1 || rep.Receipts != 1 {
		t.Errorf("report %+v, want 1 purged and 1 receipt", rep)
	}
	if _, err := os.Stat(filepath.Join(receipts, capture.ReceiptName(done.Indice))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the finished verification's receipt is still there: %v", err)
	}
	if _, err := os.Stat(filepath.Join(receipts, capture.ReceiptName(waiting.Indice))); err != nil {
		t.Errorf("the waiting verification's receipt went: %v", err)
	}
	if c, err := a.DB.CitizenOf(done.Indice); err == nil {
		t.Errorf("the purged verification's citizen is still there: %q", c.Nombre)
	}
	log, err := a.DB.Audit().List(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range log {
		if strings.HasPrefix(e.Action, "retention.") {
			got = append(got, e.Operator+" "+e.Action+" "+e.Outcome)
		}
	}
	if strings.Join(got, "; ") != "retention retention.purge 1; retention retention.receipts 1" {
		t.Errorf("audit: %q", got)
	}
}
