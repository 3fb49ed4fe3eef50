package location

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// Lines as gpsd 3.22 writes them (trimmed).
const (
	gpsdVersion = `{"class":"VERSION","release":"3.22","rev":"3.22","proto_major":3,"proto_minor":14}`
	gpsdDevices = `{"class":"DEVICES","devices":[{"class":"DEVICE","path":"/dev/ttyUSB0","activated":"2024-05-01T10:00:00.000Z","native":0,"bps":4800,"parity":"N","stopbits":1,"cycle":1.00}]}`
	gpsdNoDevs  = `{"class":"DEVICES","devices":[]}`
	gpsdWatchOK = `{"class":"WATCH","enable":true,"json":true,"nmea":false,"raw":0,"scaled":false,"timing":false,"split24":false,"pps":false}`
	gpsdPollNil = `{"class":"POLL","time":"2024-05-01T10:00:01.000Z","active":0,"tpv":[],"gst":[],"sky":[]}`
	gpsdPoll7   = `{"class":"POLL","time":"2024-05-01T10:00:01.000Z","active":1,"tpv":[{"class":"TPV","mode":1}],"sky":[{"class":"SKY","device":"/dev/ttyUSB0","hdop":1.10,"nSat":12,"uSat":7}]}`
	tpvMode1    = `{"class":"TPV","device":"/dev/ttyUSB0","mode":1}`
	tpvMode3    = `{"class":"TPV","device":"/dev/ttyUSB0","mode":3,"time":"2024-05-01T10:00:02.000Z","ept":0.005,"lat":19.432608,"lon":-99.133209,"altHAE":2230.1,"altMSL":2240.5,"alt":2240.5,"epx":9.484,"epy":12.791,"epv":34.5,"eph":20.9}`
	sky8        = `{"class":"SKY","device":"/dev/ttyUSB0","xdop":0.63,"ydop":0.85,"hdop":1.10,"nSat":12,"uSat":8,"satellites":[{"PRN":17,"used":true},{"PRN":28,"used":true}]}`
)

// fakeGPSD is a tiny gpsd: it sends VERSION on connect, answers ?WATCH with DEVICES and
// WATCH and ?POLL with poll, then runs the test's script on the connection.
type fakeGPSD struct {
	t       *testing.T
	ln      net.Listener
	devices string
	poll    string
	script  func(n int, w *bufio.Writer, quit <-chan struct{}) // n counts connections from 1
	quit    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   []net.Conn
}

// startFakeGPSD listens on a free loopback port and returns its address. Cleanup closes
// everything and waits for its goroutines; goleak then checks none is left.
func startFakeGPSD(t *testing.T, g *fakeGPSD) string {
	t.Helper()
	t.Cleanup(func() { goleak.VerifyNone(t) }) // registered first, so it runs last
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g.t, g.ln, g.quit = t, ln, make(chan struct{})
	if g.devices == "" {
		g.devices = gpsdDevices
	}
	if g.poll == "" {
		g.poll = gpsdPollNil
	}
	g.wg.Add(1)
	go g.accept()
	t.Cleanup(func() {
		close(g.quit)
		ln.Close()
		g.mu.Lock()
		for _, c := range g.conns {
			c.Close()
		}
		g.mu.Unlock()
		g.wg.Wait()
	})
	return ln.Addr().String()
}

func (g *fakeGPSD) accept() {
	defer g.wg.Done()
	for n := 1; ; n++ {
		c, err := g.ln.Accept()
		if err != nil {
			return
		}
		g.mu.Lock()
		g.conns = append(g.conns, c)
		g.mu.Unlock()
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			defer c.Close()
			g.serve(n, c)
		}()
	}
}

func (g *fakeGPSD) serve(n int, c net.Conn) {
	r := bufio.NewReader(c)
	w := bufio.NewWriter(c)
	send := func(lines ...string) {
		for _, l := range lines {
			w.WriteString(l + "\r\n")
		}
		w.Flush()
	}
	send(gpsdVersion)
	for _, want := range []string{"?WATCH=", "?POLL"} {
		cmd, err := r.ReadString(';')
		if err != nil {
			return
		}
		cmd = strings.TrimSpace(cmd)
		if !strings.HasPrefix(cmd, want) {
			g.t.Errorf("client sent %q; want %s…", cmd, want)
			return
		}
		if want == "?WATCH=" {
			if !strings.Contains(cmd, `"enable":true`) || !strings.Contains(cmd, `"json":true`) {
				g.t.Errorf("WATCH %q does not enable JSON", cmd)
			}
			send(g.devices, gpsdWatchOK)
		} else {
			send(g.poll)
		}
	}
	if g.script != nil {
		g.script(n, w, g.quit)
	}
}

// script sends ls, then holds the connection until the test ends.
func script(ls ...string) func(int, *bufio.Writer, <-chan struct{}) {
	return func(_ int, w *bufio.Writer, quit <-chan struct{}) {
		for _, l := range ls {
			w.WriteString(l + "\r\n")
		}
		w.Flush()
		<-quit
	}
}

