package usb

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/gousb"
	"go.uber.org/goleak"

	"cotejo/scanner"
)

// No test may leave a goroutine behind (Watch's, gousb's event loop).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestModels(t *testing.T) {
	ms := Models()
	if len(ms) != 7 {
		t.Fatalf("%d models, want 7", len(ms))
	}
	seen := map[[2]uint16]bool{}
	for _, m := range ms {
		id := [2]uint16{m.Vendor, m.Product}
		if seen[id] {
			t.Errorf("%v listed twice", m)
		}
		seen[id] = true
		if got, ok := Lookup(m.Vendor, m.Product); !ok || got != m {
			t.Errorf("Lookup(%04x, %04x) = %v, %v", m.Vendor, m.Product, got, ok)
		}
	}
	if _, ok := Lookup(0x05ba, 0x0009); ok {
		t.Error("05ba:0009 is not a supported reader")
	}
	ms[0].Name = "changed"
	if Models()[0].Name == "changed" {
		t.Error("Models shares the table with its caller")
	}
	if s := fmt.Sprint(Found{Model: ms[2], Bus: 1, Address: 50, Serial: "X"}); s != "DigitalPersona U.are.U 4000B/4500 (05ba:000a) on bus 1 address 50, serial X" {
		t.Errorf("Found prints as %q", s)
	}
}

// The udev rule must grant exactly the readers the table lists, each the same way.
func TestRules(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "assets", "60-cotejo-fingerprint.rules"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`^ATTR\{idVendor\}=="([0-9a-f]{4})", ATTR\{idProduct\}=="([0-9a-f]{4})", MODE="0660", GROUP="plugdev", TAG\+="uaccess"$`)
	var got []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.Contains(line, "idVendor") {
			m := re.FindStringSubmatch(line)
			if m == nil {
				t.Errorf("rule not in the expected form: %s", line)
				continue
			}
			got = append(got, m[1]+":"+m[2])
		}
	}
	var want []string
	for _, m := range Models() {
		want = append(want, fmt.Sprintf("%04x:%04x", m.Vendor, m.Product))
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("rules grant %v, the table lists %v", got, want)
	}
}

func TestWrap(t *testing.T) {
	for _, c := range []struct {
		err  error
		want error
	}{
		{gousb.ErrorAccess, ErrPermission},
		{gousb.ErrorNoDevice, scanner.ErrUnplugged},
		{gousb.TransferNoDevice, scanner.ErrUnplugged},
		{fmt.Errorf("reading: %w", gousb.TransferNoDevice), scanner.ErrUnplugged},
		{gousb.ErrorBusy, scanner.ErrBusy},
		{gousb.ErrorNotSupported, ErrDriver},
	} {
		err := Wrap("test: opening", c.err)
		if !errors.Is(err, c.want) || !errors.Is(err, c.err) {
			t.Errorf("Wrap(%v) = %v: want it to wrap %v and the original", c.err, err, c.want)
		}
		if !strings.HasPrefix(err.Error(), "test: opening: ") {
			t.Errorf("Wrap(%v) = %q does not say what was being done", c.err, err)
		}
	}
	// The operator's sentences, through the error chain as capture.ProblemMessage
	// finds them.
	for _, c := range []struct {
		err    error
		es, en string
	}{
		{gousb.ErrorAccess, "no tiene permiso", "may not use"},
		{gousb.ErrorNotSupported, "otro controlador (no WinUSB)", "another driver (not WinUSB)"},
		{fmt.Errorf("uru4000: %w", ErrNotFound), "No hay conectado", "No supported fingerprint scanner"},
	} {
		var m interface{ Message(string) string }
		if !errors.As(Wrap("x", c.err), &m) || !strings.Contains(m.Message("es"), c.es) || !strings.Contains(m.Message("en"), c.en) {
			t.Errorf("%v: no message, or not %q / %q", c.err, c.es, c.en)
		}
	}
	if Wrap("x", nil) != nil {
		t.Error("Wrap(nil) is not nil")
	}
	if err := Wrap("x", context.Canceled); err != context.Canceled {
		t.Errorf("Wrap(context.Canceled) = %v", err)
	}
	if err := Wrap("x", gousb.ErrorTimeout); !strings.Contains(err.Error(), "did not answer in time") {
		t.Errorf("Wrap(timeout) = %v", err)
	}
}

