package standin

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// TestStart: a started stand-in answers its client over TLS, by folio and by file,
// and stops on Close.
func TestStart(t *testing.T) {
	psc, err := NewPSC(SovosName, SovosPolicy, 1024, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r, err := Start(Config{PSC: psc}, Account{Entidad: "E", Usuario: "u", Clave: "c"})
	if err != nil {
		t.Fatal(err)
	}
	digest := bytes.Repeat([]byte{7}, 32)
	folio, file, err := r.Issue("E", digest)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := r.Client()
	if res, err := c.ValidateFolio(ctx, "a.pdf", digest, folio); err != nil || !res.Passed() {
		t.Errorf("by folio: %+v %v", res, err)
	}
	if res, err := c.ValidateConstancy(ctx, "a.pdf", digest, file); err != nil || !res.Passed() {
		t.Errorf("by file: %+v %v", res, err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ValidateFolio(ctx, "a.pdf", digest, folio); err == nil {
		t.Error("answered after Close")
	}
}
