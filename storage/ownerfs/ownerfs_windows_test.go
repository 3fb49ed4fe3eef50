package ownerfs_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"

	"cotejo/storage/ownerfs"
)

// underWine reports whether the test runs under Wine, which keeps no security
// descriptor of its own for a file: it maps the DACL it is given to the Unix mode
// bits (an entry for Everyone to the "others" bits, the owner's to the user's; any
// other entry and the protected flag are dropped) and makes one up from the mode when
// asked (SYSTEM and the owner, with the user's bits, and Everyone, with the others').
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// entry is one access-control entry, read back.
type entry struct {
	typ, flags byte
	mask       windows.ACCESS_MASK
	sid        string
}

// readDACL reads a file's access list back from the system, and whether it is
// protected (inherits nothing).
func readDACL(t *testing.T, path string) (entries []entry, protected bool) {
	t.Helper()
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		t.Fatalf("GetNamedSecurityInfo(%s): %v", path, err)
	}
	control, _, err := sd.Control()
	if err != nil {
		t.Fatal(err)
	}
	dacl, _, err := sd.DACL()
	if err != nil || dacl == nil {
		t.Fatalf("%s: DACL %v, %v", path, dacl, err)
	}
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			t.Fatal(err)
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
		entries = append(entries, entry{ace.Header.AceType, ace.Header.AceFlags, ace.Mask, sid.String()})
	}
	return entries, control&windows.SE_DACL_PROTECTED != 0
}

func currentUser(t *testing.T) *windows.SID {
	t.Helper()
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		t.Fatal(err)
	}
	return u.User.Sid
}

