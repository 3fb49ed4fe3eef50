package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cotejo/scanner/usb"
)

const readersINF = "dist/windows/cotejo-readers.inf"

// TestReadersINF checks the WinUSB INF against the readers Cotejo has a driver for: the
// same hardware IDs, no more and no fewer, each with WinUSB's install sections and a
// name in Device Manager that says which reader it is.
func TestReadersINF(t *testing.T) {
	text, err := os.ReadFile(readersINF)
	if err != nil {
		t.Fatal(err)
	}
	if problems := checkReadersINF(string(text), usb.Models()); len(problems) > 0 {
		t.Errorf("%s:\n%s", readersINF, strings.Join(problems, "\n"))
	}
}

// TestReadersINFMismatch shows the check failing where it should: a reader added to
// the code and not to the INF, one the code dropped, a broken install section.
func TestReadersINFMismatch(t *testing.T) {
	b, err := os.ReadFile(readersINF)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	models := usb.Models()
	for _, c := range []struct {
		name   string
		inf    string
		models []usb.Model
		want   string
	}{
		{"reader not in the INF", text, append(slices.Clone(models), usb.Model{Vendor: 0x1234, Product: 0xabcd, Maker: "Nuevo", Name: "Lector"}), "1234:abcd is supported but not in the INF"},
		{"reader not supported", text, models[1:], fmt.Sprintf("%04x:%04x is in the INF but not supported", models[0].Vendor, models[0].Product)},
		{"twice", strings.Replace(text, "[Readers.NTamd64]\n", "[Readers.NTamd64]\n%DP4500% = Reader, USB\\VID_05BA&PID_000A\n", 1), models, "05ba:000a is in the INF twice"},
		{"no WinUSB", strings.Replace(text, "Needs   = WINUSB.NT\n", "Needs   = OTHER.NT\n", 1), models, "[Reader] Needs is \"OTHER.NT\""},
		{"32-bit only", strings.Replace(text, "Readers,NTamd64", "Readers,NTx86", 1), models, "no NTamd64 models section"},
		{"wrong name", strings.Replace(text, "U.are.U 4000B/4500 (Cotejo", "U.are.U 5000 (Cotejo", 1), models, "05ba:000a is named"},
	} {
		t.Run(c.name, func(t *testing.T) {
			problems := checkReadersINF(c.inf, c.models)
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.Contains(p, c.want) }) {
				t.Errorf("got %q, want one containing %q", problems, c.want)
			}
		})
	}
}

