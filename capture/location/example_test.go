package location_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"cotejo/capture/location"
)

// ReadNMEA works on any io.Reader: here, two sentences of one second from a receiver.
func ExampleReadNMEA() {
	const log = "$GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000*7D\r\n" +
		"$GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*7D\r\n"
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	fix, stats, err := location.ReadNMEA(ctx, strings.NewReader(log), location.NMEAOptions{Source: "nmea example"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.5f, %.5f ±%.1f m, %.1f m high, %d satellites, at %s from %s\n",
		fix.Lat, fix.Lon, fix.Accuracy, fix.Alt, fix.Satellites, fix.Time.Format(time.RFC3339), fix.Source)
	fmt.Println(stats)
	// Output:
	// -37.78479, 175.31490 ±5.5 m, 59.9 m high, 8 satellites, at 2014-12-31T03:07:19Z from nmea example
	// 2 lines: 2 sentences, 0 bad checksums, 0 malformed
}
