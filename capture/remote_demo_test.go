package capture

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"
)

// TestRemoteDemo: the demonstration runs the remote provider's stand-in in-process,
// points [remote] at it and puts the kiosk's receiver on a loopback port; a link sent
// through it gets the stand-in's reports at the receiver, and the background pass
// fetches the certificate of the validated case.
func TestRemoteDemo(t *testing.T) {
	dir := t.TempDir()
	a := &App{Config: &Config{dir: dir}}
	defer a.Close()
	if err := a.startTuIdentidadDemo(t.Context(), a.Config, withDefaults(Options{})); err != nil {
		t.Fatal(err)
	}
	if err := a.startRemoteDemo(t.Context(), a.Config, withDefaults(Options{})); err != nil {
		t.Fatal(err)
	}
	openDataFile(t, a)
	logger := slog.New(slog.DiscardHandler)
	var err error
	if a.Nominal, err = a.openNominal(logger); err != nil {
		t.Fatal(err)
	}
	if a.Remote, err = a.openRemote(logger); err != nil || a.Remote == nil {
		t.Fatalf("%v %v", a.Remote, err)
	}
	if err := a.serveWebhooks(t.Context(), logger); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	changed := make(chan RemoteCase, 16)
	ran := make(chan struct{})
	go func() { defer close(ran); _ = a.Remote.Run(ctx, time.Hour, func(c RemoteCase) { changed <- c }) }()
	defer func() { cancel(); <-ran }()
	c, err := a.Remote.Send(ctx, "demo", "5512345678", a.Remote.DefaultMessage(), "")
	if err != nil {
		t.Fatal(err)
	}
	// The stand-in reports every two seconds on the real clock: a generous wait.
	for {
		select {
		case got := <-changed:
			if got.ID == c.ID && len(got.Certificate) > 0 {
				if got.Outcome() != RemoteValidated || !bytes.HasPrefix(got.Certificate, []byte("%PDF-")) {
					t.Errorf("%v, %d bytes", got.Outcome(), len(got.Certificate))
				}
				return
			}
		case <-ctx.Done():
			t.Fatal("the demo's case never finished with its certificate")
		}
	}
}
