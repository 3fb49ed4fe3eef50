package location

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

var (
	gga19 = sentence("GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000")
	gsa19 = sentence("GPGSA,A,3,17,28,06,01,30,20,26,13,,,,,1.8,1.1,1.5")
	rmc19 = sentence("GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A")
	gga20 = sentence("GPGGA,030720.000,3747.0875,S,17518.8938,E,1,07,1.3,59.8,M,23.7,M,,0000")
	rmc20 = sentence("GPRMC,030720.000,A,3747.0875,S,17518.8938,E,1.15,181.39,311214,,,A")
	// No fix: status V, quality 0, no position.
	rmcVoid = sentence("GPRMC,030718.000,V,,,,,,,311214,,,N")
	ggaVoid = sentence("GPGGA,030718.000,,,,,0,00,,,M,,M,,")
)

func lines(ss ...string) string { return strings.Join(ss, "\r\n") + "\r\n" }

func TestReadNMEA(t *testing.T) {
	const (
		lat19 = -(37 + 47.0873/60)
		lon19 = 175 + 18.8938/60
		lat20 = -(37 + 47.0875/60)
	)
	t19 := time.Date(2014, 12, 31, 3, 7, 19, 0, time.UTC)
	tests := []struct {
		name  string
		in    string
		want  Fix  // Lat, Lon, Accuracy, Alt, Satellites, Time (zero Time: not checked)
		none  bool // no valid fix in the input
		stats NMEAStats
	}{
		{
			name:  "GGA and RMC of one second, HDOP to accuracy",
			in:    lines(gga19, gsa19, rmc19),
			want:  Fix{Lat: lat19, Lon: lon19, Accuracy: 1.1 * DefaultUERE, Alt: 59.9, Satellites: 8, Time: t19},
			stats: NMEAStats{Lines: 3, Sentences: 3},
		},
		{
			name: "RMC before GGA",
			in:   lines(rmc19, gga19),
			want: Fix{Lat: lat19, Lon: lon19, Accuracy: 1.1 * DefaultUERE, Alt: 59.9, Satellites: 8, Time: t19},
		},
		{
			name: "bad checksum skipped",
			in: lines(
				strings.Replace(gga19, "*7D", "*7E", 1),
				strings.Replace(rmc19, "3747.0873", "3747.9999", 1), // body changed, checksum not
				gga20, rmc20),
			want:  Fix{Lat: lat20, Accuracy: 1.3 * DefaultUERE, Satellites: 7},
			stats: NMEAStats{Lines: 4, Sentences: 2, BadChecksum: 2},
		},
		{
			name:  "missing checksum skipped",
			in:    lines(strings.Split(rmc19, "*")[0], gga20, rmc20),
			want:  Fix{Lat: lat20},
			stats: NMEAStats{Lines: 3, Sentences: 2, BadChecksum: 1},
		},
		{
			name:  "void fix not returned",
			in:    lines(ggaVoid, rmcVoid, ggaVoid, rmcVoid),
			none:  true,
			stats: NMEAStats{Lines: 4, Sentences: 4},
		},
		{
			name: "void, then a fix",
			in:   lines(ggaVoid, rmcVoid, gga19, rmc19),
			want: Fix{Lat: lat19, Satellites: 8},
		},
		{
			name: "RMC A but FAA mode N",
			in:   lines(sentence("GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,N")),
			none: true,
		},
		{
			name: "RMC A without a position",
			in:   lines(sentence("GPRMC,030719.000,A,,,,,0.69,181.39,311214,,,A")),
			none: true,
		},
		{
			name: "RMC V overrides GGA quality 1",
			in:   lines(sentence("GPRMC,030719.000,V,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,N"), gga19),
			none: true,
		},
		{
			name: "RMC only, GSA gives satellites and HDOP",
			in:   lines(gsa19, rmc19),
			want: Fix{Lat: lat19, Lon: lon19, Accuracy: 1.1 * DefaultUERE, Satellites: 8, Time: t19},
		},
		{
			name: "lone RMC of an earlier second comes out first",
			in:   lines(rmc19, gga20, rmc20),
			want: Fix{Lat: lat19, Time: t19},
		},
		{
			name: "GGA only, quality 1",
			in:   lines(gga19),
			want: Fix{Lat: lat19, Lon: lon19, Accuracy: 1.1 * DefaultUERE, Alt: 59.9, Satellites: 8},
		},
		{
			name: "GGA quality 0 only",
			in:   lines(sentence("GPGGA,030719.000,3747.0873,S,17518.8938,E,0,08,1.1,59.9,M,23.7,M,,0000")),
			none: true,
		},
		{
			name: "empty HDOP: accuracy unknown",
			in:   lines(sentence("GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,,59.9,M,23.7,M,,0000"), rmc19),
			want: Fix{Lat: lat19, Accuracy: 0, Alt: 59.9, Satellites: 8},
		},
		{
			name: "GN talker, LF endings, garbage, overlong and unsupported lines",
			in: "garbage\n\x00\xff\xfe\n$GPXXX,1,2*00\n" + sentence("PSRF150,1") + "\n" + strings.Repeat("$", 3000) + "\n\n" +
				sentence("GNGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000") + "\n" +
				sentence("GNRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A"), // no final newline
			want:  Fix{Lat: lat19, Satellites: 8},
			stats: NMEAStats{Lines: 8, Sentences: 3, BadChecksum: 1, Malformed: 3},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			before := time.Now()
			got, stats, err := ReadNMEA(ctx, strings.NewReader(tc.in), NMEAOptions{})
			if tc.none {
				if err == nil {
					t.Fatalf("got a fix %+v from input without one", got)
				}
				if !errors.Is(err, ErrDisconnected) || !errors.Is(err, io.EOF) || errors.Is(err, ErrNoFix) {
					t.Errorf("error %v; want ErrDisconnected wrapping io.EOF", err)
				}
			} else {
				if err != nil {
					t.Fatalf("ReadNMEA: %v (stats %v)", err, stats)
				}
				check := func(what string, g, w, tol float64) {
					if w != 0 && !near(g, w, tol) {
						t.Errorf("%s %v; want %v", what, g, w)
					}
				}
				check("lat", got.Lat, tc.want.Lat, 1e-9)
				check("lon", got.Lon, tc.want.Lon, 1e-9)
				check("alt", got.Alt, tc.want.Alt, 1e-9)
				check("accuracy", got.Accuracy, tc.want.Accuracy, 1e-9)
				if tc.want.Accuracy == 0 && strings.Contains(tc.name, "unknown") && got.Accuracy != 0 {
					t.Errorf("accuracy %v; want 0 (unknown)", got.Accuracy)
				}
				if tc.want.Satellites != 0 && got.Satellites != tc.want.Satellites {
					t.Errorf("satellites %d; want %d", got.Satellites, tc.want.Satellites)
				}
				if !tc.want.Time.IsZero() && !got.Time.Equal(tc.want.Time) {
					t.Errorf("time %v; want %v", got.Time, tc.want.Time)
				}
				if got.Time.IsZero() {
					t.Error("fix without a time")
				}
				if got.Source != "nmea" {
					t.Errorf("source %q; want nmea", got.Source)
				}
				if got.Received.Before(before) {
					t.Errorf("received %v, before the call", got.Received)
				}
			}
			if tc.stats != (NMEAStats{}) && stats != tc.stats {
				t.Errorf("stats %+v; want %+v", stats, tc.stats)
			}
		})
	}
}

