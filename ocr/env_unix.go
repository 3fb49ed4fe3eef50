//go:build unix

package ocr

import "os"

// unsetenv removes name from the environment tesseract reads: with cgo, Go's own
// changes reach the C library's environment on Unix.
func unsetenv(name string) { os.Unsetenv(name) }
