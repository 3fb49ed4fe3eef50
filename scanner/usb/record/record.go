// Package record records a fingerprint reader's USB session at a branch, for support to
// replay without the reader: the same files libfprint's test suite records and
// umockdev-run replays.
//
//   - device: the reader as udev describes it, from umockdev-record (its first line, P:,
//     is the reader's sysfs path);
//   - capture.pcapng: the reader's USB traffic during one capture, taken from the
//     kernel's usbmon by tshark and kept to the reader's own packets.
//
// The capture itself is the caller's (Session.Capture), done with the driver in
// libfprint's emulation mode so that the replay, run with FP_DEVICE_EMULATION=1, sends
// the reader the same numbers: see ReplayArgs. Linux only: usbmon and sysfs are Linux's.
package record

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"cotejo/scanner/usb"
)

// The files of a recording, in its folder.
const (
	DeviceFile  = "device"
	CaptureFile = "capture.pcapng"
)

// Tools are the programs a recording runs, by path.
type Tools struct {
	UmockdevRecord string // describes the reader (Debian package umockdev)
	Tshark         string // captures and filters the USB traffic (Debian package tshark)
}

// MissingToolError says a program a recording needs is not installed.
type MissingToolError struct {
	Tool    string // the program
	Package string // the Debian package that has it
}

func (e *MissingToolError) Error() string {
	return fmt.Sprintf("record: %s is not installed (Debian package %s)", e.Tool, e.Package)
}

// FindTools finds the programs with lookPath (exec.LookPath).
func FindTools(lookPath func(string) (string, error)) (Tools, error) {
	var t Tools
	for _, p := range []struct {
		dst          *string
		tool, debPkg string
	}{{&t.UmockdevRecord, "umockdev-record", "umockdev"}, {&t.Tshark, "tshark", "tshark"}} {
		path, err := lookPath(p.tool)
		if err != nil {
			return Tools{}, &MissingToolError{Tool: p.tool, Package: p.debPkg}
		}
		*p.dst = path
	}
	return t, nil
}

// Errors for callers to decide on (and Message to explain). A reader that is not
// plugged in is usb.ErrNotFound.
var (
	ErrSeveralReaders = errors.New("record: more than one fingerprint reader is plugged in; a recording is of one")
	ErrNoSysfs        = errors.New("record: the reader is not in /sys/bus/usb/devices (recordings are made on Linux)")
	ErrExists         = errors.New("record: the folder already holds a recording")
	// ErrNoUsbmon, in a CaptureError, means tshark does not list the bus's usbmon
	// interface: the module is not loaded, or this user may not capture on it.
	ErrNoUsbmon = errors.New("tshark has no such interface")
)

// CaptureError says tshark could not capture the USB traffic: most often usbmon is not
// loaded or the user may not read it.
type CaptureError struct {
	Interface string // usbmonN
	Output    string // what tshark said, at most maxOutput bytes
	Err       error
}

func (e *CaptureError) Error() string {
	return fmt.Sprintf("record: capturing %s: %v: %s", e.Interface, e.Err, strings.TrimSpace(e.Output))
}

func (e *CaptureError) Unwrap() error { return e.Err }

// SessionError is the recorded session's own failure (Session.Capture's error): the
// recording was kept all the same, since a failing capture is what support wants to see.
type SessionError struct{ Err error }

func (e *SessionError) Error() string { return "record: the capture recorded failed: " + e.Err.Error() }
func (e *SessionError) Unwrap() error { return e.Err }

