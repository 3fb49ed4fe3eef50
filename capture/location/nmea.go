package location

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	nmea "github.com/adrianmo/go-nmea"
)

// DefaultUERE is the user equivalent range error, in metres, that turns NMEA's HDOP into
// Fix.Accuracy: about 5 m for a consumer receiver under open sky.
const DefaultUERE = 5.0

// nmeaMaxLine caps an NMEA line. The standard allows 82 characters; receivers with
// proprietary sentences go further, but a kilobyte without a newline is noise, such as
// a wrong baud rate.
const nmeaMaxLine = 1024

// NMEAOptions adjusts ReadNMEA. The zero value is ready to use.
type NMEAOptions struct {
	Source string  // Fix.Source; empty means "nmea"
	UERE   float64 // metres per unit of HDOP; 0 means DefaultUERE
}

// NMEAStats counts what ReadNMEA read, so a caller can tell "no fix" (good sentences,
// no position) from "no GPS talking" (garbage: a wrong baud rate, another device).
type NMEAStats struct {
	Lines       int // lines read, including empty and skipped ones
	Sentences   int // sentences with a good checksum, whether used or not
	BadChecksum int // sentences skipped for a wrong or missing checksum
	Malformed   int // lines skipped for not being NMEA, bad fields or excessive length
}

func (s NMEAStats) String() string {
	return fmt.Sprintf("%d lines: %d sentences, %d bad checksums, %d malformed", s.Lines, s.Sentences, s.BadChecksum, s.Malformed)
}

// ReadNMEA reads NMEA 0183 sentences from r until the first valid fix, and returns it
// with the counts of what it read. RMC gives the position, date, time and validity, GGA
// the fix quality, satellites, HDOP and altitude (GSA fills in satellites and HDOP when
// GGA lacks them); an RMC and a GGA of the same second make one Fix. A fix is valid when
// RMC's status is A (or, without RMC, GGA's quality is 1 or more) and it has latitude
// and longitude. Sentences with a bad checksum are skipped and counted.
//
// When ctx ends first the error is ErrNoFix wrapping ctx.Err(); when r ends (io.EOF or
// a read error) it is ErrDisconnected wrapping r's error.
//
// ReadNMEA reads r from a goroutine so that it can return as soon as ctx ends even
// though an io.Reader cannot be interrupted. That goroutine stops at its next Read after
// ReadNMEA has returned: close r afterwards (as NMEA.Fix closes its serial port) if
// its Read may block, and do not read r again after ReadNMEA.
func ReadNMEA(ctx context.Context, r io.Reader, opt NMEAOptions) (Fix, NMEAStats, error) {
	var got Fix
	found := false
	stats, err := streamNMEA(ctx, r, opt, func(f Fix, valid bool) bool {
		if valid {
			got, found = f, true
			return false
		}
		return true
	})
	if found {
		return got, stats, nil
	}
	return Fix{}, stats, err
}

type lineItem struct {
	line     string
	overlong bool
	err      error
}

