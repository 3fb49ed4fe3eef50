package ownerfs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/windows"
)

// currentUser is the SID of the user this process runs as.
func currentUser() (*windows.SID, error) {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return nil, fmt.Errorf("ownerfs: the current user: %w", err)
	}
	return u.User.Sid.Copy()
}

// ownerOnly is the security descriptor of a private file or folder: a protected DACL
// (P: nothing inherited) with one entry, full access (FA) for the user; a folder's entry
// is inherited by the files (OI) and folders (CI) made in it.
func ownerOnly(dir bool) (*windows.SECURITY_DESCRIPTOR, error) {
	sid, err := currentUser()
	if err != nil {
		return nil, err
	}
	inherit := ""
	if dir {
		inherit = "OICI"
	}
	return windows.SecurityDescriptorFromString("D:P(A;" + inherit + ";FA;;;" + sid.String() + ")")
}

func attributes(dir bool) (*windows.SecurityAttributes, error) {
	sd, err := ownerOnly(dir)
	if err != nil {
		return nil, err
	}
	return &windows.SecurityAttributes{Length: uint32(unsafe.Sizeof(windows.SecurityAttributes{})), SecurityDescriptor: sd}, nil
}

func mkdirAll(dir string) error {
	if st, err := os.Stat(dir); err == nil {
		if !st.IsDir() {
			return &os.PathError{Op: "mkdir", Path: dir, Err: windows.ERROR_ALREADY_EXISTS}
		}
		return nil
	}
	if parent := filepath.Dir(dir); parent != dir {
		if err := os.MkdirAll(parent, 0o700); err != nil {
			return err
		}
	}
	sa, err := attributes(true)
	if err != nil {
		return err
	}
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return &os.PathError{Op: "mkdir", Path: dir, Err: err}
	}
	// Made with its DACL, so there is no moment when the folder is open to others.
	if err := windows.CreateDirectory(p, sa); err != nil {
		if errors.Is(err, windows.ERROR_ALREADY_EXISTS) {
			return nil // made meanwhile
		}
		return &os.PathError{Op: "mkdir", Path: dir, Err: err}
	}
	return nil
}

func create(path string) (*os.File, error) {
	sa, err := attributes(false)
	if err != nil {
		return nil, err
	}
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE, windows.FILE_SHARE_READ|windows.FILE_SHARE_DELETE,
		sa, windows.CREATE_NEW, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		if errors.Is(err, windows.ERROR_FILE_EXISTS) {
			err = os.ErrExist
		}
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	return os.NewFile(uintptr(h), path), nil
}

func restrict(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	sd, err := ownerOnly(st.IsDir())
	if err != nil {
		return err
	}
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return &os.PathError{Op: "open", Path: path, Err: err}
	}
	h, err := windows.CreateFile(p, windows.WRITE_DAC|windows.READ_CONTROL,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE|windows.FILE_SHARE_DELETE, nil, windows.OPEN_EXISTING,
		windows.FILE_FLAG_BACKUP_SEMANTICS, 0) // BACKUP_SEMANTICS: a folder opens too
	if err != nil {
		return &os.PathError{Op: "open", Path: path, Err: err}
	}
	defer windows.CloseHandle(h)
	// The whole descriptor, protected flag included, straight to the file system:
	// SetSecurityInfo would do the same on Windows, but Wine 8's returns success and
	// changes nothing.
	if err := windows.SetKernelObjectSecurity(h, windows.DACL_SECURITY_INFORMATION, sd); err != nil {
		return &os.PathError{Op: "SetKernelObjectSecurity", Path: path, Err: err}
	}
	return nil
}

// exposing is what an entry must not grant anyone else: reading the data, or changing
// the access list or the owner (which leads to reading it).
const exposing = windows.FILE_READ_DATA | windows.GENERIC_READ | windows.GENERIC_ALL |
	windows.WRITE_DAC | windows.WRITE_OWNER

func check(path string) error {
	if _, err := os.Stat(path); err != nil {
		return err
	}
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return &os.PathError{Op: "GetNamedSecurityInfo", Path: path, Err: err}
	}
	user, err := currentUser()
	if err != nil {
		return err
	}
	others, ownerOK, err := exposure(sd, user)
	if err != nil {
		return &os.PathError{Op: "GetNamedSecurityInfo", Path: path, Err: err}
	}
	if len(others) == 0 {
		return nil
	}
	e := &ExposedError{Path: path}
	fix := fmt.Sprintf(`icacls "%s" /inheritance:r /grant:r *%s:F`, path, user.String())
	for _, sid := range others {
		s := sid.String()
		name := s
		if acct, dom, _, err := sid.LookupAccount(""); err == nil {
			if dom != "" {
				acct = dom + `\` + acct
			}
			name = acct + " (" + s + ")"
		}
		e.Who = append(e.Who, name)
		fix += " /remove *" + s
	}
	if !ownerOK {
		fix += fmt.Sprintf(` & icacls "%s" /setowner *%s`, path, user.String())
	}
	e.Fix = fix
	return e
}

// exposure lists who other than user, SYSTEM and Administrators may read a file with
// this descriptor, or change its access list or owner (which leads to reading it);
// ownerOK is false when its owner is such an account (the owner may always change the
// access list).
func exposure(sd *windows.SECURITY_DESCRIPTOR, user *windows.SID) (others []*windows.SID, ownerOK bool, err error) {
	trusted := func(sid *windows.SID) bool {
		return sid.Equals(user) || sid.IsWellKnown(windows.WinLocalSystemSid) || sid.IsWellKnown(windows.WinBuiltinAdministratorsSid)
	}
	add := func(sid *windows.SID) {
		for _, o := range others {
			if o.Equals(sid) {
				return
			}
		}
		others = append(others, sid)
	}
	ownerOK = true
	if owner, _, err := sd.Owner(); err == nil && owner != nil && !trusted(owner) {
		ownerOK = false
		add(owner)
	}
	dacl, _, err := sd.DACL()
	if errors.Is(err, windows.ERROR_OBJECT_NOT_FOUND) || (err == nil && dacl == nil) {
		// No DACL, or a NULL one, lets everyone in.
		everyone, err := windows.CreateWellKnownSid(windows.WinWorldSid)
		if err != nil {
			return nil, ownerOK, err
		}
		add(everyone)
		return others, ownerOK, nil
	}
	if err != nil {
		return nil, ownerOK, err
	}
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return nil, ownerOK, err
		}
		// Deny entries let nobody in; inherit-only ones apply to what a folder holds,
		// not to it.
		if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE || ace.Header.AceFlags&windows.INHERIT_ONLY_ACE != 0 ||
			ace.Mask&exposing == 0 {
			continue
		}
		if sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart)); !trusted(sid) {
			add(sid)
		}
	}
	return others, ownerOK, nil
}
