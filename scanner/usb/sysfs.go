package usb

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// sysfsDevices is where Linux lists USB devices, each with the attributes the kernel
// read when it was plugged in. Under umockdev's testbed (tests replaying a recorded
// device) the mock sysfs is in $UMOCKDEV_DIR: umockdev redirects libc's file calls there,
// which is how libusb sees it, but Go makes its own system calls and must be told.
func sysfsDevices() string {
	if dir := os.Getenv("UMOCKDEV_DIR"); dir != "" {
		return filepath.Join(dir, "sys", "bus", "usb", "devices")
	}
	return "/sys/bus/usb/devices"
}

// sysfsSerial returns the serial number the kernel read from the device at bus/address,
// or "" when there is none or no sysfs (other systems). Reading it there needs no
// permission and sends nothing to the device, unlike asking the device for its string
// descriptor.
func sysfsSerial(bus, address int) string {
	dir := sysfsDir(bus, address)
	if dir == "" {
		return ""
	}
	b, err := os.ReadFile(filepath.Join(dir, "serial"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// sysfsDir finds the sysfs directory of the device at bus/address, or "".
func sysfsDir(bus, address int) string {
	root := sysfsDevices()
	entries, err := os.ReadDir(root)
	if err != nil {
		return ""
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ":") { // an interface, not a device
			continue
		}
		dir := filepath.Join(root, e.Name())
		if readInt(filepath.Join(dir, "busnum")) == bus && readInt(filepath.Join(dir, "devnum")) == address {
			return dir
		}
	}
	return ""
}

func readInt(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return -1
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return -1
	}
	return n
}

// SysfsPath returns the sysfs path of the device at bus/address as the system names it,
// /sys/devices/… (the path umockdev-record takes, and writes as the P: line of its
// description), or "" when there is none or no sysfs (other systems). Under umockdev's
// testbed it is the testbed's device, named as the programs in it see it.
func SysfsPath(bus, address int) string {
	dir := sysfsDir(bus, address)
	if dir == "" {
		return ""
	}
	// The entries of /sys/bus/usb/devices are links into /sys/devices.
	link, err := os.Readlink(dir)
	if err != nil {
		return ""
	}
	if !filepath.IsAbs(link) {
		link = filepath.Join("/sys/bus/usb/devices", link)
	}
	return link
}