func TestGPSDFix(t *testing.T) {
	t2 := time.Date(2024, 5, 1, 10, 0, 2, 0, time.UTC)
	tests := []struct {
		name string
		poll string
		ls   []string
		want Fix
	}{
		{
			name: "no fix, then 3D",
			ls:   []string{tpvMode1, sky8, `{"class":"TPV","mode":0}`, tpvMode3},
			want: Fix{Lat: 19.432608, Lon: -99.133209, Accuracy: 20.9, Alt: 2240.5, Time: t2, Satellites: 8},
		},
		{
			name: "2D, epx and epy without eph, old alt ignored",
			ls:   []string{`{"class":"TPV","mode":2,"lat":-37.78,"lon":175.31,"alt":99,"epx":9.5,"epy":12.8}`},
			want: Fix{Lat: -37.78, Lon: 175.31, Accuracy: 12.8},
		},
		{
			name: "satellites from the POLL answer",
			poll: gpsdPoll7,
			ls:   []string{tpvMode3},
			want: Fix{Lat: 19.432608, Lon: -99.133209, Accuracy: 20.9, Alt: 2240.5, Time: t2, Satellites: 7},
		},
		{
			name: "satellites counted when uSat is absent; a DOP-only SKY keeps them",
			ls: []string{
				`{"class":"SKY","satellites":[{"PRN":1,"used":true},{"PRN":2,"used":false},{"PRN":3,"used":true}]}`,
				`{"class":"SKY","hdop":1.2}`,
				tpvMode3,
			},
			want: Fix{Lat: 19.432608, Lon: -99.133209, Accuracy: 20.9, Alt: 2240.5, Time: t2, Satellites: 2},
		},
		{
			name: "pre-3.10 numeric time and alt",
			ls:   []string{`{"class":"TPV","tag":"RMC","mode":3,"time":1714557602.0,"lat":19.4,"lon":-99.1,"alt":2240.5}`},
			want: Fix{Lat: 19.4, Lon: -99.1, Alt: 2240.5, Time: t2},
		},
		{
			name: "garbage, unknown classes, overlong lines and bad TPVs skipped",
			ls: []string{
				"hello",
				"{",
				"\x00\xff\xfe",
				"",
				`{"lat":1,"lon":2,"mode":3}`,
				`{"class":"TPV","mode":"three","lat":1,"lon":2}`,
				`{"class":"TPV","mode":3,"lat":95,"lon":0}`,
				`{"class":"TPV","mode":3,"lat":1e999,"lon":0}`,
				`{"class":"TPV","mode":3,"lon":10}`,
				`{"class":"ERROR","message":"Unrecognized request"}`,
				`{"class":"TOFF","device":"/dev/pps0","real_sec":1}`,
				`{"class":"FUTURE","nested":{"a":[1,2,{"b":null}]}}`,
				`{"class":"TPV","mode":3,"lat":` + strings.Repeat("1", 100<<10) + `,"lon":0}`,
				strings.Repeat("x", 200<<10),
				tpvMode3,
			},
			want: Fix{Lat: 19.432608, Lon: -99.133209, Accuracy: 20.9, Alt: 2240.5, Time: t2},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			addr := startFakeGPSD(t, &fakeGPSD{poll: tc.poll, script: script(tc.ls...)})
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			got, err := GPSD{Addr: addr}.Fix(ctx)
			if err != nil {
				t.Fatal(err)
			}
			w := tc.want
			if got.Lat != w.Lat || got.Lon != w.Lon || got.Accuracy != w.Accuracy || got.Alt != w.Alt ||
				got.Satellites != w.Satellites || !got.Time.Equal(w.Time) {
				t.Errorf("fix %+v; want %+v", got, w)
			}
			if got.Source != "gpsd "+addr || got.Received.IsZero() {
				t.Errorf("source %q received %v; want gpsd %s, set", got.Source, got.Received, addr)
			}
		})
	}
}

