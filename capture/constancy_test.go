package capture_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"cotejo/capture"
	"cotejo/capture/outbox"
	"cotejo/scanner/biometrics/enrolled"
	"cotejo/verify/nom151"
	"cotejo/verify/nom151/standin"
	"cotejo/verify/sandbox/sandboxtest"
)

// nom151StandIn serves Sovos' stand-in over HTTPS on loopback, with 1024-bit keys (the
// format is tested here, not the strength).
func nom151StandIn(t *testing.T) *standin.Running {
	t.Helper()
	psc, err := standin.NewPSC(standin.SovosName, standin.SovosPolicy, 1024, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	r, err := standin.Start(standin.Config{PSC: psc}, standin.Account{Entidad: "BANCO", Usuario: "cotejo", Clave: "s3creta"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// TestConstancyAttachAndValidate: an answered entry's receipt, preserved under a
// constancy of the stand-in's PSC, is recorded with the entry and validated over HTTPS
// by folio and by the constancy file; a constancy of another document fails on the
// digest and says so in both languages; bad credentials, a service that is down and
// an entry from before constancies (none recorded) are the operator's errors; an
// unanswered entry takes none. Every validation is in the audit trail by indice, with
// nothing of the constancy or the citizen. Last, a receipt preserved through a
// provider (PreserveReceipt) is recorded over its bytes and validates.
func TestConstancyAttachAndValidate(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	db := openStore(t)
	psc := nom151StandIn(t)
	k := &capture.Kiosk{Sealer: env.Conn.Sealer, Client: env.Conn.Client, DB: db, Threshold: env.Conn.Threshold, NOM151: psc.Client()}
	sender := &outbox.Sender{DB: db, Client: env.Conn.Client}
	ctx := context.Background()

	submit := func(sendNow bool) capture.Entry {
		e, err := walk(t, false).Submit(ctx, env.Conn.Sealer, sender, sendNow)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	e, old, queued := submit(true), submit(true), submit(false)
	var pdf bytes.Buffer
	if err := k.Receipt(&pdf, e, "es", "Banco de Prueba", "Cajero Siete"); err != nil {
		t.Fatal(err)
	}
	digest, err := capture.ReceiptDigest(bytes.NewReader(pdf.Bytes()), false)
	if err != nil {
		t.Fatal(err)
	}
	if want := sha256.Sum256(pdf.Bytes()); !bytes.Equal(digest, want[:]) {
		t.Fatal("ReceiptDigest is not the SHA-256 of the receipt")
	}
	folio, file, err := psc.Issue("BANCO", digest)
	if err != nil {
		t.Fatal(err)
	}
	other := sha256.Sum256([]byte("otro documento"))
	otherFolio, _, err := psc.Issue("BANCO", other[:])
	if err != nil {
		t.Fatal(err)
	}

	if _, err := k.AttachConstancy(ctx, queued.ID, "cajero-7", capture.Constancy{Folio: folio, Digest: digest}); !isProblem(err, capture.ConstancyNotAnswered) {
		t.Errorf("attached to an unanswered entry: %v", err)
	}
	if _, err := k.AttachConstancy(ctx, e.ID, "cajero-7", capture.Constancy{Digest: digest}); !isProblem(err, capture.ConstancyBadConstancy) {
		t.Errorf("neither folio nor file: %v", err)
	}
	if _, err := k.ValidateConstancy(ctx, old, "cajero-7"); !isProblem(err, capture.ConstancyNone) {
		t.Errorf("old entry: %v", err)
	} else if m := capture.ProblemMessage(err, "es"); !strings.Contains(m, "no tiene constancia") {
		t.Errorf("old entry, in Spanish: %q", m)
	}

	for _, tt := range []struct {
		name   string
		c      capture.Constancy
		passed bool
		es, en string
	}{
		{name: "folio", c: capture.Constancy{Folio: folio, Digest: digest}, passed: true,
			es: "Constancia válida", en: "Valid constancy"},
		{name: "file", c: capture.Constancy{File: file, Digest: digest}, passed: true,
			es: "Constancia válida", en: "Valid constancy"},
		{name: "digest mismatch", c: capture.Constancy{Folio: otherFolio, Digest: digest},
			es: "NO coincide", en: "does NOT match"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := k.AttachConstancy(ctx, e.Indice, "cajero-7", tt.c)
			if err != nil || !got.Constancy {
				t.Fatalf("attach: %+v %v", got, err)
			}
			check, err := k.ValidateConstancy(ctx, got, "cajero-7")
			if err != nil {
				t.Fatal(err)
			}
			if check.Passed() != tt.passed || check.Result.ConstanciaSerie == "" || !bytes.HasPrefix(check.Result.PDF, []byte("%PDF-")) {
				t.Fatalf("passed %v, folio %q, PDF %d bytes", check.Passed(), check.Result.ConstanciaSerie, len(check.Result.PDF))
			}
			if check.Result.DocumentoNombre != capture.ReceiptName(e.Indice) {
				t.Errorf("document name %q", check.Result.DocumentoNombre)
			}
			for lang, want := range map[string]string{"es": tt.es, "en": tt.en} {
				words := check.Verdict(lang)
				for _, f := range check.Findings(lang) {
					words += " " + f.Text()
				}
				if !strings.Contains(words, want) {
					t.Errorf("%s: %q lacks %q", lang, words, want)
				}
			}
			if name := check.EvidenceName(); name != capture.ReceiptName(e.Indice)+".nom151-"+check.Result.ConstanciaSerie+".pdf" {
				t.Errorf("evidence name %q", name)
			}
		})
	}

	// The service's refusals and absence, in the operator's words.
	bad := psc.Client()
	bad.Credentials.Clave = "equivocada"
	k.NOM151 = bad
	_, err = k.ValidateConstancy(ctx, e, "cajero-7")
	var ee *nom151.EstadoError
	if !isProblem(err, capture.ConstancyRefused) || !errors.As(err, &ee) || ee.Estado != 2 {
		t.Errorf("wrong password: %v", err)
	} else if m := capture.ProblemMessage(err, "en"); !strings.Contains(m, "password is not valid") || !strings.Contains(m, "Estado 2") {
		t.Errorf("wrong password, in English: %q", m)
	}
	down := psc.Client()
	down.URL = "https://127.0.0.1:1" + standin.Path
	k.NOM151 = down
	if _, err = k.ValidateConstancy(ctx, e, "cajero-7"); !isProblem(err, capture.ConstancyUnreachable) {
		t.Errorf("service down: %v", err)
	} else if m := capture.ProblemMessage(err, "es"); !strings.Contains(m, "no respondió") {
		t.Errorf("service down, in Spanish: %q", m)
	}
	k.NOM151 = nil
	if _, err = k.ValidateConstancy(ctx, e, "cajero-7"); !isProblem(err, capture.ConstancyNoService) {
		t.Errorf("no service: %v", err)
	}

	records, err := db.Audit().List(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var outcomes []string
	for _, r := range records {
		if r.Action != "nom151.validate" {
			continue
		}
		outcomes = append(outcomes, r.Outcome)
		for _, secret := range []string{"BANCO", "s3creta", "equivocada", strings.TrimSpace(demoCitizen(t).Credential.CURP)} {
			if strings.Contains(r.Outcome+r.Ref, secret) {
				t.Errorf("audit record %+v holds %q", r, secret)
			}
		}
	}
	want := []string{"sin constancia", "valida", "valida", "no valida: relacion=false sello=true psc=true", "estado 2", "sin conexion", "sin servicio"}
	if strings.Join(outcomes, "|") != strings.Join(want, "|") {
		t.Errorf("audit outcomes\n%q\nwant\n%q", outcomes, want)
	}

	// A saved receipt preserved through a provider gets the constancy over its bytes,
	// which then validates.
	t.Run("preserve", func(t *testing.T) {
		k.NOM151, k.Preserver = psc.Client(), issuer{psc}
		var pdf bytes.Buffer
		if err := k.Receipt(&pdf, old, "en", "Banco de Prueba", "Cajero Siete"); err != nil {
			t.Fatal(err)
		}
		got, err := k.PreserveReceipt(ctx, old, pdf.Bytes(), "cajero-7")
		if err != nil || !got.Constancy {
			t.Fatalf("%+v %v", got, err)
		}
		c, err := k.ConstancyOf(got)
		if sum := sha256.Sum256(pdf.Bytes()); err != nil || !bytes.Equal(c.Digest, sum[:]) || c.Folio == 0 || c.Source != "cajero-7" {
			t.Fatalf("%+v %v", c, err)
		}
		check, err := k.ValidateConstancy(ctx, got, "cajero-7")
		if err != nil || !check.Passed() {
			t.Fatalf("%+v %v", check, err)
		}
	})
}

type issuer struct{ r *standin.Running }

func (p issuer) Preserve(_ context.Context, name string, digest []byte) (capture.Constancy, error) {
	folio, _, err := p.r.Issue(p.r.Account.Entidad, digest)
	return capture.Constancy{Folio: folio, Digest: digest, Name: name}, err
}

func isProblem(err error, p capture.ConstancyProblem) bool {
	var ce *capture.ConstancyError
	return errors.As(err, &ce) && ce.Problem == p
}
