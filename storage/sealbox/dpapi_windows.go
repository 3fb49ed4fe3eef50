package sealbox

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

// dpapiEntropy is mixed into every DPAPI seal: another program of the same user that
// calls CryptUnprotectData on the file without it gets nothing.
var dpapiEntropy = []byte("cotejo data key 1")

func blob(b []byte) *windows.DataBlob {
	return &windows.DataBlob{Size: uint32(len(b)), Data: unsafe.SliceData(b)}
}

// takeBlob copies and wipes memory that DPAPI allocated, then frees it.
func takeBlob(b windows.DataBlob) []byte {
	mem := unsafe.Slice(b.Data, b.Size)
	out := make([]byte, len(mem))
	copy(out, mem)
	clear(mem)
	windows.LocalFree(windows.Handle(unsafe.Pointer(b.Data)))
	return out
}

// dpapiProtect seals data for the current user (not the machine) with CryptProtectData.
func dpapiProtect(data []byte) ([]byte, error) {
	desc, err := windows.UTF16PtrFromString("Cotejo data key")
	if err != nil {
		return nil, err
	}
	var out windows.DataBlob
	if err := windows.CryptProtectData(blob(data), desc, blob(dpapiEntropy), 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return nil, fmt.Errorf("sealbox: CryptProtectData: %w", err)
	}
	return takeBlob(out), nil
}

func dpapiUnprotect(sealed []byte) ([]byte, error) {
	if len(sealed) == 0 {
		return nil, errors.New("empty")
	}
	var out windows.DataBlob
	if err := windows.CryptUnprotectData(blob(sealed), nil, blob(dpapiEntropy), 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out); err != nil {
		return nil, fmt.Errorf("CryptUnprotectData: %w", err)
	}
	return takeBlob(out), nil
}
