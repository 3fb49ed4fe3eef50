package storage

import (
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// bucketSignIn keeps each operator id's wrong-PIN record (capture/signin's Attempts, as
// JSON) so that a restart does not lift a lockout. Made on first write: older files
// have none, and no schema change is needed for it.
var bucketSignIn = []byte("signin")

// MaxSignInID bounds an id kept: ids are typed at the kiosk, and unknown ones are
// counted too.
const MaxSignInID = 64

// SignInRecord is id's stored record, nil when there is none.
func (db *DB) SignInRecord(id string) ([]byte, error) {
	var out []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if b := tx.Bucket(bucketSignIn); b != nil {
			if v := b.Get(signInKey(id)); v != nil {
				out = append([]byte(nil), v...)
			}
		}
		return nil
	})
	return out, err
}

// PutSignInRecord stores id's record; nil deletes it.
func (db *DB) PutSignInRecord(id string, rec []byte) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists(bucketSignIn)
		if err != nil {
			return err
		}
		if rec == nil {
			return b.Delete(signInKey(id))
		}
		return b.Put(signInKey(id), rec)
	})
	if err != nil {
		return fmt.Errorf("storage: sign-in record: %w", err)
	}
	return nil
}

// signInKey is id cut to MaxSignInID bytes (an empty id is kept under a space: bbolt
// keys are never empty).
func signInKey(id string) []byte {
	if len(id) > MaxSignInID {
		id = id[:MaxSignInID]
	}
	if id == "" {
		id = " "
	}
	return []byte(id)
}
