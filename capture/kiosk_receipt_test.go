package capture_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"strings"
	"testing"
	"time"

	"cotejo/assets"
	"cotejo/capture"
	"cotejo/capture/outbox"
	"cotejo/capture/receipt"
	"cotejo/scanner/biometrics/enrolled"
	"cotejo/storage"
	"cotejo/verify"
	"cotejo/verify/sandbox/sandboxtest"
	"cotejo/verify/sello"
)

// forgetConsent is a Submitter storing requests as the kiosk did before consents were
// kept with each entry: without the notice's version and time.
type forgetConsent struct{ *outbox.Sender }

func (f forgetConsent) Submit(ctx context.Context, r storage.Request, sendNow bool) (storage.Entry, error) {
	r.ConsentNotice, r.ConsentAt = "", time.Time{}
	return f.Sender.Submit(ctx, r, sendNow)
}

// TestKioskReceiptSealed: the receipt the kiosk makes for a verification INE's stand-in
// answered is sealed, and verifies under the institution's signing certificate; its
// evidence holds the masked identifiers, the consent kept with the entry (or "sin
// registro" for an entry stored without it) and the digest of INE's stored answer. A
// sello made with another certificate's key does not verify.
func TestKioskReceiptSealed(t *testing.T) {
	env := sandboxtest.Start(t, sandboxtest.Options{Matcher: &enrolled.Matcher{}})
	db := openStore(t)
	k := &capture.Kiosk{Sealer: env.Conn.Sealer, Client: env.Conn.Client, DB: db, Threshold: env.Conn.Threshold}
	sender := &outbox.Sender{DB: db, Client: env.Conn.Client}
	cert := env.Conn.Sealer.Signer.Certificate()
	cred := demoCitizen(t).Credential

	for _, tt := range []struct {
		name        string
		out         capture.Submitter
		wantConsent string
	}{
		{"consent kept", sender, assets.NoticeVersion},
		{"old entry", forgetConsent{sender}, sello.NoRecord},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := walk(t, false)
			consent := s.Consent()
			entry, err := s.Submit(context.Background(), env.Conn.Sealer, tt.out, true)
			if err != nil {
				t.Fatal(err)
			}
			if entry.State != storage.StateAnswered {
				t.Fatalf("entry %+v", entry)
			}
			var pdf bytes.Buffer
			if err := k.Receipt(&pdf, entry, "en", "Banco de Prueba, Sucursal Centro", "Cajero Siete"); err != nil {
				t.Fatal(err)
			}
			checked, err := capture.VerifyReceipt(bytes.NewReader(pdf.Bytes()), cert)
			if err != nil {
				t.Fatalf("the kiosk's receipt does not verify: %v", err)
			}
			ev := checked.Evidence
			raw, err := db.Answer(entry.Indice)
			if err != nil {
				t.Fatal(err)
			}
			if ev.AnswerSHA256 != sha256.Sum256(raw) {
				t.Error("the evidence's digest is not that of INE's stored answer")
			}
			if ev.Indice != entry.Indice || ev.Operator != "Cajero Siete" || ev.Branch != "Banco de Prueba, Sucursal Centro" ||
				ev.CURP != receipt.MaskCURP(cred.CURP) || ev.CIC != receipt.MaskCIC(cred.CIC) || !ev.At.Equal(entry.Answered.Truncate(time.Second)) && !ev.At.Equal(entry.Answered) {
				t.Errorf("evidence %+v", ev)
			}
			if strings.Contains(checked.Seal.Cadena, cred.CURP) || !strings.HasPrefix(ev.Answer, "VÁLIDA") {
				t.Errorf("cadena %s", checked.Seal.Cadena)
			}
			if ev.ConsentVersion != tt.wantConsent {
				t.Errorf("consent version %q, want %q", ev.ConsentVersion, tt.wantConsent)
			}
			if tt.wantConsent == sello.NoRecord {
				if !strings.Contains(checked.Seal.Cadena, "|sin registro|sin registro|") {
					t.Errorf("cadena without consent: %s", checked.Seal.Cadena)
				}
			} else if !ev.ConsentAt.Equal(consent.At.Truncate(time.Second)) && !ev.ConsentAt.Equal(consent.At) {
				t.Errorf("consent at %v, want %v", ev.ConsentAt, consent.At)
			}

			// Another key's certificate: the sello does not verify.
			key, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			var se *sello.SelloError
			if _, err := capture.VerifyReceipt(bytes.NewReader(pdf.Bytes()), &x509.Certificate{PublicKey: &key.PublicKey}); !errors.As(err, &se) {
				t.Errorf("under another key: %v", err)
			}
		})
	}
}

// TestKioskReceiptNeedsSigner: a kiosk without the institution's key makes no receipt
// rather than an unsealed one.
func TestKioskReceiptNeedsSigner(t *testing.T) {
	k := &capture.Kiosk{DB: openStore(t), Client: &verify.Client{}}
	var pdf bytes.Buffer
	if err := k.Receipt(&pdf, storage.Entry{Indice: "x"}, "es", "Banco", "ana"); err != capture.ErrNoSigner || pdf.Len() != 0 {
		t.Errorf("err %v, %d bytes", err, pdf.Len())
	}
}
