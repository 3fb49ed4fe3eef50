package location

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"time"
)

// DefaultGPSDAddr is where Debian's gpsd listens.
const DefaultGPSDAddr = "127.0.0.1:2947"

// gpsdMaxLine caps a gpsd JSON line; a SKY with every satellite of four constellations
// is a few KiB, so anything past 64 KiB is not gpsd talking.
const gpsdMaxLine = 64 << 10

// gpsdWatch enables streaming of JSON reports, then polls once: the POLL answer carries
// gpsd's latest SKY, so a one-shot Fix knows the satellites without waiting up to a
// few seconds for the next SKY report.
const gpsdWatch = "?WATCH={\"enable\":true,\"json\":true};\n?POLL;\n"

// GPSD reads the position from gpsd over its JSON protocol (TCP, port 2947), the usual
// way on Linux: gpsd owns the receiver, whatever its kind, and several programs share it.
type GPSD struct {
	Addr  string        // host:port; empty means DefaultGPSDAddr
	Retry time.Duration // how long Watch waits before reconnecting; 0 means 2 s
}

func (g GPSD) addr() string {
	if g.Addr == "" {
		return DefaultGPSDAddr
	}
	return g.Addr
}

// Fix connects to gpsd, waits for the next TPV report with a 2D or 3D fix and returns
// it. Each call has its own short connection, so there is nothing to close and a
// restarted gpsd is simply picked up by the next call.
func (g GPSD) Fix(ctx context.Context) (Fix, error) {
	s, err := dialGPSD(ctx, g.addr())
	if err != nil {
		return Fix{}, err
	}
	defer s.close()
	for {
		ev, err := s.next()
		if err != nil {
			return Fix{}, s.fail(ctx, err)
		}
		if ev.kind == evFix {
			return ev.fix, nil
		}
	}
}

// Watch streams gpsd's fixes (and ErrNoFix while the receiver has none) on one
// connection, reconnecting after Retry when gpsd goes away.
func (g GPSD) Watch(ctx context.Context) <-chan Update { return watch(ctx, g.Retry, g.stream) }

// stream offers every report of one connection until it fails or ctx ends.
func (g GPSD) stream(ctx context.Context, ch chan Update) error {
	s, err := dialGPSD(ctx, g.addr())
	if err != nil {
		return err
	}
	defer s.close()
	noFix := fmt.Errorf("%w: %s reports none", ErrNoFix, s.source)
	noReceiver := fmt.Errorf("%w: %w (%s)", ErrNoFix, ErrNoReceiver, s.source)
	for {
		ev, err := s.next()
		if err != nil {
			return s.fail(ctx, err)
		}
		switch ev.kind {
		case evFix:
			offer(ch, Update{Fix: ev.fix})
		case evNoFix:
			offer(ch, Update{Err: noFix})
		case evDevices:
			if s.devices == 0 {
				offer(ch, Update{Err: noReceiver})
			}
		}
	}
}

// gpsdSession is one connection to gpsd and what it has learnt so far.
type gpsdSession struct {
	conn    net.Conn
	lines   *lineReader
	stop    func() bool // undoes the ctx watch
	source  string      // Fix.Source
	sats    int         // satellites used, from the latest SKY; 0 unknown
	devices int         // receivers gpsd reported; -1 until it says
	lastErr string      // gpsd's latest ERROR message, for diagnosis
}

func dialGPSD(ctx context.Context, addr string) (*gpsdSession, error) {
	source := "gpsd " + addr
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		if cerr := ctx.Err(); cerr != nil {
			return nil, fmt.Errorf("%w (%s: still connecting): %w", ErrNoFix, source, cerr)
		}
		return nil, fmt.Errorf("%w: cannot connect to %s (is gpsd running?): %w", ErrUnavailable, source, err)
	}
	s := &gpsdSession{
		conn:    conn,
		lines:   newLineReader(conn, gpsdMaxLine),
		source:  source,
		devices: -1,
	}
	// A read blocked on the socket cannot see ctx; an expired deadline wakes it, and
	// fail then reports ctx's error. No goroutine is left behind.
	s.stop = context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	if _, err := conn.Write([]byte(gpsdWatch)); err != nil {
		s.close()
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w (%s): %w", ErrNoFix, source, ctx.Err())
		}
		return nil, fmt.Errorf("%w: %s: sending WATCH: %w", ErrDisconnected, source, err)
	}
	return s, nil
}

