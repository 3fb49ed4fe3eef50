// Package scanner is Cotejo's view of fingerprint scanners: the Device every driver
// implements (USB readers, the simulator), the images they give, and the errors an
// operator must understand. Drivers live in subpackages; so do the formats (ANSI 378
// templates, WSQ) and the synthetic fingerprints the simulator shows.
package scanner

import (
	"context"
	"errors"
	"image"
	"time"
	"unicode"
)

// Info describes a connected scanner.
type Info struct {
	Vendor, Model string
	Serial        string // empty when the device has none
	PPI           int    // resolution, pixels per inch
	Width, Height int    // image size in pixels
	Simulated     bool
}

// Capture is one finger's image as the scanner took it.
type Capture struct {
	Image *image.Gray
	PPI   int
	At    time.Time
}

// Event is a change a scanner reports while it is open.
type Event int

const (
	FingerOn  Event = iota + 1 // a finger was placed
	FingerOff                  // the finger was lifted
	Unplugged                  // the scanner went away
)

func (e Event) String() string {
	switch e {
	case FingerOn:
		return "finger on"
	case FingerOff:
		return "finger off"
	case Unplugged:
		return "unplugged"
	}
	return "unknown event"
}

// Device is an open scanner. Capture blocks until a finger is placed and its image taken
// (or ctx ends); events arrive on the channel from Events while the device is open and
// are dropped when nobody reads them. A Device is used by one goroutine at a time, except
// Close, which may be called from any goroutine to end a Capture.
type Device interface {
	Info() Info
	Capture(ctx context.Context) (*Capture, error)
	Events() <-chan Event
	Close() error
}

// Errors drivers return, for callers to decide on with errors.Is.
var (
	ErrUnplugged = errors.New("scanner: the scanner was disconnected")
	ErrClosed    = errors.New("scanner: the scanner is closed")
	ErrBusy      = errors.New("scanner: the scanner is in use by another program")
)

// Message is what the operator reads for a scanner error, in "es" or "en".
func Message(err error, lang string) string {
	en := lang == "en"
	switch {
	case errors.Is(err, ErrUnplugged):
		if en {
			return "The fingerprint scanner was disconnected. Plug it in again and repeat the capture."
		}
		return "Se desconectó el lector de huellas. Conéctelo de nuevo y repita la captura."
	case errors.Is(err, ErrBusy):
		if en {
			return "Another program is using the fingerprint scanner. Close it and try again."
		}
		return "Otro programa está usando el lector de huellas. Ciérrelo e intente de nuevo."
	case errors.Is(err, ErrClosed):
		if en {
			return "The fingerprint scanner is not open."
		}
		return "El lector de huellas no está abierto."
	case errors.Is(err, context.DeadlineExceeded):
		if en {
			return "No finger was placed in time. Ask the citizen to place the finger and try again."
		}
		return "No se colocó el dedo a tiempo. Pida al ciudadano que coloque el dedo e intente de nuevo."
	case errors.Is(err, context.Canceled):
		if en {
			return "Capture cancelled."
		}
		return "Captura cancelada."
	}
	if en {
		return "The fingerprint scanner failed: " + err.Error()
	}
	return "Falló el lector de huellas: " + err.Error()
}

// FingerLabel is FingerName with a capital: a label, or the start of a sentence.
func FingerLabel(finger int, lang string) string {
	r := []rune(FingerName(finger, lang))
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// FingerName is a finger position's name (ANSI/NIST numbering: 1 right thumb … 10 left
// little; 2 and 7 are the index fingers INE asks for), lower case, in "es" or "en".
func FingerName(finger int, lang string) string {
	names := [...][2]string{{"dedo desconocido", "unknown finger"},
		{"pulgar derecho", "right thumb"}, {"índice derecho", "right index"}, {"medio derecho", "right middle"},
		{"anular derecho", "right ring"}, {"meñique derecho", "right little"},
		{"pulgar izquierdo", "left thumb"}, {"índice izquierdo", "left index"}, {"medio izquierdo", "left middle"},
		{"anular izquierdo", "left ring"}, {"meñique izquierdo", "left little"}}
	if finger < 0 || finger >= len(names) {
		finger = 0
	}
	if lang == "en" {
		return names[finger][1]
	}
	return names[finger][0]
}
