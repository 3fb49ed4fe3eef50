package qrtext_test

import (
	"errors"
	"testing"

	"cotejo/ocr/qrtext"
)

func TestParse(t *testing.T) {
	for _, in := range []string{
		"https://qr.ine.mx/000012345678158790316",
		"https://qr.ine.mx/123456789012345158790316",
		"HTTPS://QR.INE.MX/123456789012345158790316/",
		"  qr.ine.mx/123456789012345158790316\n",
		"http://qr.ine.mx/123456789012345158790316",
	} {
		c, err := qrtext.Parse(in)
		if in == "https://qr.ine.mx/000012345678158790316" {
			if !errors.Is(err, qrtext.ErrNotINE) {
				t.Errorf("%q (21 digits): %v", in, err)
			}
			continue
		}
		if err != nil || c.CIC != "158790316" || len(c.Digits) != 24 {
			t.Errorf("%q: %+v %v", in, c, err)
		}
	}
	for _, in := range []string{"", "https://example.com/123456789012345158790316", "https://qr.ine.mx/12345678901234515879031A", "ftp://qr.ine.mx/123456789012345158790316", "%%%", "https://qr.ine.mx.evil.com/123456789012345158790316"} {
		if _, err := qrtext.Parse(in); !errors.Is(err, qrtext.ErrNotINE) {
			t.Errorf("%q: %v", in, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add("https://qr.ine.mx/123456789012345158790316")
	f.Add("qr.ine.mx/%zz")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := qrtext.Parse(s)
		if err == nil && (len(c.CIC) != 9 || c.Digits[15:] != c.CIC) {
			t.Fatalf("%q → %+v", s, c)
		}
	})
}
