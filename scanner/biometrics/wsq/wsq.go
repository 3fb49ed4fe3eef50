// Package wsq reads and writes WSQ, the FBI's Wavelet Scalar Quantization format for
// 8-bit grey fingerprint images ("WSQ Gray-scale Fingerprint Image Compression
// Specification", IAFIS-IC-0110, version 3.1).
//
// The encoder follows the specification's encoder number one as NIST's NBIS cwsq
// implements it: the 9/7 biorthogonal filters, the fixed 64-subband decomposition, the
// per-subband rate allocation driven by a target bit rate, dead-zone scalar quantisation
// and Huffman tables built from the data; its files match cwsq's in size and quality. The
// decoder reads what other encoders write: tables in any order and several to a segment,
// odd- or even-length filters (and NBIS's wrong table length for the latter), comments and
// restart intervals between segments, restart markers (RST0–RST7) in the data.
//
// A WSQ bit rate is a target for the rate-allocation model, not a promise about the file
// size: as with cwsq, an encode at 0.75 bits per pixel comes out smaller, typically at
// 0.4–0.55 bits per pixel for a print (about 15:1 or better), more so for clean, sharp
// ridges.
package wsq

import "fmt"

// Options tune Encode. The zero value (or a nil *Options) gives the FBI's usual setting for
// 500 ppi prints.
type Options struct {
	// BitRate is the target in bits per pixel, at most 8; 0 means 0.75 (about 15:1), the
	// FBI's setting for 500 ppi prints. 2.25 (about 5:1) is the usual high-quality one.
	BitRate float64
	// PPI is the scan resolution recorded in the NISTCOM comment; 0 means 500 and -1
	// records "unknown".
	PPI int
	// Comments are written as extra COM segments after the NISTCOM one, in order.
	Comments []string
}

// Info is what DecodeConfig learns from a file's headers.
type Info struct {
	Width, Height int
	// PPI comes from the NISTCOM comment; -1 when the file does not say.
	PPI int
	// BitRate is the NISTCOM's WSQ_BITRATE, the target the encoder was given; 0 when the
	// file does not say.
	BitRate float64
	// Comments holds the text of every COM segment before the first data block, the
	// NISTCOM included.
	Comments []string
}

// Sniff reports whether data starts like a WSQ file (its start-of-image marker), to
// tell it from other images before decoding.
func Sniff(data []byte) bool {
	return len(data) >= 2 && uint16(data[0])<<8|uint16(data[1]) == markerSOI
}

// FormatError reports input that is not valid WSQ, or that this decoder cannot read.
type FormatError struct {
	Offset int64  // byte offset in the input where the problem was found
	Reason string // what is wrong
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("wsq: %s (at byte %d)", e.Reason, e.Offset)
}

func formatErr(off int, format string, args ...any) *FormatError {
	return &FormatError{Offset: int64(off), Reason: fmt.Sprintf(format, args...)}
}

// Size limits. The upper one keeps a forged header from asking for gigabytes; the lower
// one is what the five-level decomposition needs so that every subband keeps a few samples
// for its variance and every split line is longer than the filters' half-length (NBIS reads
// out of bounds below that).
const (
	maxDim = 10000
	minDim = 81
)

// Markers (specification table 1).
const (
	markerSOI = 0xffa0 // start of image
	markerEOI = 0xffa1 // end of image
	markerSOF = 0xffa2 // start of frame
	markerSOB = 0xffa3 // start of block
	markerDTT = 0xffa4 // define transform table
	markerDQT = 0xffa5 // define quantisation table
	markerDHT = 0xffa6 // define Huffman table(s)
	markerDRT = 0xffa7 // define restart interval
	markerCOM = 0xffa8 // comment
	markerRST = 0xffb0 // restart 0; RST1…RST7 follow
)

func isRestart(m uint16) bool { return m >= markerRST && m <= markerRST+7 }