func TestReadNMEAOptions(t *testing.T) {
	got, _, err := ReadNMEA(context.Background(), strings.NewReader(lines(gga19, rmc19)), NMEAOptions{Source: "nmea /dev/ttyUSB0", UERE: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got.Source != "nmea /dev/ttyUSB0" || !near(got.Accuracy, 3.3, 1e-9) {
		t.Errorf("source %q accuracy %v; want nmea /dev/ttyUSB0, 3.3", got.Source, got.Accuracy)
	}
}

// A GGA-only receiver gives no date: the fix takes today's (UTC), or yesterday's when
// the time of day is ahead of now, as just after midnight.
func TestNMEATimeWithoutDate(t *testing.T) {
	tests := []struct {
		now, want time.Time
	}{
		{time.Date(2026, 3, 5, 3, 7, 20, 0, time.UTC), time.Date(2026, 3, 5, 3, 7, 19, 0, time.UTC)},
		{time.Date(2026, 3, 5, 0, 0, 1, 0, time.UTC), time.Date(2026, 3, 4, 23, 59, 59, 0, time.UTC)},
		{time.Date(2026, 3, 4, 23, 59, 59, 0, time.UTC), time.Date(2026, 3, 5, 0, 0, 0, 500e6, time.UTC)},
	}
	for _, tc := range tests {
		d := newNMEADecoder(NMEAOptions{})
		hms := tc.want.Format("150405.000")
		var got Fix
		d.line(sentence("GPGGA,"+hms+",3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000"), tc.now, func(Fix, bool) bool { return true })
		d.flush(tc.now, func(f Fix, valid bool) bool { got = f; return true })
		if !got.Time.Equal(tc.want) {
			t.Errorf("at %v: time %v; want %v", tc.now, got.Time, tc.want)
		}
	}
}

// feedVoid writes no-fix sentences into w every 10 ms until done is closed.
func feedVoid(w *io.PipeWriter, done <-chan struct{}) {
	defer w.Close()
	for {
		if _, err := io.WriteString(w, lines(ggaVoid, rmcVoid)); err != nil {
			return
		}
		select {
		case <-done:
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func TestReadNMEAContext(t *testing.T) {
	t.Run("receiver without a fix until the deadline", func(t *testing.T) {
		pr, pw := io.Pipe()
		done := make(chan struct{})
		fed := make(chan struct{})
		go func() { feedVoid(pw, done); close(fed) }()
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, stats, err := ReadNMEA(ctx, pr, NMEAOptions{})
		took := time.Since(start)
		close(done)
		pr.Close()
		<-fed
		if !errors.Is(err, ErrNoFix) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("error %v; want ErrNoFix wrapping context.DeadlineExceeded", err)
		}
		if took > 2*time.Second {
			t.Errorf("took %v to honour a 200 ms deadline", took)
		}
		if stats.Sentences == 0 {
			t.Errorf("stats %v: the void sentences were not read", stats)
		}
		t.Logf("%v after %v", err, took.Round(time.Millisecond))
	})
	t.Run("silent reader, cancelled", func(t *testing.T) {
		pr, pw := io.Pipe()
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(50*time.Millisecond, cancel)
		start := time.Now()
		_, _, err := ReadNMEA(ctx, pr, NMEAOptions{})
		if !errors.Is(err, ErrNoFix) || !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v; want ErrNoFix wrapping context.Canceled", err)
		}
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("took %v to honour a cancel", took)
		}
		if !strings.Contains(err.Error(), "nothing received") {
			t.Errorf("error %q does not say nothing was received", err)
		}
		pw.Close() // ends ReadNMEA's reading goroutine, as documented
	})
	t.Run("garbage only: hints at the baud rate", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		pr, pw := io.Pipe()
		go func() { _, _ = io.WriteString(pw, "\xf0\x0f\xaa\n\x55\x81\n") }()
		_, _, err := ReadNMEA(ctx, pr, NMEAOptions{})
		pr.Close()
		if !errors.Is(err, ErrNoFix) || !strings.Contains(err.Error(), "baud rate") {
			t.Fatalf("error %v; want ErrNoFix mentioning the baud rate", err)
		}
	})
}

// The real BU-353-S4 log, read as a string: the first fix is its first second.
func TestReadNMEALog(t *testing.T) {
	data, err := os.ReadFile(fixture(t, "gps/bu353s4.log"))
	if err != nil {
		t.Fatal(err)
	}
	f, stats, err := ReadNMEA(context.Background(), strings.NewReader(string(data)), NMEAOptions{Source: "nmea log"})
	if err != nil {
		t.Fatal(err)
	}
	checkLogFix(t, f, "nmea log", true)
	if want := time.Date(2014, 12, 31, 3, 7, 19, 0, time.UTC); !f.Time.Equal(want) {
		t.Errorf("time %v; want %v", f.Time, want)
	}
	if !near(f.Alt, 59.9, 1e-9) || !near(f.Accuracy, 5.5, 1e-9) {
		t.Errorf("alt %v accuracy %v; want 59.9, 5.5", f.Alt, f.Accuracy)
	}
	t.Logf("%+v, %v", f, stats)

	// All of it, as Watch sees it: every second a valid fix, nothing skipped but the
	// header comments.
	var n int
	stats, err = streamNMEA(context.Background(), strings.NewReader(string(data)), NMEAOptions{}, func(f Fix, valid bool) bool {
		if !valid {
			t.Errorf("invalid fix %+v", f)
		}
		n++
		return true
	})
	if !errors.Is(err, io.EOF) {
		t.Errorf("error %v; want io.EOF at the end", err)
	}
	if n != 25 || stats.BadChecksum != 0 || stats.Malformed != 6 {
		t.Errorf("%d fixes, %v; want 25 fixes, 0 bad checksums, 6 malformed (the header)", n, stats)
	}
}
