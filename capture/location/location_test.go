package location

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.bug.st/serial"
)

func ptr(f float64) *float64 { return &f }

func TestFixed(t *testing.T) {
	tests := []struct {
		name     string
		src      Fixed
		wantErr  bool
		wantAcc  float64
		wantText string
	}{
		{name: "configured", src: Fixed{Lat: ptr(19.4326), Lon: ptr(-99.1332), Accuracy: 30}, wantAcc: 30},
		{name: "no accuracy", src: Fixed{Lat: ptr(19.4326), Lon: ptr(-99.1332), Accuracy: math.NaN()}},
		{name: "no position", src: Fixed{}, wantErr: true},
		{name: "latitude only", src: Fixed{Lat: ptr(19.4326)}, wantErr: true},
		{name: "out of range", src: Fixed{Lat: ptr(-99.1332), Lon: ptr(19.4326)}, wantErr: true, wantText: "out of range"},
		{name: "NaN", src: Fixed{Lat: ptr(math.NaN()), Lon: ptr(0)}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := tc.src.Fix(context.Background())
			if tc.wantErr {
				if !errors.Is(err, ErrNoPosition) || !strings.Contains(err.Error(), tc.wantText) {
					t.Fatalf("error %v; want ErrNoPosition saying %q", err, tc.wantText)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Lat != *tc.src.Lat || f.Lon != *tc.src.Lon || f.Accuracy != tc.wantAcc || f.Source != "branch" || f.Received.IsZero() {
				t.Errorf("fix %+v", f)
			}
		})
	}
}

func TestFixedWatch(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	ch := Fixed{}.Watch(ctx)
	if u := <-ch; !errors.Is(u.Err, ErrNoPosition) {
		t.Fatalf("update %+v; want ErrNoPosition", u)
	}
	cancel()
	if _, ok := <-ch; ok {
		t.Fatal("channel open after cancel")
	}
}

func TestFixAge(t *testing.T) {
	now := time.Date(2026, 3, 5, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		fix  Fix
		want time.Duration
	}{
		{Fix{Received: now.Add(-3 * time.Second), Time: now.Add(-20 * 365 * 24 * time.Hour)}, 3 * time.Second}, // a wrong receiver clock does not matter
		{Fix{Time: now.Add(-time.Minute)}, time.Minute},
		{Fix{}, 0},
	}
	for _, tc := range tests {
		if got := tc.fix.Age(now); got != tc.want {
			t.Errorf("Age of %+v = %v; want %v", tc.fix, got, tc.want)
		}
	}
}

// offer keeps only the latest update for a slow reader, never blocking the sender.
func TestOffer(t *testing.T) {
	ch := make(chan Update, 1)
	for i := 1; i <= 3; i++ {
		offer(ch, Update{Fix: Fix{Satellites: i}})
	}
	if u := <-ch; u.Fix.Satellites != 3 {
		t.Errorf("got update %d; want the latest, 3", u.Fix.Satellites)
	}
}

func TestOpenError(t *testing.T) {
	tests := []struct {
		err  error
		is   error
		says string
	}{
		{syscall.EACCES, fs.ErrPermission, "group dialout"},
		{syscall.ENOENT, fs.ErrNotExist, "plugged in"},
		{&serial.PortError{}, nil, "in use by another program"}, // the zero PortError is PortBusy
		{fmt.Errorf("odd"), nil, "cannot open"},
	}
	for _, tc := range tests {
		err := openError("nmea /dev/ttyUSB0", 4800, tc.err)
		if !errors.Is(err, ErrUnavailable) || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("openError(%v) = %v; want ErrUnavailable, %v, saying %q", tc.err, err, tc.is, tc.says)
		}
	}
}