// TestWatch feeds watch a changing list of readers.
func TestWatch(t *testing.T) {
	a := Found{Model: models[2], Bus: 1, Address: 5}
	b := Found{Model: models[6], Bus: 2, Address: 3}
	a2 := a
	a2.Address = 6 // replugged
	failed := errors.New("libusb broke")
	type look struct {
		found []Found
		err   error
	}
	looks := []look{{nil, nil}, {[]Found{a}, nil}, {nil, failed}, {nil, failed}, {[]Found{a, b}, nil}, {[]Found{b, a2}, nil}, {[]Found{b, a2}, nil}, {nil, nil}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n := 0
	ch := watch(ctx, time.Millisecond, func(context.Context) ([]Found, error) {
		if n >= len(looks) {
			return looks[len(looks)-1].found, nil
		}
		l := looks[n]
		n++
		return l.found, l.err
	})
	want := []string{
		"+1.5", "error", "+2.3", "-1.5", "+1.6", "-2.3", "-1.6",
	}
	for i, w := range want {
		select {
		case c := <-ch:
			got := "error"
			if c.Err == nil {
				got = fmt.Sprintf("-%d.%d", c.Bus, c.Address)
				if c.Plugged {
					got = "+" + got[1:]
				}
			}
			if got != w {
				t.Fatalf("change %d: %s, want %s", i, got, w)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("change %d (%s) never came", i, w)
		}
	}
	cancel()
	for range ch { // must close
	}
}

// TestList lists the readers of this machine: nothing must fail, nothing be opened.
func TestList(t *testing.T) {
	if os.Getenv(childEnv) == "1" {
		t.Skip("runs outside umockdev")
	}
	found, err := List(context.Background())
	if err != nil {
		t.Skipf("skipping: libusb cannot list this machine's devices: %v", err)
	}
	t.Logf("found %v", found)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := List(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("List with a cancelled context: %v", err)
	}
}

const childEnv = "COTEJO_UMOCKDEV_CHILD"

// TestListReplay lists under umockdev with the recorded U.are.U 4500 plugged in (its
// description only: listing sends nothing to the device), and watches it appear.
func TestListReplay(t *testing.T) {
	if os.Getenv(childEnv) == "1" {
		found, err := List(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		want := Found{Model: models[2], Bus: 1, Address: 50, Serial: "{FB0B9071-2E08-7742-BC16-2FAA247CEF66}"}
		if len(found) != 1 || found[0] != want {
			t.Fatalf("List = %v, want [%v]", found, want)
		}
		ctx, cancel := context.WithCancel(context.Background())
		c := <-Watch(ctx, 10*time.Millisecond)
		cancel()
		if c.Err != nil || !c.Plugged || c.Found != want {
			t.Errorf("first change %+v, want %v plugged", c, want)
		}
		return
	}
	dir := fixtures(t)
	if _, err := exec.LookPath("umockdev-run"); err != nil {
		t.Skip("skipping: umockdev-run is not installed (Debian package umockdev), so no USB device can be mocked")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "umockdev-run", "-d", filepath.Join(dir, "device"), "--",
		os.Args[0], "-test.run", "^TestListReplay$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"=1", quickExit())
	out, err := cmd.CombinedOutput()
	t.Logf("child under umockdev-run:\n%s", out)
	if err != nil {
		t.Fatalf("the child failed: %v", err)
	}
	if !bytes.Contains(out, []byte("--- PASS: TestListReplay")) {
		t.Fatal("the child did not run TestListReplay")
	}
}

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
	if _, err := os.Stat(filepath.Join(dir, "device")); err != nil {
		t.Skipf("skipping: the U.are.U 4500's description is not here (%v); it lives in the shared fixtures, outside the repository", err)
	}
	return dir
}

// quickExit is GORACE for a child: the race detector waits a second at exit for late
// reports (several under umockdev), which the child, having checked that no goroutine
// is left, does not need.
func quickExit() string {
	return "GORACE=" + strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")
}