func (s *gpsdSession) close() {
	s.stop()
	_ = s.conn.Close()
}

// fail turns a read error into the error for the caller: ErrNoFix if ctx ended first
// (with ErrNoReceiver when gpsd has none), ErrDisconnected otherwise.
func (s *gpsdSession) fail(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		switch {
		case s.devices == 0:
			return fmt.Errorf("%w: %w (%s): %w", ErrNoFix, ErrNoReceiver, s.source, cerr)
		case s.lastErr != "":
			return fmt.Errorf("%w (%s; gpsd said %q): %w", ErrNoFix, s.source, s.lastErr, cerr)
		}
		return fmt.Errorf("%w (%s): %w", ErrNoFix, s.source, cerr)
	}
	return fmt.Errorf("%w: %s closed the connection: %w", ErrDisconnected, s.source, err)
}

type eventKind int

const (
	evOther   eventKind = iota // a report that changes nothing the caller sees
	evFix                      // a TPV with a usable fix
	evNoFix                    // a TPV without one
	evDevices                  // the receivers gpsd knows changed
)

type gpsdEvent struct {
	kind eventKind
	fix  Fix
}

// next reads lines until one means something to the caller. Lines that are not JSON,
// are too long or are of classes this package does not use are skipped: gpsd adds
// classes over time and a client must ignore what it does not know.
func (s *gpsdSession) next() (gpsdEvent, error) {
	for {
		line, overlong, err := s.lines.next()
		if err != nil {
			return gpsdEvent{}, err
		}
		if overlong {
			continue
		}
		msg, err := decodeGPSDLine(line)
		if err != nil {
			continue
		}
		if ev := s.apply(msg, time.Now()); ev.kind != evOther {
			return ev, nil
		}
	}
}

// apply updates the session with one report and says what it means.
func (s *gpsdSession) apply(m gpsdMsg, now time.Time) gpsdEvent {
	switch m.Class {
	case "TPV":
		fix, ok := m.fix(now)
		if !ok {
			return gpsdEvent{kind: evNoFix}
		}
		fix.Satellites = s.sats
		fix.Source = s.source
		return gpsdEvent{kind: evFix, fix: fix}
	case "SKY":
		if n, ok := m.used(); ok {
			s.sats = n
		}
	case "POLL":
		for _, sky := range m.Sky {
			if n, ok := sky.used(); ok {
				s.sats = n
				break
			}
		}
	case "DEVICES":
		s.devices = 0
		for _, d := range m.Devices {
			if d.Path != "" && !d.deactivated() {
				s.devices++
			}
		}
		return gpsdEvent{kind: evDevices}
	case "DEVICE":
		// A device activated or closing (gpsd's hotplug). Only the count matters.
		switch {
		case m.deactivated() && s.devices > 0:
			s.devices--
		case !m.deactivated() && s.devices <= 0:
			s.devices = 1
		}
		return gpsdEvent{kind: evDevices}
	case "ERROR":
		s.lastErr = m.Message
	}
	return gpsdEvent{}
}

