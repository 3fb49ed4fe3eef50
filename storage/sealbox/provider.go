package sealbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"cotejo/storage/ownerfs"

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

// KeyFile holds the key in a file only its owner can read (ownerfs.Check): as 64 hex
// characters and a newline, or sealed with Windows's DPAPI for the account that made
// it (CreateDPAPIKeyFile), which Key tells apart by the file's first line. Either
// opens whatever the configured provider, so a key made before DPAPI keeps working.
type KeyFile struct{ Path string }

// Key reads the key, refusing a file others can read.
func (f KeyFile) Key(ctx context.Context) ([]byte, error) {
	if err := ownerfs.Check(f.Path); err != nil {
		return nil, fmt.Errorf("sealbox: key file: %w", err)
	}
	raw, err := os.ReadFile(f.Path)
	if err != nil {
		return nil, fmt.Errorf("sealbox: key file: %w", err)
	}
	if rest, ok := bytes.CutPrefix(raw, []byte(dpapiMagic)); ok {
		return dpapiKey(f.Path, rest)
	}
	key, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil || len(key) != KeySize {
		return nil, fmt.Errorf("sealbox: key file %s does not hold a %d-byte hex key", f.Path, KeySize)
	}
	return key, nil
}

// IsDPAPI reports whether the key file at path is sealed with DPAPI.
func IsDPAPI(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, len(dpapiMagic))
	n, _ := io.ReadFull(f, head)
	return string(head[:n]) == dpapiMagic, nil
}

// CreateKeyFile writes a new random key in hex, readable by its owner only (0600, or
// an owner-only ACL on Windows), never over an existing file.
func CreateKeyFile(path string) error {
	key, err := NewKey()
	if err != nil {
		return err
	}
	defer clear(key)
	return writeKeyFile(path, []byte(hex.EncodeToString(key)+"\n"))
}

func writeKeyFile(path string, content []byte) error {
	if err := ownerfs.MkdirAll(filepath.Dir(path)); err != nil {
		return err
	}
	f, err := ownerfs.Create(path)
	if err != nil {
		return fmt.Errorf("sealbox: creating key file: %w", err)
	}
	_, err = f.Write(content)
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		os.Remove(path)
		return fmt.Errorf("sealbox: writing key file: %w", err)
	}
	return nil
}

// dpapiMagic opens a key file sealed with DPAPI; the sealed key follows in base64.
const dpapiMagic = "cotejo-dpapi 1\n"

// CreateDPAPIKeyFile writes a new random key sealed with Windows's DPAPI for the
// current user (CryptProtectData), readable by its owner only, never over an existing
// file. A copy of the file opens for no other account or computer. Elsewhere than on
// Windows it returns ErrNoDPAPI.
func CreateDPAPIKeyFile(path string) error {
	key, err := NewKey()
	if err != nil {
		return err
	}
	defer clear(key)
	sealed, err := dpapiProtect(key)
	if err != nil {
		return err
	}
	return writeKeyFile(path, []byte(dpapiMagic+base64.StdEncoding.EncodeToString(sealed)+"\n"))
}

// ErrNoDPAPI is DPAPI asked for where there is none.
var ErrNoDPAPI = errors.New("sealbox: DPAPI (key_provider = \"dpapi\") existe solo en Windows: use key_provider = \"file\", \"passphrase\" o \"keyring\" " +
	"(DPAPI exists on Windows only: use key_provider = \"file\", \"passphrase\" or \"keyring\")")

// DPAPIError is a key file sealed with DPAPI that does not open: it was made by
// another Windows account or computer, copied from one, or altered.
type DPAPIError struct {
	Path string
	Err  error
}

func (e *DPAPIError) Error() string {
	return fmt.Sprintf("sealbox: la clave de datos %s está protegida con DPAPI y no se abre con esta cuenta de Windows en este equipo "+
		"(la creó otra cuenta u otro equipo, o fue alterada): inicie sesión con la cuenta que la creó, o restaure la clave y los datos desde el respaldo "+
		"(the data key %s is protected with DPAPI and does not open for this Windows account on this computer "+
		"(another account or computer made it, or it was altered): sign in with the account that made it, or restore the key and data from the backup): %v",
		e.Path, e.Path, e.Err)
}

func (e *DPAPIError) Unwrap() error { return e.Err }

func dpapiKey(path string, rest []byte) ([]byte, error) {
	sealed, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(rest)))
	if err != nil {
		return nil, &DPAPIError{Path: path, Err: err}
	}
	key, err := dpapiUnprotect(sealed)
	if errors.Is(err, ErrNoDPAPI) {
		return nil, fmt.Errorf("sealbox: la clave de datos %s está sellada con DPAPI de Windows y solo se abre en Windows, con la cuenta que la creó "+
			"(the data key %s is sealed with Windows's DPAPI and opens only on Windows, for the account that made it): %w", path, path, err)
	}
	if err != nil {
		return nil, &DPAPIError{Path: path, Err: err}
	}
	if len(key) != KeySize {
		clear(key)
		return nil, &DPAPIError{Path: path, Err: fmt.Errorf("%d bytes, not %d", len(key), KeySize)}
	}
	return key, nil
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