// Message explains err to an operator in lang (es or en), saying what to do.
func Message(err error, lang string) string {
	en := lang == "en"
	var missing *MissingToolError
	var capture *CaptureError
	switch {
	case errors.As(err, &missing):
		if en {
			return fmt.Sprintf("%s is not installed: install it with 'sudo apt-get install %s' and record again.", missing.Tool, missing.Package)
		}
		return fmt.Sprintf("%s no está instalado: instálelo con 'sudo apt-get install %s' y grabe de nuevo.", missing.Tool, missing.Package)
	case errors.Is(err, usb.ErrNotFound):
		if en {
			return "No fingerprint reader is plugged in (DigitalPersona U.are.U 4000/4500 or Microsoft). Plug it in and record again."
		}
		return "No hay un lector de huellas conectado (DigitalPersona U.are.U 4000/4500 o Microsoft). Conéctelo y grabe de nuevo."
	case errors.Is(err, ErrSeveralReaders):
		if en {
			return "More than one fingerprint reader is plugged in: leave only the one to record and record again."
		}
		return "Hay más de un lector de huellas conectado: deje solo el que se va a grabar y grabe de nuevo."
	case errors.Is(err, ErrNoSysfs):
		if en {
			return "This system does not describe its USB devices in /sys: recordings are made on Linux."
		}
		return "Este sistema no describe sus dispositivos USB en /sys: las grabaciones se hacen en Linux."
	case errors.Is(err, ErrExists):
		if en {
			return "That folder already holds a recording: give a new folder."
		}
		return "Esa carpeta ya tiene una grabación: indique una carpeta nueva."
	case errors.As(err, &capture):
		if en {
			return fmt.Sprintf("The USB traffic could not be captured on %s. Run 'sudo modprobe usbmon', and record as root (sudo) or as a member of the wireshark group. tshark said: %s",
				capture.Interface, strings.TrimSpace(capture.Output))
		}
		return fmt.Sprintf("No se pudo capturar el tráfico USB en %s. Ejecute 'sudo modprobe usbmon' y grabe como root (sudo) o como miembro del grupo wireshark. tshark dijo: %s",
			capture.Interface, strings.TrimSpace(capture.Output))
	}
	if en {
		return "The recording failed: " + err.Error()
	}
	return "La grabación falló: " + err.Error()
}

// Pick returns the one reader of found, or usb.ErrNotFound or ErrSeveralReaders: a
// recording is of one reader, and the capture opens the first one found.
func Pick(found []usb.Found) (usb.Found, error) {
	switch len(found) {
	case 0:
		return usb.Found{}, fmt.Errorf("record: %w", usb.ErrNotFound)
	case 1:
		return found[0], nil
	}
	return usb.Found{}, ErrSeveralReaders
}

// Session is one recording.
type Session struct {
	Dir    string    // where the files go; made 0700 (created if missing)
	Reader usb.Found // the reader recorded (Pick)
	Tools  Tools
	// Capture is the session recorded: the caller's capture, with the driver in
	// libfprint's emulation mode. It runs while the traffic is captured.
	Capture func(ctx context.Context) error
}

// Timeouts for the tools: generous, as the machine may be loaded; none bounds the
// operator's capture, which ctx and Capture do.
const (
	describeTimeout = 2 * time.Minute
	startTimeout    = 2 * time.Minute // tshark saying it captures
	stopTimeout     = 2 * time.Minute // tshark writing its file after the interrupt
	filterTimeout   = 2 * time.Minute
	maxOutput       = 64 << 10 // bytes of a tool's messages kept
)

// Record writes the reader's description, then captures its traffic while
// s.Capture runs, and keeps the reader's packets. A Capture error is returned as a
// *SessionError once the recording is kept.
func (s Session) Record(ctx context.Context) error {
	sysPath := usb.SysfsPath(s.Reader.Bus, s.Reader.Address)
	if sysPath == "" {
		return ErrNoSysfs
	}
	// Checked first: an operator who must load usbmon and start again finds no
	// half-made recording in the way.
	if err := checkInterface(ctx, s.Tools.Tshark, s.Reader.Bus); err != nil {
		return err
	}
	if err := prepareDir(s.Dir); err != nil {
		return err
	}
	device := filepath.Join(s.Dir, DeviceFile)
	if err := describe(ctx, s.Tools.UmockdevRecord, sysPath, device); err != nil {
		return err
	}
	raw := filepath.Join(s.Dir, "all-usb.pcapng")
	defer os.Remove(raw) // other devices' traffic: not for support
	capErr, err := s.capture(ctx, raw)
	if err != nil {
		os.Remove(device) // no recording without its traffic
		return err
	}
	// Kept even when ctx ended the capture (an operator's Ctrl-C): filterTimeout bounds it.
	if err := filter(context.WithoutCancel(ctx), s.Tools.Tshark, raw, filepath.Join(s.Dir, CaptureFile), s.Reader.Bus, s.Reader.Address); err != nil {
		return err
	}
	if capErr != nil {
		return &SessionError{Err: capErr}
	}
	return nil
}

