// Package template reads and writes finger minutiae records: ANSI INCITS 378-2004, the
// template INE takes as "tipo 1", and ISO/IEC 19794-2:2005 beside it. Both begin with the
// same eight bytes ("FMR\0", " 20\0"); they differ in the record length's width, in
// ANSI's CBEFF product identifier, and in the unit of a minutia's angle (2° against
// 360/256°). Decode tells them apart by which reading of the length fits the data.
package template

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
)

// Format is a record's standard.
type Format uint8

const (
	ANSI Format = iota + 1 // ANSI INCITS 378-2004
	ISO                    // ISO/IEC 19794-2:2005
)

func (f Format) String() string {
	switch f {
	case ANSI:
		return "ANSI INCITS 378-2004"
	case ISO:
		return "ISO/IEC 19794-2:2005"
	}
	return fmt.Sprintf("Format(%d)", uint8(f))
}

// Kind is a minutia's type as both standards code it.
type Kind uint8

const (
	Other       Kind = 0
	Ending      Kind = 1
	Bifurcation Kind = 2
)

func (k Kind) String() string {
	switch k {
	case Other:
		return "other"
	case Ending:
		return "ending"
	case Bifurcation:
		return "bifurcation"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Finger positions, as ANSI/NIST-ITL and both template standards number them. INE asks
// for the index fingers: RightIndex (2) and LeftIndex (7).
const (
	UnknownFinger = 0
	RightThumb    = 1
	RightIndex    = 2
	LeftThumb     = 6
	LeftIndex     = 7
	LeftLittle    = 10
)

// Impression types.
const (
	LivePlain    = 0
	LiveRolled   = 1
	NonLivePlain = 2
	NonLiveRoll  = 3
	Swipe        = 8
)

// Minutia is one feature point. X and Y are pixels from the image's top-left corner, Y
// downwards; Angle is in degrees, counter-clockwise from the x axis as the image is seen,
// in [0, 360). Angles are stored in the format's unit, so they come back rounded to 2°
// (ANSI) or 1.40625° (ISO).
type Minutia struct {
	Kind    Kind
	X, Y    int
	Angle   float64
	Quality int // 0–100; 0 when not reported
}

// Extended is one extended-data area, kept as read: ridge counts (type 1), cores and
// deltas (type 2) or a vendor's own. Readers that do not know a type skip it by its
// length, which is what the standards ask of them.
type Extended struct {
	Type uint16
	Data []byte
}

// View is one impression of one finger.
type View struct {
	Finger     int // 0–10; see RightIndex, LeftIndex
	Number     int // view number, 0–15, for several views of the same finger
	Impression int // LivePlain …
	Quality    int // 0–100
	Minutiae   []Minutia
	Extended   []Extended
}

// Record is a finger minutiae record.
type Record struct {
	Format Format
	// Product is the CBEFF product identifier (owner << 16 | type); ANSI only.
	Product    uint32
	Compliance int // capture equipment compliance, 4 bits
	Equipment  int // capture equipment ID, 12 bits
	Width      int // image size, pixels
	Height     int
	XRes, YRes int // pixels per centimetre; 197 for 500 ppi
	Views      []View
}

// PPCM converts a resolution in pixels per inch to the pixels per centimetre the
// records hold: 500 ppi is 197.
func PPCM(ppi int) int { return int(math.Round(float64(ppi) / 2.54)) }

// Error is a record that breaks the standard: where, and what.
type Error struct {
	Offset int64  // byte offset in the record, or -1 for a record being encoded
	Field  string // e.g. "view 1 minutia 3 x"
	Reason string
}

func (e *Error) Error() string {
	if e.Offset >= 0 {
		return fmt.Sprintf("template: %s at byte %d: %s", e.Field, e.Offset, e.Reason)
	}
	return fmt.Sprintf("template: %s: %s", e.Field, e.Reason)
}

var magic = []byte("FMR\x00 20\x00")

const (
	ansiHeader = 26 // with a 2-byte length; 30 with the long form
	isoHeader  = 24
	viewHeader = 4
	minutiaLen = 6
)

// Sniff reports whether data starts like a finger minutiae record of either standard
// (Detect then says which, or why it is broken).
func Sniff(data []byte) bool { return bytes.HasPrefix(data, magic[:4]) }

// Detect says which standard data's header follows, by which reading of the record
// length matches the data's size (trailing zero padding allowed, as some capture kits
// hand over fixed-size buffers).
func Detect(data []byte) (Format, error) {
	if len(data) < len(magic) || !bytes.Equal(data[:len(magic)], magic) {
		n := min(len(data), len(magic))
		return 0, &Error{Offset: 0, Field: "format identifier", Reason: fmt.Sprintf("%q is not a finger minutiae record (want \"FMR\\x00 20\\x00\")", data[:n])}
	}
	if len(data) < isoHeader {
		return 0, &Error{Offset: int64(len(data)), Field: "record header", Reason: fmt.Sprintf("truncated: %d bytes, a header needs at least %d", len(data), isoHeader)}
	}
	fits := func(n uint64) bool { return n >= isoHeader && n <= uint64(len(data)) && zeros(data[n:]) }
	short := uint64(binary.BigEndian.Uint16(data[8:]))
	long := uint64(binary.BigEndian.Uint32(data[8:]))
	switch {
	case short != 0 && fits(short) && !fits(long):
		return ANSI, nil
	case short == 0 && len(data) >= 14 && fits(uint64(binary.BigEndian.Uint32(data[10:]))) && !fits(long):
		return ANSI, nil
	case fits(long):
		return ISO, nil
	}
	return 0, &Error{Offset: 8, Field: "record length", Reason: fmt.Sprintf("neither reading fits the %d bytes given: the record is truncated or not ANSI 378 / ISO 19794-2", len(data))}
}

func zeros(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// Decode reads a record in whichever of the two standards it is, and checks it against
// the standard's rules.
func Decode(data []byte) (*Record, error) {
	f, err := Detect(data)
	if err != nil {
		return nil, err
	}
	return DecodeFormat(data, f)
}

// reader walks the record, remembering where it is for errors.
type reader struct {
	b   []byte
	off int
}

func (r *reader) need(n int, field string) error {
	if r.off+n > len(r.b) {
		return &Error{Offset: int64(r.off), Field: field, Reason: fmt.Sprintf("record ends %d bytes short", r.off+n-len(r.b))}
	}
	return nil
}

func (r *reader) u8() int  { v := r.b[r.off]; r.off++; return int(v) }
func (r *reader) u16() int { v := binary.BigEndian.Uint16(r.b[r.off:]); r.off += 2; return int(v) }
func (r *reader) u32() uint32 {
	v := binary.BigEndian.Uint32(r.b[r.off:])
	r.off += 4
	return v
}

// DecodeFormat reads a record known to be in format f.
func DecodeFormat(data []byte, f Format) (*Record, error) {
	if f != ANSI && f != ISO {
		return nil, fmt.Errorf("template: unknown format %d", f)
	}
	if len(data) < len(magic) || !bytes.Equal(data[:len(magic)], magic) {
		return nil, &Error{Offset: 0, Field: "format identifier", Reason: "not a finger minutiae record"}
	}
	r := &reader{b: data, off: len(magic)}
	var length uint64
	hdr := isoHeader
	if f == ANSI {
		hdr = ansiHeader
		if err := r.need(2, "record length"); err != nil {
			return nil, err
		}
		if length = uint64(r.u16()); length == 0 {
			hdr += 4
			if err := r.need(4, "record length"); err != nil {
				return nil, err
			}
			length = uint64(r.u32())
		}
	} else {
		if err := r.need(4, "record length"); err != nil {
			return nil, err
		}
		length = uint64(r.u32())
	}
	switch {
	case length < uint64(hdr):
		return nil, &Error{Offset: 8, Field: "record length", Reason: fmt.Sprintf("%d is shorter than the %d-byte header", length, hdr)}
	case length > uint64(len(data)):
		return nil, &Error{Offset: 8, Field: "record length", Reason: fmt.Sprintf("says %d bytes, only %d given: the record is truncated", length, len(data))}
	case !zeros(data[length:]):
		return nil, &Error{Offset: int64(length), Field: "record length", Reason: fmt.Sprintf("says %d bytes, but %d bytes follow it", length, len(data)-int(length))}
	}
	r.b = data[:length] // nothing may be read past the record's own length
	if err := r.need(hdr-r.off, "record header"); err != nil {
		return nil, err
	}
	rec := &Record{Format: f}
	if f == ANSI {
		rec.Product = r.u32()
	}
	eq := r.u16()
	rec.Compliance, rec.Equipment = eq>>12, eq&0xfff
	rec.Width, rec.Height = r.u16(), r.u16()
	rec.XRes, rec.YRes = r.u16(), r.u16()
	nviews := r.u8()
	if res := r.u8(); res != 0 {
		return nil, &Error{Offset: int64(r.off - 1), Field: "reserved byte", Reason: fmt.Sprintf("is %d, must be 0", res)}
	}
	for v := range nviews {
		field := fmt.Sprintf("view %d", v+1)
		if err := r.need(viewHeader, field+" header"); err != nil {
			return nil, err
		}
		view := View{Finger: r.u8()}
		vi := r.u8()
		view.Number, view.Impression = vi>>4, vi&0xf
		view.Quality = r.u8()
		n := r.u8()
		if err := r.need(n*minutiaLen, field+" minutiae"); err != nil {
			return nil, err
		}
		view.Minutiae = make([]Minutia, n)
		for i := range view.Minutiae {
			at := r.off
			x, y := r.u16(), r.u16()
			a, q := r.u8(), r.u8()
			if y>>14 != 0 {
				return nil, &Error{Offset: int64(at + 2), Field: fmt.Sprintf("%s minutia %d", field, i+1), Reason: "reserved bits of the y coordinate are set"}
			}
			m := Minutia{Kind: Kind(x >> 14), X: x & 0x3fff, Y: y, Quality: q}
			if f == ANSI {
				if a >= 180 {
					return nil, &Error{Offset: int64(at + 4), Field: fmt.Sprintf("%s minutia %d angle", field, i+1), Reason: fmt.Sprintf("%d is over 179 (units of 2°)", a)}
				}
				m.Angle = float64(2 * a)
			} else {
				m.Angle = float64(a) * 360 / 256
			}
			view.Minutiae[i] = m
		}
		ext, err := r.extended(field)
		if err != nil {
			return nil, err
		}
		view.Extended = ext
		rec.Views = append(rec.Views, view)
	}
	if r.off != len(r.b) {
		return nil, &Error{Offset: int64(r.off), Field: "record length", Reason: fmt.Sprintf("%d bytes left over after the last view", len(r.b)-r.off)}
	}
	if err := rec.Validate(); err != nil {
		return nil, err
	}
	return rec, nil
}

// extended reads a view's extended data block: a 2-byte length, then areas of
// type (2 bytes), length (2 bytes, counting its own 4-byte header) and data.
func (r *reader) extended(field string) ([]Extended, error) {
	if err := r.need(2, field+" extended data length"); err != nil {
		return nil, err
	}
	n := r.u16()
	if err := r.need(n, field+" extended data"); err != nil {
		return nil, err
	}
	end := r.off + n
	var out []Extended
	for r.off < end {
		at := r.off
		if end-r.off < 4 {
			return nil, &Error{Offset: int64(at), Field: field + " extended data", Reason: fmt.Sprintf("%d stray bytes where an area header needs 4", end-r.off)}
		}
		typ, l := r.u16(), r.u16()
		if l < 4 || at+l > end {
			return nil, &Error{Offset: int64(at + 2), Field: field + " extended data area", Reason: fmt.Sprintf("length %d does not fit the block's %d bytes", l, end-at)}
		}
		out = append(out, Extended{Type: uint16(typ), Data: bytes.Clone(r.b[r.off : at+l])})
		r.off = at + l
	}
	return out, nil
}

// Validate checks the record against the standard's rules: sizes, resolutions, finger
// positions, counts and ranges.
func (rec *Record) Validate() error {
	bad := func(field, format string, a ...any) error {
		return &Error{Offset: -1, Field: field, Reason: fmt.Sprintf(format, a...)}
	}
	switch {
	case rec.Format != ANSI && rec.Format != ISO:
		return bad("format", "unknown (%d)", rec.Format)
	case rec.Format == ISO && rec.Product != 0:
		return bad("product identifier", "ISO 19794-2 records have none")
	case rec.Compliance < 0 || rec.Compliance > 0xf:
		return bad("equipment compliance", "%d does not fit 4 bits", rec.Compliance)
	case rec.Equipment < 0 || rec.Equipment > 0xfff:
		return bad("equipment ID", "%d does not fit 12 bits", rec.Equipment)
	case rec.Width <= 0 || rec.Height <= 0 || rec.Width > 0x3fff || rec.Height > 0x3fff:
		return bad("image size", "%d × %d pixels: each side must be 1 to 16383", rec.Width, rec.Height)
	case rec.XRes <= 0 || rec.YRes <= 0 || rec.XRes > 0xffff || rec.YRes > 0xffff:
		return bad("resolution", "%d × %d pixels per centimetre: must be positive (197 for 500 ppi)", rec.XRes, rec.YRes)
	case len(rec.Views) == 0:
		return bad("finger views", "none: a record holds at least one")
	case len(rec.Views) > 255:
		return bad("finger views", "%d, at most 255", len(rec.Views))
	}
	seen := map[[2]int]bool{}
	for v, view := range rec.Views {
		field := fmt.Sprintf("view %d", v+1)
		switch {
		case view.Finger < 0 || view.Finger > 10:
			return bad(field+" finger position", "%d, must be 0 (unknown) to 10; 2 is the right index, 7 the left", view.Finger)
		case view.Number < 0 || view.Number > 15:
			return bad(field+" view number", "%d, must be 0 to 15", view.Number)
		case view.Impression < 0 || view.Impression > 3 && view.Impression != Swipe:
			return bad(field+" impression type", "%d, must be 0–3 or 8", view.Impression)
		case view.Quality < 0 || view.Quality > 100:
			return bad(field+" quality", "%d, must be 0 to 100", view.Quality)
		case len(view.Minutiae) > 255:
			return bad(field+" minutiae", "%d, at most 255", len(view.Minutiae))
		case seen[[2]int{view.Finger, view.Number}]:
			return bad(field, "finger %d view %d appears twice", view.Finger, view.Number)
		}
		seen[[2]int{view.Finger, view.Number}] = true
		for i, m := range view.Minutiae {
			mf := fmt.Sprintf("%s minutia %d", field, i+1)
			switch {
			case m.Kind > Bifurcation:
				return bad(mf+" type", "%d is reserved", m.Kind)
			case m.X < 0 || m.X >= rec.Width || m.Y < 0 || m.Y >= rec.Height:
				return bad(mf+" position", "(%d, %d) is outside the %d × %d image", m.X, m.Y, rec.Width, rec.Height)
			case !(m.Angle >= 0 && m.Angle < 360):
				return bad(mf+" angle", "%g°, must be in [0, 360)", m.Angle)
			case m.Quality < 0 || m.Quality > 100:
				return bad(mf+" quality", "%d, must be 0 to 100", m.Quality)
			}
		}
		n := 0
		for _, e := range view.Extended {
			if len(e.Data) > 0xffff-4 {
				return bad(field+" extended data", "an area of %d bytes is too long", len(e.Data))
			}
			n += 4 + len(e.Data)
		}
		if n > 0xffff {
			return bad(field+" extended data", "%d bytes, at most 65535", n)
		}
	}
	return nil
}

// angleCode turns degrees into the format's unit, rounding to the nearest.
func angleCode(f Format, deg float64) byte {
	if f == ANSI {
		return byte(int(math.Round(deg/2)) % 180)
	}
	return byte(int(math.Round(deg*256/360)) % 256)
}

// Encode writes the record in its Format after validating it.
func (rec *Record) Encode() ([]byte, error) {
	if err := rec.Validate(); err != nil {
		return nil, err
	}
	size := isoHeader
	if rec.Format == ANSI {
		size = ansiHeader
	}
	for _, v := range rec.Views {
		size += viewHeader + minutiaLen*len(v.Minutiae) + 2
		for _, e := range v.Extended {
			size += 4 + len(e.Data)
		}
	}
	long := rec.Format == ANSI && size > 0xffff
	if long {
		size += 4
	}
	b := make([]byte, 0, size)
	b = append(b, magic...)
	switch {
	case rec.Format == ISO:
		b = binary.BigEndian.AppendUint32(b, uint32(size))
	case long:
		b = binary.BigEndian.AppendUint16(b, 0)
		b = binary.BigEndian.AppendUint32(b, uint32(size))
	default:
		b = binary.BigEndian.AppendUint16(b, uint16(size))
	}
	if rec.Format == ANSI {
		b = binary.BigEndian.AppendUint32(b, rec.Product)
	}
	b = binary.BigEndian.AppendUint16(b, uint16(rec.Compliance<<12|rec.Equipment))
	for _, v := range []int{rec.Width, rec.Height, rec.XRes, rec.YRes} {
		b = binary.BigEndian.AppendUint16(b, uint16(v))
	}
	b = append(b, byte(len(rec.Views)), 0)
	for _, v := range rec.Views {
		b = append(b, byte(v.Finger), byte(v.Number<<4|v.Impression), byte(v.Quality), byte(len(v.Minutiae)))
		for _, m := range v.Minutiae {
			b = binary.BigEndian.AppendUint16(b, uint16(m.Kind)<<14|uint16(m.X))
			b = binary.BigEndian.AppendUint16(b, uint16(m.Y))
			b = append(b, angleCode(rec.Format, m.Angle), byte(m.Quality))
		}
		n := 0
		for _, e := range v.Extended {
			n += 4 + len(e.Data)
		}
		b = binary.BigEndian.AppendUint16(b, uint16(n))
		for _, e := range v.Extended {
			b = binary.BigEndian.AppendUint16(b, e.Type)
			b = binary.BigEndian.AppendUint16(b, uint16(4+len(e.Data)))
			b = append(b, e.Data...)
		}
	}
	return b, nil
}

// View returns the first view of the given finger, or nil.
func (rec *Record) View(finger int) *View {
	for i := range rec.Views {
		if rec.Views[i].Finger == finger {
			return &rec.Views[i]
		}
	}
	return nil
}