func TestGPSDFixErrors(t *testing.T) {
	t.Run("gpsd not running", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		_, err = GPSD{Addr: addr}.Fix(context.Background())
		if !errors.Is(err, ErrUnavailable) || !strings.Contains(err.Error(), "is gpsd running?") {
			t.Fatalf("error %v; want ErrUnavailable asking whether gpsd runs", err)
		}
	})
	t.Run("connection closed before a fix", func(t *testing.T) {
		addr := startFakeGPSD(t, &fakeGPSD{script: func(_ int, w *bufio.Writer, _ <-chan struct{}) {
			w.WriteString(tpvMode1 + "\r\n{\"class\":\"TPV\",\"mode\":3,\"lat\":1.5") // cut mid-line
			w.Flush()
		}})
		_, err := GPSD{Addr: addr}.Fix(context.Background())
		if !errors.Is(err, ErrDisconnected) || errors.Is(err, ErrNoFix) {
			t.Fatalf("error %v; want ErrDisconnected", err)
		}
	})
	t.Run("cancelled while waiting", func(t *testing.T) {
		addr := startFakeGPSD(t, &fakeGPSD{script: script(tpvMode1)})
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		_, err := GPSD{Addr: addr}.Fix(ctx)
		took := time.Since(start)
		if !errors.Is(err, ErrNoFix) || !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v; want ErrNoFix wrapping context.Canceled", err)
		}
		if took > 3*time.Second { // generous: the machine may be loaded
			t.Errorf("took %v to honour a cancel after 100 ms", took)
		}
	})
	t.Run("no receiver attached", func(t *testing.T) {
		// The cancel comes 300 ms after the fake has answered the WATCH, time enough
		// for the client to read DEVICES even on a loaded machine.
		sent := make(chan struct{})
		addr := startFakeGPSD(t, &fakeGPSD{devices: gpsdNoDevs, script: func(_ int, _ *bufio.Writer, quit <-chan struct{}) {
			close(sent)
			<-quit
		}})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		go func() {
			select {
			case <-sent:
				time.Sleep(300 * time.Millisecond)
			case <-time.After(10 * time.Second):
			}
			cancel()
		}()
		_, err := GPSD{Addr: addr}.Fix(ctx)
		if !errors.Is(err, ErrNoFix) || !errors.Is(err, ErrNoReceiver) || !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v; want ErrNoFix, ErrNoReceiver and the cancel", err)
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		addr := startFakeGPSD(t, &fakeGPSD{script: script(tpvMode3)})
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := (GPSD{Addr: addr}).Fix(ctx); !errors.Is(err, ErrNoFix) || !errors.Is(err, context.Canceled) {
			t.Fatalf("error %v; want ErrNoFix wrapping context.Canceled", err)
		}
	})
}

// Watch reports the receiver's state, survives gpsd going away and ends with ctx.
func TestGPSDWatch(t *testing.T) {
	addr := startFakeGPSD(t, &fakeGPSD{script: func(n int, w *bufio.Writer, quit <-chan struct{}) {
		if n == 1 {
			w.WriteString(tpvMode1 + "\r\n" + tpvMode3 + "\r\n")
			w.Flush()
			time.Sleep(50 * time.Millisecond)
			return // gpsd goes away
		}
		w.WriteString(sky8 + "\r\n" + strings.Replace(tpvMode3, "19.432608", "19.5", 1) + "\r\n")
		w.Flush()
		<-quit
	}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ch := GPSD{Addr: addr, Retry: 300 * time.Millisecond}.Watch(ctx)
	var seen []string
	deadline := time.After(10 * time.Second)
loop:
	for {
		select {
		case u, ok := <-ch:
			if !ok {
				t.Fatal("channel closed before ctx ended")
			}
			switch {
			case errors.Is(u.Err, ErrNoFix):
				seen = append(seen, "nofix")
			case errors.Is(u.Err, ErrDisconnected):
				seen = append(seen, "disconnected")
			case u.Err != nil:
				t.Fatalf("unexpected error %v", u.Err)
			default:
				seen = append(seen, fmt.Sprintf("fix %.1f/%d", u.Fix.Lat, u.Fix.Satellites))
				if u.Fix.Lat == 19.5 {
					break loop
				}
			}
		case <-deadline:
			t.Fatalf("no fix after reconnecting; saw %v", seen)
		}
	}
	t.Logf("updates: %v", seen)
	if !strings.Contains(strings.Join(seen, ","), "disconnected") {
		t.Errorf("updates %v do not report the disconnection", seen)
	}
	if last := seen[len(seen)-1]; last != "fix 19.5/8" {
		t.Errorf("last update %s; want fix 19.5/8", last)
	}
	cancel()
	select {
	case _, ok := <-ch:
		if ok {
			// a last update may still be buffered; the next receive must see the close
			if _, ok := <-ch; ok {
				t.Error("channel still open after cancel")
			}
		}
	case <-time.After(2 * time.Second):
		t.Error("channel not closed 2 s after cancel")
	}
}

func TestGPSDWatchUnavailable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	ch := GPSD{Addr: addr, Retry: 20 * time.Millisecond}.Watch(ctx)
	for i := 0; i < 3; i++ { // it keeps retrying
		if u := <-ch; !errors.Is(u.Err, ErrUnavailable) {
			t.Fatalf("update %+v; want ErrUnavailable", u)
		}
	}
	cancel()
	for range ch {
	}
	goleak.VerifyNone(t)
}

func TestGPSDLineDecoder(t *testing.T) {
	tests := []struct {
		line  string
		class string
		err   bool
	}{
		{gpsdVersion, "VERSION", false},
		{tpvMode3, "TPV", false},
		{"  " + sky8 + " \r", "SKY", false},
		{`{"class":""}`, "", true},
		{`[1,2]`, "", true},
		{`{"class":"TPV","lat":"x"}`, "", true},
		{``, "", true},
		{`null`, "", true},
	}
	for _, tc := range tests {
		m, err := decodeGPSDLine([]byte(tc.line))
		if (err != nil) != tc.err || (err == nil && m.Class != tc.class) {
			t.Errorf("decode %.40q: class %q, error %v; want class %q, error %v", tc.line, m.Class, err, tc.class, tc.err)
		}
	}
}