// prepareDir makes dir private (the capture's image is biometric), refusing one that
// already holds a recording.
func prepareDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	for _, f := range []string{DeviceFile, CaptureFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			return fmt.Errorf("%w: %s", ErrExists, filepath.Join(dir, f))
		}
	}
	return nil
}

// describeArgs are umockdev-record's arguments for the reader's description.
func describeArgs(sysPath string) []string { return []string{sysPath} }

// interfacesArgs are tshark's for listing the interfaces it can capture on.
func interfacesArgs() []string { return []string{"-D"} }

// checkInterface fails with a CaptureError wrapping ErrNoUsbmon when tshark cannot
// capture on the bus's usbmon: found before the operator does a capture for nothing
// (tshark says it captures on a missing interface, then fails).
func checkInterface(ctx context.Context, tool string, bus int) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	iface := usbmon(bus)
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, tool, interfacesArgs()...)
	w := &limited{w: &out, n: maxOutput} // one writer for both: exec then writes from one goroutine
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Run(); err != nil {
		return &CaptureError{Interface: iface, Output: out.String(), Err: err}
	}
	if hasInterface(out.String(), iface) {
		return nil
	}
	return &CaptureError{Interface: iface, Output: "no " + iface + " among the interfaces tshark lists", Err: ErrNoUsbmon}
}

// hasInterface reports whether tshark -D's list names iface; its lines are like
// "12. usbmon1 (USB bus number 1)".
func hasInterface(list, iface string) bool {
	for _, line := range strings.Split(list, "\n") {
		if f := strings.Fields(line); len(f) >= 2 && strings.HasSuffix(f[0], ".") && f[1] == iface {
			return true
		}
	}
	return false
}

// captureArgs are tshark's for capturing all the traffic of bus into file.
func captureArgs(bus int, file string) []string {
	return []string{"-i", usbmon(bus), "-w", file}
}

// filterArgs are tshark's for keeping the packets of the reader at bus/address.
func filterArgs(from, to string, bus, address int) []string {
	return []string{"-r", from, "-Y", fmt.Sprintf("usb.bus_id == %d and usb.device_address == %d", bus, address), "-w", to}
}

func usbmon(bus int) string { return fmt.Sprintf("usbmon%d", bus) }

// describe runs umockdev-record and writes what it prints to file.
func describe(ctx context.Context, tool, sysPath, file string) error {
	ctx, cancel := context.WithTimeout(ctx, describeTimeout)
	defer cancel()
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, tool, describeArgs(sysPath)...)
	cmd.Stdout, cmd.Stderr = &out, &limited{w: &stderr, n: maxOutput}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("record: umockdev-record %s: %w: %s", sysPath, err, strings.TrimSpace(stderr.String()))
	}
	if !bytes.HasPrefix(out.Bytes(), []byte("P: ")) {
		return fmt.Errorf("record: umockdev-record %s printed no device description", sysPath)
	}
	if err := os.WriteFile(file, out.Bytes(), 0o600); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	return nil
}

