package location

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"go.bug.st/serial"
)

// DefaultBaud is NMEA 0183's standard speed, which the GlobalSat BU-353-S4 uses.
const DefaultBaud = 4800

// NMEA reads a GPS receiver's NMEA 0183 straight from its serial device, for a kiosk
// without gpsd. The device is opened for each Fix and held only while Watch runs, so a
// receiver unplugged and plugged in again is found on the next call.
type NMEA struct {
	Device string        // e.g. /dev/ttyUSB0, /dev/ttyACM0, /dev/serial/by-id/…
	Baud   int           // 0 means DefaultBaud
	UERE   float64       // metres per unit of HDOP; 0 means DefaultUERE
	Retry  time.Duration // how long Watch waits before reopening; 0 means 2 s
}

func (n NMEA) source() string { return "nmea " + n.Device }

func (n NMEA) options() NMEAOptions { return NMEAOptions{Source: n.source(), UERE: n.UERE} }

// Fix opens the device, reads until the first valid fix and closes it.
func (n NMEA) Fix(ctx context.Context) (Fix, error) {
	port, err := n.open()
	if err != nil {
		return Fix{}, err
	}
	fix, _, err := ReadNMEA(ctx, port, n.options())
	_ = port.Close() // also ends ReadNMEA's reading goroutine
	if err != nil {
		return Fix{}, n.explain(err)
	}
	return fix, nil
}

// Watch streams the receiver's fixes (and ErrNoFix while it has none), reopening the
// device after Retry when it fails or goes away.
func (n NMEA) Watch(ctx context.Context) <-chan Update { return watch(ctx, n.Retry, n.stream) }

func (n NMEA) stream(ctx context.Context, ch chan Update) error {
	port, err := n.open()
	if err != nil {
		return err
	}
	noFix := fmt.Errorf("%w: %s reports none", ErrNoFix, n.source())
	_, err = streamNMEA(ctx, port, n.options(), func(f Fix, valid bool) bool {
		if valid {
			offer(ch, Update{Fix: f})
		} else {
			offer(ch, Update{Err: noFix})
		}
		return true
	})
	_ = port.Close()
	return n.explain(err)
}

// explain adds the likely cause to a read failure.
func (n NMEA) explain(err error) error {
	if errors.Is(err, ErrDisconnected) {
		return fmt.Errorf("%w (was the GPS receiver unplugged?)", err)
	}
	return err
}

// open opens the serial device 8N1 at Baud, turning go.bug.st/serial's errors into
// ones that say what to do. They wrap ErrUnavailable, and fs.ErrNotExist or
// fs.ErrPermission where those apply.
func (n NMEA) open() (serial.Port, error) {
	src := n.source()
	if n.Device == "" {
		return nil, fmt.Errorf("%w: no GPS serial device is configured", ErrUnavailable)
	}
	baud := n.Baud
	if baud <= 0 {
		baud = DefaultBaud
	}
	port, err := serial.Open(n.Device, &serial.Mode{BaudRate: baud, DataBits: 8, Parity: serial.NoParity, StopBits: serial.OneStopBit})
	if err != nil {
		return nil, openError(src, baud, err)
	}
	return port, nil
}

// openError explains a failure to open the serial device src.
func openError(src string, baud int, err error) error {
	var pe *serial.PortError
	code := serial.PortErrorCode(-1)
	if errors.As(err, &pe) {
		code = pe.Code()
	}
	switch {
	case code == serial.PermissionDenied || errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%w: %s: permission denied: add the kiosk's user to group dialout (sudo usermod -aG dialout USER, then log in again): %w",
			ErrUnavailable, src, wrapIfNot(err, fs.ErrPermission))
	case code == serial.PortNotFound || errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: %s: no such device: is the GPS receiver plugged in? (%w)", ErrUnavailable, src, wrapIfNot(err, fs.ErrNotExist))
	case code == serial.PortBusy:
		return fmt.Errorf("%w: %s is in use by another program (gpsd? then use the gpsd source): %w", ErrUnavailable, src, err)
	case code == serial.InvalidSerialPort:
		return fmt.Errorf("%w: %s is not a serial port: %w", ErrUnavailable, src, err)
	case code == serial.InvalidSpeed:
		return fmt.Errorf("%w: %s: baud rate %d is not supported: %w", ErrUnavailable, src, baud, err)
	}
	return fmt.Errorf("%w: %s: cannot open: %w", ErrUnavailable, src, err)
}

// wrapIfNot makes err satisfy errors.Is(err, target), which go.bug.st/serial's PortError
// does not do for the errno it replaces.
func wrapIfNot(err, target error) error {
	if errors.Is(err, target) {
		return err
	}
	return fmt.Errorf("%w: %w", target, err)
}
