// Package storagetest damages a closed data file the ways the fault tests need: a byte
// flipped in a sealed body, an entry's own record made unreadable, the meta page bbolt
// would use spoiled. It knows the store's bucket names, which tests elsewhere should not.
package storagetest

import (
	"encoding/binary"
	"errors"
	"os"
	"testing"

	bolt "go.etcd.io/bbolt"
)

func update(t testing.TB, path string, fn func(tx *bolt.Tx) error) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Update(fn); err != nil {
		t.Fatal(err)
	}
}

// FlipBody flips one byte in the middle of an entry's sealed request body.
func FlipBody(t testing.TB, path, indice string) {
	t.Helper()
	update(t, path, func(tx *bolt.Tx) error {
		bk := tx.Bucket([]byte("sealed"))
		v := bk.Get([]byte("body/" + indice))
		if v == nil {
			return errors.New("storagetest: no body for " + indice)
		}
		v = append([]byte(nil), v...)
		v[len(v)/2] ^= 0x40
		return bk.Put([]byte("body/"+indice), v)
	})
}

// BreakRecord overwrites an entry's own record (its state, not its sealed body) with
// bytes that do not parse.
func BreakRecord(t testing.TB, path, indice string) {
	t.Helper()
	update(t, path, func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("outbox")).Put([]byte(indice), []byte(`{"id":"3","state":"pend\x00`))
	})
}

// DamageNewestMeta spoils the checksum of the meta page bbolt would use, so it falls
// back to the other one: the file as it was one transaction earlier.
func DamageNewestMeta(t testing.TB, path string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	page := int64(os.Getpagesize())
	const txidAt = 16 + 48 // page header, then the meta record's txid
	txid := func(p int64) uint64 {
		b := make([]byte, 8)
		f.ReadAt(b, p*page+txidAt)
		return binary.LittleEndian.Uint64(b)
	}
	newest := int64(0)
	if txid(1) > txid(0) {
		newest = 1
	}
	if _, err := f.WriteAt([]byte{0xff, 0xee}, newest*page+txidAt); err != nil {
		t.Fatal(err)
	}
}
