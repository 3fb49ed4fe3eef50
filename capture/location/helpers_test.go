package location

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	nmea "github.com/adrianmo/go-nmea"
	"go.uber.org/goleak"

	"cotejo/scanner/biometrics/fvc"
)

// TestMain fails the run if any test leaves a goroutine behind (Watch, ReadNMEA's
// reader, the fake gpsd).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fixturePath finds a fixture, reporting whether it is there.
func fixturePath(rel string) (string, bool) {
	dir, err := fvc.FixturesDir()
	if err != nil {
		return "", false
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		return p, false
	}
	return p, true
}

// fixture returns a fixture's path, or skips the test when the shared fixtures are not
// there (a clone outside the workspace).
func fixture(t testing.TB, rel string) string {
	t.Helper()
	p, ok := fixturePath(rel)
	if !ok {
		t.Skipf("fixture %s is absent: the shared fixtures live outside the repository, in ../shared/fixtures or $COTEJO_FIXTURES", p)
	}
	return p
}

// sentence wraps an NMEA body in $…*checksum.
func sentence(body string) string {
	return "$" + body + "*" + nmea.Checksum(body)
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

// The BU-353-S4 log's place: 37.78 S, 175.31 E, 60 m.
const (
	logLat = -37.78
	logLon = 175.31
	logTol = 0.05
)

// checkLogFix asserts a fix read from the BU-353-S4 log, whichever way it came.
// With complete unset, satellites and accuracy may be 0 (unknown): gpsd's first report
// after it opens the receiver can come before its first SKY and from an RMC alone.
func checkLogFix(t *testing.T, f Fix, wantSource string, complete bool) {
	t.Helper()
	if !near(f.Lat, logLat, logTol) || !near(f.Lon, logLon, logTol) {
		t.Errorf("position %.6f, %.6f; want near %.2f, %.2f", f.Lat, f.Lon, logLat, logLon)
	}
	if (complete || f.Satellites != 0) && (f.Satellites < 7 || f.Satellites > 8) {
		t.Errorf("satellites %d; want 7 or 8", f.Satellites)
	}
	if (complete || f.Accuracy != 0) && !(f.Accuracy > 0 && f.Accuracy < 100) {
		t.Errorf("accuracy %.1f m; want a plausible figure for HDOP 1.1", f.Accuracy)
	}
	if f.Source != wantSource {
		t.Errorf("source %q; want %q", f.Source, wantSource)
	}
	if f.Received.IsZero() {
		t.Error("Received not set")
	}
}
