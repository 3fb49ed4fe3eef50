package ocr

import (
	"encoding/binary"
	"image"
)

// bitmap encodes a grey image for tesseract as an uncompressed 8-bit BMP without a
// colour table, which leptonica's pixReadMemBmp copies straight from the buffer into
// an 8 bpp image without a colour map: the same pixels a binary PGM gives. Leptonica
// on Windows has no fmemopen, so every other format it reads from memory (PNM, PNG
// through a stream, JPEG) would first be written to a temporary file in %TEMP%, and
// these are credential photos. BMP is used on every system so that Linux and Windows
// read the same pixels by the same code.
//
// Rows go bottom-up (a positive height), the order BMP keeps and leptonica copies
// without a flip, each padded to four bytes. Leptonica accepts the missing colour
// table (it checks for none, or 2 to 256 entries); other BMP readers may not.
func bitmap(img *image.Gray) []byte {
	const fileHeader, infoHeader = 14, 40
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	stride := (w + 3) &^ 3
	size := fileHeader + infoHeader + stride*h
	buf := make([]byte, size)
	le := binary.LittleEndian
	// BITMAPFILEHEADER.
	buf[0], buf[1] = 'B', 'M'
	le.PutUint32(buf[2:], uint32(size))
	le.PutUint32(buf[10:], fileHeader+infoHeader)
	// BITMAPINFOHEADER: no compression, no resolution (0, as PGM has none), no colour table.
	p := buf[fileHeader:]
	le.PutUint32(p[0:], infoHeader)
	le.PutUint32(p[4:], uint32(w))
	le.PutUint32(p[8:], uint32(h))
	le.PutUint16(p[12:], 1) // planes
	le.PutUint16(p[14:], 8) // bits per pixel
	le.PutUint32(p[20:], uint32(stride*h))
	data := buf[fileHeader+infoHeader:]
	for y := range h {
		i := img.PixOffset(b.Min.X, b.Max.Y-1-y)
		copy(data[y*stride:], img.Pix[i:i+w])
	}
	return buf
}
