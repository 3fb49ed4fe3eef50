// Package ownerfs makes folders and files that only their owner can read, and refuses
// a private file (the data key, a private key) that others can read: mode bits 0700
// and 0600 on Unix, an owner-only access list on Windows, where Go's mode bits mean
// nothing (it reports 0666 for any writable file).
//
// On Windows a folder or file made here gets a protected DACL (nothing inherited from
// the folder above) with one entry: full control for the user running Cotejo. SYSTEM
// and Administrators get no entry: both can read any file anyway (the backup and
// take-ownership privileges), so an entry for them would protect nothing more and
// would let any elevated program in without leaving a trace of taking ownership.
// Check, like OpenSSH for Windows with private keys, accepts entries for the user,
// SYSTEM and Administrators (a file under the user's profile inherits exactly those),
// and refuses one that lets anyone else (Everyone, Users, Authenticated Users, another
// user) read the file or change its access list.
package ownerfs

import (
	"fmt"
	"os"
	"strings"
)

// MkdirAll makes dir and any missing parents, as os.MkdirAll with mode 0700; the
// folders it makes are private to the user (on Windows, dir itself gets the
// owner-only DACL, which the files made in it then inherit). An existing dir is left
// as it is.
func MkdirAll(dir string) error { return mkdirAll(dir) }

// Create makes a new file, readable and writable by its owner only, and opens it for
// writing; it fails if the file exists.
func Create(path string) (*os.File, error) { return create(path) }

// WriteFile writes data to a new file readable by its owner only; it fails if the
// file exists.
func WriteFile(path string, data []byte) error {
	f, err := Create(path)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err1 := f.Sync(); err == nil {
		err = err1
	}
	if err1 := f.Close(); err == nil {
		err = err1
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// Restrict makes an existing file or folder private to its owner: mode 0600 (0700
// for a folder) on Unix, the owner-only DACL on Windows.
func Restrict(path string) error { return restrict(path) }

// Check refuses a file that others can read: an *ExposedError saying who and how to
// fix it. Other errors are the file's own (a missing file: os.ErrNotExist).
func Check(path string) error { return check(path) }

// ExposedError is a private file that others can read.
type ExposedError struct {
	Path string
	// Who can read it: the mode on Unix ("-rw-r--r--"), the accounts on Windows
	// ("Everyone (S-1-1-0)").
	Who []string
	// Fix is the command that makes the file private again.
	Fix string
}

func (e *ExposedError) Error() string {
	who := strings.Join(e.Who, ", ")
	return fmt.Sprintf("%s: otros usuarios pueden leer este archivo privado (%s): ejecute %s "+
		"(others can read this private file (%s): run %s)", e.Path, who, e.Fix, who, e.Fix)
}