// setDACL gives path the access list of an SDDL string, as IT (or a careless copy) might.
func setDACL(t *testing.T, path, sddl string) {
	t.Helper()
	sd, err := windows.SecurityDescriptorFromString(sddl)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := windows.UTF16PtrFromString(path)
	h, err := windows.CreateFile(p, windows.WRITE_DAC, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer windows.CloseHandle(h)
	if err := windows.SetKernelObjectSecurity(h, windows.DACL_SECURITY_INFORMATION, sd); err != nil {
		t.Fatal(err)
	}
}

const fileAll = windows.ACCESS_MASK(windows.STANDARD_RIGHTS_REQUIRED | windows.SYNCHRONIZE | 0x1ff) // FA

// TestOwnerOnlyDACL reads back what MkdirAll, WriteFile and Restrict set: a protected
// DACL with one entry, full control for the current user; the folder's is inherited by
// the files made in it with os.WriteFile (the data file, made by bbolt, is one). Under
// Wine: no entry for Everyone (Wine keeps the list as mode bits, see underWine).
func TestOwnerOnlyDACL(t *testing.T) {
	me := currentUser(t).String()
	top := tempDir(t)
	dir := filepath.Join(top, "datos Ñ")
	if err := ownerfs.MkdirAll(dir); err != nil {
		t.Fatal(err)
	}
	key := filepath.Join(dir, "cotejo.key")
	if err := ownerfs.WriteFile(key, []byte("k")); err != nil {
		t.Fatal(err)
	}
	inherited := filepath.Join(dir, "cotejo.db")
	if err := os.WriteFile(inherited, []byte("d"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(top, "suelto")
	if err := os.WriteFile(other, []byte("d"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := ownerfs.Restrict(other); err != nil {
		t.Fatal(err)
	}
	const oici = windows.OBJECT_INHERIT_ACE | windows.CONTAINER_INHERIT_ACE
	for _, c := range []struct {
		path      string
		protected bool
		want      entry
	}{
		{dir, true, entry{windows.ACCESS_ALLOWED_ACE_TYPE, oici, fileAll, me}},
		{key, true, entry{windows.ACCESS_ALLOWED_ACE_TYPE, 0, fileAll, me}},
		{inherited, false, entry{windows.ACCESS_ALLOWED_ACE_TYPE, windows.INHERITED_ACE, fileAll, me}},
		{other, true, entry{windows.ACCESS_ALLOWED_ACE_TYPE, 0, fileAll, me}},
	} {
		got, protected := readDACL(t, c.path)
		t.Logf("%s: %+v protected %v", c.path, got, protected)
		if underWine() {
			if c.path == inherited {
				continue // Wine inherits nothing: a new file gets 0666 less the umask
			}
			want := []entry{{windows.ACCESS_ALLOWED_ACE_TYPE, c.want.flags, fileAll, "S-1-5-18"}, c.want}
			if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
				t.Errorf("%s: DACL %+v, want Wine's rendering of mode 0700: %+v", c.path, got, want)
			}
		} else if len(got) != 1 || got[0] != c.want || protected != c.protected {
			t.Errorf("%s: DACL %+v protected %v, want [%+v] protected %v", c.path, got, protected, c.want, c.protected)
		}
		if err := ownerfs.Check(c.path); err != nil {
			t.Errorf("Check(%s): %v", c.path, err)
		}
	}
}

// TestCheckRefusesOthers gives a key file to others, as a copy into a shared folder or
// an icacls would, and expects the es/en refusal naming them and the icacls command
// that makes it private again; Restrict then makes it pass. Under Wine only Everyone
// survives as a file's entry (the others are dropped: see underWine); TestExposure
// covers them in memory.
func TestCheckRefusesOthers(t *testing.T) {
	me := currentUser(t).String()
	dir := tempDir(t)
	for _, c := range []struct {
		name, sddl string
		who        string // the SID the error must name; "" for none
	}{
		{"owner", "D:P(A;;FA;;;" + me + ")", ""},
		{"system and administrators", "D:P(A;;FA;;;" + me + ")(A;;FA;;;SY)(A;;FA;;;BA)", ""},
		{"everyone", "D:P(A;;FA;;;" + me + ")(A;;FR;;;WD)", "S-1-1-0"},
		{"users", "D:P(A;;FA;;;" + me + ")(A;;0x1200a9;;;BU)", "S-1-5-32-545"},
		{"authenticated users", "D:P(A;;FA;;;" + me + ")(A;;GR;;;AU)", "S-1-5-11"},
		{"another user", "D:P(A;;FA;;;" + me + ")(A;;FA;;;S-1-5-21-1-2-3-1001)", "S-1-5-21-1-2-3-1001"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if underWine() && c.who != "" && c.who != "S-1-1-0" {
				t.Skip("Wine keeps a file's DACL as Unix mode bits: an entry for anyone but Everyone and the owner is dropped")
			}
			p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".key")
			if err := ownerfs.WriteFile(p, []byte("k")); err != nil {
				t.Fatal(err)
			}
			setDACL(t, p, c.sddl)
			err := ownerfs.Check(p)
			if c.who == "" {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			var e *ownerfs.ExposedError
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want an ExposedError", err)
			}
			fix := `icacls "` + p + `" /inheritance:r /grant:r *` + me + `:F /remove *` + c.who
			for _, s := range []string{"otros usuarios pueden leer este archivo privado (", "(others can read this private file (",
				c.who + ")", "ejecute " + fix, "run " + fix} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("%q lacks %q", err, s)
				}
			}
			t.Log(err)
			if err := ownerfs.Restrict(p); err != nil {
				t.Fatal(err)
			}
			if err := ownerfs.Check(p); err != nil {
				t.Errorf("after Restrict: %v", err)
			}
		})
	}
}

