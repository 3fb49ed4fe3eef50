package verify

import (
	"context"
	"encoding/hex"
	"math/big"
	"strings"
	"time"
)

// Stamp is what a time-stamping source says about a request: when it was produced and
// the serial number of the certificate that vouches for that time (numeroSerie).
type Stamp struct {
	Time   time.Time
	Serial string
}

// Stamper time-stamps the serialised data element of a request before it is signed
// (the signature covers the timeStamp, so the stamp must come first).
type Stamper interface {
	Stamp(ctx context.Context, data []byte) (Stamp, error)
}

// DottedSerial formats a certificate serial number the way INE's samples show
// numeroSerie: lower-case hex bytes separated by dots ("58.be.0e").
func DottedSerial(n *big.Int) string {
	b := n.Bytes()
	if len(b) == 0 {
		b = []byte{0}
	}
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = hex.EncodeToString([]byte{c})
	}
	return strings.Join(parts, ".")
}