// gpsdMsg holds the fields of the report classes this package reads (TPV, SKY,
// DEVICES, DEVICE, POLL, ERROR); gpsd documents them in gpsd_json(5). Pointers tell a
// field that is absent from one that is zero.
type gpsdMsg struct {
	Class string `json:"class"`

	// TPV
	Mode   int             `json:"mode"`
	Time   json.RawMessage `json:"time"` // RFC 3339 text; old gpsd sent Unix seconds
	Lat    *float64        `json:"lat"`
	Lon    *float64        `json:"lon"`
	Alt    *float64        `json:"alt"`    // deprecated since 3.20, = altMSL
	AltMSL *float64        `json:"altMSL"` // metres above mean sea level
	Eph    *float64        `json:"eph"`
	Epx    *float64        `json:"epx"`
	Epy    *float64        `json:"epy"`

	// SKY
	USat       *int `json:"uSat"`
	Satellites []struct {
		Used bool `json:"used"`
	} `json:"satellites"`

	// DEVICES, DEVICE
	Devices   []gpsdMsg       `json:"devices"`
	Path      string          `json:"path"`
	Activated json.RawMessage `json:"activated"` // a time, or 0 when the device went away

	// POLL
	Sky []gpsdMsg `json:"sky"`

	// ERROR
	Message string `json:"message"`
}

// decodeGPSDLine decodes one line of gpsd output. It fails on anything that is not a
// JSON object with a class; the caller skips such lines.
func decodeGPSDLine(line []byte) (gpsdMsg, error) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 || line[0] != '{' {
		return gpsdMsg{}, errors.New("location: gpsd line is not a JSON object")
	}
	var m gpsdMsg
	if err := json.Unmarshal(line, &m); err != nil {
		return gpsdMsg{}, fmt.Errorf("location: gpsd line: %w", err)
	}
	if m.Class == "" {
		return gpsdMsg{}, errors.New("location: gpsd line has no class")
	}
	return m, nil
}

// fix reads a TPV: usable when mode is 2 (2D) or 3 (3D) and the position is present and
// in range. Received is now; Satellites and Source are the session's to fill.
func (m gpsdMsg) fix(now time.Time) (Fix, bool) {
	if m.Mode < 2 || m.Lat == nil || m.Lon == nil || !validLatLon(*m.Lat, *m.Lon) {
		return Fix{}, false
	}
	f := Fix{Lat: *m.Lat, Lon: *m.Lon, Time: gpsdTime(m.Time), Received: now}
	switch {
	case okMetres(m.Eph):
		f.Accuracy = *m.Eph
	case okMetres(m.Epx) || okMetres(m.Epy):
		if okMetres(m.Epx) {
			f.Accuracy = *m.Epx
		}
		if okMetres(m.Epy) && *m.Epy > f.Accuracy {
			f.Accuracy = *m.Epy
		}
	}
	if m.Mode >= 3 {
		switch {
		case m.AltMSL != nil && isFinite(*m.AltMSL):
			f.Alt = *m.AltMSL
		case m.Alt != nil && isFinite(*m.Alt):
			f.Alt = *m.Alt
		}
	}
	return f, true
}

// used is the number of satellites a SKY report says are used, if it says.
func (m gpsdMsg) used() (int, bool) {
	if m.USat != nil && *m.USat >= 0 {
		return *m.USat, true
	}
	if m.Satellites == nil {
		return 0, false // a SKY with only DOPs
	}
	n := 0
	for _, sv := range m.Satellites {
		if sv.Used {
			n++
		}
	}
	return n, true
}

// deactivated reports a device gpsd is closing: its "activated" is 0 rather than a time.
func (m gpsdMsg) deactivated() bool {
	return bytes.Equal(bytes.TrimSpace(m.Activated), []byte("0"))
}

// gpsdTime reads TPV's time: RFC 3339 text since gpsd 3.10, Unix seconds before.
func gpsdTime(raw json.RawMessage) time.Time {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}
		}
		return t.UTC()
	}
	var secs float64
	if json.Unmarshal(raw, &secs) == nil && secs > 0 && secs < 1e11 {
		whole, frac := math.Modf(secs)
		return time.Unix(int64(whole), int64(frac*1e9)).UTC()
	}
	return time.Time{}
}

func okMetres(p *float64) bool { return p != nil && *p >= 0 && isFinite(*p) }

func isFinite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
