// Package audit keeps an append-only trail of who did what and when, in a bucket of the
// app's bbolt file. Each entry carries the SHA-256 of the previous one, so an edit, a
// deletion or a reordering breaks the chain; the head (last sequence and hash) is kept
// apart with an HMAC under a secret key, so cutting the tail or rewriting the whole
// chain without the key is detected too. Entries hold no personal data in clear: a
// citizen appears only as a keyed hash (Hasher).
package audit

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketEntries = []byte("audit")
	bucketMeta    = []byte("audit-meta")
	keyGenesis    = []byte("genesis")
	keyHead       = []byte("head")
)

// Entry is one line of the trail.
type Entry struct {
	Seq      uint64    `json:"seq"`
	Time     time.Time `json:"time"`
	Operator string    `json:"operator"`
	Action   string    `json:"action"`
	Outcome  string    `json:"outcome"`
	Ref      string    `json:"ref,omitempty"`     // a request indice or entry id, never personal data
	Subject  string    `json:"subject,omitempty"` // a keyed hash of the citizen
	Prev     string    `json:"prev"`              // hex SHA-256 of the previous entry
	Hash     string    `json:"hash"`              // hex SHA-256 of Prev and this entry's other fields
}

// hashOf is the entry's hash: SHA-256 over its canonical JSON with Hash empty. The
// struct's fixed field order makes the encoding reproducible.
func hashOf(e Entry) string {
	e.Hash = ""
	raw, _ := json.Marshal(e)
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// Log is the trail in an open bbolt file.
type Log struct {
	db  *bolt.DB
	key []byte // seals the head
	now func() time.Time
}

// Open prepares the buckets; key (32 bytes or more, secret) seals the head.
func Open(db *bolt.DB, key []byte) (*Log, error) {
	if len(key) < 16 {
		return nil, errors.New("audit: key too short")
	}
	err := db.Update(func(tx *bolt.Tx) error {
		if _, err := tx.CreateBucketIfNotExists(bucketEntries); err != nil {
			return err
		}
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return err
		}
		if meta.Get(keyGenesis) == nil {
			// A random first Prev: removing the first entries cannot be disguised as
			// a trail that starts later.
			g := make([]byte, 32)
			if _, err := rand.Read(g); err != nil {
				return err
			}
			return meta.Put(keyGenesis, []byte(hex.EncodeToString(g)))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	return &Log{db: db, key: bytes.Clone(key), now: time.Now}, nil
}

// Append adds an entry in its own (fsync'd) transaction.
func (l *Log) Append(e Entry) (Entry, error) {
	err := l.db.Update(func(tx *bolt.Tx) error {
		var err error
		e, err = l.AppendTx(tx, e)
		return err
	})
	return e, err
}

// AppendTx adds an entry inside the caller's transaction, so it commits or rolls back
// with the change it records.
func (l *Log) AppendTx(tx *bolt.Tx, e Entry) (Entry, error) {
	entries, meta := tx.Bucket(bucketEntries), tx.Bucket(bucketMeta)
	if entries == nil || meta == nil {
		return Entry{}, errors.New("audit: trail not initialised")
	}
	seq, prev, err := l.head(meta)
	if err != nil {
		return Entry{}, err
	}
	e.Seq, e.Prev = seq+1, prev
	if e.Time.IsZero() {
		e.Time = l.now()
	}
	e.Time = e.Time.UTC()
	e.Hash = hashOf(e)
	raw, err := json.Marshal(e)
	if err != nil {
		return Entry{}, err
	}
	if err := entries.Put(seqKey(e.Seq), raw); err != nil {
		return Entry{}, err
	}
	return e, meta.Put(keyHead, l.sealHead(e.Seq, e.Hash))
}

func seqKey(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

// sealHead is "seq hash mac", the mac keyed so the head cannot be rewritten without key.
func (l *Log) sealHead(seq uint64, hash string) []byte {
	body := fmt.Sprintf("%d %s", seq, hash)
	m := hmac.New(sha256.New, l.key)
	m.Write([]byte(body))
	return []byte(body + " " + hex.EncodeToString(m.Sum(nil)))
}

// head returns the last sequence and hash, checking the head's seal.
func (l *Log) head(meta *bolt.Bucket) (uint64, string, error) {
	raw := meta.Get(keyHead)
	if raw == nil {
		return 0, string(meta.Get(keyGenesis)), nil
	}
	var seq uint64
	var hash string
	if _, err := fmt.Sscanf(string(raw), "%d %s", &seq, &hash); err != nil || !hmac.Equal(raw, l.sealHead(seq, hash)) {
		return 0, "", &ChainError{Seq: seq, Problem: "the trail's head seal does not verify (rewritten, or another key)"}
	}
	return seq, hash, nil
}

// ChainError names the first entry where the trail is broken.
type ChainError struct {
	Seq     uint64
	Problem string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("audit: trail broken at entry %d: %s", e.Seq, e.Problem)
}

// Report summarises a verified trail.
type Report struct {
	Entries int
	Last    Entry
}

// DecodeEntry reads a stored entry.
func DecodeEntry(raw []byte) (Entry, error) {
	var e Entry
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return Entry{}, fmt.Errorf("audit: unreadable entry: %w", err)
	}
	return e, nil
}

// Verify walks the whole trail and reports the first break: an edited entry (its hash),
// a missing, inserted or moved entry (sequence and Prev links), a cut tail or rewritten
// chain (the sealed head).
func (l *Log) Verify(ctx context.Context) (Report, error) {
	var rep Report
	err := l.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		prev := string(meta.Get(keyGenesis))
		headSeq, headHash, err := l.head(meta)
		if err != nil {
			return err
		}
		want := uint64(1)
		c := tx.Bucket(bucketEntries).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			e, err := DecodeEntry(v)
			if err != nil {
				return &ChainError{Seq: want, Problem: err.Error()}
			}
			switch {
			case len(k) != 8 || binary.BigEndian.Uint64(k) != e.Seq:
				return &ChainError{Seq: want, Problem: "stored under another position"}
			case e.Seq != want:
				return &ChainError{Seq: want, Problem: fmt.Sprintf("missing (found %d next)", e.Seq)}
			case e.Prev != prev:
				return &ChainError{Seq: e.Seq, Problem: "does not follow the previous entry (deleted, inserted or reordered)"}
			case hashOf(e) != e.Hash:
				return &ChainError{Seq: e.Seq, Problem: "edited after it was written"}
			}
			prev, want = e.Hash, want+1
			rep.Entries++
			rep.Last = e
		}
		if uint64(rep.Entries) != headSeq || prev != headHash && headSeq > 0 {
			return &ChainError{Seq: uint64(rep.Entries) + 1, Problem: fmt.Sprintf("the trail ends at %d but its head says %d (entries cut off)", rep.Entries, headSeq)}
		}
		return nil
	})
	return rep, err
}

// List returns up to limit entries from sequence from on.
func (l *Log) List(ctx context.Context, from uint64, limit int) ([]Entry, error) {
	var out []Entry
	err := l.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketEntries).Cursor()
		for k, v := c.Seek(seqKey(from)); k != nil && len(out) < limit; k, v = c.Next() {
			if err := ctx.Err(); err != nil {
				return err
			}
			e, err := DecodeEntry(v)
			if err != nil {
				return err
			}
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// Hasher names a citizen without revealing them: HMAC-SHA256 under a secret key of the
// normalised identifier. Holders of the key can correlate; the file alone cannot be
// searched by CURP.
type Hasher struct{ key []byte }

// NewHasher keys a hasher.
func NewHasher(key []byte) *Hasher { return &Hasher{key: bytes.Clone(key)} }

// Subject is the keyed hash of an identifier (CURP or CIC).
func (h *Hasher) Subject(id string) string {
	m := hmac.New(sha256.New, h.key)
	m.Write([]byte(strings.ToUpper(strings.TrimSpace(id))))
	return hex.EncodeToString(m.Sum(nil))[:32]
}