// streamNMEA decodes r until emit returns false (the error is then nil), ctx ends or r
// fails. emit gets every fix the stream completes, valid or not.
func streamNMEA(ctx context.Context, r io.Reader, opt NMEAOptions, emit func(f Fix, valid bool) bool) (NMEAStats, error) {
	d := newNMEADecoder(opt)
	items := make(chan lineItem)
	done := make(chan struct{})
	defer close(done)
	go func() {
		lines := newLineReader(r, nmeaMaxLine)
		for {
			line, overlong, err := lines.next()
			select {
			case items <- lineItem{line: string(line), overlong: overlong, err: err}:
			case <-done:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return d.stats, d.noFix(ctx.Err())
		case it := <-items:
			now := time.Now()
			if it.err != nil {
				// The stream ended: what was pending is all there will be.
				if !d.flush(now, emit) {
					return d.stats, nil
				}
				return d.stats, fmt.Errorf("%w: %s: the NMEA stream ended (%v): %w", ErrDisconnected, d.source, d.stats, it.err)
			}
			if it.overlong {
				d.stats.Lines++
				d.stats.Malformed++
				continue
			}
			if !d.line(it.line, now, emit) {
				return d.stats, nil
			}
		}
	}
}

// errChecksum marks go-nmea's checksum failures, to count them apart.
var errChecksum = errors.New("bad checksum")

// nmeaDecoder turns sentences into fixes. It holds the RMC and GGA of the second being
// reported (the "epoch") until both are in, or until a sentence of another second shows
// that the missing one is not coming (receivers configured for RMC or GGA only).
type nmeaDecoder struct {
	parser nmea.SentenceParser
	uere   float64
	source string
	stats  NMEAStats

	epoch nmea.Time // time of day of rmc and gga
	rmc   *nmea.RMC
	gga   *nmea.GGA

	gsaUsed int     // satellites used, from the latest GSA
	gsaHDOP float64 // HDOP from the latest GSA; 0 unknown
}

func newNMEADecoder(opt NMEAOptions) *nmeaDecoder {
	d := &nmeaDecoder{uere: opt.UERE, source: opt.Source}
	if !(d.uere > 0) || math.IsInf(d.uere, 0) {
		d.uere = DefaultUERE
	}
	if d.source == "" {
		d.source = "nmea"
	}
	d.parser.NaNForEmptyFloat = true // an empty HDOP or altitude is unknown, not 0
	d.parser.CheckCRC = func(s nmea.BaseSentence, fields string) error {
		if err := nmea.CheckCRC(s, fields); err != nil {
			return fmt.Errorf("%w: %w", errChecksum, err)
		}
		return nil
	}
	return d
}

func (d *nmeaDecoder) noFix(cause error) error {
	if d.stats.Lines > 0 && d.stats.Sentences == 0 {
		return fmt.Errorf("%w (%s: no valid NMEA sentence in %v; wrong baud rate or not a GPS?): %w", ErrNoFix, d.source, d.stats, cause)
	}
	if d.stats.Lines == 0 {
		return fmt.Errorf("%w (%s: nothing received): %w", ErrNoFix, d.source, cause)
	}
	return fmt.Errorf("%w (%s: %v): %w", ErrNoFix, d.source, d.stats, cause)
}

// line handles one line received at now; it returns false when emit asked to stop.
func (d *nmeaDecoder) line(line string, now time.Time, emit func(Fix, bool) bool) bool {
	d.stats.Lines++
	line = strings.TrimSpace(line)
	if line == "" {
		return true
	}
	s, err := d.parse(line)
	var unsupported *nmea.NotSupportedError
	switch {
	case errors.As(err, &unsupported):
		d.stats.Sentences++ // well formed, just not one this package reads
		return true
	case errors.Is(err, errChecksum):
		d.stats.BadChecksum++
		return true
	case err != nil:
		d.stats.Malformed++
		return true
	}
	d.stats.Sentences++
	switch m := s.(type) {
	case nmea.RMC:
		if !d.join(m.Time, now, emit) {
			return false
		}
		d.rmc = &m
	case nmea.GGA:
		if !d.join(m.Time, now, emit) {
			return false
		}
		d.gga = &m
	case nmea.GSA:
		d.gsaUsed = len(m.SV)
		d.gsaHDOP = 0
		if m.HDOP > 0 && isFinite(m.HDOP) {
			d.gsaHDOP = m.HDOP
		}
		return true
	default:
		return true
	}
	if d.rmc != nil && d.gga != nil {
		return d.flush(now, emit)
	}
	if !d.epoch.Valid {
		return d.flush(now, emit) // without a time it cannot pair with anything
	}
	return true
}

// parse runs go-nmea, turning a panic on hostile input into an error: one bad sentence
// must not bring the kiosk down.
func (d *nmeaDecoder) parse(line string) (s nmea.Sentence, err error) {
	defer func() {
		if p := recover(); p != nil {
			s, err = nil, fmt.Errorf("location: NMEA parser panic: %v", p)
		}
	}()
	return d.parser.Parse(line)
}

// join starts the epoch of a sentence stamped t, first emitting what is pending from
// another second.
func (d *nmeaDecoder) join(t nmea.Time, now time.Time, emit func(Fix, bool) bool) bool {
	if (d.rmc != nil || d.gga != nil) && (t != d.epoch || !t.Valid) {
		if !d.flush(now, emit) {
			return false
		}
	}
	d.epoch = t
	return true
}

// flush emits the pending epoch, if any, and clears it.
func (d *nmeaDecoder) flush(now time.Time, emit func(Fix, bool) bool) bool {
	if d.rmc == nil && d.gga == nil {
		return true
	}
	f, valid := d.build(now)
	d.rmc, d.gga, d.epoch = nil, nil, nmea.Time{}
	return emit(f, valid)
}

// build makes a Fix of the pending RMC and GGA.
func (d *nmeaDecoder) build(now time.Time) (Fix, bool) {
	f := Fix{Received: now, Source: d.source}
	valid, havePos := false, false
	var date nmea.Date
	if r := d.rmc; r != nil {
		// FAA mode N (NMEA 2.3+) means "not valid" whatever the status says.
		valid = r.Validity == nmea.ValidRMC && r.FFAMode != "N"
		if hasLatLon(r.Fields, 2) {
			f.Lat, f.Lon, havePos = r.Latitude, r.Longitude, true
		}
		date = r.Date
	}
	hdop := 0.0
	if g := d.gga; g != nil {
		if d.rmc == nil {
			valid = g.FixQuality != "" && g.FixQuality != nmea.Invalid
		}
		if !havePos && hasLatLon(g.Fields, 1) {
			f.Lat, f.Lon, havePos = g.Latitude, g.Longitude, true
		}
		if g.NumSatellites > 0 && g.NumSatellites < 1000 {
			f.Satellites = int(g.NumSatellites)
		}
		if g.HDOP > 0 && isFinite(g.HDOP) {
			hdop = g.HDOP
		}
		if isFinite(g.Altitude) && math.Abs(g.Altitude) < 1e6 {
			f.Alt = g.Altitude
		}
	}
	if f.Satellites == 0 {
		f.Satellites = d.gsaUsed
	}
	if hdop == 0 {
		hdop = d.gsaHDOP
	}
	f.Accuracy = hdop * d.uere
	if !isFinite(f.Accuracy) {
		f.Accuracy = 0
	}
	f.Time = nmeaTime(d.epoch, date, now)
	return f, valid && havePos && validLatLon(f.Lat, f.Lon)
}

// hasLatLon reports whether fields[i] (latitude) and fields[i+2] (longitude) are filled:
// go-nmea reads empty ones as 0, a real place in the Gulf of Guinea.
func hasLatLon(fields []string, i int) bool {
	return len(fields) > i+3 && fields[i] != "" && fields[i+2] != ""
}

// nmeaTime is the fix's UTC time: the time of day with RMC's date, or, without a date,
// the date of now that puts it nearest to now.
func nmeaTime(t nmea.Time, d nmea.Date, now time.Time) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	n := now.UTC()
	if d.Valid {
		return nmea.DateTime(n.Year(), d, t)
	}
	ft := time.Date(n.Year(), n.Month(), n.Day(), t.Hour, t.Minute, t.Second, t.Millisecond*int(time.Millisecond), time.UTC)
	switch {
	case ft.Sub(n) > 12*time.Hour:
		ft = ft.AddDate(0, 0, -1)
	case n.Sub(ft) > 12*time.Hour:
		ft = ft.AddDate(0, 0, 1)
	}
	return ft
}
