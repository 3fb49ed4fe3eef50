package ocr

/*
#include <stdlib.h>
*/
import "C"

import (
	"os"
	"unsafe"
)

// unsetenv removes name from the environment tesseract reads: the C runtime's copy,
// which msvcrt makes when the program starts and Go's os.Unsetenv (the Win32 block
// only) does not change. _putenv("NAME=") removes NAME and copies its argument.
func unsetenv(name string) {
	os.Unsetenv(name)
	s := C.CString(name + "=")
	defer C.free(unsafe.Pointer(s))
	C._putenv(s)
}
