package remoteid_test

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"

	"cotejo/verify/remoteid"
)

// gcm seals with AES-GCM, as the app's data key does.
type gcm struct{ aead cipher.AEAD }

func (g gcm) Seal(p []byte) ([]byte, error) {
	nonce := make([]byte, g.aead.NonceSize())
	rand.Read(nonce)
	return g.aead.Seal(nonce, nonce, p, nil), nil
}

func (g gcm) Open(s []byte) ([]byte, error) {
	n := g.aead.NonceSize()
	if len(s) < n {
		return nil, errors.New("short")
	}
	return g.aead.Open(nil, s[:n], s[n:], nil)
}

// TestBoltStoreSealed: with a Sealer, nothing of the case is on disk in plaintext, and
// the case reads back whole after the file is reopened; Get of an unknown ID is
// ErrNoCase.
func TestBoltStoreSealed(t *testing.T) {
	key := make([]byte, 32)
	rand.Read(key)
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	path := filepath.Join(t.TempDir(), "cases.db")
	ctx := context.Background()
	open := func() (*bolt.DB, *remoteid.BoltStore) {
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		st, err := remoteid.NewBoltStore(db, gcm{aead})
		if err != nil {
			t.Fatal(err)
		}
		return db, st
	}
	db, st := open()
	if err := remoteid.Opened(ctx, st, "1283876988", remoteid.SendRequest{Phone: phone, Document: curp}, fixed()); err != nil {
		t.Fatal(err)
	}
	e := remoteid.Event{Servicio: remoteid.Servicio, ID: "1283876988", Estado: 5001,
		Result: &remoteid.Result{Resultado: 90, DNI: &remoteid.DocumentData{Nombre: "GOMEZ RUIZ,MARIA", DNI: curp}}}
	if _, changed, err := remoteid.Record(ctx, st, e); err != nil || !changed {
		t.Fatal(changed, err)
	}
	if _, changed, err := remoteid.Record(ctx, st, e); err != nil || changed {
		t.Fatal("duplicate", changed, err)
	}
	db.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{curp, phone, "GOMEZ RUIZ", "Resultado"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("%q is on disk in plaintext", secret)
		}
	}
	db, st = open()
	defer db.Close()
	c, err := st.Get(ctx, "1283876988")
	if err != nil || c.Document != curp || c.Result().DNI.Nombre != "GOMEZ RUIZ,MARIA" || !c.SentAt.Equal(fixed()) {
		t.Fatalf("reopened %+v %v", c, err)
	}
	if all, err := st.List(ctx); err != nil || len(all) != 1 {
		t.Errorf("list %d %v", len(all), err)
	}
	if _, err := st.Get(ctx, "1"); !errors.Is(err, remoteid.ErrNoCase) {
		t.Errorf("unknown id: %v", err)
	}
}

// TestProviderDown: a connection failure pauses the client; nothing is sent during
// the pause; after it the call goes (and fails again, doubling the pause).
func TestProviderDown(t *testing.T) {
	r := newRig(t, nil)
	r.api.Close()
	_, err := r.client.Send(r.ctx(), remoteid.SendRequest{Phone: phone})
	var pe *remoteid.PauseError
	if err == nil || errors.As(err, &pe) {
		t.Fatalf("first failure: %v", err)
	}
	if remoteid.Message(err, "es") == remoteid.Message(err, "en") {
		t.Error("words")
	}
	_, err = r.client.Send(r.ctx(), remoteid.SendRequest{Phone: phone})
	if !errors.As(err, &pe) || !pe.Until.Equal(r.clk.Now().Add(30e9)) {
		t.Fatalf("paused: %v", err)
	}
	r.clk.Add(30e9)
	if _, err = r.client.Credits(r.ctx()); err == nil || errors.As(err, &pe) {
		t.Fatalf("after the pause: %v", err)
	}
	if _, err = r.client.Credits(r.ctx()); !errors.As(err, &pe) || !pe.Until.Equal(r.clk.Now().Add(60e9)) {
		t.Fatalf("doubled pause: %v", err)
	}
}
