package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
)

func gpsLog(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("COTEJO_FIXTURES")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "fixtures")
	}
	p := filepath.Join(dir, "gps", "bu353s4.log")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("the GPS log is in the shared fixtures, outside the repository (%v)", err)
	}
	return p
}

// wantFix checks `cotejo location --json` found the log's fix near 37.78 S, 175.31 E.
func wantFix(t *testing.T, args ...string) {
	t.Helper()
	code, stdout, stderr := runCLI(t, context.Background(), append([]string{"location", "--json", "--timeout", "40s"}, args...)...)
	var f struct {
		Lat    float64 `json:"latitud"`
		Lon    float64 `json:"longitud"`
		Source string  `json:"source"`
		Age    float64 `json:"ageSeconds"`
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &f) != nil {
		t.Fatalf("%d %s %s", code, stdout, stderr)
	}
	t.Logf("%s", stdout)
	if math.Abs(f.Lat+37.78) > 0.05 || math.Abs(f.Lon-175.31) > 0.05 || f.Source == "" || f.Age < 0 || f.Age > 10 {
		t.Errorf("fix %+v", f)
	}
}

// TestLocationGPSD reads the real receiver's log through Debian's gpsd (gpsfake).
func TestLocationGPSD(t *testing.T) {
	log := gpsLog(t)
	gpsfake, err := exec.LookPath("gpsfake")
	if err != nil {
		t.Skip("gpsfake is not installed (Debian package gpsd-clients)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(gpsfake, "-1", "-q", "-c", "0.1", "-P", strconv.Itoa(port), log)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(20 * time.Second); ; {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("gpsfake's gpsd never listened")
		}
		time.Sleep(100 * time.Millisecond)
	}
	wantFix(t, "--gpsd", addr)
}

// TestLocationNMEA feeds the same log to the NMEA reader through a pseudo-terminal, as a
// USB receiver's serial port would.
func TestLocationNMEA(t *testing.T) {
	log := gpsLog(t)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Until the serial port puts the terminal in raw mode it echoes what it receives:
	// drain the echo, or the master's buffer fills and the writes stall.
	go func() {
		buf := make([]byte, 4096)
		for {
			if _, err := ptmx.Read(buf); err != nil {
				return
			}
		}
	}()
	go func() {
		for ctx.Err() == nil {
			f, err := os.Open(log)
			if err != nil {
				return
			}
			sc := bufio.NewScanner(f)
			for sc.Scan() && ctx.Err() == nil {
				// A new slice: appending to sc.Bytes() would write into the scanner's buffer.
				ptmx.WriteString(strings.TrimRight(sc.Text(), "\r") + "\r\n")
				time.Sleep(5 * time.Millisecond)
			}
			f.Close()
		}
	}()
	wantFix(t, "--nmea", tty.Name())
}
