package storage_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"cotejo/storage"
	"cotejo/storage/ownerfs"
	"cotejo/storage/sealbox"
)

// winKiosk is newKiosk in a folder whose cleanup error is ignored: under Wine, Go's
// os.RemoveAll fails on every file ("Invalid function"; os.Remove works).
func winKiosk(t *testing.T, set storage.Settings) *kiosk {
	d, err := os.MkdirTemp("", "storage")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	set.Path = "datos/cotejo.db"
	return &kiosk{dir: d, set: set}
}

// TestSettingsDPAPI: a new installation on Windows gets its data key sealed with DPAPI
// and its data folder, key and data file private to the user.
func TestSettingsDPAPI(t *testing.T) {
	k := winKiosk(t, storage.Settings{})
	db := k.mustOpen(t)
	work(t, db, 0, 2)
	db.Close()
	if ok, err := sealbox.IsDPAPI(k.keyPath()); !ok || err != nil {
		t.Errorf("new key file: DPAPI %v, %v", ok, err)
	}
	for _, p := range []string{filepath.Dir(k.path()), k.keyPath(), k.path()} {
		if err := ownerfs.Check(p); err != nil {
			t.Errorf("%v", err)
		}
	}
	db = k.mustOpen(t)
	defer db.Close()
	if c, err := db.CitizenOf("ind-001"); err != nil || c.CURP == "" {
		t.Errorf("reopened: %v", err)
	}
}

// TestSettingsDPAPIMigration: an installation from before DPAPI (a hex key file, no
// key_provider) keeps opening with the new default, and `cotejo key rotate` turns its
// key into a DPAPI one, the data re-sealed and the old key retired.
func TestSettingsDPAPIMigration(t *testing.T) {
	k := winKiosk(t, storage.Settings{KeyProvider: "file"})
	db := k.mustOpen(t)
	work(t, db, 0, 3)
	db.Close()
	if ok, _ := sealbox.IsDPAPI(k.keyPath()); ok {
		t.Fatal(`key_provider = "file" made a DPAPI key`)
	}
	oldKey, _ := os.ReadFile(k.keyPath())

	k.set.KeyProvider = "" // the default: dpapi
	db = k.mustOpen(t)
	if c, err := db.CitizenOf("ind-001"); err != nil || c.CURP == "" {
		t.Errorf("hex key under the dpapi default: %v", err)
	}
	db.Close()

	rep, err := storage.RotateKey(context.Background(), k.set, k.dir, "super")
	if err != nil || rep.Resealed < 3 {
		t.Fatalf("rotate: %+v %v", rep, err)
	}
	if ok, err := sealbox.IsDPAPI(k.keyPath()); !ok || err != nil {
		t.Errorf("after rotation the key file is not DPAPI (%v)", err)
	}
	if retired, _ := os.ReadFile(rep.Retired); string(retired) != string(oldKey) {
		t.Errorf("retired key %s does not hold the old key", rep.Retired)
	}
	wantRotated(t, k)
}
