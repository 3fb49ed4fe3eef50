package storage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"cotejo/storage/audit"
)

// Constancy is what validating an entry's receipt against its NOM-151 preservation
// constancy needs later: the constancy (its folio, or its file as the provider issued
// it) and the digest of the receipt it preserves. It is kept sealed beside the entry:
// the digest is of a document that names the citizen.
type Constancy struct {
	Folio  int64  `json:"folio,omitempty"`  // validaFolioNOM151
	File   []byte `json:"file,omitempty"`   // validaNOM151: the constancy file, byte for byte
	Digest []byte `json:"digest"`           // SHA-256 (32 bytes) or SHA-512 (64) of the receipt
	Name   string `json:"name,omitempty"`   // the receipt's file name, for the evidence sheet
	Source string `json:"source,omitempty"` // who recorded it: an operator, or the provider's name
	// Recorded is when it was attached (the store's clock).
	Recorded time.Time `json:"recorded"`
}

// MaxConstancyFile bounds a constancy file kept in the data file: a time-stamp
// structure is a few kilobytes.
const MaxConstancyFile = 1 << 20

// ErrNoConstancy means the entry has no constancy recorded.
var ErrNoConstancy = errors.New("storage: no constancy recorded for the entry")

// ErrBadConstancy is wrapped by the errors of a constancy that cannot be kept.
var ErrBadConstancy = errors.New("storage: constancy refused")

// check says whether c can be kept: one of folio or file, and a digest of a length the
// service takes.
func (c Constancy) check() error {
	switch {
	case (c.Folio > 0) == (len(c.File) > 0):
		return fmt.Errorf("%w: a folio greater than 0 or a file is needed, not both", ErrBadConstancy)
	case len(c.File) > MaxConstancyFile:
		return fmt.Errorf("%w: the file is over %d bytes", ErrBadConstancy, MaxConstancyFile)
	case len(c.Digest) != 32 && len(c.Digest) != 64:
		return fmt.Errorf("%w: a %d-byte digest is neither SHA-256 nor SHA-512", ErrBadConstancy, len(c.Digest))
	}
	return nil
}

// PutConstancy records (or replaces) the constancy of an entry's receipt, sealed, and
// marks the entry; the audit trail says who attached one to which entry, nothing of
// the constancy itself. The time recorded is the store's.
func (db *DB) PutConstancy(ctx context.Context, ref, operator string, c Constancy) (Entry, error) {
	if err := ctx.Err(); err != nil {
		return Entry{}, err
	}
	if err := c.check(); err != nil {
		return Entry{}, err
	}
	c.Recorded = db.opts.Now().UTC()
	return db.modify(ref, func(tx *bolt.Tx, e *Entry) (audit.Entry, error) {
		raw, err := json.Marshal(c)
		if err != nil {
			return audit.Entry{}, err
		}
		key := recordKey("constancy", e.Indice)
		if err := tx.Bucket(bucketSealed).Put(key, db.keys.Current().Seal(key, raw)); err != nil {
			return audit.Entry{}, err
		}
		kind := "folio"
		if len(c.File) > 0 {
			kind = "archivo"
		}
		e.Constancy = true
		return audit.Entry{Operator: operator, Action: "nom151.attach", Outcome: kind}, nil
	})
}

// ConstancyOf returns the constancy recorded for an entry (by indice), opened;
// ErrNoConstancy when there is none.
func (db *DB) ConstancyOf(indice string) (Constancy, error) {
	raw, err := db.openSealed(recordKey("constancy", indice))
	if errors.Is(err, ErrNotFound) {
		return Constancy{}, ErrNoConstancy
	}
	if err != nil {
		return Constancy{}, err
	}
	var c Constancy
	if err := json.Unmarshal(raw, &c); err != nil {
		return Constancy{}, fmt.Errorf("storage: the constancy of %s: %w", indice, err)
	}
	return c, nil
}
