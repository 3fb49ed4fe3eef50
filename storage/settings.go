package storage

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"cotejo/storage/ownerfs"
	"cotejo/storage/sealbox"
)

// Settings is the [storage] section of the configuration file.
type Settings struct {
	Path          string   `toml:"path"`           // default: cotejo/cotejo.db in the user's config folder (Windows: %LOCALAPPDATA%)
	KeyProvider   string   `toml:"key_provider"`   // "file" (default; Windows: "dpapi"), "dpapi", "passphrase" or "keyring"
	KeyFile       string   `toml:"key_file"`       // default: beside the data file, cotejo.key (made on first use)
	OldKeyFiles   []string `toml:"old_key_files"`  // keys being retired: they open, never seal
	RetentionDays int      `toml:"retention_days"` // personal data of finished requests; 0: Open's default (30)
}

// PassphraseEnv is where the passphrase provider reads the passphrase from.
const PassphraseEnv = "COTEJO_PASSPHRASE"

// Resolved returns the settings with defaults applied and paths made absolute.
func (s Settings) Resolved(baseDir string) (Settings, error) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(baseDir, p)
	}
	s.Path = abs(s.Path)
	if s.Path == "" {
		dir, err := dataDir(runtime.GOOS, os.UserConfigDir, os.UserCacheDir)
		if err != nil {
			return s, fmt.Errorf("storage: no path set and no user data folder: %w", err)
		}
		s.Path = filepath.Join(dir, "cotejo", "cotejo.db")
	}
	s.KeyFile = abs(s.KeyFile)
	if s.KeyFile == "" {
		s.KeyFile = filepath.Join(filepath.Dir(s.Path), "cotejo.key")
	}
	for i, p := range s.OldKeyFiles {
		s.OldKeyFiles[i] = abs(p)
	}
	if s.KeyProvider == "" {
		s.KeyProvider = defaultKeyProvider(runtime.GOOS)
	}
	return s, nil
}

// defaultKeyProvider is the key provider when none is configured: a key file, sealed
// on Windows with DPAPI for the user (a copy of the file opens for no other account
// or computer). A hex key file made before opens under either (sealbox.KeyFile).
func defaultKeyProvider(goos string) string {
	if goos == "windows" {
		return "dpapi"
	}
	return "file"
}

// keyInFile reports whether the provider keeps the key in KeyFile.
func (s Settings) keyInFile() bool { return s.KeyProvider == "file" || s.KeyProvider == "dpapi" }

// createKeyFile makes the provider's kind of key file at path.
func (s Settings) createKeyFile(path string) error {
	if s.KeyProvider == "dpapi" {
		return sealbox.CreateDPAPIKeyFile(path)
	}
	return sealbox.CreateKeyFile(path)
}

// dataDir is the folder whose cotejo/ holds the data file when none is configured: the
// user's configuration folder (~/.config, beside cotejo.toml), except on Windows, where
// that is %APPDATA%, which roams with the user's profile to other computers; the
// kiosk's sealed data stays on the kiosk, in %LOCALAPPDATA% (Go's user cache folder
// there).
func dataDir(goos string, configDir, localDir func() (string, error)) (string, error) {
	if goos == "windows" {
		return localDir()
	}
	return configDir()
}

// keyID names a key by its hash, so no id has to be configured or kept in step.
func keyID(key []byte) uint32 {
	sum := sha256.Sum256(append([]byte("cotejo-key-id"), key...))
	return binary.BigEndian.Uint32(sum[:4])
}

func boxFor(key []byte) (*sealbox.Box, error) { return sealbox.New(key, keyID(key)) }

// Keys loads the data keys the settings name; a missing key is made on first use, but
// never beside an existing data file (ErrKeyMissing): a new key would not open it.
func (s Settings) Keys(ctx context.Context) (*sealbox.Keys, error) { return s.keys(ctx, true) }

// keyExists reports whether the provider already holds a key (or, for a passphrase,
// the file its derivation needs).
func (s Settings) keyExists(ctx context.Context) bool {
	switch s.KeyProvider {
	case "file", "dpapi":
		_, err := os.Stat(s.KeyFile)
		return !errors.Is(err, os.ErrNotExist)
	case "keyring":
		_, err := sealbox.Keyring{Service: "cotejo", User: s.Path}.Key(ctx)
		return err == nil
	case "passphrase":
		_, err := os.Stat(s.Path + ".kdf")
		return !errors.Is(err, os.ErrNotExist)
	}
	return false
}

