package capture_test

import (
	"context"
	"testing"

	"cotejo/capture"
	"cotejo/capture/location"
)

func TestWatchGPSAndHere(t *testing.T) {
	lat, lon := 19.4326, -99.1332
	k := &capture.Kiosk{Branch: capture.Place{CodigoPostal: "06000", Ciudad: "CDMX", Estado: 9}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if k.WatchGPS(ctx, "es") != nil {
		t.Error("a branch without a receiver has no GPS to watch")
	}
	// Without a fix, the branch's place alone.
	u, source, err := k.Here(ctx)
	if err != nil || source != "branch" || u.PosicionSatelital != nil || u.Localidad.CodigoPostal != "06000" {
		t.Errorf("%+v %s %v", u, source, err)
	}
	src := location.Fixed{Lat: &lat, Lon: &lon, Accuracy: 12}
	k.GPS = src
	k.Position = capture.PositionFrom(src, 0)
	if got := <-k.WatchGPS(ctx, "es"); got != "GPS: 19.43260, -99.13320 ±12 m" {
		t.Errorf("%q", got)
	}
	u, source, err = k.Here(ctx)
	if err != nil || source != "gps" || u.PosicionSatelital.Latitud != lat || u.Localidad == nil {
		t.Errorf("%+v %s %v", u, source, err)
	}
	if _, _, err := (&capture.Kiosk{}).Here(ctx); err == nil {
		t.Error("no place at all, and no error")
	}
}
