package ui

import (
	"crypto/x509"
	"time"

	"fyne.io/fyne/v2"
)

// certWarning warns of a certificate that expires within 30 days, or has expired: INE
// refuses requests signed or sent with it.
func (c *Controller) certWarning(cert *x509.Certificate, now time.Time) fyne.CanvasObject {
	date := cert.NotAfter.Format("2006-01-02")
	switch {
	case now.After(cert.NotAfter):
		return banner(c.tf("home.certexpired", cert.Subject.CommonName, date), colourBad)
	case cert.NotAfter.Sub(now) < 30*24*time.Hour:
		return banner(c.tf("home.certwarn", cert.Subject.CommonName, date), colourWarn)
	}
	return nil
}
