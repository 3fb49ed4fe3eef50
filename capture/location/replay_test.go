package location

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

// freePort finds a TCP port nobody listens on, for gpsfake's gpsd.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// startGpsfake replays log through Debian's gpsd on port, in its own process group,
// which Cleanup kills whole (gpsfake, and the gpsd it runs as user gpsd).
func startGpsfake(t *testing.T, log string, port int) {
	t.Helper()
	gpsfake, err := exec.LookPath("gpsfake")
	if err != nil {
		t.Skip("gpsfake is not installed (Debian package gpsd-clients), so gpsd cannot replay the log")
	}
	haveGpsd := false
	for _, p := range []string{"/usr/sbin/gpsd", "/usr/local/sbin/gpsd"} {
		if _, err := os.Stat(p); err == nil {
			haveGpsd = true
		}
	}
	if _, err := exec.LookPath("gpsd"); err == nil {
		haveGpsd = true
	}
	if !haveGpsd {
		t.Skip("gpsd is not installed (Debian package gpsd), and gpsfake needs it")
	}
	// -1: the log once; -q: no chatter; -c 0.1: 0.1 s between sentences, so the log's
	// 25 seconds last about 10 s and gpsd reads them as a receiver would send them (at
	// the default 0 it swallows the whole log before a client's WATCH takes effect);
	// -P: gpsd's TCP port. The feed is a pty, gpsfake's default.
	cmd := exec.Command(gpsfake, "-1", "-q", "-c", "0.1", "-P", strconv.Itoa(port), log)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting gpsfake: %v", err)
	}
	pgid := cmd.Process.Pid
	t.Cleanup(func() {
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-done
		}
		_ = syscall.Kill(-pgid, syscall.SIGKILL) // any straggler of the group
		if t.Failed() {
			t.Logf("gpsfake said: %s", out.String())
		}
	})
}

