//go:build unix

package ocr

import (
	"os"
	"syscall"
)

// LimitThreads re-executes the running program with OMP_THREAD_LIMIT=1 unless it is
// already set; it returns only if it is set or re-executing failed. Call it first in
// main, before any work.
func LimitThreads() error {
	if os.Getenv(ThreadLimitVar) != "" {
		return nil
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	env := append(os.Environ(), ThreadLimitVar+"=1")
	return syscall.Exec(exe, os.Args, env)
}
