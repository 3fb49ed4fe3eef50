package storage

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"cotejo/storage/audit"
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

// SaveCase stores (or replaces) a provider's case record, sealed, durably. A non-empty
// event (e.g. the case's new state) is written to the audit trail in the same
// transaction, as PROVIDER.case with the key as reference: no personal data.
func (db *DB) SaveCase(ctx context.Context, provider, key string, record []byte, event string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkCaseName(provider, key); err != nil {
		return err
	}
	k := caseKey(provider, key)
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketSealed).Put(k, db.keys.Current().Seal(k, record)); err != nil {
			return err
		}
		if event == "" {
			return nil
		}
		_, err := db.audit.AppendTx(tx, audit.Entry{Operator: provider, Action: provider + ".case", Outcome: event, Ref: key})
		return err
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

// PurgeCases applies retention to a provider's cases: ended reads a record and says
// whether the case is finished and when; finished cases that ended more than Retention
// ago are deleted whole. It returns how many, with an audit line when there were any.
func (db *DB) PurgeCases(ctx context.Context, provider, operator string, ended func(record []byte) (time.Time, bool)) (int, error) {
	if err := checkCaseName(provider, "-"); err != nil {
		return 0, err
	}
	cutoff := db.opts.Now().Add(-db.opts.Retention)
	prefix := caseKey(provider, "")
	n := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSealed)
		var doomed [][]byte
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			plain, err := db.keys.Open(k, bytes.Clone(v))
			if err != nil {
				return errors.Join(fmt.Errorf("storage: case %s", k), err)
			}
			if at, done := ended(plain); done && at.Before(cutoff) {
				doomed = append(doomed, bytes.Clone(k))
			}
		}
		for _, k := range doomed {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(doomed)
		if n == 0 {
			return nil // a pass that deleted nothing leaves no line: INE's pass has its own
		}
		_, err := db.audit.AppendTx(tx, audit.Entry{Operator: operator, Action: "retention.cases", Outcome: fmt.Sprintf("%s %d", provider, n)})
		return err
	})
	return n, err
}
