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
type LockedError struct{ Until time.Time }

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

// Book is the operators and their failed attempts.
type Book struct {
	MaxFailures int           // wrong PINs in a row before the lockout; 0 → 5
	Lockout     time.Duration // how long; 0 → 5 minutes
	Now         func() time.Time

	ops  map[string]Operator
	hash map[string]hash
	mu   sync.Mutex
	fail map[string]int
	lock map[string]time.Time
}

// NewBook checks the operators' entries.
func NewBook(ops []Operator) (*Book, error) {
	b := &Book{ops: map[string]Operator{}, hash: map[string]hash{}, fail: map[string]int{}, lock: map[string]time.Time{}}
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
	}
	return b, nil
}

func (b *Book) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// SignIn checks an operator's PIN. An unknown operator fails like a wrong PIN and counts
// towards a lockout of that id, so the kiosk does not reveal who exists.
func (b *Book) SignIn(id, pin string) (Operator, error) {
	max, lockout := b.MaxFailures, b.Lockout
	if max <= 0 {
		max = 5
	}
	if lockout <= 0 {
		lockout = 5 * time.Minute
	}
	b.mu.Lock()
	if until, ok := b.lock[id]; ok {
		if b.now().Before(until) {
			b.mu.Unlock()
			return Operator{}, &LockedError{Until: until}
		}
		delete(b.lock, id)
		b.fail[id] = 0
	}
	b.mu.Unlock()

	op, known := b.ops[id]
	h := b.hash[id]
	if !known { // spend the same time as a real check
		h = hash{mem: argonMemory, time: argonTime, threads: argonThreads, salt: make([]byte, 16), key: make([]byte, argonLen)}
	}
	got := argon2.IDKey([]byte(pin), h.salt, h.time, h.mem, h.threads, uint32(len(h.key)))
	ok := known && subtle.ConstantTimeCompare(got, h.key) == 1

	b.mu.Lock()
	defer b.mu.Unlock()
	if ok {
		b.fail[id] = 0
		return op, nil
	}
	b.fail[id]++
	if b.fail[id] >= max {
		until := b.now().Add(lockout)
		b.lock[id] = until
		return Operator{}, &LockedError{Until: until}
	}
	return Operator{}, ErrWrongPIN
}

// Remaining is how many wrong PINs id may still enter before the lockout.
func (b *Book) Remaining(id string) int {
	max := b.MaxFailures
	if max <= 0 {
		max = 5
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return max - b.fail[id]
}

// Lookup is the configured operator id, if there is one: what a caller checks a role
// against, rather than trusting what a screen says.
func (b *Book) Lookup(id string) (Operator, bool) {
	op, ok := b.ops[id]
	return op, ok
}
