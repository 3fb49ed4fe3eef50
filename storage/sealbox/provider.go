package sealbox

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/zalando/go-keyring"
	"golang.org/x/crypto/argon2"
)

// Provider supplies the 32-byte data key.
type Provider interface {
	Key(ctx context.Context) ([]byte, error)
}

// NewKey makes a random data key.
func NewKey() ([]byte, error) {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	return k, nil
}

// KeyFile holds the key as 64 hex characters and a newline, readable by its owner only.
type KeyFile struct{ Path string }

// Key reads the key, refusing a file others can read.
func (f KeyFile) Key(ctx context.Context) ([]byte, error) {
	st, err := os.Stat(f.Path)
	if err != nil {
		return nil, fmt.Errorf("sealbox: key file: %w", err)
	}
	// Windows has no mode bits (Go reports 0666 for any writable file): there, the
	// folder's ACL is what keeps others out.
	if runtime.GOOS != "windows" && st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("sealbox: key file %s can be read by others (mode %v): run chmod 600 %s", f.Path, st.Mode().Perm(), f.Path)
	}
	raw, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, fmt.Errorf("sealbox: key file: %w", err)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("sealbox: key file %s does not hold a %d-byte hex key", f.Path, KeySize)
	}
	return key, nil
}

// CreateKeyFile writes a new random key with mode 0600, never over an existing file.
func CreateKeyFile(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	key, err := NewKey()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("sealbox: creating key file: %w", err)
	}
	_, err = f.WriteString(hex.EncodeToString(key) + "\n")
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return fmt.Errorf("sealbox: writing key file: %w", err)
	}
	return nil
}

// Argon2Params are argon2id's costs.
type Argon2Params struct {
	Time      uint32
	MemoryKiB uint32
	Threads   uint8
}

// Bounds on argon2id's costs read from a file: a zero panics in argon2, and huge ones
// would hold a kiosk's memory or cores for ever. Within them a tampered file only makes
// the passphrase check fail.
const (
	maxArgon2Time      = 16
	minArgon2MemoryKiB = 1 << 10 // 1 MiB
	maxArgon2MemoryKiB = 1 << 20 // 1 GiB
	maxArgon2Threads   = 16
)

// ParamsError is a key-derivation setting outside the bounds Cotejo accepts.
type ParamsError struct {
	Param    string
	Value    uint64
	Min, Max uint64
}

func (e *ParamsError) Error() string {
	return fmt.Sprintf("sealbox: el parámetro %s de la derivación de la clave vale %d, fuera de [%d, %d]: restaure el archivo .kdf desde el respaldo "+
		"(key-derivation parameter %s is %d, outside [%d, %d]: restore the .kdf file from the backup)", e.Param, e.Value, e.Min, e.Max, e.Param, e.Value, e.Min, e.Max)
}

// Validate checks every cost against Cotejo's bounds.
func (p Argon2Params) Validate() error {
	for _, c := range []struct {
		name     string
		v        uint64
		min, max uint64
	}{
		{"time", uint64(p.Time), 1, maxArgon2Time},
		{"memory_kib", uint64(p.MemoryKiB), max(minArgon2MemoryKiB, 8*uint64(p.Threads)), maxArgon2MemoryKiB},
		{"threads", uint64(p.Threads), 1, maxArgon2Threads},
	} {
		if c.v < c.min || c.v > c.max {
			return &ParamsError{Param: c.name, Value: c.v, Min: c.min, Max: c.max}
		}
	}
	return nil
}

// DefaultArgon2Params follow RFC 9106's second recommendation (t=3, 64 MiB) with 2
// lanes for a 2-core kiosk.
func DefaultArgon2Params() Argon2Params {
	return Argon2Params{Time: 3, MemoryKiB: 64 << 10, Threads: 2}
}

// ErrWrongPassphrase means the passphrase does not give the key the check was made for.
var ErrWrongPassphrase = errors.New("sealbox: wrong passphrase")

// Passphrase derives the key with argon2id. Salt and Check are stored beside the data
// (neither is secret); Check tells a wrong passphrase apart from corrupt records.
type Passphrase struct {
	Passphrase func() ([]byte, error)
	Salt       []byte
	Params     Argon2Params
	Check      []byte // from Checksum; empty: not checked
}

// NewSalt makes a 16-byte salt.
func NewSalt() ([]byte, error) {
	s := make([]byte, 16)
	_, err := rand.Read(s)
	return s, err
}

// Checksum is what Check must hold for key.
func Checksum(key []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("cotejo-key-check"))
	return m.Sum(nil)
}

// Key derives the key.
func (p Passphrase) Key(ctx context.Context) ([]byte, error) {
	if len(p.Salt) < 16 || len(p.Salt) > 64 {
		return nil, errors.New("sealbox: passphrase salt missing, short or too long")
	}
	par := p.Params
	if par == (Argon2Params{}) {
		par = DefaultArgon2Params()
	}
	if err := par.Validate(); err != nil {
		return nil, err
	}
	pw, err := p.Passphrase()
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key := argon2.IDKey(pw, p.Salt, par.Time, par.MemoryKiB, par.Threads, KeySize)
	clear(pw)
	if len(p.Check) > 0 && !hmac.Equal(Checksum(key), p.Check) {
		return nil, ErrWrongPassphrase
	}
	return key, nil
}

// Keyring keeps the key in the operating system's keyring (Secret Service on Linux,
// Credential Manager on Windows).
type Keyring struct{ Service, User string }

// Key reads the key from the keyring.
func (k Keyring) Key(ctx context.Context) ([]byte, error) {
	s, err := keyring.Get(k.Service, k.User)
	if err != nil {
		return nil, fmt.Errorf("sealbox: keyring: %w", err)
	}
	key, err := hex.DecodeString(s)
	if err != nil || len(key) != KeySize {
		return nil, errors.New("sealbox: keyring entry is not a data key")
	}
	return key, nil
}

// CreateKeyringKey stores a new random key, never over an existing one.
func CreateKeyringKey(service, user string) error {
	if _, err := keyring.Get(service, user); err == nil {
		return fmt.Errorf("sealbox: keyring already holds a key for %s/%s", service, user)
	}
	key, err := NewKey()
	if err != nil {
		return err
	}
	if err := keyring.Set(service, user, hex.EncodeToString(key)); err != nil {
		return fmt.Errorf("sealbox: keyring: %w", err)
	}
	return nil
}