// HeadPath is where the audit trail's head is kept outside the data file: beside the
// key file, or beside the data file for the other providers (whose key lives elsewhere).
func (s Settings) HeadPath() string {
	if s.keyInFile() {
		return s.KeyFile + ".head"
	}
	return s.Path + ".head"
}

func (s Settings) keys(ctx context.Context, create bool) (*sealbox.Keys, error) {
	if create && !s.keyExists(ctx) && !emptyOrMissing(s.Path) {
		return nil, ErrKeyMissing
	}
	var p sealbox.Provider
	switch s.KeyProvider {
	case "file", "dpapi":
		if s.KeyProvider == "dpapi" && runtime.GOOS != "windows" {
			return nil, sealbox.ErrNoDPAPI
		}
		if _, err := os.Stat(s.KeyFile); errors.Is(err, os.ErrNotExist) && create {
			if err := s.createKeyFile(s.KeyFile); err != nil {
				return nil, err
			}
		} else if errors.Is(err, os.ErrNotExist) {
			return nil, ErrKeyMissing
		}
		p = sealbox.KeyFile{Path: s.KeyFile}
	case "keyring":
		p = sealbox.Keyring{Service: "cotejo", User: s.Path}
		if _, err := p.Key(ctx); err != nil && create {
			if err := sealbox.CreateKeyringKey("cotejo", s.Path); err != nil {
				return nil, err
			}
		}
	case "passphrase":
		kdf, err := s.kdf(create)
		if err != nil {
			return nil, err
		}
		p = kdf
	default:
		return nil, fmt.Errorf("storage: key_provider %q: want file, dpapi, passphrase or keyring", s.KeyProvider)
	}
	key, err := p.Key(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := boxFor(key)
	if err != nil {
		return nil, err
	}
	var old []*sealbox.Box
	olds := s.OldKeyFiles
	if s.keyInFile() {
		// A rotation cut short may have re-sealed under the key it was bringing in.
		if _, err := os.Stat(s.KeyFile + ".new"); err == nil {
			olds = append(slices.Clone(olds), s.KeyFile+".new")
		}
	}
	for _, f := range olds {
		k, err := sealbox.KeyFile{Path: f}.Key(ctx)
		if err != nil {
			return nil, err
		}
		b, err := boxFor(k)
		if err != nil {
			return nil, err
		}
		old = append(old, b)
	}
	return sealbox.NewKeys(cur, old...), nil
}

// kdfFile is what the passphrase provider keeps beside the data file: not secret.
type kdfFile struct {
	Salt   []byte               `json:"salt"`
	Params sealbox.Argon2Params `json:"params"`
	Check  []byte               `json:"check"`
}

func (s Settings) kdf(create bool) (sealbox.Passphrase, error) {
	pw := func() ([]byte, error) {
		v := os.Getenv(PassphraseEnv)
		if v == "" {
			return nil, fmt.Errorf("storage: set %s to the data passphrase", PassphraseEnv)
		}
		return []byte(v), nil
	}
	path := s.Path + ".kdf"
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !create {
		return sealbox.Passphrase{}, ErrKeyMissing
	}
	if errors.Is(err, os.ErrNotExist) {
		salt, err := sealbox.NewSalt()
		if err != nil {
			return sealbox.Passphrase{}, err
		}
		p := sealbox.Passphrase{Passphrase: pw, Salt: salt, Params: sealbox.DefaultArgon2Params()}
		key, err := p.Key(context.Background())
		if err != nil {
			return sealbox.Passphrase{}, err
		}
		out, _ := json.Marshal(kdfFile{Salt: salt, Params: p.Params, Check: sealbox.Checksum(key)})
		if err := ownerfs.MkdirAll(filepath.Dir(path)); err != nil {
			return sealbox.Passphrase{}, err
		}
		if err := os.WriteFile(path, out, 0o600); err != nil {
			return sealbox.Passphrase{}, err
		}
		raw = out
	} else if err != nil {
		return sealbox.Passphrase{}, err
	}
	var k kdfFile
	if err := json.Unmarshal(raw, &k); err != nil {
		return sealbox.Passphrase{}, fmt.Errorf("storage: %s: %w", path, err)
	}
	return sealbox.Passphrase{Passphrase: pw, Salt: k.Salt, Params: k.Params, Check: k.Check}, nil
}

// OpenSettings opens the store the settings describe, keeping the audit trail's head
// beside the key (HeadPath). A missing or empty data file whose key exists already is
// ErrDataMissing: a deleted file is not a fresh start.
func OpenSettings(ctx context.Context, s Settings, baseDir string) (*DB, error) {
	return openSettings(ctx, s, baseDir, false)
}

// OpenSettingsReadOnly opens the store for viewing the queue and history, verifying the
// audit trail and exporting: it writes nothing, so it works on a full disk, and makes
// no key. Changes return errors wrapping ErrReadOnly.
func OpenSettingsReadOnly(ctx context.Context, s Settings, baseDir string) (*DB, error) {
	return openSettings(ctx, s, baseDir, true)
}

func openSettings(ctx context.Context, s Settings, baseDir string, readOnly bool) (*DB, error) {
	return s.Open(ctx, baseDir, Options{ReadOnly: readOnly})
}

// Open opens the store the settings describe with o's other options (a clock, a lock
// timeout, ReadOnly): the keys, the head file and the retention come from the settings.
func (s Settings) Open(ctx context.Context, baseDir string, o Options) (*DB, error) {
	s, err := s.Resolved(baseDir)
	if err != nil {
		return nil, err
	}
	if s.keyExists(ctx) && emptyOrMissing(s.Path) {
		return nil, ErrDataMissing
	}
	if o.Keys, err = s.keys(ctx, !o.ReadOnly); err != nil {
		return nil, err
	}
	o.Retention = time.Duration(s.RetentionDays) * 24 * time.Hour
	o.Head = HeadFile{Path: s.HeadPath()}
	return Open(s.Path, o)
}

// RotateReport says what a key rotation did.
type RotateReport struct {
	Resealed int    // sealed values re-sealed under the new key
	Retired  string // where the old key now is: keep it offline for old backups, or destroy it
}

// RotateKey is `cotejo key rotate` for the file and dpapi providers: it makes a new key
// of the provider's kind (beside the current one, as KeyFile.new), re-seals every value
// under it in one transaction, keeps the old key as KeyFile.retired-<time> and puts the
// new one in its place. Cut short at any step, the store still opens (Keys also opens
// with KeyFile.new) and running it again finishes. Cotejo must be closed (the data file's lock). On Windows it is also
// how a hex key file made before DPAPI becomes a DPAPI one (key_provider "dpapi", the
// default there).
func RotateKey(ctx context.Context, s Settings, baseDir, operator string) (RotateReport, error) {
	s, err := s.Resolved(baseDir)
	if err != nil {
		return RotateReport{}, err
	}
	if !s.keyInFile() {
		return RotateReport{}, fmt.Errorf("storage: key rotation is for key_provider = \"file\" or \"dpapi\", not %q", s.KeyProvider)
	}
	newPath := s.KeyFile + ".new"
	if _, err := os.Stat(newPath); errors.Is(err, os.ErrNotExist) {
		if err := s.createKeyFile(newPath); err != nil {
			return RotateReport{}, err
		}
	}
	newKey, err := sealbox.KeyFile{Path: newPath}.Key(ctx)
	if err != nil {
		return RotateReport{}, err
	}
	old, err := s.keys(ctx, false)
	if err != nil {
		return RotateReport{}, err
	}
	cur, err := boxFor(newKey)
	if err != nil {
		return RotateReport{}, err
	}
	db, err := Open(s.Path, Options{Keys: old.With(cur), Head: HeadFile{Path: s.HeadPath()}})
	if err != nil {
		return RotateReport{}, err
	}
	n, err := db.Rotate(ctx, operator)
	if err = errors.Join(err, db.Close()); err != nil {
		return RotateReport{}, err
	}
	retired := s.KeyFile + ".retired-" + time.Now().UTC().Format("20060102T150405Z")
	if err := os.Link(s.KeyFile, retired); err != nil {
		return RotateReport{}, fmt.Errorf("storage: keeping the old key: %w", err)
	}
	if err := os.Rename(newPath, s.KeyFile); err != nil {
		return RotateReport{}, fmt.Errorf("storage: putting the new key in place: %w", err)
	}
	return RotateReport{Resealed: n, Retired: retired}, nil
}
