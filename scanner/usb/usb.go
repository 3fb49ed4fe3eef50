// Package usb finds the USB fingerprint readers Cotejo has drivers for: which are
// plugged in (List), and when that changes (Watch). It never opens a device to find it,
// so listing works without the udev rule and never disturbs a reader another program
// is using; opening is the driver's job (package uru4000). It also turns libusb's
// failures into errors an operator can act on (Wrap).
package usb

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/google/gousb"

	"cotejo/scanner"
)

// Model is a kind of reader, known by its USB vendor and product IDs.
type Model struct {
	Vendor, Product uint16 // USB IDs
	Maker, Name     string
}

// String gives the model as an operator would look for it, e.g.
// "DigitalPersona U.are.U 4000B/4500 (05ba:000a)".
func (m Model) String() string {
	return fmt.Sprintf("%s %s (%04x:%04x)", m.Maker, m.Name, m.Vendor, m.Product)
}

// The readers of the DigitalPersona U.are.U 4000 family, which Microsoft also sold under
// its own name. The names follow libfprint's uru4000 driver, whose authors had the
// hardware; 05ba:000a is the same ID on the 4000B and the 4500 that replaced it.
var models = []Model{
	{0x05ba, 0x0007, "DigitalPersona", "U.are.U 4000"},
	{0x05ba, 0x0008, "DigitalPersona", "U.are.U 4000 (keyboard)"},
	{0x05ba, 0x000a, "DigitalPersona", "U.are.U 4000B/4500"},
	{0x045e, 0x00bb, "Microsoft", "Keyboard with Fingerprint Reader"},
	{0x045e, 0x00bc, "Microsoft", "Wireless IntelliMouse with Fingerprint Reader"},
	{0x045e, 0x00bd, "Microsoft", "Fingerprint Reader"},
	{0x045e, 0x00ca, "Microsoft", "Fingerprint Reader v2"}, // AES challenge-response at power-up
}

// Models returns the readers Cotejo supports, in a new slice the caller may keep.
func Models() []Model { return slices.Clone(models) }

// Lookup returns the supported model with these USB IDs, if there is one.
func Lookup(vendor, product uint16) (Model, bool) {
	for _, m := range models {
		if m.Vendor == vendor && m.Product == product {
			return m, true
		}
	}
	return Model{}, false
}

// Found is a supported reader plugged in now.
type Found struct {
	Model
	Bus, Address int    // where it is on the USB; the address changes when it is replugged
	Serial       string // empty when the system does not say (it is read without opening the reader)
}

// String names the reader and where it is plugged.
func (f Found) String() string {
	s := fmt.Sprintf("%v on bus %d address %d", f.Model, f.Bus, f.Address)
	if f.Serial != "" {
		s += ", serial " + f.Serial
	}
	return s
}

// Errors for callers to decide on with errors.Is. Wrap also wraps scanner.ErrUnplugged
// and scanner.ErrBusy where libusb says so. Each says in the operator's language what
// to do (Message), the way this system needs it done.
var (
	ErrPermission = &Problem{text: "usb: this user may not use the fingerprint reader; " +
		"install assets/60-cotejo-fingerprint.rules in /etc/udev/rules.d, run " +
		"'udevadm control --reload && udevadm trigger' as root (or reboot), then unplug and replug the reader",
		es: map[bool]string{
			false: "Este usuario no tiene permiso para usar el lector de huellas: pida a sistemas que instale la regla de udev de Cotejo (60-cotejo-fingerprint.rules) y vuelva a conectar el lector.",
			true:  "Windows no deja a Cotejo usar el lector de huellas: pida a sistemas que le instale el controlador WinUSB de Cotejo (cotejo-readers.inf) y vuelva a conectar el lector.",
		},
		en: map[bool]string{
			false: "This user may not use the fingerprint scanner: ask IT to install Cotejo's udev rule (60-cotejo-fingerprint.rules), then plug the scanner in again.",
			true:  "Windows does not let Cotejo use the fingerprint scanner: ask IT to install Cotejo's WinUSB driver (cotejo-readers.inf) for it, then plug the scanner in again.",
		}}
	ErrNotFound = &Problem{text: "usb: no supported fingerprint reader is plugged in",
		es: map[bool]string{false: "No hay conectado ningún lector de huellas compatible: conéctelo e intente de nuevo."},
		en: map[bool]string{false: "No supported fingerprint scanner is plugged in: plug it in and try again."}}
	// ErrDriver is a reader bound to a driver libusb cannot use: on Windows, the
	// vendor's own driver or none instead of WinUSB (libusb's "not supported").
	ErrDriver = &Problem{text: "usb: the fingerprint reader is bound to a driver libusb cannot use; on Windows, install dist/windows/cotejo-readers.inf (WinUSB) for it",
		es: map[bool]string{false: "El lector de huellas tiene instalado otro controlador (no WinUSB): pida a sistemas que le instale el de Cotejo (cotejo-readers.inf) y vuelva a conectar el lector."},
		en: map[bool]string{false: "The fingerprint scanner has another driver (not WinUSB): ask IT to install Cotejo's (cotejo-readers.inf) for it, then plug the scanner in again."}}
)

// Problem is one of the reader's problems an operator can act on: its Error is for
// logs and support, its Message for the operator, which says what is done on this
// system (Windows' differs for some).
type Problem struct {
	text   string
	es, en map[bool]string // by "running on Windows"; false is every system's
}

