package uru4000

// The tests here replay a real U.are.U 4500's USB traffic (recorded by the libfprint
// project) to this driver with umockdev: the parent test writes the recording it wants
// (the original, or a shortened or altered copy in t.TempDir()) and runs its own test
// binary again under umockdev-run, which intercepts libusb's device access and answers
// from the recording; the child, seeing COTEJO_UMOCKDEV_CHILD, does the capturing.
// umockdev's LD_PRELOAD needs a dynamically linked binary: gousb's cgo makes it one.

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"cotejo/scanner"
	"cotejo/scanner/usb"
)

const (
	childEnv = "COTEJO_UMOCKDEV_CHILD"
	seedEnv  = "COTEJO_REPLAY_SEED"
)

func isChild() bool { return os.Getenv(childEnv) == "1" }

// fixtures returns the folder of the U.are.U 4500 recording, or skips the test.
func fixtures(t *testing.T) string {
	t.Helper()
	root := os.Getenv("COTEJO_FIXTURES")
	if root == "" {
		dir, err := os.Getwd()
		if err != nil {
			t.Fatal(err)
		}
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				t.Skip("skipping: no go.mod above the test, so no ../shared/fixtures to find the USB recording in; set COTEJO_FIXTURES")
			}
			dir = parent
		}
		root = filepath.Join(dir, "..", "shared", "fixtures")
	}
	dir := filepath.Join(root, "usb", "uru4000-4500")
	for _, f := range []string{"device", "capture.pcapng", "capture.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Skipf("skipping: the U.are.U 4500 recording is not here (%v); it lives in the shared fixtures, outside the repository", err)
		}
	}
	return dir
}

// replay runs the test named test again, in a child process under umockdev-run with
// the fixture device and the recording pcap, and fails if the child fails.
func replay(t *testing.T, pcap, test string, env ...string) {
	t.Helper()
	dir := fixtures(t)
	if _, err := exec.LookPath("umockdev-run"); err != nil {
		t.Skip("skipping: umockdev-run is not installed (Debian package umockdev), so the USB recording cannot be replayed")
	}
	device := filepath.Join(dir, "device")
	desc, err := os.ReadFile(device)
	if err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(string(desc), "\n")
	sysPath, ok := strings.CutPrefix(first, "P: ")
	if !ok {
		t.Fatalf("%s does not start with the device's sysfs path (P: ...)", device)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "umockdev-run", "-d", device, "-p", "/sys"+sysPath+"="+pcap, "--",
		os.Args[0], "-test.run", "^"+test+"$", "-test.v", "-test.count=1")
	cmd.Env = append(append(os.Environ(), childEnv+"=1", quickExit()), env...)
	out, err := cmd.CombinedOutput()
	t.Logf("child under umockdev-run:\n%s", out)
	if err != nil {
		t.Fatalf("the replay failed: %v", err)
	}
	if !bytes.Contains(out, []byte("--- PASS: "+test)) {
		t.Fatalf("the child did not run %s", test)
	}
}

// A pcapng recording of usbmon packets (LINKTYPE_USB_LINUX_MMAPPED: a 64-byte header,
// then the data), enough to copy one and change its packets.
type recording struct {
	head    []byte // section header and interface description, kept as they are
	packets [][]byte
	stamps  []uint64
}

func readRecording(t *testing.T, path string) *recording {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r := &recording{}
	le := binary.LittleEndian
	for off := 0; off+12 <= len(b); {
		typ, n := le.Uint32(b[off:]), int(le.Uint32(b[off+4:]))
		if n < 12 || off+n > len(b) {
			t.Fatalf("%s: damaged block at %d", path, off)
		}
		block := b[off : off+n]
		switch typ {
		case 0x0a0d0d0a, 1: // section header, interface description
			if typ == 0x0a0d0d0a && le.Uint32(block[8:]) != 0x1a2b3c4d {
				t.Fatalf("%s: not a little-endian pcapng", path)
			}
			if typ == 1 && le.Uint16(block[8:]) != 220 {
				t.Fatalf("%s: link type %d, want 220 (usbmon, mmapped)", path, le.Uint16(block[8:]))
			}
			r.head = append(r.head, block...)
		case 6: // enhanced packet
			capLen := int(le.Uint32(block[20:]))
			r.packets = append(r.packets, bytes.Clone(block[28:28+capLen]))
			r.stamps = append(r.stamps, uint64(le.Uint32(block[12:]))<<32|uint64(le.Uint32(block[16:])))
		}
		off += n
	}
	return r
}

