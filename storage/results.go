package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"

	"cotejo/storage/audit"
)

// Query selects entries for the history screen. Zero fields do not filter.
type Query struct {
	From, To time.Time // created in [From, To)
	Operator string
	Subject  string // a CURP or a CIC, matched through its keyed hash
}

// Find returns the entries a query selects, oldest first.
func (db *DB) Find(ctx context.Context, q Query) ([]Entry, error) {
	var out []Entry
	err := db.bolt.View(func(tx *bolt.Tx) error {
		out = out[:0]
		outbox := tx.Bucket(bucketOutbox)
		keep := func(indice string) error {
			e, err := listEntry(outbox, indice)
			if err != nil {
				return err
			}
			if (q.Operator == "" || e.Operator == q.Operator) &&
				(q.From.IsZero() || !e.Created.Before(q.From)) &&
				(q.To.IsZero() || e.Created.Before(q.To)) {
				out = append(out, e)
			}
			return ctx.Err()
		}
		if q.Subject != "" {
			prefix := []byte(db.subject.Subject(q.Subject) + "\x00")
			c := tx.Bucket(bucketBySubj).Cursor()
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				if err := keep(string(k[len(prefix):])); err != nil {
					return err
				}
			}
			return nil
		}
		if q.Operator != "" {
			prefix := append([]byte(q.Operator), 0)
			c := tx.Bucket(bucketByOp).Cursor()
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				if err := keep(string(k[len(prefix)+8:])); err != nil {
					return err
				}
			}
			return nil
		}
		c := tx.Bucket(bucketByDate).Cursor()
		start := []byte{}
		if !q.From.IsZero() {
			start = timeKey(q.From)
		}
		for k, _ := c.Seek(start); k != nil; k, _ = c.Next() {
			if err := keep(string(k[8:])); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// Purge applies retention: personal data (the citizen summary, INE's answer, and any
// request body) of entries that ended more than Retention ago are deleted, with their
// subject index. Entries still waiting keep everything. It returns how many it purged.
func (db *DB) Purge(ctx context.Context, operator string) (int, error) {
	cutoff := db.opts.Now().Add(-db.opts.Retention)
	n := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		outbox, sealed := tx.Bucket(bucketOutbox), tx.Bucket(bucketSealed)
		c := tx.Bucket(bucketByDate).Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			e, err := getEntry(outbox, string(k[8:]))
			if err != nil {
				return err
			}
			ended := e.Answered
			if ended.IsZero() {
				ended = e.Created
			}
			if e.Purged || !e.State.Final() || ended.After(cutoff) {
				continue
			}
			for _, kind := range []string{"body", "citizen", "answer"} {
				if err := sealed.Delete(recordKey(kind, e.Indice)); err != nil {
					return err
				}
			}
			if err := db.dropSubjectIndex(tx, e.Indice); err != nil {
				return err
			}
			e.Purged, e.Biometrics = true, false
			if err := putEntry(outbox, e); err != nil {
				return err
			}
			n++
		}
		_, err := db.audit.AppendTx(tx, audit.Entry{Operator: operator, Action: "retention.purge", Outcome: fmt.Sprintf("%d", n)})
		return err
	})
	return n, err
}

func (db *DB) dropSubjectIndex(tx *bolt.Tx, indice string) error {
	b := tx.Bucket(bucketBySubj)
	suffix := []byte("\x00" + indice)
	var doomed [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if bytes.HasSuffix(k, suffix) {
			doomed = append(doomed, bytes.Clone(k))
		}
	}
	for _, k := range doomed {
		if err := b.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// Rotate re-seals every sealed value under the current key, so an old key can be
// retired. It returns how many values changed.
func (db *DB) Rotate(ctx context.Context, operator string) (int, error) {
	n := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSealed)
		type kv struct{ k, v []byte }
		var changed []kv
		err := b.ForEach(func(k, v []byte) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			nv, did, err := db.keys.Reseal(k, v)
			if err != nil {
				return fmt.Errorf("storage: re-sealing %s: %w", k, err)
			}
			if did {
				changed = append(changed, kv{bytes.Clone(k), nv})
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, c := range changed {
			if err := b.Put(c.k, c.v); err != nil {
				return err
			}
		}
		n = len(changed)
		_, err = db.audit.AppendTx(tx, audit.Entry{Operator: operator, Action: "key.rotate", Outcome: fmt.Sprintf("%d", n)})
		return err
	})
	return n, err
}

// Compact rewrites the closed data file at path into a fresh one, so pages freed by a
// purge no longer hold old (sealed) bytes, and replaces it atomically.
func Compact(path string, lockTimeout time.Duration) error {
	if lockTimeout == 0 {
		lockTimeout = time.Second
	}
	src, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: lockTimeout})
	if err != nil {
		return fmt.Errorf("storage: compact: %w", err)
	}
	defer src.Close()
	tmp := path + ".compact"
	os.Remove(tmp)
	dst, err := bolt.Open(tmp, 0o600, nil)
	if err != nil {
		return fmt.Errorf("storage: compact: %w", err)
	}
	if err := bolt.Compact(dst, src, 1<<20); err != nil {
		dst.Close()
		os.Remove(tmp)
		return fmt.Errorf("storage: compact: %w", err)
	}
	if err := dst.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// LastRequestTime is the latest creation time of any entry (zero for an empty outbox):
// a Sealer without a time-stamping authority refuses to stamp a request before it
// (verify.Sealer.NotBefore), which tells a clock set back.
func (db *DB) LastRequestTime() (time.Time, error) {
	var t time.Time
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if k, _ := tx.Bucket(bucketByDate).Cursor().Last(); len(k) >= 8 {
			t = time.Unix(0, int64(binary.BigEndian.Uint64(k[:8]))).UTC()
		}
		return nil
	})
	return t, err
}
