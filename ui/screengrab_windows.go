package ui

import (
	"errors"
	"fmt"
	"image"
	"syscall"
	"unsafe"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
)

// grabWindow reads the window's client area from the screen through GDI, as a person
// sees it (what import -window root does on X): under Wine the GL driver's own capture,
// a read of the front buffer, comes back black. Call it on the UI goroutine.
func grabWindow(win fyne.Window) (image.Image, error) {
	nw, ok := win.(driver.NativeWindow)
	if !ok {
		return nil, errors.New("not a native window")
	}
	var hwnd uintptr
	nw.RunNative(func(ctx any) {
		if c, ok := ctx.(driver.WindowsWindowContext); ok {
			hwnd = c.HWND
		}
	})
	if hwnd == 0 {
		return nil, errors.New("no window handle")
	}
	user32, gdi32 := syscall.NewLazyDLL("user32.dll"), syscall.NewLazyDLL("gdi32.dll")
	call := func(dll *syscall.LazyDLL, name string, args ...uintptr) uintptr {
		r, _, _ := dll.NewProc(name).Call(args...)
		return r
	}
	var rc struct{ Left, Top, Right, Bottom int32 }
	if call(user32, "GetClientRect", hwnd, uintptr(unsafe.Pointer(&rc))) == 0 {
		return nil, errors.New("GetClientRect failed")
	}
	w, h := int(rc.Right-rc.Left), int(rc.Bottom-rc.Top)
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("window of %d × %d pixels", w, h)
	}
	screen := call(user32, "GetDC", hwnd) // the client area's device context
	if screen == 0 {
		return nil, errors.New("GetDC failed")
	}
	defer call(user32, "ReleaseDC", hwnd, screen)
	mem := call(gdi32, "CreateCompatibleDC", screen)
	if mem == 0 {
		return nil, errors.New("CreateCompatibleDC failed")
	}
	defer call(gdi32, "DeleteDC", mem)
	bmp := call(gdi32, "CreateCompatibleBitmap", screen, uintptr(w), uintptr(h))
	if bmp == 0 {
		return nil, errors.New("CreateCompatibleBitmap failed")
	}
	defer call(gdi32, "DeleteObject", bmp)
	old := call(gdi32, "SelectObject", mem, bmp)
	const srcCopy = 0x00CC0020
	ok = call(gdi32, "BitBlt", mem, 0, 0, uintptr(w), uintptr(h), screen, 0, 0, srcCopy) != 0
	call(gdi32, "SelectObject", mem, old)
	if !ok {
		return nil, errors.New("BitBlt failed")
	}
	// BITMAPINFOHEADER for 32-bit top-down rows (a negative height), blue first.
	hdr := struct {
		Size                         uint32
		Width, Height                int32
		Planes, BitCount             uint16
		Compression, SizeImage       uint32
		XPelsPerMeter, YPelsPerMeter int32
		ClrUsed, ClrImportant        uint32
	}{Width: int32(w), Height: -int32(h), Planes: 1, BitCount: 32}
	hdr.Size = uint32(unsafe.Sizeof(hdr))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	if call(gdi32, "GetDIBits", mem, bmp, 0, uintptr(h), uintptr(unsafe.Pointer(&img.Pix[0])), uintptr(unsafe.Pointer(&hdr)), 0) == 0 {
		return nil, errors.New("GetDIBits failed")
	}
	for i := 0; i < len(img.Pix); i += 4 {
		img.Pix[i], img.Pix[i+2], img.Pix[i+3] = img.Pix[i+2], img.Pix[i], 0xff
	}
	return img, nil
}