// capture runs tshark on the reader's bus while s.Capture runs. It returns Capture's
// error apart from its own: the traffic is worth keeping either way.
func (s Session) capture(ctx context.Context, file string) (captureErr, err error) {
	iface := usbmon(s.Reader.Bus)
	cmd := exec.Command(s.Tools.Tshark, captureArgs(s.Reader.Bus, file)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, &CaptureError{Interface: iface, Err: err}
	}
	// tshark says "Capturing on 'usbmon1'" once it captures; until then a capture
	// would be missed. Its other messages are kept for the error.
	var output bytes.Buffer
	var mu sync.Mutex
	started := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		once := sync.OnceFunc(func() { close(started) })
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "Capturing on") {
				once()
			}
			mu.Lock()
			if output.Len() < maxOutput {
				output.WriteString(line + "\n")
			}
			mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, stderr) // a line too long for the scanner
	}()
	said := func() string {
		mu.Lock()
		defer mu.Unlock()
		return output.String()
	}
	t := time.NewTimer(startTimeout)
	defer t.Stop()
	select {
	case <-started:
	case <-done: // tshark ended without capturing
		err := cmd.Wait()
		if err == nil {
			err = errors.New("tshark ended before capturing")
		}
		return nil, &CaptureError{Interface: iface, Output: said(), Err: err}
	case <-t.C:
		stop(cmd, done)
		return nil, &CaptureError{Interface: iface, Output: said(), Err: errors.New("tshark did not start capturing")}
	case <-ctx.Done():
		stop(cmd, done)
		return nil, ctx.Err()
	}
	select {
	case <-done: // said it captures, then failed
		err := cmd.Wait()
		if err == nil {
			err = errors.New("tshark ended before the capture")
		}
		return nil, &CaptureError{Interface: iface, Output: said(), Err: err}
	default:
	}
	captureErr = s.Capture(ctx)
	if err := stop(cmd, done); err != nil {
		return nil, &CaptureError{Interface: iface, Output: said(), Err: err}
	}
	return captureErr, nil
}

// stop interrupts tshark, as an operator's Ctrl-C would, so that it writes out what it
// captured, and waits for it; one that does not end is killed.
func stop(cmd *exec.Cmd, done <-chan struct{}) error {
	_ = cmd.Process.Signal(os.Interrupt)
	t := time.NewTimer(stopTimeout)
	defer t.Stop()
	killed := false
	select {
	case <-done:
	case <-t.C:
		_ = cmd.Process.Kill()
		killed = true
		<-done
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	switch {
	case killed:
		return fmt.Errorf("tshark did not stop in %v after the interrupt: its file may be cut short", stopTimeout)
	case errors.As(err, &exit) && !exit.Exited():
		return nil // ended by the interrupt itself: a way tshark stops
	}
	return err
}

// filter keeps the reader's packets of from in to.
func filter(ctx context.Context, tool, from, to string, bus, address int) error {
	ctx, cancel := context.WithTimeout(ctx, filterTimeout)
	defer cancel()
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, tool, filterArgs(from, to, bus, address)...)
	cmd.Stderr = &limited{w: &stderr, n: maxOutput}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("record: keeping the reader's packets: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	return os.Chmod(to, 0o600)
}

// ReplayArgs returns umockdev-run's arguments to replay the recording in dir through
// program (cotejo and its arguments): the device description, and the traffic loaded
// for the reader's sysfs path, which is the description's first line. The replay must
// run with FP_DEVICE_EMULATION=1, as the recording was made.
func ReplayArgs(dir string, program ...string) ([]string, error) {
	desc, err := os.ReadFile(filepath.Join(dir, DeviceFile))
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	first, _, _ := strings.Cut(string(desc), "\n")
	sysPath, ok := strings.CutPrefix(first, "P: ")
	// Clean, so that a damaged (or crafted) description cannot point outside /sys/devices.
	if !ok || !strings.HasPrefix(sysPath, "/devices/") || path.Clean(sysPath) != sysPath {
		return nil, fmt.Errorf("record: %s does not start with the reader's sysfs path (P: /devices/…)", filepath.Join(dir, DeviceFile))
	}
	args := []string{"-d", filepath.Join(dir, DeviceFile), "-p", "/sys" + sysPath + "=" + filepath.Join(dir, CaptureFile), "--"}
	return append(args, program...), nil
}

// limited writes at most n bytes to w and drops the rest: a tool's messages are kept
// for an error, bounded.
type limited struct {
	w io.Writer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.n -= k
		if _, err := l.w.Write(p[:k]); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}
