package record

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHasInterface(t *testing.T) {
	list := "1. eth0\n2. any\n3. lo (Loopback)\n12. usbmon1 (USB bus number 1)\n13. usbmon10\n"
	tests := []struct {
		iface string
		want  bool
	}{
		{"usbmon1", true}, {"usbmon10", true}, {"usbmon2", false}, {"lo", true}, {"Loopback", false}, {"", false},
	}
	for _, tt := range tests {
		if got := hasInterface(list, tt.iface); got != tt.want {
			t.Errorf("hasInterface(%q) = %v, want %v", tt.iface, got, tt.want)
		}
	}
}

// FuzzHasInterface: tshark's list is another program's output; any text is read
// without failing, and a name is found only on a numbered line that has it.
func FuzzHasInterface(f *testing.F) {
	f.Add("1. eth0\n12. usbmon1 (USB bus number 1)\n", "usbmon1")
	f.Add("Capturing on 'usbmon1'\n", "usbmon1")
	f.Add("", "")
	f.Add("1.\n. usbmon1\n", "usbmon1")
	f.Fuzz(func(t *testing.T, list, iface string) {
		if hasInterface(list, iface) && !strings.Contains(list, iface) {
			t.Errorf("found %q in a list without it", iface)
		}
	})
}

// FuzzReplayArgs: a recording's description comes from a branch; any content gives
// either an error or arguments loading the traffic for a path under /sys/devices.
func FuzzReplayArgs(f *testing.F) {
	f.Add("P: /devices/pci0000:00/0000:00:14.0/usb1/1-10\nN: bus/usb/001/050\n")
	f.Add("P: /etc/passwd\n")
	f.Add("P: /devices/../../etc\n")
	f.Add("P: \n")
	f.Add("\x00\xff")
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, desc string) {
		if err := os.WriteFile(filepath.Join(dir, DeviceFile), []byte(desc), 0o600); err != nil {
			t.Fatal(err)
		}
		args, err := ReplayArgs(dir, "cotejo")
		if err != nil {
			return
		}
		if len(args) != 6 || args[0] != "-d" || args[2] != "-p" || args[4] != "--" || args[5] != "cotejo" {
			t.Fatalf("arguments %q", args)
		}
		if !strings.HasPrefix(args[3], "/sys/devices/") || !strings.HasSuffix(args[3], "="+filepath.Join(dir, CaptureFile)) {
			t.Errorf("traffic loaded as %q", args[3])
		}
		if sys, _, _ := strings.Cut(args[3], "="); filepath.Clean(sys) != sys {
			t.Errorf("sysfs path %q is not clean", sys)
		}
	})
}
