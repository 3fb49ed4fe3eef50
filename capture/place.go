package capture

import (
	"context"
	"fmt"
	"time"

	"cotejo/capture/location"
)

// LocationSettings is the [location] section: where the position comes from. The
// branch's [branch] place always supplies postal code, city and state.
type LocationSettings struct {
	Source string `toml:"source"` // "branch" (default), "gpsd" or "nmea"
	GPSD   string `toml:"gpsd"`   // gpsd's address, default 127.0.0.1:2947
	NMEA   string `toml:"nmea"`   // the receiver's serial device, e.g. /dev/ttyUSB0
	Baud   int    `toml:"baud"`   // default 4800
	// Wait is how long a verification waits for a fix before going with the branch's
	// place alone; default 5 s.
	Wait Duration `toml:"wait"`
}

// Duration is a time.Duration written "5s" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText reads "5s", "1m".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	d.Duration = v
	return err
}

// MarshalText writes the duration back.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Open makes the position source the settings name; branch is the fixed place.
func (s LocationSettings) Open(branch Place) (location.Source, error) {
	switch s.Source {
	case "", "branch":
		return location.Fixed{Lat: branch.Latitud, Lon: branch.Longitud}, nil
	case "gpsd":
		return location.GPSD{Addr: s.GPSD}, nil
	case "nmea":
		if s.NMEA == "" {
			return nil, fmt.Errorf("capture: [location] source = \"nmea\" needs nmea = the receiver's device, e.g. /dev/ttyUSB0")
		}
		return location.NMEA{Device: s.NMEA, Baud: s.Baud}, nil
	}
	return nil, fmt.Errorf("capture: [location] source %q: use branch, gpsd or nmea", s.Source)
}

// PositionFrom turns a source into the Kiosk's Position: a fix within wait, or an error
// (and the branch's place alone goes).
func PositionFrom(src location.Source, wait time.Duration) func(context.Context) (float64, float64, error) {
	if wait <= 0 {
		wait = 5 * time.Second
	}
	return func(ctx context.Context) (float64, float64, error) {
		ctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		f, err := src.Fix(ctx)
		if err != nil {
			return 0, 0, err
		}
		return f.Lat, f.Lon, nil
	}
}
