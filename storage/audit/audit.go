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
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

var (
	bucketEntries = []byte("audit")
	bucketMeta    = []byte("audit-meta")
	keyGenesis    = []byte("genesis")
	keyHead       = []byte("head")
	keyKept       = []byte("head-kept") // set once the head is kept outside the file too
)

// ErrRolledBack is wrapped by the *ChainError of a trail that is behind, or other than,
// the head kept outside the data file: an older copy of the file put back, a damaged meta
// page that made bbolt fall back a transaction, or the kept head removed.
var ErrRolledBack = errors.New("audit: the data file is not the one the trail's head kept beside the key describes")

// HeadStore keeps a copy of the trail's sealed head outside the data file (beside the
// data key), where replacing or rolling back the data file does not reach it.
type HeadStore interface {
	// LoadHead returns the head last stored, or nil when none was.
	LoadHead() ([]byte, error)
	StoreHead(head []byte) error
}

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
	// Cadena and Sello are the entry's cadena original (docs/cadena-original.md) and
	// its signature by the institution, made by the Log's Sealer. They come after the
	// hash (the cadena holds it) and are outside it; an entry written without a Sealer
	// has neither, and its hash is what it was before entries were sealed.
	Cadena string `json:"cadena,omitempty"`
	Sello  string `json:"sello,omitempty"`
}

// Sealer seals an entry as it is appended: its cadena original and the sello over it.
// The trail does not know the cadena's rules or hold the key: capture provides one
// with verify/sello and the institution's signer. It is called inside the write
// transaction, so it must not touch the data file.
type Sealer interface {
	SealEntry(e Entry) (cadena, sello string, err error)
}

// hashOf is the entry's hash: SHA-256 over its canonical JSON with Hash (and the seal,
// made over the hash) empty. The struct's fixed field order makes the encoding
// reproducible.
func hashOf(e Entry) string {
	e.Hash, e.Cadena, e.Sello = "", "", ""
	raw, _ := json.Marshal(e)
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// Log is the trail in an open bbolt file.
type Log struct {
	db  *bolt.DB
	key []byte // seals the head
	now func() time.Time

	kept      HeadStore
	mu        sync.Mutex // guards the fields below, set by committing transactions
	hookTx    *bolt.Tx   // the write transaction whose commit stores pending
	pending   []byte     // its sealed head
	storedSeq uint64     // the newest head stored outside
	stored    bool       // whether one is
	keptErr   error      // the last failure to store it
	sealer    Sealer     // seals each entry appended; nil: entries go unsealed
	sealErr   error      // the last failure to seal one
}

// SetSealer has every entry appended from now on sealed by s (nil: none is).
func (l *Log) SetSealer(s Sealer) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sealer = s
}

// SealErr is the last failure to seal an entry (nil when the last one was sealed). An
// entry that could not be sealed is kept unsealed rather than refused: what it records
// happened, and the chain still links it; the evidence check reports it as unsealed.
func (l *Log) SealErr() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.sealErr
}

// Open prepares the buckets; key (32 bytes or more, secret) seals the head.
func Open(db *bolt.DB, key []byte) (*Log, error) {
	if len(key) < 16 {
		return nil, errors.New("audit: key too short")
	}
	ready := false
	if err := db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		ready = tx.Bucket(bucketEntries) != nil && meta != nil && meta.Get(keyGenesis) != nil
		return nil
	}); err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	if ready || db.IsReadOnly() {
		// Opening an existing trail writes nothing, so it opens on a full disk.
		if !ready {
			return nil, errors.New("audit: the data file has no audit trail")
		}
		return &Log{db: db, key: bytes.Clone(key), now: time.Now}, nil
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
	e.Cadena, e.Sello = "", ""
	e.Hash = hashOf(e)
	l.seal(&e)
	raw, err := json.Marshal(e)
	if err != nil {
		return Entry{}, err
	}
	if err := entries.Put(seqKey(e.Seq), raw); err != nil {
		return Entry{}, err
	}
	sealed := l.sealHead(e.Seq, e.Hash)
	if err := meta.Put(keyHead, sealed); err != nil {
		return Entry{}, err
	}
	l.keepOnCommit(tx, e.Seq, sealed)
	return e, nil
}

// seal fills e's cadena and sello when the Log has a Sealer.
func (l *Log) seal(e *Entry) {
	l.mu.Lock()
	s := l.sealer
	l.mu.Unlock()
	if s == nil {
		return
	}
	cadena, sello, err := s.SealEntry(*e)
	l.mu.Lock()
	l.sealErr = err
	l.mu.Unlock()
	if err == nil {
		e.Cadena, e.Sello = cadena, sello
	}
}

