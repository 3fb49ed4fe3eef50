// Package sealbox seals values before they are stored: AES-256-GCM with a fresh random
// nonce per value and the record's key as associated data, so a sealed value copied to
// another record does not open. A blob names the key that sealed it, so keys can rotate.
package sealbox

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrWrongKey means the blob was sealed with a key this box does not hold.
var ErrWrongKey = errors.New("sealbox: sealed with another key")

// ErrCorrupt means the blob is damaged, forged, or belongs to another record.
var ErrCorrupt = errors.New("sealbox: sealed value is corrupt or belongs to another record")

const (
	version   = 1
	nonceSize = 12
	header    = 1 + 4 + nonceSize
	// KeySize is the data key's length: AES-256.
	KeySize = 32
)

// Box seals and opens with one key.
type Box struct {
	id   uint32
	aead cipher.AEAD
}

// New makes a box for a 32-byte key, identified by id in every blob it seals.
func New(key []byte, id uint32) (*Box, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("sealbox: key has %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Box{id: id, aead: aead}, nil
}

// ID is the key's identifier.
func (b *Box) ID() uint32 { return b.id }

// Seal encrypts plaintext for the record recordKey: version, key id, nonce, ciphertext.
func (b *Box) Seal(recordKey, plaintext []byte) []byte {
	out := make([]byte, header, header+len(plaintext)+b.aead.Overhead())
	out[0] = version
	binary.BigEndian.PutUint32(out[1:5], b.id)
	if _, err := rand.Read(out[5:header]); err != nil {
		// crypto/rand does not fail on supported platforms; a nonce must never repeat.
		panic("sealbox: no randomness: " + err.Error())
	}
	return b.aead.Seal(out, out[5:header], plaintext, ad(recordKey, out[:5]))
}

// ad binds the record key and the blob's header.
func ad(recordKey, hdr []byte) []byte {
	return append(append([]byte{}, hdr...), recordKey...)
}

// Open decrypts a blob sealed for recordKey.
func (b *Box) Open(recordKey, blob []byte) ([]byte, error) {
	id, err := KeyID(blob)
	if err != nil {
		return nil, err
	}
	if id != b.id {
		return nil, ErrWrongKey
	}
	pt, err := b.aead.Open(nil, blob[5:header], blob[header:], ad(recordKey, blob[:5]))
	if err != nil {
		return nil, ErrCorrupt
	}
	return pt, nil
}

// KeyID names the key that sealed a blob.
func KeyID(blob []byte) (uint32, error) {
	if len(blob) < header+16 || blob[0] != version {
		return 0, ErrCorrupt
	}
	return binary.BigEndian.Uint32(blob[1:5]), nil
}

// Keys is the current key and the older ones still able to open.
type Keys struct {
	current *Box
	byID    map[uint32]*Box
}

// NewKeys makes a key set; current seals, every box opens what it sealed.
func NewKeys(current *Box, older ...*Box) *Keys {
	k := &Keys{current: current, byID: map[uint32]*Box{current.id: current}}
	for _, b := range older {
		k.byID[b.id] = b
	}
	return k
}

// With is a key set where b seals and every key of k still opens: the set a rotation
// to b works with.
func (k *Keys) With(b *Box) *Keys {
	out := &Keys{current: b, byID: map[uint32]*Box{b.id: b}}
	for id, old := range k.byID {
		if id != b.id {
			out.byID[id] = old
		}
	}
	return out
}

// Current is the box that seals.
func (k *Keys) Current() *Box { return k.current }

// Open opens a blob with whichever key sealed it.
func (k *Keys) Open(recordKey, blob []byte) ([]byte, error) {
	id, err := KeyID(blob)
	if err != nil {
		return nil, err
	}
	b, ok := k.byID[id]
	if !ok {
		return nil, fmt.Errorf("%w (key %d)", ErrWrongKey, id)
	}
	return b.Open(recordKey, blob)
}

// Reseal re-encrypts a blob under the current key if an older key sealed it.
func (k *Keys) Reseal(recordKey, blob []byte) ([]byte, bool, error) {
	id, err := KeyID(blob)
	if err != nil {
		return nil, false, err
	}
	if id == k.current.id {
		return blob, false, nil
	}
	pt, err := k.Open(recordKey, blob)
	if err != nil {
		return nil, false, err
	}
	return k.current.Seal(recordKey, pt), true, nil
}
