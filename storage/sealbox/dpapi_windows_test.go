package sealbox_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"

	"cotejo/storage/ownerfs"
	"cotejo/storage/sealbox"
)

// winTemp is t.TempDir without its cleanup's error: under Wine, Go's os.RemoveAll
// fails on every file ("Invalid function"; os.Remove works).
func winTemp(t *testing.T) string {
	t.Helper()
	d, err := os.MkdirTemp("", "sealbox")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// TestDPAPIKeyFile makes a key sealed with DPAPI and reads it back; the file holds no
// hex key, a second one is not written over it, and an altered one is refused.
func TestDPAPIKeyFile(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(winTemp(t), "datos Ñ", "cotejo.key")
	if err := sealbox.CreateDPAPIKeyFile(p); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(raw, []byte("cotejo-dpapi 1\n")) {
		t.Fatalf("key file starts %q", raw[:min(len(raw), 20)])
	}
	if ok, err := sealbox.IsDPAPI(p); !ok || err != nil {
		t.Errorf("IsDPAPI: %v %v", ok, err)
	}
	k1, err := sealbox.KeyFile{Path: p}.Key(ctx)
	if err != nil || len(k1) != sealbox.KeySize {
		t.Fatalf("Key: %v (%d bytes)", err, len(k1))
	}
	if bytes.Contains(bytes.ToLower(raw), []byte(hex.EncodeToString(k1))) || bytes.Contains(raw, k1) {
		t.Error("the key is in the file in the clear")
	}
	k2, err := sealbox.KeyFile{Path: p}.Key(ctx)
	if err != nil || !bytes.Equal(k1, k2) {
		t.Errorf("second read: %v, same key %v", err, bytes.Equal(k1, k2))
	}
	if err := sealbox.CreateDPAPIKeyFile(p); err == nil {
		t.Error("wrote over an existing key file")
	}
	if again, _ := (sealbox.KeyFile{Path: p}).Key(ctx); !bytes.Equal(again, k1) {
		t.Error("the key changed")
	}

	// The sealed key altered, as a damaged disk or a hand would.
	sealed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(string(raw), "cotejo-dpapi 1\n")))
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) string {
		b := bytes.Clone(sealed)
		b[i] ^= 1
		return base64.StdEncoding.EncodeToString(b)
	}
	for name, body := range map[string]string{
		"a byte of the data changed":      flip(len(sealed) - 40),
		"a byte of the signature changed": flip(len(sealed) - 1),
		"cut short":                       base64.StdEncoding.EncodeToString(sealed[:len(sealed)/2]),
		"not base64":                      "no es base64 !",
		"empty":                           "",
	} {
		bad := filepath.Join(filepath.Dir(p), "alterada.key")
		os.Remove(bad)
		if err := ownerfs.WriteFile(bad, []byte("cotejo-dpapi 1\n"+body+"\n")); err != nil {
			t.Fatal(err)
		}
		_, err := sealbox.KeyFile{Path: bad}.Key(ctx)
		var de *sealbox.DPAPIError
		if !errors.As(err, &de) || !strings.Contains(err.Error(), "protegida con DPAPI") || !strings.Contains(err.Error(), "protected with DPAPI") {
			t.Errorf("%s: %v, want a DPAPIError", name, err)
		}
	}
}

// TestKeyFileBothFormats: a hex key made before DPAPI opens on Windows too.
func TestKeyFileBothFormats(t *testing.T) {
	p := filepath.Join(winTemp(t), "cotejo.key")
	if err := sealbox.CreateKeyFile(p); err != nil {
		t.Fatal(err)
	}
	if ok, _ := sealbox.IsDPAPI(p); ok {
		t.Error("a hex key file taken for DPAPI")
	}
	if k, err := (sealbox.KeyFile{Path: p}).Key(context.Background()); err != nil || len(k) != sealbox.KeySize {
		t.Errorf("hex key on Windows: %v", err)
	}
}

// TestKeyringWindows keeps the key in the Windows Credential Manager (go-keyring's
// wincred): stored, read back, not written over, and a missing entry is an error.
func TestKeyringWindows(t *testing.T) {
	// A name of this run's own: Wine keeps the credentials in its prefix's registry.
	service, user := "cotejo-test", fmt.Sprintf(`C:\datos Ñ\%d\cotejo.db`, time.Now().UnixNano())
	t.Cleanup(func() { keyring.Delete(service, user) })
	if err := sealbox.CreateKeyringKey(service, user); err != nil {
		t.Fatal(err)
	}
	k, err := sealbox.Keyring{Service: service, User: user}.Key(context.Background())
	if err != nil || len(k) != sealbox.KeySize {
		t.Fatalf("%v %d", err, len(k))
	}
	if err := sealbox.CreateKeyringKey(service, user); err == nil {
		t.Error("overwrote the keyring's key")
	}
	if k2, _ := (sealbox.Keyring{Service: service, User: user}).Key(context.Background()); !bytes.Equal(k, k2) {
		t.Error("the key changed")
	}
	if _, err := (sealbox.Keyring{Service: service, User: "nadie"}).Key(context.Background()); err == nil {
		t.Error("missing keyring entry gave a key")
	}
}