func (p *Problem) Error() string { return p.text }

// Message says the problem in lang ("en", else Spanish).
func (p *Problem) Message(lang string) string {
	m := p.es
	if lang == "en" {
		m = p.en
	}
	if s, ok := m[runtime.GOOS == "windows"]; ok {
		return s
	}
	return m[false]
}

// NewContext starts libusb. gousb panics when libusb cannot start (no USB support in
// the system, as in some containers); a driver should report that, not crash.
func NewContext() (c *gousb.Context, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("usb: libusb could not start: %v", r)
		}
	}()
	return gousb.NewContext(), nil
}

// List returns the supported readers plugged in now, in the order libusb gives them.
// No device is opened.
func List(ctx context.Context) ([]Found, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := NewContext()
	if err != nil {
		return nil, err
	}
	defer c.Close()
	var found []Found
	_, err = c.OpenDevices(func(d *gousb.DeviceDesc) bool {
		if m, ok := Lookup(uint16(d.Vendor), uint16(d.Product)); ok {
			found = append(found, Found{Model: m, Bus: d.Bus, Address: d.Address,
				Serial: sysfsSerial(d.Bus, d.Address)})
		}
		return false // never open: listing must not disturb a reader in use
	})
	if err != nil {
		// Enumeration goes on past a device whose descriptor libusb cannot read; what
		// was found is still true, so report it with the error.
		return found, Wrap("usb: listing devices", err)
	}
	return found, nil
}

// Change is a reader plugged in or unplugged, or a failed look (Err set, the rest empty).
type Change struct {
	Found
	Plugged bool // false: unplugged
	Err     error
}

// Watch looks for readers every interval (libusb has no hotplug events on every
// system, and gousb none at all) and reports what changed: first every reader already
// plugged in, then each plug and unplug. A reader replugged into the same port is a new
// device (its address changes): an unplug and a plug. A failed look is reported once
// until looks succeed again. The channel is closed when ctx ends; the caller must keep
// reading until then.
func Watch(ctx context.Context, interval time.Duration) <-chan Change {
	return watch(ctx, interval, List)
}

func watch(ctx context.Context, interval time.Duration, list func(context.Context) ([]Found, error)) <-chan Change {
	if interval <= 0 {
		interval = time.Second
	}
	ch := make(chan Change)
	go func() {
		defer close(ch)
		send := func(c Change) bool {
			select {
			case ch <- c:
				return true
			case <-ctx.Done():
				return false
			}
		}
		var present []Found
		var lastErr string
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			now, err := list(ctx)
			if ctx.Err() != nil {
				return
			}
			if err != nil {
				if err.Error() != lastErr && !send(Change{Err: err}) {
					return
				}
				lastErr = err.Error()
			} else {
				lastErr = ""
				for _, c := range diff(present, now) {
					if !send(c) {
						return
					}
				}
				present = now
			}
			select {
			case <-t.C:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

// diff gives the unplugs (first) and plugs that turn before into after.
func diff(before, after []Found) []Change {
	same := func(a, b Found) bool {
		return a.Bus == b.Bus && a.Address == b.Address && a.Vendor == b.Vendor && a.Product == b.Product
	}
	var out []Change
	for _, b := range before {
		if !slices.ContainsFunc(after, func(a Found) bool { return same(a, b) }) {
			out = append(out, Change{Found: b})
		}
	}
	for _, a := range after {
		if !slices.ContainsFunc(before, func(b Found) bool { return same(a, b) }) {
			out = append(out, Change{Found: a, Plugged: true})
		}
	}
	return out
}

// Wrap says in plain English what went wrong when libusb failed doing op (e.g.
// "uru4000: opening the reader"), wrapping both the error a caller decides on
// (ErrPermission, ErrDriver, scanner.ErrUnplugged, scanner.ErrBusy) and libusb's own. Context
// errors and nil pass through unchanged.
func Wrap(op string, err error) error {
	switch {
	case err == nil, errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	case errors.Is(err, gousb.ErrorAccess):
		return fmt.Errorf("%s: %w (%w)", op, ErrPermission, err)
	case IsNoDevice(err):
		return fmt.Errorf("%s: %w (%w)", op, scanner.ErrUnplugged, err)
	case errors.Is(err, gousb.ErrorBusy):
		return fmt.Errorf("%s: %w (%w)", op, scanner.ErrBusy, err)
	case errors.Is(err, gousb.ErrorNotSupported):
		return fmt.Errorf("%s: %w (%w)", op, ErrDriver, err)
	case errors.Is(err, gousb.ErrorTimeout), errors.Is(err, gousb.TransferTimedOut):
		return fmt.Errorf("%s: the reader did not answer in time (%w)", op, err)
	case errors.Is(err, gousb.ErrorPipe), errors.Is(err, gousb.TransferStall):
		return fmt.Errorf("%s: the reader refused the request (%w)", op, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}

// IsNoDevice reports whether err is libusb's way of saying the device is gone: a call
// failing with LIBUSB_ERROR_NO_DEVICE, or a transfer ending with
// LIBUSB_TRANSFER_NO_DEVICE (the kernel's ENODEV or ESHUTDOWN), or ENODEV itself.
func IsNoDevice(err error) bool {
	return errors.Is(err, gousb.ErrorNoDevice) || errors.Is(err, gousb.TransferNoDevice) ||
		errors.Is(err, syscall.ENODEV)
}
