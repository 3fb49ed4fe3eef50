package remoteid

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// Sealer encrypts values before they reach the disk. The application passes the one
// made from its data key; see Store on why.
type Sealer interface {
	Seal(plain []byte) ([]byte, error)
	Open(sealed []byte) ([]byte, error)
}

// BoltStore is a Store in a bbolt file, one bucket of cases by ID, each value passed
// through the Sealer. With a nil Sealer it keeps plaintext: for tests and the
// stand-in's demo only; the kiosk must give its Sealer (no plaintext at rest).
type BoltStore struct {
	db     *bolt.DB
	sealer Sealer
}

var casesBucket = []byte("remoteid-cases")

// NewBoltStore keeps cases in db, which the caller opens and closes.
func NewBoltStore(db *bolt.DB, s Sealer) (*BoltStore, error) {
	if !db.IsReadOnly() {
		err := db.Update(func(tx *bolt.Tx) error {
			_, err := tx.CreateBucketIfNotExists(casesBucket)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("remoteid: store: %w", err)
		}
	}
	return &BoltStore{db: db, sealer: s}, nil
}

func (s *BoltStore) encode(c Case) ([]byte, error) {
	b, err := json.Marshal(c)
	if err != nil || s.sealer == nil {
		return b, err
	}
	return s.sealer.Seal(b)
}

func (s *BoltStore) decode(b []byte) (Case, error) {
	var err error
	if s.sealer != nil {
		if b, err = s.sealer.Open(b); err != nil {
			return Case{}, err
		}
	}
	var c Case
	err = json.Unmarshal(b, &c)
	return c, err
}

// Update implements Store.
func (s *BoltStore) Update(ctx context.Context, id string, fn func(*Case) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(casesBucket)
		c := Case{ID: id}
		if v := b.Get([]byte(id)); v != nil {
			var err error
			if c, err = s.decode(v); err != nil {
				return fmt.Errorf("remoteid: case %s: %w", id, err)
			}
		}
		if err := fn(&c); err != nil {
			return err
		}
		v, err := s.encode(c)
		if err != nil {
			return err
		}
		return b.Put([]byte(id), v)
	})
}

// Get implements Store.
func (s *BoltStore) Get(ctx context.Context, id string) (Case, error) {
	if err := ctx.Err(); err != nil {
		return Case{}, err
	}
	var c Case
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(casesBucket)
		var v []byte
		if b != nil {
			v = b.Get([]byte(id))
		}
		if v == nil {
			return fmt.Errorf("%w: %s", ErrNoCase, id)
		}
		var err error
		c, err = s.decode(v)
		return err
	})
	return c, err
}

// List implements Store.
func (s *BoltStore) List(ctx context.Context) ([]Case, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var out []Case
	err := s.db.View(func(tx *bolt.Tx) error {
		b := tx.Bucket(casesBucket)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			c, err := s.decode(v)
			if err != nil {
				return fmt.Errorf("remoteid: case %s: %w", k, err)
			}
			out = append(out, c)
			return nil
		})
	})
	return out, err
}