// TestReadersINFWine opens the INF with a real SetupAPI, Wine's: testdata/infcheck, a
// Windows program cross-compiled here, reads it with SetupOpenInfFileW and the
// SetupFindFirstLine/SetupGetStringField calls Windows's installer uses, and prints the
// devices it finds. They must be the code's readers, installed through WinUSB.
func TestReadersINFWine(t *testing.T) {
	if !*windowsTest && os.Getenv("COTEJO_WINDOWS_TEST") != "1" {
		t.Skip("runs Wine: run with -windows or COTEJO_WINDOWS_TEST=1 (make test-windows)")
	}
	for _, tool := range []string{"wine", "wineboot", "x86_64-w64-mingw32-gcc"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (make windows-deps installs mingw-w64, make windows-tools wine)", tool)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	home := t.TempDir()
	exe := filepath.Join(home, "infcheck.exe")
	run(t, ctx, []string{"GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0"}, "", "go", "build", "-o", exe, "./testdata/infcheck")

	// A Wine prefix of the test's own, with the bcryptprimitives.dll stand-in no Go
	// program starts without under Wine 8 (as TestWindowsBuild).
	wine := []string{"WINEPREFIX=" + filepath.Join(home, "wine"), "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml="}
	run(t, ctx, wine, home, "wineboot", "--init")
	system32 := filepath.Join(home, "wine", "drive_c", "windows", "system32")
	run(t, ctx, nil, "", "x86_64-w64-mingw32-gcc", "-O2", "-shared", "-s", "-o", filepath.Join(system32, "bcryptprimitives.dll"),
		filepath.Join("dist", "windows", "wine", "bcryptprimitives.c"), "-ladvapi32")

	path, err := filepath.Abs(readersINF)
	if err != nil {
		t.Fatal(err)
	}
	out := run(t, ctx, wine, home, "wine", exe, winPath(path))
	var got struct {
		Class   string
		Devices []struct {
			Name, Include, Needs, ServicesNeeds, InterfaceRegKey, InterfaceGUIDs string
			IDs                                                                  []string
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("infcheck.exe's output: %v\n%s", err, out)
	}
	if got.Class != "USBDevice" {
		t.Errorf("SetupAPI reads the class %q, want USBDevice", got.Class)
	}
	want := map[[2]uint16]usb.Model{}
	for _, m := range usb.Models() {
		want[[2]uint16{m.Vendor, m.Product}] = m
	}
	for _, d := range got.Devices {
		if len(d.IDs) != 1 {
			t.Errorf("%s: hardware IDs %q, want one", d.Name, d.IDs)
			continue
		}
		id, ok := parseUSBID(d.IDs[0])
		m, supported := want[id]
		if !ok || !supported {
			t.Errorf("SetupAPI reads %q (%s), not a supported reader", d.IDs[0], d.Name)
			continue
		}
		delete(want, id)
		if !strings.HasPrefix(d.Name, m.Maker+" "+m.Name+" (") {
			t.Errorf("%s is named %q in Device Manager", m, d.Name)
		}
		if !strings.EqualFold(d.Include, "winusb.inf") || d.Needs != "WINUSB.NT" || d.ServicesNeeds != "WINUSB.NT.Services" ||
			d.InterfaceRegKey != "HKR" || len(d.InterfaceGUIDs) != 38 {
			t.Errorf("%s: not installed through WinUSB as SetupAPI reads it: %+v", m, d)
		}
	}
	for _, m := range want {
		t.Errorf("SetupAPI does not find %v in the INF", m)
	}
	t.Logf("SetupAPI (Wine) reads %d readers from %s", len(got.Devices), readersINF)
}

// checkReadersINF returns what is wrong with the INF text for these models.
func checkReadersINF(text string, models []usb.Model) []string {
	inf, err := parseINF(text)
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// WinUSB's documented [Version]: the USBDevice class, a catalog to sign.
	for key, want := range map[string]string{
		"Signature": "$Windows NT$",
		"Class":     "USBDevice",
		"ClassGuid": "{88BAE032-5A81-49f0-BC3D-A4FF138216D6}",
	} {
		if got := inf.value("Version", key); !strings.EqualFold(got, want) {
			bad("[Version] %s is %q, want %q", key, got, want)
		}
	}
	if !strings.HasSuffix(strings.ToLower(inf.value("Version", "CatalogFile")), ".cat") {
		bad("[Version] names no CatalogFile")
	}

	// [Manufacturer]: NAME = MODELS,NTamd64 → the section MODELS.NTamd64.
	var section string
	for _, l := range inf.sections["manufacturer"] {
		if len(l.values) > 1 && slices.ContainsFunc(l.values[1:], func(d string) bool { return strings.EqualFold(d, "NTamd64") }) {
			section = l.values[0] + ".NTamd64"
		}
	}
	if section == "" {
		bad("[Manufacturer] has no NTamd64 models section")
		return problems
	}
	type entry struct{ name, install string }
	found := map[[2]uint16]entry{}
	for _, l := range inf.sections[strings.ToLower(section)] {
		if len(l.values) < 2 {
			bad("[%s] %s: no hardware ID", section, l.key)
			continue
		}
		id, ok := parseUSBID(l.values[1])
		if !ok {
			bad("[%s] %s: %q is not USB\\VID_xxxx&PID_xxxx", section, l.key, l.values[1])
			continue
		}
		if _, dup := found[id]; dup {
			bad("%04x:%04x is in the INF twice", id[0], id[1])
		}
		found[id] = entry{l.key, l.values[0]}
	}

	for _, m := range models {
		e, ok := found[[2]uint16{m.Vendor, m.Product}]
		if !ok {
			bad("%04x:%04x is supported but not in the INF (%v)", m.Vendor, m.Product, m)
			continue
		}
		delete(found, [2]uint16{m.Vendor, m.Product})
		if want := m.Maker + " " + m.Name + " ("; !strings.HasPrefix(e.name, want) {
			bad("%04x:%04x is named %q, want it to start %q", m.Vendor, m.Product, e.name, want)
		}
		problems = append(problems, checkWinUSBInstall(inf, e.install)...)
	}
	for id := range found {
		bad("%04x:%04x is in the INF but not supported", id[0], id[1])
	}
	slices.Sort(problems)
	return slices.Compact(problems)
}

// checkWinUSBInstall checks an install section against WinUSB's documented form:
// winusb.inf's WINUSB.NT and its services, and a DeviceInterfaceGUIDs value.
func checkWinUSBInstall(inf *inf, name string) []string {
	var problems []string
	for sec, needs := range map[string]string{name: "WINUSB.NT", name + ".Services": "WINUSB.NT.Services"} {
		if got := inf.value(sec, "Include"); !strings.EqualFold(got, "winusb.inf") {
			problems = append(problems, fmt.Sprintf("[%s] Include is %q, want winusb.inf", sec, got))
		}
		if got := inf.value(sec, "Needs"); !strings.EqualFold(got, needs) {
			problems = append(problems, fmt.Sprintf("[%s] Needs is %q, want %s", sec, got, needs))
		}
	}
	guid := false
	for _, reg := range inf.sections[strings.ToLower(inf.value(name+".HW", "AddReg"))] {
		// HKR,,DeviceInterfaceGUIDs,0x10000,"{...}": a multi-string under the device's key.
		v := append([]string{reg.key}, reg.values...)
		guid = guid || len(v) == 5 && v[0] == "HKR" && strings.EqualFold(v[2], "DeviceInterfaceGUIDs") &&
			v[3] == "0x10000" && len(v[4]) == 38 && v[4][0] == '{'
	}
	if !guid {
		problems = append(problems, fmt.Sprintf("[%s.HW] adds no DeviceInterfaceGUIDs", name))
	}
	return problems
}

// parseUSBID reads USB\VID_xxxx&PID_xxxx.
func parseUSBID(s string) ([2]uint16, bool) {
	var id [2]uint16
	rest, ok := strings.CutPrefix(strings.ToUpper(s), `USB\VID_`)
	if !ok || len(rest) != 13 || rest[4:9] != "&PID_" {
		return id, false
	}
	for i, h := range []string{rest[:4], rest[9:]} {
		n, err := strconv.ParseUint(h, 16, 16)
		if err != nil {
			return id, false
		}
		id[i] = uint16(n)
	}
	return id, true
}

// inf is an INF file's sections, by lower-cased name, with %strings% replaced.
type inf struct {
	sections map[string][]infLine
}

// infLine is KEY = V1, V2, ... or, without "=", a line of values (the key the first).
type infLine struct {
	key    string
	values []string
}

// value is the first value of KEY in SECTION, or "".
func (f *inf) value(section, key string) string {
	for _, l := range f.sections[strings.ToLower(section)] {
		if strings.EqualFold(l.key, key) && len(l.values) > 0 {
			return l.values[0]
		}
	}
	return ""
}

// parseINF reads the subset of the INF syntax cotejo-readers.inf uses: sections,
// comments after ";" outside quotes, KEY = comma-separated values, quoted strings, and
// %name% replaced from [Strings]. No line continuations.
func parseINF(text string) (*inf, error) {
	f := &inf{sections: map[string][]infLine{}}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		fields, err := splitINFLine(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if len(fields) == 0 {
			continue
		}
		if s, ok := strings.CutPrefix(fields[0], "["); ok && len(fields) == 1 {
			section = strings.ToLower(strings.TrimSuffix(s, "]"))
			continue
		}
		if section == "" {
			return nil, fmt.Errorf("line %d: outside any section", n)
		}
		l := infLine{key: fields[0], values: fields[1:]}
		f.sections[section] = append(f.sections[section], l)
	}
	strs := map[string]string{}
	for _, l := range f.sections["strings"] {
		if len(l.values) == 1 {
			strs[strings.ToLower(l.key)] = l.values[0]
		}
	}
	for name, lines := range f.sections {
		if name == "strings" {
			continue
		}
		for i := range lines {
			lines[i].key = expandINF(lines[i].key, strs)
			for j := range lines[i].values {
				lines[i].values[j] = expandINF(lines[i].values[j], strs)
			}
		}
	}
	return f, sc.Err()
}

// splitINFLine returns a line's key and values (a section header as one field),
// unquoted and trimmed; "=" after the first field, or none, and "," between values.
func splitINFLine(line string) ([]string, error) {
	var fields []string
	var cur strings.Builder
	quoted, key := false, true
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '"' && quoted && i+1 < len(line) && line[i+1] == '"':
			cur.WriteByte('"')
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
			cur.WriteByte(c)
		case c == ';':
			i = len(line)
		case c == '=' && key, c == ',':
			fields = append(fields, strings.TrimSpace(cur.String()))
			cur.Reset()
			key = false
		default:
			cur.WriteByte(c)
		}
	}
	if quoted {
		return nil, fmt.Errorf("unclosed quote in %q", line)
	}
	if last := strings.TrimSpace(cur.String()); last != "" || len(fields) > 0 {
		fields = append(fields, last)
	}
	return fields, nil
}

// expandINF replaces %name% with its [Strings] value; %% is a percent sign.
func expandINF(s string, strs map[string]string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '%')
		j := strings.IndexByte(s[i+1:], '%')
		if i < 0 || j < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		name := s[i+1 : i+1+j]
		if v, ok := strs[strings.ToLower(name)]; ok {
			b.WriteString(v)
		} else if name == "" {
			b.WriteByte('%')
		} else {
			b.WriteString("%" + name + "%")
		}
		s = s[i+2+j:]
	}
}
