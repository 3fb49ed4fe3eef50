package capture_test

import (
	"context"
	"testing"

	"cotejo/capture"
	"cotejo/capture/location"
)

func TestHere(t *testing.T) {
	lat, lon := 19.4326, -99.1332
	k := &capture.Kiosk{Branch: capture.Place{CodigoPostal: "06000", Ciudad: "CDMX", Estado: 9}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Without a fix, the branch's place alone.
	u, source, err := k.Here(ctx)
	if err != nil || source != "branch" || u.PosicionSatelital != nil || u.Localidad.CodigoPostal != "06000" {
		t.Errorf("%+v %s %v", u, source, err)
	}
	src := location.Fixed{Lat: &lat, Lon: &lon, Accuracy: 12}
	k.Position = capture.PositionFrom(src, 0)
	u, source, err = k.Here(ctx)
	if err != nil || source != "gps" || u.PosicionSatelital.Latitud != lat || u.Localidad == nil {
		t.Errorf("%+v %s %v", u, source, err)
	}
	if _, _, err := (&capture.Kiosk{}).Here(ctx); err == nil {
		t.Error("no place at all, and no error")
	}
}
