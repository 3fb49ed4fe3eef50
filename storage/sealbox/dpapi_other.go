//go:build !windows

package sealbox

func dpapiProtect([]byte) ([]byte, error)   { return nil, ErrNoDPAPI }
func dpapiUnprotect([]byte) ([]byte, error) { return nil, ErrNoDPAPI }
