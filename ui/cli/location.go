package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"time"

	"cotejo/capture"
	"cotejo/capture/location"
)

func runLocation(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, cfgPath := newFlags("location", stderr)
	gpsd := fs.String("gpsd", "", "read gpsd at HOST:PORT (e.g. 127.0.0.1:2947)")
	nmea := fs.String("nmea", "", "read NMEA 0183 from this serial device (e.g. /dev/ttyUSB0)")
	baud := fs.Int("baud", 4800, "the NMEA device's speed")
	timeout := fs.Duration("timeout", 30*time.Second, "how long to wait for a valid fix")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var src location.Source
	switch {
	case *gpsd != "" && *nmea != "":
		return errors.New("say --gpsd or --nmea, not both")
	case *gpsd != "":
		src = location.GPSD{Addr: *gpsd}
	case *nmea != "":
		src = location.NMEA{Device: *nmea, Baud: *baud}
	default:
		cfg, err := capture.LoadConfig(*cfgPath)
		if err != nil {
			return fmt.Errorf("%w (or say --gpsd or --nmea)", err)
		}
		if src, err = cfg.Location.Open(cfg.Branch); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	f, err := src.Fix(ctx)
	if err != nil {
		switch {
		case errors.Is(err, location.ErrNoFix):
			return fmt.Errorf("sin posición válida en %v: revise que el receptor vea el cielo (%w)", *timeout, err)
		case errors.Is(err, location.ErrUnavailable):
			return fmt.Errorf("no se pudo leer el receptor GPS: %w", err)
		case errors.Is(err, location.ErrNoPosition):
			return fmt.Errorf("la sucursal no tiene latitud y longitud configuradas ([branch]): %w", err)
		}
		return err
	}
	age := f.Age(time.Now()).Round(time.Millisecond)
	if *asJSON {
		out := map[string]any{"latitud": f.Lat, "longitud": f.Lon, "source": f.Source, "age": age.String(), "ageSeconds": age.Seconds()}
		if f.Accuracy > 0 {
			out["accuracyMetres"] = math.Round(f.Accuracy*10) / 10
		}
		if f.Satellites > 0 {
			out["satellites"] = f.Satellites
		}
		if !f.Time.IsZero() {
			out["time"] = f.Time.UTC().Format(time.RFC3339)
		}
		return json.NewEncoder(stdout).Encode(out)
	}
	acc := "desconocida"
	if f.Accuracy > 0 {
		acc = fmt.Sprintf("±%.0f m", f.Accuracy)
	}
	fmt.Fprintf(stdout, "%.6f, %.6f  precisión %s  antigüedad %v  fuente %s\n", f.Lat, f.Lon, acc, age, f.Source)
	return nil
}
