package record

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cotejo/scanner/usb"
)

// The reader of the U.are.U 4500 recording in the shared fixtures, as its description
// names it.
const (
	fixtureSysfs  = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-10"
	fixtureDevice = "/dev/bus/usb/001/050"
	childEnv      = "COTEJO_UMOCKDEV_CHILD"
)

func TestFindTools(t *testing.T) {
	tests := []struct {
		name      string
		installed []string
		missing   string // the tool reported, "" for none
		pkg       string
	}{
		{"both", []string{"umockdev-record", "tshark"}, "", ""},
		{"no umockdev", []string{"tshark"}, "umockdev-record", "umockdev"},
		{"no tshark", []string{"umockdev-record"}, "tshark", "tshark"},
		{"none", nil, "umockdev-record", "umockdev"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			look := func(name string) (string, error) {
				if slices.Contains(tt.installed, name) {
					return "/usr/bin/" + name, nil
				}
				return "", exec.ErrNotFound
			}
			tools, err := FindTools(look)
			var missing *MissingToolError
			switch {
			case tt.missing == "" && err != nil:
				t.Fatal(err)
			case tt.missing == "":
				if tools != (Tools{UmockdevRecord: "/usr/bin/umockdev-record", Tshark: "/usr/bin/tshark"}) {
					t.Errorf("tools %+v", tools)
				}
			case !errors.As(err, &missing):
				t.Fatalf("error %v, want a MissingToolError", err)
			case missing.Tool != tt.missing || missing.Package != tt.pkg:
				t.Errorf("missing %+v, want %s from %s", missing, tt.missing, tt.pkg)
			}
		})
	}
}

func TestPick(t *testing.T) {
	a := usb.Found{Bus: 1, Address: 50}
	b := usb.Found{Bus: 2, Address: 3}
	if f, err := Pick([]usb.Found{a}); err != nil || f != a {
		t.Errorf("one reader: %v %v", f, err)
	}
	if _, err := Pick(nil); !errors.Is(err, usb.ErrNotFound) {
		t.Errorf("none: %v, want usb.ErrNotFound", err)
	}
	if _, err := Pick([]usb.Found{a, b}); !errors.Is(err, ErrSeveralReaders) {
		t.Errorf("two: %v, want ErrSeveralReaders", err)
	}
}

// TestMessage: every error an operator can meet is explained in both languages, each
// saying what to do.
func TestMessage(t *testing.T) {
	tests := []struct {
		err    error
		es, en string // a part of each message
	}{
		{&MissingToolError{Tool: "umockdev-record", Package: "umockdev"}, "apt-get install umockdev", "apt-get install umockdev"},
		{&MissingToolError{Tool: "tshark", Package: "tshark"}, "tshark no está instalado", "tshark is not installed"},
		{fmt.Errorf("record: %w", usb.ErrNotFound), "No hay un lector", "No fingerprint reader is plugged in"},
		{ErrSeveralReaders, "más de un lector", "More than one"},
		{ErrNoSysfs, "Linux", "Linux"},
		{fmt.Errorf("%w: /x/device", ErrExists), "carpeta nueva", "new folder"},
		{&CaptureError{Interface: "usbmon1", Output: "permission denied\n", Err: errors.New("exit status 2")}, "modprobe usbmon", "modprobe usbmon"},
		{errors.New("something else"), "La grabación falló: something else", "The recording failed: something else"},
	}
	for _, tt := range tests {
		es, en := Message(tt.err, "es"), Message(tt.err, "en")
		if !strings.Contains(es, tt.es) || !strings.Contains(en, tt.en) || es == en {
			t.Errorf("%v:\n es %q\n en %q", tt.err, es, en)
		}
	}
	c := Message(&CaptureError{Interface: "usbmon3", Output: "You don't have permission to capture on that device\n", Err: errors.New("exit status 2")}, "en")
	if !strings.Contains(c, "usbmon3") || !strings.Contains(c, "permission to capture") {
		t.Errorf("capture error: %q does not say where or what tshark said", c)
	}
}

func TestArgs(t *testing.T) {
	if got, want := describeArgs(fixtureSysfs), []string{fixtureSysfs}; !slices.Equal(got, want) {
		t.Errorf("umockdev-record %q, want %q", got, want)
	}
	if got, want := captureArgs(3, "/r/all.pcapng"), []string{"-i", "usbmon3", "-w", "/r/all.pcapng"}; !slices.Equal(got, want) {
		t.Errorf("tshark capture %q, want %q", got, want)
	}
	got := filterArgs("/r/all.pcapng", "/r/capture.pcapng", 1, 50)
	want := []string{"-r", "/r/all.pcapng", "-Y", "usb.bus_id == 1 and usb.device_address == 50", "-w", "/r/capture.pcapng"}
	if !slices.Equal(got, want) {
		t.Errorf("tshark filter %q, want %q", got, want)
	}
}

