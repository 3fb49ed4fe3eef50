package capture

import (
	"context"
	"testing"
	"time"

	"cotejo/storage"
	"cotejo/verify/credential"
	"cotejo/verify/tuidentidad"
)

// TestTuIdentidadDemo: the demonstration runs Tu Identidad's stand-in in-process and
// points [tuidentidad] at it; a check made through it is answered by its own steps.
func TestTuIdentidadDemo(t *testing.T) {
	dir := t.TempDir()
	a := &App{Config: &Config{dir: dir}}
	defer a.Close()
	if err := a.startTuIdentidadDemo(t.Context(), a.Config, withDefaults(Options{})); err != nil {
		t.Fatal(err)
	}
	openDataFile(t, a)
	n, err := a.openNominal(nil)
	if err != nil || n == nil {
		t.Fatalf("%v %v", n, err)
	}
	n.Interval = 50 * time.Millisecond
	c, err := n.CheckRoll(t.Context(), "demo", "IDX", credential.Credential{Modelo: "G", CIC: "354760982", OCR: "3802273311720"})
	if err != nil {
		t.Fatal(err)
	}
	// The stand-in steps every two seconds on the real clock: a generous wait.
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	if c, err = n.Wait(ctx, c.Key); err != nil || c.State != tuidentidad.CaseDone || c.Outcome("es").Verdict != "VIGENTE · PUEDE VOTAR" {
		t.Errorf("%+v %v", c.Case, err)
	}
}

// openDataFile opens a data file in the app's configuration folder as the kiosk's,
// closed after the app (its demonstration's passes stop first).
func openDataFile(t *testing.T, a *App) {
	t.Helper()
	db, err := storage.OpenSettings(context.Background(), storage.Settings{Path: "cotejo.db"}, a.Config.Dir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	a.Kiosk = &Kiosk{DB: db}
}
