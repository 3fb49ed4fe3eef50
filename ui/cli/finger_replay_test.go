package cli

import (
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestFingerCaptureEmulatedReplay replays the U.are.U 4500 recording made by libfprint's
// test suite through the cotejo binary itself, as support replays a branch's recording:
// built with go build, run under umockdev-run as `cotejo finger capture --scanner usb`.
// With FP_DEVICE_EMULATION=1 the driver sends the seed libfprint sent when recording
// (GLib's generator from 0xFACADE), so the image must be libfprint's, pixel for pixel.
// Without it the seed differs, umockdev finds no such transfer in the recording, and the
// capture must fail.
func TestFingerCaptureEmulatedReplay(t *testing.T) {
	dir, desc := recording4500(t)
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipping: no go command to build cotejo with")
	}
	first, _, _ := strings.Cut(string(desc), "\n")
	sysPath, ok := strings.CutPrefix(first, "P: ")
	if !ok {
		t.Fatalf("%s/device does not start with the reader's sysfs path (P: ...)", dir)
	}

	// A cold build of cotejo (Fyne, tesseract) takes minutes on a loaded machine.
	bin := filepath.Join(t.TempDir(), "cotejo")
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, goTool, "build", "-o", bin, "cotejo")
	build.Env = append(os.Environ(), "CGO_ENABLED=1") // umockdev's LD_PRELOAD needs a dynamic binary
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// capture runs the binary under umockdev-run with the switch set to emulation ("" for
	// unset) and returns where the image was to be written, the output and the error.
	capture := func(t *testing.T, emulation string) (string, []byte, error) {
		out := filepath.Join(t.TempDir(), "finger.png")
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "umockdev-run",
			"-d", filepath.Join(dir, "device"),
			"-p", "/sys"+sysPath+"="+filepath.Join(dir, "capture.pcapng"),
			"--", bin, "finger", "capture", "--scanner", "usb", "--out", out, "--timeout", "30s", "--lang", "en")
		cmd.Env = slices.DeleteFunc(os.Environ(), func(v string) bool { return strings.HasPrefix(v, "FP_DEVICE_EMULATION=") })
		if emulation != "" {
			cmd.Env = append(cmd.Env, "FP_DEVICE_EMULATION="+emulation)
		}
		b, err := cmd.CombinedOutput()
		t.Logf("cotejo finger capture under umockdev-run:\n%s", b)
		return out, b, err
	}

	t.Run("FP_DEVICE_EMULATION=1", func(t *testing.T) {
		out, _, err := capture(t, "1")
		if err != nil {
			t.Fatalf("the capture failed: %v", err)
		}
		got := decodePNG(t, out)
		want := decodePNG(t, filepath.Join(dir, "capture.png"))
		if got.Bounds() != want.Bounds() {
			t.Fatalf("image %v, libfprint's %v", got.Bounds(), want.Bounds())
		}
		differ := 0
		for y := want.Bounds().Min.Y; y < want.Bounds().Max.Y; y++ {
			for x := want.Bounds().Min.X; x < want.Bounds().Max.X; x++ {
				g, _, _, _ := got.At(x, y).RGBA()
				w, _, _, _ := want.At(x, y).RGBA()
				if g>>8 != w>>8 {
					if differ == 0 {
						t.Errorf("first difference at (%d, %d): %d, libfprint's %d", x, y, g>>8, w>>8)
					}
					differ++
				}
			}
		}
		if differ > 0 {
			t.Errorf("%d pixels differ from libfprint's image", differ)
		}
		if st, err := os.Stat(out); err == nil && st.Mode().Perm() != 0o600 {
			t.Errorf("the image is mode %o, want 600 (biometrics)", st.Mode().Perm())
		}
	})
	t.Run("without the switch", func(t *testing.T) {
		out, b, err := capture(t, "")
		if err == nil {
			t.Fatalf("the capture succeeded with a random seed:\n%s", b)
		}
		if _, err := os.Stat(out); err == nil {
			t.Error("an image was written")
		}
		// Where it fails is the write of the seed (register 0x33), the one transfer
		// that differs from the recording.
		if !strings.Contains(string(b), "register 0x33") {
			t.Error("the capture did not fail at the seed's write")
		}
	})
}

func decodePNG(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

// recording4500 is the U.are.U 4500's umockdev recording in the shared fixtures: its
// folder and device description. The test is skipped without it or without
// umockdev-run to replay it.
func recording4500(t *testing.T) (string, []byte) {
	t.Helper()
	dir := os.Getenv("COTEJO_FIXTURES")
	if dir == "" {
		dir = filepath.Join("..", "..", "..", "shared", "fixtures")
	}
	dir = filepath.Join(dir, "usb", "uru4000-4500")
	desc, err := os.ReadFile(filepath.Join(dir, "device"))
	if err != nil {
		t.Skipf("skipping the replay: the U.are.U 4500 recording is in the shared fixtures, outside the repository (%v)", err)
	}
	if _, err := exec.LookPath("umockdev-run"); err != nil {
		t.Skip("skipping the replay: umockdev-run is not installed (Debian package umockdev)")
	}
	return dir, desc
}
