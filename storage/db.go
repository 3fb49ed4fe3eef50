// Package storage keeps Cotejo's local state in one bbolt file: the outbox of sealed
// requests waiting for INE, the verified results, and the audit trail. Every value that
// carries personal data or biometrics is sealed (AES-256-GCM) before it is written. It
// keeps bytes and states: sending the outbox, and what INE's answers mean for an entry,
// is capture/outbox's, which works with Claim and Settle.
package storage

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"cotejo/storage/audit"
	"cotejo/storage/ownerfs"
	"cotejo/storage/sealbox"
)

// ErrAlreadyRunning means another Cotejo holds the data file.
var ErrAlreadyRunning = errors.New("storage: Cotejo ya está abierto en este equipo, el archivo de datos está en uso (Cotejo is already running)")

// ErrNewerSchema means the file was written by a newer Cotejo.
var ErrNewerSchema = errors.New("storage: the data file comes from a newer version of Cotejo")

// Bucket names. Entries and indexes hold no personal data in clear; sealed values live
// in bucket sealed, keyed by a record key that is also their associated data.
var (
	bucketMeta    = []byte("meta")
	bucketOutbox  = []byte("outbox")  // indice → Entry JSON (state, times, codes; no personal data)
	bucketIDs     = []byte("ids")     // id → indice
	bucketSealed  = []byte("sealed")  // record key → sealed bytes
	bucketByDate  = []byte("by-date") // created (big-endian ns) | indice → nil
	bucketByOp    = []byte("by-op")   // operator \x00 created | indice → nil
	bucketBySubj  = []byte("by-subj") // keyed hash of CURP or CIC \x00 indice → nil
	keySchema     = []byte("schema")
	schemaVersion = uint32(1)
)

// Options configure a store.
type Options struct {
	Keys *sealbox.Keys // the data keys; Current seals, every listed key opens
	// LockTimeout bounds the wait for the file lock; default 1 s.
	LockTimeout time.Duration
	// Retention is how long personal data of answered requests are kept; default 30 days.
	Retention time.Duration
	Now       func() time.Time
	// Head keeps the audit trail's head outside the data file (HeadFile beside the
	// key): opening checks the file against it, and a missing or empty data file while
	// a head is kept is ErrDataMissing, not a fresh start. Nil: not kept.
	Head audit.HeadStore
	// ReadOnly opens for viewing, verifying and exporting: nothing is written (so it
	// works on a full disk), entries left in sending stay so, and every change returns
	// an error wrapping ErrReadOnly. The file must exist.
	ReadOnly bool
}

// ErrReadOnly is wrapped by the errors of changes to a store opened read-only.
var ErrReadOnly = bolterrors.ErrDatabaseReadOnly

// DB is an open store.
type DB struct {
	bolt    *bolt.DB
	keys    *sealbox.Keys
	subject *audit.Hasher
	audit   *audit.Log
	opts    Options
}

