package location

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"testing"
	"time"
)

// FuzzReadNMEA feeds arbitrary bytes to ReadNMEA: it must not panic or hang, and any fix
// it returns must be a usable position.
func FuzzReadNMEA(f *testing.F) {
	f.Add([]byte(lines(gga19, gsa19, rmc19)))
	f.Add([]byte(lines(rmc19, gga20, rmc20)))
	f.Add([]byte(lines(ggaVoid, rmcVoid)))
	f.Add([]byte(lines(sentence("GPGGA,030719.000,3747.0873,S,17518.8938,E,6,99,99.9,-9999,M,,M,,"))))
	f.Add([]byte("$GPRMC,,A,9000.0000,N,18000.0000,W,,,320299,,,A*00\n\\s:x*00\\$GPGGA\n"))
	if p, ok := fixturePath("gps/bu353s4.log"); ok {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fix, stats, err := ReadNMEA(context.Background(), bytes.NewReader(data), NMEAOptions{})
		if stats.Sentences+stats.BadChecksum+stats.Malformed > stats.Lines {
			t.Fatalf("stats %+v count more than the lines", stats)
		}
		if err != nil {
			if !errors.Is(err, ErrDisconnected) {
				t.Fatalf("error %v; want only the end of the input", err)
			}
			return
		}
		if !validLatLon(fix.Lat, fix.Lon) {
			t.Fatalf("fix with impossible position %v, %v", fix.Lat, fix.Lon)
		}
		if !(fix.Accuracy >= 0) || math.IsInf(fix.Accuracy, 0) || !isFinite(fix.Alt) || fix.Satellites < 0 {
			t.Fatalf("fix with impossible figures %+v", fix)
		}
		if fix.Source != "nmea" || fix.Received.IsZero() {
			t.Fatalf("fix %+v without source or receipt time", fix)
		}
	})
}

// FuzzGPSDLine feeds arbitrary bytes to gpsd's line decoder and then, as a stream, to a
// session: no panic, and a fix only with a usable position.
func FuzzGPSDLine(f *testing.F) {
	for _, l := range []string{
		gpsdVersion, gpsdDevices, gpsdNoDevs, gpsdWatchOK, gpsdPollNil, gpsdPoll7, tpvMode1, tpvMode3, sky8,
		`{"class":"TPV","mode":3,"time":1714557602.5,"lat":-90,"lon":180,"epx":1e308,"epy":-1}`,
		`{"class":"DEVICE","path":"/dev/ttyUSB0","activated":0}`,
		`{"class":"ERROR","message":"Unrecognized request '?FOO'"}`,
		tpvMode1 + "\r\n" + sky8 + "\r\n" + tpvMode3 + "\r\n",
	} {
		f.Add([]byte(l))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(f Fix) {
			if !validLatLon(f.Lat, f.Lon) || !(f.Accuracy >= 0) || math.IsInf(f.Accuracy, 0) || !isFinite(f.Alt) || f.Satellites < 0 {
				t.Fatalf("impossible fix %+v from %q", f, data)
			}
		}
		now := time.Now()
		if m, err := decodeGPSDLine(data); err == nil {
			if m.Class == "" {
				t.Fatal("decoded a line without a class")
			}
			if fix, ok := m.fix(now); ok {
				check(fix)
			}
		}
		s := &gpsdSession{lines: newLineReader(bytes.NewReader(data), gpsdMaxLine), devices: -1, source: "gpsd fuzz"}
		for {
			ev, err := s.next()
			if err != nil {
				break
			}
			if ev.kind == evFix {
				check(ev.fix)
				if ev.fix.Source != "gpsd fuzz" {
					t.Fatalf("source %q", ev.fix.Source)
				}
			}
			if s.sats < 0 || s.devices < -1 {
				t.Fatalf("session state sats %d devices %d", s.sats, s.devices)
			}
		}
	})
}