func TestReplayArgs(t *testing.T) {
	dir := t.TempDir()
	desc := "P: /devices/pci0000:00/0000:00:14.0/usb1/1-10\nN: bus/usb/001/050\nE: BUSNUM=001\n"
	if err := os.WriteFile(filepath.Join(dir, DeviceFile), []byte(desc), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ReplayArgs(dir, "cotejo", "finger", "capture", "--scanner", "usb", "--out", "f.png")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"-d", filepath.Join(dir, "device"), "-p", fixtureSysfs + "=" + filepath.Join(dir, "capture.pcapng"),
		"--", "cotejo", "finger", "capture", "--scanner", "usb", "--out", "f.png"}
	if !slices.Equal(got, want) {
		t.Errorf("umockdev-run %q\nwant %q", got, want)
	}
	for name, desc := range map[string]string{"no P line": "N: bus/usb/001/050\n", "empty": "", "not a device": "P: /etc/passwd\n", "out of /sys/devices": "P: /devices/../etc/x\n"} {
		if err := os.WriteFile(filepath.Join(dir, DeviceFile), []byte(desc), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := ReplayArgs(dir, "cotejo"); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := ReplayArgs(t.TempDir(), "cotejo"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no recording: %v", err)
	}
}

func TestPrepareDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "grabación")
	if err := prepareDir(dir); err != nil {
		t.Fatal(err)
	}
	// An existing folder others could enter is closed: the capture's image is biometric.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := prepareDir(dir); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v (%v), want 700", st.Mode().Perm(), err)
	}
	if err := os.WriteFile(filepath.Join(dir, CaptureFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := prepareDir(dir); !errors.Is(err, ErrExists) {
		t.Errorf("over a recording: %v, want ErrExists", err)
	}
}

// TestRecordNoSysfs: a reader sysfs does not list (no sysfs at all here, or not that
// reader) cannot be recorded, and nothing is written.
func TestRecordNoSysfs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "r")
	s := Session{Dir: dir, Reader: usb.Found{Bus: 999, Address: 999},
		Capture: func(context.Context) error { t.Error("captured"); return nil }}
	if err := s.Record(context.Background()); !errors.Is(err, ErrNoSysfs) {
		t.Errorf("Record: %v, want ErrNoSysfs", err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("the folder was made")
	}
}

// fixtures returns the U.are.U 4500 recording's folder, or skips.
func fixtures(t *testing.T) string {
	t.Helper()
	root := os.Getenv("COTEJO_FIXTURES")
	if root == "" {
		root = filepath.Join("..", "..", "..", "..", "shared", "fixtures")
	}
	dir := filepath.Join(root, "usb", "uru4000-4500")
	if _, err := os.Stat(filepath.Join(dir, "device")); err != nil {
		t.Skipf("skipping: the U.are.U 4500 recording is in the shared fixtures, outside the repository (%v)", err)
	}
	return dir
}

