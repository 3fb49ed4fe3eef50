// Package location tells where a verification was made: each request to INE carries the
// kiosk's satellite position when one is known, next to the branch's localidad.
//
// Three sources give a position: gpsd over its JSON protocol (GPSD), a GPS receiver's
// NMEA 0183 straight from a serial device (NMEA) and the branch's configured place
// (Fixed). They share the Source interface, so the caller asks for a Fix without caring
// which one the configuration chose, and decides on the typed errors below: with
// ErrNoFix or ErrNoPosition it sends only the localidad; with ErrUnavailable or
// ErrDisconnected it also tells the operator that the GPS needs attention.
package location

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"
)

// Fix is one position from a source.
type Fix struct {
	Lat, Lon float64 // decimal degrees, WGS 84; south and west negative
	// Accuracy is the estimated horizontal error in metres: gpsd's eph (or the larger
	// of epx, epy), or HDOP × a UERE of about 5 m for NMEA. 0 means unknown. It is a
	// rough figure whose confidence level differs by source; use it to tell a good
	// fix from a poor one, not as a guarantee.
	Accuracy   float64
	Alt        float64   // metres above mean sea level; 0 when unknown (a 2D fix, or not reported)
	Time       time.Time // the fix's own UTC time, as the receiver stamped it; zero if it gave none
	Received   time.Time // when this program got it, from the local clock
	Satellites int       // satellites used in the fix; 0 when unknown
	Source     string    // where it came from: "gpsd 127.0.0.1:2947", "nmea /dev/ttyUSB0", "branch"
}

// Age is how old the fix is at now. It counts from Received rather than Time because a
// receiver's clock can be wrong (GPS week rollovers put fixes decades away); a fix
// without Received counts from Time, and one with neither is 0 old.
func (f Fix) Age(now time.Time) time.Duration {
	switch {
	case !f.Received.IsZero():
		return now.Sub(f.Received)
	case !f.Time.IsZero():
		return now.Sub(f.Time)
	}
	return 0
}

// Source gives the kiosk's position. Fix waits, honouring ctx, for the next valid fix
// (2D or 3D, with latitude and longitude).
type Source interface {
	Fix(ctx context.Context) (Fix, error)
}

// Update is what Watch reports: a valid Fix, or the reason there is none right now.
type Update struct {
	Fix Fix   // meaningful only when Err is nil
	Err error // ErrNoFix, ErrNoReceiver, ErrUnavailable, ErrDisconnected…
}

// Watcher is a Source that can also stream its state, for a status indicator. Watch
// returns a channel holding the latest Update (older ones a slow reader missed are
// dropped, since only the current state matters) and closes it once ctx ends; its
// goroutine ends with ctx. Sources that lose their device or daemon retry on their own
// and report the error meanwhile.
type Watcher interface {
	Source
	Watch(ctx context.Context) <-chan Update
}

// Errors sources return, for callers to decide on with errors.Is. They are in English;
// the caller translates them for the operator.
var (
	// ErrNoFix: the receiver had no valid fix when ctx ended (the error also wraps
	// ctx.Err()), or, from Watch, it reports no fix at the moment. The usual cause is
	// no view of the sky.
	ErrNoFix = errors.New("location: no GPS fix yet")
	// ErrNoReceiver comes with ErrNoFix when gpsd answers but has no GPS receiver.
	ErrNoReceiver = errors.New("location: gpsd has no GPS receiver attached")
	// ErrNoPosition: the branch's configuration has no latitude and longitude (or
	// unusable ones), so only the localidad can be sent.
	ErrNoPosition = errors.New("location: the branch has no configured latitude and longitude")
	// ErrUnavailable: the source cannot be reached: gpsd is not running, or the serial
	// device is missing, busy or not permitted.
	ErrUnavailable = errors.New("location: the position source is unavailable")
	// ErrDisconnected: the source went away while we waited: gpsd closed the connection,
	// the serial device was unplugged, the reader ended.
	ErrDisconnected = errors.New("location: the position source disconnected")
)

// Fixed is the branch's configured place: a kiosk without a GPS, or one whose GPS is
// not trusted. Lat and Lon are pointers because the configuration may leave them out.
type Fixed struct {
	Lat, Lon *float64
	Accuracy float64 // metres, if the configuration knows; 0 means unknown
}

// Fix returns the configured position, stamped now, or ErrNoPosition when the
// configuration has none or an impossible one. It never blocks.
func (f Fixed) Fix(context.Context) (Fix, error) {
	if f.Lat == nil || f.Lon == nil {
		return Fix{}, ErrNoPosition
	}
	if !validLatLon(*f.Lat, *f.Lon) {
		return Fix{}, fmt.Errorf("%w: latitude %v, longitude %v are out of range", ErrNoPosition, *f.Lat, *f.Lon)
	}
	acc := f.Accuracy
	if !(acc > 0) || math.IsInf(acc, 0) {
		acc = 0
	}
	return Fix{Lat: *f.Lat, Lon: *f.Lon, Accuracy: acc, Received: time.Now(), Source: "branch"}, nil
}

// Watch sends the configured position (or ErrNoPosition) once, and closes the channel
// when ctx ends, so a status indicator treats every source alike.
func (f Fixed) Watch(ctx context.Context) <-chan Update {
	ch := make(chan Update, 1)
	fix, err := f.Fix(ctx)
	ch <- Update{Fix: fix, Err: err}
	go func() {
		<-ctx.Done()
		close(ch)
	}()
	return ch
}

// The sources this package provides are all Watchers.
var (
	_ Watcher = GPSD{}
	_ Watcher = NMEA{}
	_ Watcher = Fixed{}
)

func validLatLon(lat, lon float64) bool {
	return !math.IsNaN(lat) && !math.IsNaN(lon) && math.Abs(lat) <= 90 && math.Abs(lon) <= 180
}

// offer puts u in ch, a channel of capacity 1 with this goroutine its only sender,
// replacing an Update the reader has not taken yet: a status indicator wants the current
// state, and a slow GUI must not stall the reading of gpsd or the serial port.
func offer(ch chan Update, u Update) {
	select {
	case ch <- u:
		return
	default:
	}
	select {
	case <-ch:
	default:
	}
	ch <- u
}

// sleep waits d or until ctx ends, reporting whether the full d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// defaultRetry is how long Watch waits before reconnecting to a source that failed.
const defaultRetry = 2 * time.Second

// watch runs stream over and over until ctx ends, offering each failure as an Update and
// waiting retry (0: the default) before starting again: a receiver unplugged and
// plugged back, or gpsd restarted, is picked up by itself.
func watch(ctx context.Context, retry time.Duration, stream func(context.Context, chan Update) error) <-chan Update {
	ch := make(chan Update, 1)
	if retry <= 0 {
		retry = defaultRetry
	}
	go func() {
		defer close(ch)
		for {
			err := stream(ctx, ch)
			if ctx.Err() != nil {
				return
			}
			offer(ch, Update{Err: err})
			if !sleep(ctx, retry) {
				return
			}
		}
	}()
	return ch
}
