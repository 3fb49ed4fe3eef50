package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Cases are other providers' verifications (Tu Identidad's first): each a record the
// provider's package shapes, kept whole and sealed, because it holds the request and
// the result. They live in the sealed bucket under "case/PROVIDER/KEY", so key
// rotation re-seals them with everything else and no new bucket or migration is needed.
// INE's outbox is not used for them: its sender would claim and post them to INE.

func caseKey(provider, key string) []byte { return []byte("case/" + provider + "/" + key) }

func checkCaseName(provider, key string) error {
	if provider == "" || strings.Contains(provider, "/") || key == "" {
		return fmt.Errorf("storage: case %q/%q: a provider without / and a key are needed", provider, key)
	}
	return nil
}

// SaveCase stores (or replaces) a provider's case record, sealed, durably.
func (db *DB) SaveCase(ctx context.Context, provider, key string, record []byte) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkCaseName(provider, key); err != nil {
		return err
	}
	k := caseKey(provider, key)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSealed).Put(k, db.keys.Current().Seal(k, record))
	})
	if err != nil {
		return fmt.Errorf("storage: saving case %s/%s: %w", provider, key, err)
	}
	return nil
}

// LoadCase returns a case record, opened; ErrNotFound when there is none.
func (db *DB) LoadCase(ctx context.Context, provider, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkCaseName(provider, key); err != nil {
		return nil, err
	}
	return db.openSealed(caseKey(provider, key))
}

// Cases returns every case record of a provider, opened, in key order. A record that
// does not open fails the whole call: a damaged file is for the operator to see.
func (db *DB) Cases(ctx context.Context, provider string) ([][]byte, error) {
	if err := checkCaseName(provider, "-"); err != nil {
		return nil, err
	}
	prefix := caseKey(provider, "")
	type kv struct{ k, v []byte }
	var sealed []kv
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketSealed).Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			sealed = append(sealed, kv{bytes.Clone(k), bytes.Clone(v)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(sealed))
	for _, s := range sealed {
		plain, err := db.keys.Open(s.k, s.v)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("storage: case %s", s.k), err)
		}
		out = append(out, plain)
	}
	return out, nil
}