// keepOnCommit stores the transaction's last head outside the file once it has
// committed: never ahead of the file, at worst one commit behind it after a crash.
func (l *Log) keepOnCommit(tx *bolt.Tx, seq uint64, sealed []byte) {
	if l.kept == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.pending = sealed
	if l.hookTx == tx {
		return
	}
	l.hookTx = tx
	tx.OnCommit(func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		head := l.pending
		if l.hookTx == tx {
			l.hookTx = nil
		}
		s, _, ok := l.openHead(head)
		if !ok || l.stored && s <= l.storedSeq {
			return // a later commit stored a newer head already
		}
		if err := l.kept.StoreHead(head); err != nil {
			l.keptErr = err
			return
		}
		l.storedSeq, l.stored, l.keptErr = s, true, nil
	})
}

// KeptErr is the last failure to store the head outside the file (nil when the last
// store went through): the trail is then protected only as far as the last stored head.
func (l *Log) KeptErr() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.keptErr
}

// KeepHead checks the trail against the head kept in hs and from then on keeps it there
// after every commit. A trail behind the kept head, or other than it, is a *ChainError
// wrapping ErrRolledBack. A file whose head was never kept outside (made before this
// check existed) has its head adopted, unless the file is read-only.
func (l *Log) KeepHead(hs HeadStore) error {
	l.kept = hs
	seq, adopt, err := l.checkKept()
	if err != nil || !adopt {
		l.mu.Lock()
		l.storedSeq, l.stored = seq, true
		l.mu.Unlock()
		return err
	}
	if l.db.IsReadOnly() {
		return nil
	}
	return l.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if err := meta.Put(keyKept, []byte("1")); err != nil {
			return err
		}
		seq, hash, err := l.head(meta)
		if err != nil {
			return err
		}
		l.keepOnCommit(tx, seq, l.sealHead(seq, hash))
		return nil
	})
}

// checkKept compares the file's trail with the kept head; adopt says there is none to
// compare with yet.
func (l *Log) checkKept() (seq uint64, adopt bool, err error) {
	kept, err := l.kept.LoadHead()
	if err != nil {
		return 0, false, fmt.Errorf("audit: reading the kept head: %w", err)
	}
	err = l.db.View(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		fseq, _, err := l.head(meta)
		if err != nil {
			return err
		}
		rolled := func(at uint64, problem string) error {
			return &ChainError{Seq: at, Problem: problem, Err: ErrRolledBack}
		}
		if kept == nil {
			if meta.Get(keyKept) != nil {
				return rolled(fseq, "the trail's head kept beside the data key is missing (deleted)")
			}
			adopt = true
			return nil
		}
		kseq, khash, ok := l.openHead(kept)
		if !ok {
			return rolled(fseq, "the head kept beside the data key does not belong to this data file (another file, or another key)")
		}
		seq = kseq
		if kseq > fseq {
			return rolled(fseq+1, fmt.Sprintf("the data file's trail ends at %d but the head kept beside the key says %d (an older copy of the data file, or a damaged one)", fseq, kseq))
		}
		if kseq == 0 {
			return nil
		}
		raw := tx.Bucket(bucketEntries).Get(seqKey(kseq))
		e, err := DecodeEntry(raw)
		if raw == nil || err != nil || e.Hash != khash {
			return rolled(kseq, "the entry the kept head names is not in the data file (the data file was replaced)")
		}
		return nil
	})
	return seq, adopt, err
}

// openHead parses a sealed head, checking its seal.
func (l *Log) openHead(raw []byte) (uint64, string, bool) {
	var seq uint64
	var hash string
	if _, err := fmt.Sscanf(string(raw), "%d %s", &seq, &hash); err != nil || !hmac.Equal(raw, l.sealHead(seq, hash)) {
		return 0, "", false
	}
	return seq, hash, true
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
	seq, hash, ok := l.openHead(raw)
	if !ok {
		return 0, "", &ChainError{Seq: seq, Problem: "the trail's head seal does not verify (rewritten, or another key)"}
	}
	return seq, hash, nil
}

// ChainError names the first entry where the trail is broken.
type ChainError struct {
	Seq     uint64
	Problem string
	Err     error // ErrRolledBack when the kept head tells; else nil
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("audit: bitácora rota en el registro %d; avise a soporte y no use el equipo hasta revisarlo (trail broken at entry %d: %s)", e.Seq, e.Seq, e.Problem)
}

func (e *ChainError) Unwrap() error { return e.Err }

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
	if l.kept != nil {
		if _, _, err := l.checkKept(); err != nil {
			return rep, err
		}
	}
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