// TestRecordReplayed records the reader umockdev's testbed presents (the U.are.U 4500 of
// the shared fixtures): the test runs itself again under umockdev-run, and the child
// finds the reader and its sysfs path, and describes it with the real umockdev-record.
// The whole recording then finds no usbmon (the testbed has none; or, where tshark is
// not installed, tshark cannot be run): it must end with a CaptureError before the
// capture, leaving no folder behind.
func TestRecordReplayed(t *testing.T) {
	if os.Getenv(childEnv) == "1" {
		recordChild(t)
		return
	}
	dir := fixtures(t)
	for _, tool := range []string{"umockdev-run", "umockdev-record"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("skipping: %s is not installed (Debian package umockdev)", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "umockdev-run", "-d", filepath.Join(dir, "device"),
		"-p", fixtureSysfs+"="+filepath.Join(dir, "capture.pcapng"),
		"--", os.Args[0], "-test.run", "^TestRecordReplayed$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1")
	out, err := cmd.CombinedOutput()
	t.Logf("child under umockdev-run:\n%s", out)
	if err != nil || !bytes.Contains(out, []byte("--- PASS: TestRecordReplayed")) {
		t.Fatalf("the child failed: %v", err)
	}
}

func recordChild(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	found, err := usb.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	reader, err := Pick(found)
	if err != nil {
		t.Fatal(err)
	}
	if got := usb.SysfsPath(reader.Bus, reader.Address); got != fixtureSysfs {
		t.Errorf("sysfs path %q, want %q", got, fixtureSysfs)
	}
	umockdevRecord, err := exec.LookPath("umockdev-record")
	if err != nil {
		t.Fatal(err)
	}
	// The description, by the real umockdev-record.
	dir := t.TempDir()
	if err := describe(ctx, umockdevRecord, fixtureSysfs, filepath.Join(dir, DeviceFile)); err != nil {
		t.Fatal(err)
	}
	desc, err := os.ReadFile(filepath.Join(dir, DeviceFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(desc, []byte("P: "+strings.TrimPrefix(fixtureSysfs, "/sys")+"\n")) ||
		!bytes.Contains(desc, []byte("E: DEVNAME="+fixtureDevice+"\n")) {
		t.Errorf("device description:\n%.300s", desc)
	}
	if st, err := os.Stat(filepath.Join(dir, DeviceFile)); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("description mode %v (%v), want 600", st.Mode().Perm(), err)
	}
	args, err := ReplayArgs(dir, "cotejo")
	if err != nil {
		t.Fatal(err)
	}
	if want := fixtureSysfs + "=" + filepath.Join(dir, CaptureFile); args[3] != want {
		t.Errorf("replay's pcap %q, want %q", args[3], want)
	}

	// The whole recording: no usbmon, so it stops before the capture, leaving nothing.
	tsharkPath, err := exec.LookPath("tshark")
	if err != nil {
		tsharkPath = filepath.Join(t.TempDir(), "no-tshark")
	} else if checkInterface(ctx, tsharkPath, reader.Bus) == nil {
		t.Skip("skipping: this machine has usbmon1, so the recording would capture its real bus")
	}
	dir = filepath.Join(t.TempDir(), "r")
	s := Session{Dir: dir, Reader: reader,
		Tools:   Tools{UmockdevRecord: umockdevRecord, Tshark: tsharkPath},
		Capture: func(context.Context) error { t.Error("captured without the traffic being captured"); return nil }}
	err = s.Record(ctx)
	t.Logf("Record: %v", err)
	var ce *CaptureError
	if !errors.As(err, &ce) || ce.Interface != "usbmon1" {
		t.Errorf("Record: %v, want a CaptureError on usbmon1", err)
	}
	if filepath.Base(tsharkPath) == "tshark" && !errors.Is(err, ErrNoUsbmon) {
		t.Errorf("Record: %v, want tshark to find no usbmon1", err)
	}
	if _, err := os.Stat(dir); err == nil {
		t.Error("a folder was left behind")
	}
}

// tshark returns the path of the real tshark, or skips.
func tshark(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("skipping: tshark is not installed (Debian package tshark)")
	}
	return path
}

// packets counts the packets (enhanced packet blocks) of a little-endian pcapng file.
func packets(t *testing.T, path string) int {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for off := 0; off+8 <= len(b); {
		typ := uint32(b[off]) | uint32(b[off+1])<<8 | uint32(b[off+2])<<16 | uint32(b[off+3])<<24
		size := int(uint32(b[off+4]) | uint32(b[off+5])<<8 | uint32(b[off+6])<<16 | uint32(b[off+7])<<24)
		if size < 12 || off+size > len(b) {
			t.Fatalf("%s: damaged block at %d", path, off)
		}
		if typ == 6 {
			n++
		}
		off += size
	}
	return n
}

// TestFilter runs the real tshark's filter over the 4500 recording (libfprint's, made
// the same way): kept to the reader at bus 1 address 50 it is unchanged, byte for byte;
// kept to another address it has no packet.
func TestFilter(t *testing.T) {
	tool := tshark(t)
	dir := fixtures(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	from := filepath.Join(dir, "capture.pcapng")
	want, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "reader.pcapng")
	if err := filter(ctx, tool, from, out, 1, 50); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(out); err != nil || !bytes.Equal(got, want) {
		t.Errorf("kept to the reader, the recording changed (%d bytes, want %d; %v)", len(got), len(want), err)
	}
	if st, err := os.Stat(out); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v (%v), want 600", st.Mode().Perm(), err)
	}
	other := filepath.Join(t.TempDir(), "other.pcapng")
	if err := filter(ctx, tool, from, other, 1, 51); err != nil {
		t.Fatal(err)
	}
	if n, all := packets(t, other), packets(t, from); n != 0 || all == 0 {
		t.Errorf("another device's packets: %d (the recording has %d)", n, all)
	}
	if err := filter(ctx, tool, filepath.Join(t.TempDir(), "none.pcapng"), other, 1, 50); err == nil {
		t.Error("filtering a missing file: no error")
	}
}

// TestCheckInterface asks the real tshark for a usbmon interface this machine does not
// have (bus 250; none has that many buses): a CaptureError wrapping ErrNoUsbmon.
func TestCheckInterface(t *testing.T) {
	tool := tshark(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := checkInterface(ctx, tool, 250)
	var ce *CaptureError
	if !errors.As(err, &ce) || !errors.Is(err, ErrNoUsbmon) || ce.Interface != "usbmon250" {
		t.Fatalf("checkInterface: %v, want a CaptureError wrapping ErrNoUsbmon", err)
	}
	if m := Message(err, "es"); !strings.Contains(m, "usbmon250") || !strings.Contains(m, "modprobe usbmon") {
		t.Errorf("message %q", m)
	}
}
