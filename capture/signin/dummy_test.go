package signin

import (
	"encoding/base64"
	"fmt"
	"testing"

	"golang.org/x/crypto/argon2"
)

// TestDummyUsesConfiguredParameters: an unknown id is checked with the parameters the
// operators' hashes have, not the package's defaults: a different cost would tell, by
// its time, that an id exists (a configuration hashed elsewhere took 273 ms for a real
// operator and 75 for an unknown one).
func TestDummyUsesConfiguredParameters(t *testing.T) {
	heavy := func(id string) Operator {
		key := argon2.IDKey([]byte("1234"), []byte("0123456789abcdef"), 3, 8*1024, 1, 32)
		return Operator{ID: id, Role: RoleOperator, PIN: fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", 8*1024, 3, 1,
			"MDEyMzQ1Njc4OWFiY2RlZg", rawB64(key))}
	}
	light, err := HashPIN("9999")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name           string
		ops            []Operator
		mem, time, thr uint32
	}{
		{"all of other parameters", []Operator{heavy("a"), heavy("b")}, 8 * 1024, 3, 1},
		{"most of other parameters", []Operator{{ID: "s", Role: RoleSupervisor, PIN: light}, heavy("a"), heavy("b")}, 8 * 1024, 3, 1},
		{"the package's", []Operator{{ID: "s", Role: RoleSupervisor, PIN: light}}, argonMemory, argonTime, argonThreads},
		{"none configured", nil, argonMemory, argonTime, argonThreads},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := NewBook(tt.ops)
			if err != nil {
				t.Fatal(err)
			}
			if b.dummy.mem != tt.mem || b.dummy.time != tt.time || uint32(b.dummy.threads) != tt.thr || len(b.dummy.key) != 32 {
				t.Errorf("dummy m=%d t=%d p=%d, want m=%d t=%d p=%d", b.dummy.mem, b.dummy.time, b.dummy.threads, tt.mem, tt.time, tt.thr)
			}
		})
	}
}

func rawB64(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }
