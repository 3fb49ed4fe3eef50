// Package qrtext reads the text of the small QR code on the back of INE credentials
// (models G and H): an address on qr.ine.mx ending in 24 digits, whose last 9 are the
// credential's CIC. The two large QR codes carry signed, encrypted data that only INE
// can read; their text is recognised and refused here.
package qrtext

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// ErrNotINE means the text is not the credential's small QR code.
var ErrNotINE = errors.New("qrtext: not an INE credential QR code")

// Code is what the small QR code says.
type Code struct {
	Digits string // the 24 digits after the host
	CIC    string // their last 9
}

// Parse reads the small QR code's text, tolerating a missing scheme, upper case, a
// trailing slash and surrounding space.
func Parse(text string) (Code, error) {
	s := strings.TrimSpace(text)
	if !strings.Contains(strings.ToLower(s), "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return Code{}, fmt.Errorf("%w: %v", ErrNotINE, err)
	}
	if host := strings.ToLower(u.Hostname()); host != "qr.ine.mx" {
		return Code{}, fmt.Errorf("%w: host %q", ErrNotINE, host)
	}
	if sch := strings.ToLower(u.Scheme); sch != "https" && sch != "http" {
		return Code{}, fmt.Errorf("%w: scheme %q", ErrNotINE, u.Scheme)
	}
	digits := strings.Trim(u.Path, "/")
	if len(digits) != 24 || strings.Trim(digits, "0123456789") != "" {
		return Code{}, fmt.Errorf("%w: %q is not 24 digits", ErrNotINE, digits)
	}
	return Code{Digits: digits, CIC: digits[15:]}, nil
}