// TestExposure reads access lists held in memory (so Wine's file system plays no part):
// who besides the user, SYSTEM and Administrators may read or take over the file.
func TestExposure(t *testing.T) {
	me := currentUser(t).String()
	for _, c := range []struct {
		sddl    string
		want    string // the SIDs refused, space-separated
		ownerOK bool
	}{
		{"O:" + me + "D:P(A;;FA;;;" + me + ")", "", true},
		{"O:BAD:P(A;;FA;;;" + me + ")(A;;FA;;;SY)(A;;FA;;;BA)", "", true},
		{"D:P(A;;FA;;;" + me + ")(D;;FA;;;WD)", "", true},                   // deny
		{"D:P(A;;FA;;;" + me + ")(A;OICIIO;FA;;;BU)", "", true},             // inherit-only
		{"D:P(A;;FA;;;" + me + ")(A;;FW;;;WD)", "", true},                   // write only
		{"D:P(A;;FA;;;" + me + ")(A;;FR;;;WD)", "S-1-1-0", true},            // Everyone
		{"D:P(A;;FA;;;" + me + ")(A;;0x1200a9;;;BU)", "S-1-5-32-545", true}, // Users, read & execute
		{"D:(A;ID;GR;;;AU)(A;;FA;;;" + me + ")", "S-1-5-11", true},          // Authenticated Users, inherited
		{"D:P(A;;WD;;;S-1-5-21-1-2-3-1002)", "S-1-5-21-1-2-3-1002", true},   // may change the list
		{"D:P(A;;WO;;;S-1-5-21-1-2-3-1002)", "S-1-5-21-1-2-3-1002", true},   // may take it over
		{"D:P(A;;FA;;;" + me + ")(A;;FR;;;WD)(A;;GA;;;WD)(A;;FR;;;BU)", "S-1-1-0 S-1-5-32-545", true},
		{"O:S-1-5-21-1-2-3-1001D:P(A;;FA;;;" + me + ")", "S-1-5-21-1-2-3-1001", false}, // another owner
	} {
		sd, err := windows.SecurityDescriptorFromString(c.sddl)
		if err != nil {
			t.Fatalf("%s: %v", c.sddl, err)
		}
		others, ownerOK, err := ownerfs.Exposure(sd, currentUser(t))
		if err != nil {
			t.Fatalf("%s: %v", c.sddl, err)
		}
		var got []string
		for _, s := range others {
			got = append(got, s.String())
		}
		if strings.Join(got, " ") != c.want || ownerOK != c.ownerOK {
			t.Errorf("%s: refused %q owner ok %v, want %q %v", c.sddl, got, ownerOK, c.want, c.ownerOK)
		}
	}
}

// TestNullDACL: a NULL DACL lets everyone in.
func TestNullDACL(t *testing.T) {
	sd, err := windows.NewSecurityDescriptor()
	if err != nil {
		t.Fatal(err)
	}
	if err := sd.SetDACL(nil, true, false); err != nil {
		t.Fatal(err)
	}
	others, _, err := ownerfs.Exposure(sd, currentUser(t))
	if err != nil || len(others) != 1 || others[0].String() != "S-1-1-0" {
		t.Errorf("NULL DACL: refused %v, %v; want Everyone", others, err)
	}
}

// TestPrivateFiles checks files another program made: the ones COTEJO_PRIVATE_FILES
// names (separated by ";"), which windows_test.go's keys subtest sets to what
// cotejo.exe wrote. Each passes Check, and its DACL names only the user (under Wine,
// SYSTEM and the user: see underWine).
func TestPrivateFiles(t *testing.T) {
	list := os.Getenv("COTEJO_PRIVATE_FILES")
	if list == "" {
		t.Skip("COTEJO_PRIVATE_FILES is not set: windows_test.go's keys subtest sets it")
	}
	me := currentUser(t).String()
	for _, p := range strings.Split(list, ";") {
		if err := ownerfs.Check(p); err != nil {
			t.Error(err)
		}
		got, protected := readDACL(t, p)
		t.Logf("%s: %+v protected %v", p, got, protected)
		for _, e := range got {
			if e.sid != me && !(underWine() && e.sid == "S-1-5-18") {
				t.Errorf("%s: an entry for %s", p, e.sid)
			}
		}
		if len(got) == 0 || (!underWine() && !protected) {
			t.Errorf("%s: DACL %+v protected %v, want the user's entry alone, protected", p, got, protected)
		}
	}
}
