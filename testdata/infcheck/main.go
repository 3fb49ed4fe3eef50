//go:build windows

// Command infcheck opens an INF file with Windows's own parser (SetupAPI) and prints, as
// JSON, its [Version] class and the devices of [Manufacturer]'s NTamd64 models section:
// each one's name, install section, hardware IDs, and that section's Include and Needs.
// inf_test.go cross-compiles it and runs it under Wine on dist/windows/cotejo-readers.inf.
//
//	infcheck.exe FILE.inf
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"syscall"
	"unsafe"
)

// infContext is SetupAPI's INFCONTEXT: a line of an open INF file.
type infContext struct {
	inf, currentInf uintptr
	section, line   uint32
}

type device struct {
	Name, Install   string
	IDs             []string
	Include, Needs  string
	ServicesNeeds   string
	InterfaceGUIDs  string
	InterfaceRegKey string
}

type report struct {
	Class   string
	Devices []device
}

type setupAPI struct {
	open, close, findFirst, findNext, fieldCount, stringField *syscall.LazyProc
	inf                                                       uintptr
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: infcheck FILE.inf")
		os.Exit(2)
	}
	r, err := check(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "infcheck:", err)
		os.Exit(1)
	}
	out, _ := json.MarshalIndent(r, "", "  ")
	fmt.Println(string(out))
}

func check(path string) (*report, error) {
	dll := syscall.NewLazyDLL("setupapi.dll")
	s := &setupAPI{
		open:        dll.NewProc("SetupOpenInfFileW"),
		close:       dll.NewProc("SetupCloseInfFile"),
		findFirst:   dll.NewProc("SetupFindFirstLineW"),
		findNext:    dll.NewProc("SetupFindNextLine"),
		fieldCount:  dll.NewProc("SetupGetFieldCount"),
		stringField: dll.NewProc("SetupGetStringFieldW"),
	}
	const infStyleWin4 = 2
	var errLine uint32
	h, _, err := s.open.Call(uintptr(unsafe.Pointer(utf16(path))), 0, infStyleWin4, uintptr(unsafe.Pointer(&errLine)))
	if h == uintptr(syscall.InvalidHandle) {
		return nil, fmt.Errorf("SetupOpenInfFileW %s: %v (line %d)", path, err, errLine)
	}
	s.inf = h
	defer s.close.Call(h)

	r := &report{Class: s.value("Version", "Class", 1)}
	// [Manufacturer]: NAME = MODELS, NTamd64 → MODELS.NTamd64.
	var models string
	for _, l := range s.lines("Manufacturer", "") {
		for i := uint32(2); i <= s.count(&l); i++ {
			if strings.EqualFold(s.field(&l, i), "NTamd64") {
				models = s.field(&l, 1) + ".NTamd64"
			}
		}
	}
	if models == "" {
		return nil, fmt.Errorf("[Manufacturer] has no NTamd64 models section")
	}
	for _, l := range s.lines(models, "") {
		d := device{Name: s.field(&l, 0), Install: s.field(&l, 1)}
		for i := uint32(2); i <= s.count(&l); i++ {
			d.IDs = append(d.IDs, s.field(&l, i))
		}
		d.Include = s.value(d.Install, "Include", 1)
		d.Needs = s.value(d.Install, "Needs", 1)
		d.ServicesNeeds = s.value(d.Install+".Services", "Needs", 1)
		if reg := s.value(d.Install+".HW", "AddReg", 1); reg != "" {
			for _, a := range s.lines(reg, "") {
				if strings.EqualFold(s.field(&a, 3), "DeviceInterfaceGUIDs") {
					d.InterfaceRegKey = s.field(&a, 1)
					d.InterfaceGUIDs = s.field(&a, 5)
				}
			}
		}
		r.Devices = append(r.Devices, d)
	}
	return r, nil
}

// lines returns every line of SECTION (with KEY, when KEY is not empty).
func (s *setupAPI) lines(section, key string) []infContext {
	var all []infContext
	var c infContext
	var k uintptr
	if key != "" {
		k = uintptr(unsafe.Pointer(utf16(key)))
	}
	ok, _, _ := s.findFirst.Call(s.inf, uintptr(unsafe.Pointer(utf16(section))), k, uintptr(unsafe.Pointer(&c)))
	for ok != 0 {
		all = append(all, c)
		ok, _, _ = s.findNext.Call(uintptr(unsafe.Pointer(&c)), uintptr(unsafe.Pointer(&c)))
	}
	return all
}

// value returns field I of the first line of SECTION with KEY, or "".
func (s *setupAPI) value(section, key string, i uint32) string {
	l := s.lines(section, key)
	if len(l) == 0 {
		return ""
	}
	return s.field(&l[0], i)
}

func (s *setupAPI) count(c *infContext) uint32 {
	n, _, _ := s.fieldCount.Call(uintptr(unsafe.Pointer(c)))
	return uint32(n)
}

// field returns field I of the line, %strings% replaced (field 0 is the key).
func (s *setupAPI) field(c *infContext, i uint32) string {
	buf := make([]uint16, 1024)
	var n uint32
	ok, _, _ := s.stringField.Call(uintptr(unsafe.Pointer(c)), uintptr(i), uintptr(unsafe.Pointer(&buf[0])), uintptr(len(buf)), uintptr(unsafe.Pointer(&n)))
	if ok == 0 {
		return ""
	}
	return syscall.UTF16ToString(buf)
}

func utf16(s string) *uint16 {
	p, err := syscall.UTF16PtrFromString(s)
	if err != nil {
		panic(err)
	}
	return p
}