// waitPort waits until something accepts connections on addr.
func waitPort(t *testing.T, addr string, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("gpsfake's gpsd did not listen on %s within %v: %v", addr, within, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The real receiver's log, through the real gpsd (gpsfake), read by GPSD.
func TestGPSDWithGpsfake(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: replaying through gpsfake takes several seconds")
	}
	log := fixture(t, "gps/bu353s4.log")
	port := freePort(t)
	startGpsfake(t, log, port)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	started := time.Now()
	waitPort(t, addr, 20*time.Second)
	up := time.Since(started)

	src := GPSD{Addr: addr}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	f, err := src.Fix(ctx)
	if err != nil {
		t.Fatalf("Fix: %v", err)
	}
	ttff := time.Since(start)
	checkLogFix(t, f, "gpsd "+addr, false)
	t.Logf("gpsd up after %v; first fix after %v: %.6f, %.6f, ±%.1f m, alt %.1f m, %d satellites, time %v",
		up.Round(time.Millisecond), ttff.Round(time.Millisecond), f.Lat, f.Lon, f.Accuracy, f.Alt, f.Satellites, f.Time)

	// Satellites come from SKY, which gpsd sends after the GSV sentences (every five
	// seconds of the log): watch until a fix carries them.
	wctx, wcancel := context.WithTimeout(ctx, 15*time.Second)
	defer wcancel()
	start = time.Now()
	for u := range src.Watch(wctx) {
		if u.Err != nil {
			if errors.Is(u.Err, ErrNoFix) {
				continue
			}
			t.Fatalf("Watch: %v", u.Err)
		}
		if u.Fix.Satellites > 0 {
			checkLogFix(t, u.Fix, "gpsd "+addr, true)
			t.Logf("fix with satellites after %v more: %.6f, %.6f, ±%.1f m, %d satellites",
				time.Since(start).Round(time.Millisecond), u.Fix.Lat, u.Fix.Lon, u.Fix.Accuracy, u.Fix.Satellites)
			wcancel()
			// A new connection now has gpsd's latest SKY at once, from the ?POLL
			// answer, so a one-shot Fix carries the satellites too.
			start = time.Now()
			f, err := src.Fix(ctx)
			if err != nil {
				t.Fatalf("second Fix: %v", err)
			}
			checkLogFix(t, f, "gpsd "+addr, true)
			t.Logf("second Fix after %v: %.6f, %.6f, ±%.1f m, alt %.1f m, %d satellites, time %v",
				time.Since(start).Round(time.Millisecond), f.Lat, f.Lon, f.Accuracy, f.Alt, f.Satellites, f.Time)
			return
		}
	}
	t.Fatal("no fix with satellites from gpsd within 15 s")
}

// readLogLines returns the log's NMEA sentences (not its # comments).
func readLogLines(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(fixture(t, "gps/bu353s4.log"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); strings.HasPrefix(l, "$") {
			out = append(out, l)
		}
	}
	return out
}

// openPty opens a pseudo-terminal whose master can be closed to end a blocked read or
// write: creack/pty leaves it in blocking mode, which Close does not interrupt, so the
// master is re-made non-blocking, under Go's poller.
func openPty(t *testing.T) (master *os.File, slavePath string) {
	t.Helper()
	ptm, pts, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal available: %v", err)
	}
	fd, err := syscall.Dup(int(ptm.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	ptm.Close()
	if err := syscall.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	master = os.NewFile(uintptr(fd), "ptmx")
	slavePath = pts.Name()
	// Our slave descriptor stays open to the end: when the last one closes, the master
	// sees a hang-up and writes fail.
	t.Cleanup(func() { pts.Close() })
	return master, slavePath
}

// replay writes lines into the pty master at about rate lines a second, over and over,
// until ctx ends, and drains what the terminal echoes back before the serial port has
// switched it to raw mode. Stop with the returned function.
func replay(t *testing.T, master *os.File, lines []string, rate int) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		buf := make([]byte, 4096)
		for {
			if _, err := master.Read(buf); err != nil {
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		for i := 0; ; i++ {
			if _, err := master.WriteString(lines[i%len(lines)] + "\r\n"); err != nil {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			master.Close() // ends a blocked Read or Write
			wg.Wait()
		})
	}
	t.Cleanup(stop)
	return stop
}

// The real receiver's log, written into a pseudo-terminal as a USB receiver would, read
// by NMEA through go.bug.st/serial.
func TestNMEAThroughPty(t *testing.T) {
	lines := readLogLines(t)
	master, slave := openPty(t)
	replay(t, master, lines, 300)

	src := NMEA{Device: slave, Retry: 100 * time.Millisecond}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	f, err := src.Fix(ctx)
	if err != nil {
		t.Fatalf("Fix: %v", err)
	}
	ttff := time.Since(start)
	checkLogFix(t, f, "nmea "+slave, true)
	if !near(f.Accuracy, 5.5, 1e-9) || f.Time.Year() != 2014 {
		t.Errorf("accuracy %v, time %v; want 5.5 (HDOP 1.1 × 5 m), 2014", f.Accuracy, f.Time)
	}
	t.Logf("first fix through %s after %v: %.6f, %.6f, ±%.1f m, alt %.1f m, %d satellites, time %v",
		slave, ttff.Round(time.Millisecond), f.Lat, f.Lon, f.Accuracy, f.Alt, f.Satellites, f.Time)

	// Watch holds the port and streams; three fixes, then it must end with ctx.
	wctx, wcancel := context.WithTimeout(ctx, 10*time.Second)
	defer wcancel()
	n := 0
	for u := range src.Watch(wctx) {
		if u.Err != nil {
			t.Fatalf("Watch: %v", u.Err)
		}
		checkLogFix(t, u.Fix, "nmea "+slave, true)
		if n++; n == 3 {
			wcancel()
		}
	}
	if n < 3 {
		t.Errorf("Watch gave %d fixes before closing; want 3", n)
	}
}

func TestNMEAOpenErrors(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "not-a-tty")
	if err := os.WriteFile(regular, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		device string
		is     error
		says   string
	}{
		{"missing device", filepath.Join(dir, "ttyUSB9"), fs.ErrNotExist, "plugged in"},
		{"not a serial port", regular, nil, "not a serial port"},
		{"nothing configured", "", nil, "no GPS serial device"},
	}
	if os.Geteuid() != 0 {
		noperm := filepath.Join(dir, "ttyNoPerm")
		if err := os.WriteFile(noperm, nil, 0o000); err != nil {
			t.Fatal(err)
		}
		tests = append(tests, struct {
			name   string
			device string
			is     error
			says   string
		}{"permission denied", noperm, fs.ErrPermission, "dialout"})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NMEA{Device: tc.device}.Fix(context.Background())
			if !errors.Is(err, ErrUnavailable) || (tc.is != nil && !errors.Is(err, tc.is)) || !strings.Contains(err.Error(), tc.says) {
				t.Fatalf("error %v; want ErrUnavailable, %v, saying %q", err, tc.is, tc.says)
			}
			t.Log(err)
		})
	}
}

// A device that vanishes mid-read (the pty's master closing, like a USB receiver
// unplugged) is ErrDisconnected, not a hang.
func TestNMEAUnplugged(t *testing.T) {
	master, slave := openPty(t)
	stop := replay(t, master, []string{rmcVoid}, 100)
	time.AfterFunc(300*time.Millisecond, stop)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := NMEA{Device: slave}.Fix(ctx)
	if !errors.Is(err, ErrDisconnected) || !strings.Contains(err.Error(), "unplugged") {
		t.Fatalf("error %v; want ErrDisconnected suggesting an unplugged receiver", err)
	}
	t.Log(err)
}