// migrations[i] brings a file from schema i to i+1. A new version appends here.
func migrations() []func(*bolt.Tx) error {
	return []func(*bolt.Tx) error{
		func(tx *bolt.Tx) error { // 0 → 1: the first layout
			for _, b := range [][]byte{bucketOutbox, bucketIDs, bucketSealed, bucketByDate, bucketByOp, bucketBySubj} {
				if _, err := tx.CreateBucketIfNotExists(b); err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// Open opens (or creates) the store at path. A second instance gets ErrAlreadyRunning
// after the lock timeout instead of waiting forever.
func Open(path string, opts Options) (*DB, error) {
	if opts.Keys == nil {
		return nil, errors.New("storage: no data key")
	}
	if opts.LockTimeout == 0 {
		opts.LockTimeout = time.Second
	}
	if opts.Retention == 0 {
		opts.Retention = 30 * 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if err := checkFile(path); err != nil {
		return nil, err
	}
	if emptyOrMissing(path) {
		if opts.ReadOnly {
			return nil, ErrDataMissing
		}
		if opts.Head != nil {
			if h, err := opts.Head.LoadHead(); err != nil || h != nil {
				return nil, errors.Join(ErrDataMissing, err)
			}
		}
	}
	if !opts.ReadOnly {
		if err := ownerfs.MkdirAll(filepath.Dir(path)); err != nil {
			return nil, fmt.Errorf("storage: %w", err)
		}
	}
	_, statErr := os.Stat(path)
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.LockTimeout, FreelistType: bolt.FreelistMapType, ReadOnly: opts.ReadOnly})
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, ErrAlreadyRunning
	}
	if err != nil {
		return nil, fmt.Errorf("storage: opening %s: %w", path, err)
	}
	// bbolt's 0600 means nothing on Windows: a new data file in a folder not made
	// here would take that folder's access list.
	if errors.Is(statErr, os.ErrNotExist) {
		if err := ownerfs.Restrict(path); err != nil {
			b.Close()
			return nil, fmt.Errorf("storage: %w", err)
		}
	}
	db := &DB{bolt: b, keys: opts.Keys, opts: opts}
	if err := db.migrate(); err != nil {
		b.Close()
		return nil, err
	}
	mac, err := db.macKey()
	if err != nil {
		b.Close()
		return nil, err
	}
	db.subject = audit.NewHasher(derive(mac, "subject"))
	if db.audit, err = audit.Open(b, derive(mac, "audit")); err != nil {
		b.Close()
		return nil, fmt.Errorf("storage: audit trail: %w", err)
	}
	if opts.Head != nil {
		// Before anything is written: a rolled-back file must not be built on.
		if err := db.audit.KeepHead(opts.Head); err != nil {
			b.Close()
			return nil, fmt.Errorf("storage: %w", err)
		}
	}
	if opts.ReadOnly {
		return db, nil
	}
	if err := db.recover(); err != nil {
		b.Close()
		return nil, err
	}
	return db, nil
}

// recover puts entries a crashed process left in sending back to pending, due now. We
// hold the file's exclusive lock, so none can really be in flight. They go out again
// with the same body and indice: INE may see such a request twice (the at-least-once
// window), and the outbox keeps only the first answer.
func (db *DB) recover() error {
	stuck := false
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketOutbox).ForEach(func(_, v []byte) error {
			var e Entry
			if json.Unmarshal(v, &e) == nil && e.State == StateSending {
				stuck = true
			}
			return nil
		})
	}); err != nil || !stuck {
		return err // nothing to write: opening writes nothing, so it works on a full disk
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		out := tx.Bucket(bucketOutbox)
		var stuck []Entry
		err := out.ForEach(func(_, v []byte) error {
			var e Entry
			if err := json.Unmarshal(v, &e); err != nil {
				return nil // an unreadable record: Claim skips it, List shows it
			}
			if e.State == StateSending {
				stuck = append(stuck, e)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, e := range stuck {
			e.State, e.NextAttempt = StatePending, db.opts.Now().UTC()
			if err := putEntry(out, e); err != nil {
				return err
			}
			if _, err := db.audit.AppendTx(tx, audit.Entry{Operator: e.Operator, Action: "queue.recover", Outcome: string(e.State), Ref: e.Indice}); err != nil {
				return err
			}
		}
		return nil
	})
}

// macKey is the installation's secret for keyed hashes (citizen index, audit head). It
// is made once and kept sealed with the data key, so rotating the data key (which
// re-seals it) leaves every hash valid.
func (db *DB) macKey() ([]byte, error) {
	key := recordKey("meta", "mac-key")
	var mac []byte
	var blob []byte
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketSealed); b != nil {
			blob = bytes.Clone(b.Get(key))
		}
		return nil
	}); err != nil {
		return nil, err
	}
	if blob != nil || db.opts.ReadOnly {
		if blob == nil {
			return nil, errors.New("storage: the data file has no installation secret")
		}
		mac, err := db.keys.Open(key, blob)
		if err != nil {
			return nil, fmt.Errorf("storage: the data key does not open this file: %w", err)
		}
		return mac, nil
	}
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSealed)
		if blob := b.Get(key); blob != nil {
			var err error
			mac, err = db.keys.Open(key, bytes.Clone(blob))
			if err != nil {
				return fmt.Errorf("storage: the data key does not open this file: %w", err)
			}
			return nil
		}
		var err error
		if mac, err = sealbox.NewKey(); err != nil {
			return err
		}
		return b.Put(key, db.keys.Current().Seal(key, mac))
	})
	return mac, err
}

func derive(key []byte, purpose string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	return m.Sum(nil)
}

func (db *DB) migrate() error {
	var current bool
	if err := db.bolt.View(func(tx *bolt.Tx) error {
		if meta := tx.Bucket(bucketMeta); meta != nil {
			raw := meta.Get(keySchema)
			if len(raw) == 4 && binary.BigEndian.Uint32(raw) > schemaVersion {
				return ErrNewerSchema
			}
			current = len(raw) == 4 && binary.BigEndian.Uint32(raw) == schemaVersion
		}
		return nil
	}); err != nil || current {
		return err
	}
	if db.opts.ReadOnly {
		return errors.New("storage: the data file needs an update that a read-only open cannot make: open Cotejo normally once")
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		var v uint32
		if raw := meta.Get(keySchema); len(raw) == 4 {
			v = binary.BigEndian.Uint32(raw)
		}
		if v > schemaVersion {
			return ErrNewerSchema
		}
		steps := migrations()
		for ; v < schemaVersion; v++ {
			if err := steps[v](tx); err != nil {
				return fmt.Errorf("storage: migrating schema %d → %d: %w", v, v+1, err)
			}
		}
		return meta.Put(keySchema, binary.BigEndian.AppendUint32(nil, schemaVersion))
	})
}

// Close closes the file.
func (db *DB) Close() error { return db.bolt.Close() }

// Audit is the store's audit trail.
func (db *DB) Audit() *audit.Log { return db.audit }

// Check runs bbolt's consistency check over the whole file.
func (db *DB) Check() error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		var errs []error
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return errors.Join(errs...)
	})
}

// UsedBytes is how many bytes the store's pages hold in use (keys, values and page
// headers), which the file's size (grown in large steps) does not tell.
func (db *DB) UsedBytes() (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(_ []byte, b *bolt.Bucket) error {
			st := b.Stats()
			n += int64(st.BranchInuse + st.LeafInuse)
			return nil
		})
	})
	return n, err
}