func (r *recording) write(t *testing.T, packets [][]byte) string {
	t.Helper()
	le := binary.LittleEndian
	out := bytes.Clone(r.head)
	ts := r.stamps[0]
	for _, p := range packets {
		ts += 100 // µs
		pad := (4 - len(p)%4) % 4
		n := 32 + len(p) + pad
		out = le.AppendUint32(out, 6)
		out = le.AppendUint32(out, uint32(n))
		out = le.AppendUint32(out, 0)
		out = le.AppendUint32(out, uint32(ts>>32))
		out = le.AppendUint32(out, uint32(ts))
		out = le.AppendUint32(out, uint32(len(p)))
		out = le.AppendUint32(out, uint32(len(p)))
		out = append(out, p...)
		out = append(out, make([]byte, pad)...)
		out = le.AppendUint32(out, uint32(n))
	}
	path := filepath.Join(t.TempDir(), "replay.pcapng")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Reading usbmon headers.
func urbID(p []byte) uint64    { return binary.LittleEndian.Uint64(p) }
func urbEvent(p []byte) byte   { return p[8] }
func urbType(p []byte) byte    { return p[9] } // 1 interrupt, 2 control, 3 bulk
func urbData(p []byte) []byte  { return p[64:] }
func urbSetup(p []byte) []byte { return p[40:48] }

// isRegWrite reports whether p submits a write of value to register reg.
func isRegWrite(p []byte, reg uint16, value ...byte) bool {
	return urbEvent(p) == 'S' && urbType(p) == 2 && p[14] == 0 && urbSetup(p)[0] == 0x40 &&
		binary.LittleEndian.Uint16(urbSetup(p)[2:]) == reg && bytes.HasPrefix(urbData(p), value)
}

// find returns the index of the first packet from index from that satisfies ok.
func (r *recording) find(t *testing.T, from int, what string, ok func([]byte) bool) int {
	t.Helper()
	for i := from; i < len(r.packets); i++ {
		if ok(r.packets[i]) {
			return i
		}
	}
	t.Fatalf("the recording has no %s", what)
	return -1
}

// unplugged returns a completion of the recorded submission s, ended by the
// unplugging: status -ESHUTDOWN (what the kernel gives a device's pending URBs when it
// goes), no data. It is made from the recorded completion like (same type of
// transfer), for its header's other fields.
func (r *recording) unplugged(t *testing.T, s []byte) []byte {
	t.Helper()
	i := r.find(t, 0, "completion to copy", func(p []byte) bool {
		return urbEvent(p) == 'C' && urbType(p) == urbType(s) && p[10] == s[10]
	})
	p := bytes.Clone(r.packets[i][:64])
	binary.LittleEndian.PutUint64(p, urbID(s))
	eshutdown := int32(syscall.ESHUTDOWN)
	binary.LittleEndian.PutUint32(p[28:], uint32(-eshutdown)) // status
	binary.LittleEndian.PutUint32(p[32:], 0)                  // length
	binary.LittleEndian.PutUint32(p[36:], 0)                  // captured
	return p
}

// The points in the recording the tests cut it at.
type marks struct {
	fingerOn  int // completion of the interrupt saying a finger is on
	irqBefore int // submission of the interrupt read that got it
	capture   int // submission of the write of capture mode
	bulk      int // submission of the image read
	off       int // submission of the write of mode off, in Close
	seed      uint32
}

func (r *recording) marks(t *testing.T) marks {
	t.Helper()
	var m marks
	m.fingerOn = r.find(t, 0, "finger-on interrupt", func(p []byte) bool {
		return urbEvent(p) == 'C' && urbType(p) == 1 && bytes.HasPrefix(urbData(p), []byte{0x01, 0x01})
	})
	// The kernel reuses URB ids: the submission is the last one of the same id before.
	id := urbID(r.packets[m.fingerOn])
	for m.irqBefore = m.fingerOn - 1; m.irqBefore >= 0; m.irqBefore-- {
		if p := r.packets[m.irqBefore]; urbEvent(p) == 'S' && urbType(p) == 1 && urbID(p) == id {
			break
		}
	}
	if m.irqBefore < 0 {
		t.Fatal("the recording has no submission of the finger-on interrupt read")
	}
	m.bulk = r.find(t, m.fingerOn, "image read", func(p []byte) bool { return urbEvent(p) == 'S' && urbType(p) == 3 })
	m.capture = r.find(t, m.fingerOn, "capture mode", func(p []byte) bool { return isRegWrite(p, regMode, modeCapture) })
	m.off = r.find(t, m.capture, "power off", func(p []byte) bool { return isRegWrite(p, regMode, modeOff) })
	i := r.find(t, m.bulk, "scramble seed", func(p []byte) bool { return isRegWrite(p, regScrambleIdx) })
	m.seed = binary.LittleEndian.Uint32(urbData(r.packets[i])[1:5])
	return m
}

// completionOf returns the index of the completion of submission i.
func (r *recording) completionOf(t *testing.T, i int) int {
	t.Helper()
	id := urbID(r.packets[i])
	return r.find(t, i+1, "completion", func(p []byte) bool { return urbEvent(p) == 'C' && urbID(p) == id })
}

// TestReplay4500 replays a whole capture and compares the image pixel for pixel with the
// one libfprint's driver made from the same recording.
func TestReplay4500(t *testing.T) {
	if isChild() {
		replayCaptureChild(t)
		return
	}
	dir := fixtures(t)
	r := readRecording(t, filepath.Join(dir, "capture.pcapng"))
	m := r.marks(t)
	replay(t, filepath.Join(dir, "capture.pcapng"), "TestReplay4500", fmt.Sprintf("%s=%d", seedEnv, m.seed))
}

// TestReplay4500Emulated replays the same capture with the driver drawing its seeds as
// libfprint's does under FP_DEVICE_EMULATION=1, the seed not taken from the recording:
// the recording was made that way (its seed, 0x51ea2124, is GLib's first
// g_rand_int_range(0, RAND_MAX) from 0xFACADE), so the reader's answers fit.
func TestReplay4500Emulated(t *testing.T) {
	if isChild() {
		replayCaptureChild(t)
		return
	}
	dir := fixtures(t)
	r := readRecording(t, filepath.Join(dir, "capture.pcapng"))
	if m := r.marks(t); m.seed != emulatedSeeds()() {
		t.Fatalf("the recording's seed is %#x, not libfprint's first under emulation", m.seed)
	}
	replay(t, filepath.Join(dir, "capture.pcapng"), "TestReplay4500Emulated", seedEnv+"=emulation")
}

func replayCaptureChild(t *testing.T) {
	seeds := 0
	cfg := Config{Emulation: true}
	if v := os.Getenv(seedEnv); v != "emulation" {
		seed, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			t.Fatalf("no seed from the parent: %v", err)
		}
		cfg.Seed = func() uint32 { seeds++; return uint32(seed) }
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, err := Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	info := d.Info()
	t.Logf("opened %+v", info)
	want := scanner.Info{Vendor: "DigitalPersona", Model: "U.are.U 4000B/4500",
		Serial: "{FB0B9071-2E08-7742-BC16-2FAA247CEF66}", PPI: 512, Width: 384, Height: 290}
	if info != want {
		t.Errorf("Info() = %+v, want %+v", info, want)
	}
	c, err := d.Capture(ctx)
	if err != nil {
		d.Close()
		t.Fatal(err)
	}
	for _, e := range []scanner.Event{scanner.FingerOn, scanner.FingerOff} {
		select {
		case got := <-d.Events():
			if got != e {
				t.Errorf("event %v, want %v", got, e)
			}
		default:
			t.Errorf("no %v event", e)
		}
	}
	// umockdev may print "Replay may be stuck: Reaping discard URB of type INTERRUPT"
	// here. The recording ends with libfprint cancelling its interrupt read; when the
	// replay hands that cancellation to this driver's pending read before Close cancels
	// it, the driver sees an empty interrupt, reads again, and that read, which the
	// recording does not have, is the one Close cancels. Harmless.
	if err := d.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if cfg.Seed != nil && seeds != 1 {
		t.Errorf("%d seeds asked for, want 1 (one key)", seeds)
	}
	if c.PPI != 512 || c.At.IsZero() {
		t.Errorf("capture PPI %d at %v", c.PPI, c.At)
	}

	f, err := os.Open(filepath.Join(fixtures(t), "capture.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ref, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if ref.Bounds() != c.Image.Bounds() {
		t.Fatalf("image %v, libfprint's %v", c.Image.Bounds(), ref.Bounds())
	}
	same, first := 0, image.Point{-1, -1}
	for y := range 290 {
		for x := range 384 {
			r, _, _, _ := ref.At(x, y).RGBA()
			if c.Image.GrayAt(x, y).Y == uint8(r>>8) {
				same++
			} else if first.X < 0 {
				first = image.Pt(x, y)
			}
		}
	}
	t.Logf("%d of %d pixels identical to libfprint's image", same, 384*290)
	if same != 384*290 {
		t.Errorf("the image differs from libfprint's, first at %v", first)
	}
	goleak.VerifyNone(t)
}

// TestCancelWhileWaiting replays the recording up to the wait for a finger, which then
// never comes: Capture must return the context's error promptly, and Close power the
// reader down, leaking no goroutine.
func TestCancelWhileWaiting(t *testing.T) {
	if isChild() {
		d := openChild(t)
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := d.Capture(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Capture: %v, want the context's deadline", err)
		}
		if late := time.Since(start) - 300*time.Millisecond; late > 200*time.Millisecond {
			t.Errorf("Capture returned %v after the deadline", late)
		}
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if _, err := d.Capture(context.Background()); !errors.Is(err, scanner.ErrClosed) {
			t.Errorf("Capture after Close: %v, want ErrClosed", err)
		}
		goleak.VerifyNone(t)
		return
	}
	replay(t, waitingRecording(t), "TestCancelWhileWaiting")
}

// waitingRecording is the recording up to the wait for a finger, then Close's power-off.
func waitingRecording(t *testing.T) string {
	r := readRecording(t, filepath.Join(fixtures(t), "capture.pcapng"))
	m := r.marks(t)
	p := append([][]byte{}, r.packets[:m.irqBefore+1]...)
	p = append(p, r.packets[m.off], r.packets[r.completionOf(t, m.off)])
	return r.write(t, p)
}

func openChild(t *testing.T) *Device {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d, err := Open(ctx, Config{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCloseDuringCapture closes the reader from another goroutine while Capture waits
// for a finger: Capture must end with ErrClosed, and Close still power the reader down.
func TestCloseDuringCapture(t *testing.T) {
	if isChild() {
		d := openChild(t)
		errc := make(chan error, 1)
		go func() {
			_, err := d.Capture(context.Background())
			errc <- err
		}()
		time.Sleep(500 * time.Millisecond) // Capture is waiting for the finger by now
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		select {
		case err := <-errc:
			if !errors.Is(err, scanner.ErrClosed) {
				t.Errorf("Capture: %v, want ErrClosed", err)
			}
		case <-time.After(2 * time.Second):
			t.Fatal("Capture did not return after Close")
		}
		if err := d.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
		goleak.VerifyNone(t)
		return
	}
	replay(t, waitingRecording(t), "TestCloseDuringCapture")
}

// TestUnplug replays the recording up to a point, then the reader goes: its pending
// transfers end with -ESHUTDOWN, as the kernel ends them on a real unplug, which libusb
// reports as LIBUSB_TRANSFER_NO_DEVICE. Capture must say the reader was unplugged.
func TestUnplug(t *testing.T) {
	if isChild() {
		d := openChild(t)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := d.Capture(ctx)
		t.Logf("Capture: %v", err)
		if !errors.Is(err, scanner.ErrUnplugged) {
			t.Errorf("Capture: %v, want ErrUnplugged", err)
		}
		if !usb.IsNoDevice(err) {
			t.Errorf("Capture: %v does not wrap libusb's no-device error", err)
		}
		select {
		case e := <-d.Events():
			for e == scanner.FingerOn {
				e = <-d.Events()
			}
			if e != scanner.Unplugged {
				t.Errorf("event %v, want Unplugged", e)
			}
		case <-time.After(2 * time.Second):
			t.Error("no Unplugged event")
		}
		if _, err := d.Capture(ctx); !errors.Is(err, scanner.ErrUnplugged) {
			t.Errorf("second Capture: %v, want ErrUnplugged", err)
		}
		if err := d.Close(); err != nil {
			t.Errorf("Close of an unplugged reader: %v", err)
		}
		goleak.VerifyNone(t)
		return
	}
	r := readRecording(t, filepath.Join(fixtures(t), "capture.pcapng"))
	m := r.marks(t)
	t.Run("reading the image", func(t *testing.T) {
		// Up to capture mode written; the image read and the interrupt read that
		// followed the finger end unplugged.
		p := append([][]byte{}, r.packets[:r.completionOf(t, m.capture)+1]...)
		irq := r.find(t, m.fingerOn, "interrupt read after the finger", func(p []byte) bool {
			return urbEvent(p) == 'S' && urbType(p) == 1
		})
		p = append(p, r.unplugged(t, r.packets[m.bulk]), r.unplugged(t, r.packets[irq]))
		replay(t, r.write(t, p), "TestUnplug")
	})
	t.Run("waiting for the finger", func(t *testing.T) {
		p := append([][]byte{}, r.packets[:m.irqBefore+1]...)
		p = append(p, r.unplugged(t, r.packets[m.irqBefore]))
		replay(t, r.write(t, p), "TestUnplug")
	})
}

// quickExit is GORACE for a child: the race detector waits a second at exit for late
// reports (several under umockdev), which the child, having checked that no goroutine
// is left, does not need.
func quickExit() string {
	return "GORACE=" + strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")
}
