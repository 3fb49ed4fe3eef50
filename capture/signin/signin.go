// Package signin checks operators' PINs: argon2id hashes from the configuration, and a
// lockout after repeated failures so that a 4–8 digit PIN cannot be guessed at the kiosk.
package signin

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"
)

// Role is what an operator may do.
type Role string

const (
	RoleOperator   Role = "operator"   // verifications, queue, history
	RoleSupervisor Role = "supervisor" // and the settings
)

// Operator is one [[operator]] of the configuration.
type Operator struct {
	ID   string `toml:"id"`
	Name string `toml:"name"`
	Role Role   `toml:"role"`
	PIN  string `toml:"pin"` // argon2id hash, as HashPIN writes it
}

// argon2id costs: about 50 ms here, small enough for a sign-in, large enough that a
// stolen configuration does not give up 4-digit PINs instantly… which it does anyway
// (10⁴ guesses × 50 ms is minutes): the lockout, not the hash, protects short PINs.
const (
	argonTime    = 2
	argonMemory  = 32 * 1024
	argonThreads = 2
	argonLen     = 32
)

// ValidPIN reports whether pin is 4 to 8 digits.
func ValidPIN(pin string) bool {
	if len(pin) < 4 || len(pin) > 8 {
		return false
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// HashPIN hashes a PIN for the configuration, in the PHC string format.
func HashPIN(pin string) (string, error) {
	if !ValidPIN(pin) {
		return "", errors.New("signin: a PIN is 4 to 8 digits")
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pin), salt, argonTime, argonMemory, argonThreads, argonLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

type hash struct {
	mem, time uint32
	threads   uint8
	salt, key []byte
}

func parseHash(s string) (hash, error) {
	var h hash
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return h, errors.New("not an argon2id hash ($argon2id$v=19$m=…,t=…,p=…$salt$key)")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &h.mem, &h.time, &h.threads); err != nil || h.mem == 0 || h.time == 0 || h.threads == 0 {
		return h, fmt.Errorf("bad argon2id parameters %q", parts[3])
	}
	var err error
	if h.salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(h.salt) < 8 {
		return h, errors.New("bad argon2id salt")
	}
	if h.key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(h.key) < 16 {
		return h, errors.New("bad argon2id key")
	}
	return h, nil
}

// Errors a sign-in gives; the screen tells them apart.
var ErrWrongPIN = errors.New("signin: wrong operator or PIN")

// LockedError is an operator locked out after too many wrong PINs.
type LockedError struct {
	Until time.Time
	Fresh bool // this failure set the lock (the trail records it once)
}

func (e *LockedError) Error() string {
	return "signin: locked until " + e.Until.Format(time.TimeOnly)
}

// Message is the sentence for the operator.
func (e *LockedError) Message(lang string, now time.Time) string {
	mins := max(1, int(math.Ceil(e.Until.Sub(now).Minutes())))
	if lang == "en" {
		return fmt.Sprintf("Too many wrong PINs. Try again in %d min, or ask a supervisor.", mins)
	}
	return fmt.Sprintf("Demasiados PIN incorrectos. Intente de nuevo en %d min o pida ayuda a un supervisor.", mins)
}

// Attempts is one id's record of wrong PINs, kept across restarts by a Store.
type Attempts struct {
	Failures int       `json:"failures"`       // wrong PINs since the last success or lock
	Locks    int       `json:"locks"`          // locks since the last success: each lasts twice the one before
	Until    time.Time `json:"until,omitzero"` // locked until then
}

// Store keeps each id's Attempts (the data file, so that a restart does not reset the
// lockout). A Book without one keeps them in memory.
type Store interface {
	LoadAttempts(id string) (Attempts, error)
	SaveAttempts(id string, a Attempts) error
}

// memStore is the Store of a Book given none.
type memStore map[string]Attempts

func (m memStore) LoadAttempts(id string) (Attempts, error) { return m[id], nil }
func (m memStore) SaveAttempts(id string, a Attempts) error { m[id] = a; return nil }

// MaxLockout bounds a lock however many came before it: a day.
const MaxLockout = 24 * time.Hour

// Book is the operators and their failed attempts.
type Book struct {
	MaxFailures int           // wrong PINs in a row before a lock; 0 → 5
	Lockout     time.Duration // the first lock; each next one in a row doubles, up to MaxLockout; 0 → 5 minutes
	Now         func() time.Time
	// Store keeps the attempts; nil: memory, lost at a restart.
	Store Store

	ops   map[string]Operator
	hash  map[string]hash
	dummy hash       // what an unknown id is checked against
	mu    sync.Mutex // one sign-in's read and write of an id's attempts at a time
	mem   memStore
}

// NewBook checks the operators' entries.
func NewBook(ops []Operator) (*Book, error) {
	b := &Book{ops: map[string]Operator{}, hash: map[string]hash{}, mem: memStore{}}
	count := map[[3]uint32]int{}
	for i, o := range ops {
		if o.ID == "" {
			return nil, fmt.Errorf("signin: operator %d has no id", i+1)
		}
		if _, dup := b.ops[o.ID]; dup {
			return nil, fmt.Errorf("signin: operator %q appears twice", o.ID)
		}
		if o.Role != RoleOperator && o.Role != RoleSupervisor {
			return nil, fmt.Errorf("signin: operator %q: role %q (operator or supervisor)", o.ID, o.Role)
		}
		h, err := parseHash(o.PIN)
		if err != nil {
			return nil, fmt.Errorf("signin: operator %q pin: %w", o.ID, err)
		}
		b.ops[o.ID], b.hash[o.ID] = o, h
		params := [3]uint32{h.mem, h.time, uint32(h.threads)}
		count[params]++
		// An unknown id costs what most operators' checks cost: a dummy with other
		// parameters than theirs would tell, by its time, who exists.
		if count[params] > count[[3]uint32{b.dummy.mem, b.dummy.time, uint32(b.dummy.threads)}] || b.dummy.mem == 0 {
			b.dummy = hash{mem: h.mem, time: h.time, threads: h.threads, salt: make([]byte, len(h.salt)), key: make([]byte, len(h.key))}
		}
	}
	if b.dummy.mem == 0 {
		b.dummy = hash{mem: argonMemory, time: argonTime, threads: argonThreads, salt: make([]byte, 16), key: make([]byte, argonLen)}
	}
	return b, nil
}

func (b *Book) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Book) store() Store {
	if b.Store != nil {
		return b.Store
	}
	return b.mem
}

func (b *Book) limits() (int, time.Duration) {
	max, lockout := b.MaxFailures, b.Lockout
	if max <= 0 {
		max = 5
	}
	if lockout <= 0 {
		lockout = 5 * time.Minute
	}
	return max, lockout
}

// SignIn checks an operator's PIN. An unknown operator fails like a wrong PIN, in the
// same time, and counts towards a lock of that id, so the kiosk does not reveal who
// exists. The lock that the last failure set is a *LockedError; so is a try while
// locked (its Fresh false).
func (b *Book) SignIn(id, pin string) (Operator, error) {
	max, lockout := b.limits()
	b.mu.Lock()
	a, err := b.store().LoadAttempts(id)
	b.mu.Unlock()
	if err != nil {
		return Operator{}, fmt.Errorf("signin: %w", err)
	}
	if now := b.now(); now.Before(a.Until) {
		return Operator{}, &LockedError{Until: a.Until}
	}

	op, known := b.ops[id]
	h := b.hash[id]
	if !known {
		h = b.dummy
	}
	got := argon2.IDKey([]byte(pin), h.salt, h.time, h.mem, h.threads, uint32(len(h.key)))
	ok := known && subtle.ConstantTimeCompare(got, h.key) == 1

	b.mu.Lock()
	defer b.mu.Unlock()
	// Read again: another sign-in of the same id may have counted meanwhile.
	if a, err = b.store().LoadAttempts(id); err != nil {
		return Operator{}, fmt.Errorf("signin: %w", err)
	}
	if ok {
		if err := b.store().SaveAttempts(id, Attempts{}); err != nil {
			return Operator{}, fmt.Errorf("signin: %w", err)
		}
		return op, nil
	}
	a.Failures++
	var locked *LockedError
	if a.Failures >= max {
		a.Locks++
		d := lockout << min(a.Locks-1, 20)
		if d > MaxLockout || d <= 0 {
			d = MaxLockout
		}
		a.Failures, a.Until = 0, b.now().Add(d)
		locked = &LockedError{Until: a.Until, Fresh: true}
	}
	if err := b.store().SaveAttempts(id, a); err != nil {
		return Operator{}, fmt.Errorf("signin: %w", err)
	}
	if locked != nil {
		return Operator{}, locked
	}
	return Operator{}, ErrWrongPIN
}

// Unlock clears an id's lock and wrong PINs: a supervisor's decision, which the caller
// checks and records.
func (b *Book) Unlock(id string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.store().SaveAttempts(id, Attempts{})
}

// Remaining is how many wrong PINs id may still enter before the lockout.
func (b *Book) Remaining(id string) int {
	max, _ := b.limits()
	b.mu.Lock()
	defer b.mu.Unlock()
	a, err := b.store().LoadAttempts(id)
	if err != nil {
		return 0
	}
	return max - a.Failures
}

// Lookup is the configured operator id, if there is one: what a caller checks a role
// against, rather than trusting what a screen says.
func (b *Book) Lookup(id string) (Operator, bool) {
	op, ok := b.ops[id]
	return op, ok
}
