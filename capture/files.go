package capture

import (
	"fmt"
	"io"
	"os"

	"cotejo/ocr"
	"cotejo/scanner/biometrics/fingerimage"
	"cotejo/scanner/biometrics/template"
	"cotejo/scanner/biometrics/wsq"
	"cotejo/verify"
)

// Size caps for files handed to Cotejo, checked before they are read: a path to a
// device (/dev/zero) or a huge file must not be read into memory.
const (
	MaxCitizenFileBytes = 1 << 20 // a citizen file is a few hundred bytes of JSON
	// MaxTemplateBytes bounds a minutiae template: 255 minutiae in each of a few views
	// with extended data stay under 16 KiB.
	MaxTemplateBytes    = 64 << 10
	MaxFingerImageBytes = 8 << 20 // a 1000 × 1000 grey image, even uncompressed, is 1 MB
	MaxPhotoBytes       = ocr.MaxPhotoBytes
)

// FileError is a file given to Cotejo refused before or after reading: too large, not
// a regular file, or not what it was said to be.
type FileError struct {
	Path   string
	Kind   FileProblem
	Err    error // what the parser said, for a sample that is not a fingerprint
	es, en string
}

// FileProblem is why a file was refused.
type FileProblem string

const (
	FileNotRegular     FileProblem = "not a regular file"
	FileTooLarge       FileProblem = "too large"
	FileNotFingerprint FileProblem = "not a fingerprint"
	FileUnreadable     FileProblem = "unreadable"
)

func (e *FileError) Error() string {
	msg := fmt.Sprintf("%s: %s (%s)", e.Path, e.es, e.en)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *FileError) Unwrap() error { return e.Err }

// Message is the refusal in the operator's words.
func (e *FileError) Message(lang string) string {
	if lang == "en" {
		return e.Path + ": " + e.en
	}
	return e.Path + ": " + e.es
}

// ReadFileLimited reads a regular file of at most max bytes. A device, a folder or a
// larger file is a *FileError, found without reading more than max+1 bytes.
func ReadFileLimited(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &FileError{Path: path, Kind: FileNotRegular, es: "no es un archivo común", en: "not a regular file"}
	}
	if st.Size() > max {
		return nil, tooLarge(path, max)
	}
	// The size may grow after Stat (a file being written): the reader's limit holds.
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, tooLarge(path, max)
	}
	return data, nil
}

func tooLarge(path string, max int64) *FileError {
	return &FileError{Path: path, Kind: FileTooLarge,
		es: fmt.Sprintf("pesa más de %d KB, demasiado para lo que debe ser", max>>10),
		en: fmt.Sprintf("is over %d KB, too large for what it should be", max>>10)}
}

// CheckFingerSample parses a fingerprint sample as what its tipo says it is (1: an
// ANSI INCITS 378 template, 2: a WSQ image, 3: raw grey of w × h), so that only a real
// fingerprint is sealed and sent: a file named .ansi that is not one is refused here,
// with path for the message.
func CheckFingerSample(path string, tipo int, data []byte, w, h int) error {
	bad := func(es, en string, err error) error {
		return &FileError{Path: path, Kind: FileNotFingerprint, es: es, en: en, Err: err}
	}
	switch tipo {
	case verify.TipoANSI:
		if _, err := template.DecodeFormat(data, template.ANSI); err != nil {
			return bad("no es una plantilla de minucias ANSI INCITS 378 (tipo 1) válida", "is not a valid ANSI INCITS 378 minutiae template (tipo 1)", err)
		}
	case verify.TipoWSQ:
		if !wsq.Sniff(data) {
			return bad("no es una imagen WSQ (tipo 2)", "is not a WSQ image (tipo 2)", nil)
		}
		if _, err := fingerimage.Decode(data); err != nil {
			return bad("no es una imagen WSQ de huella legible (tipo 2)", "is not a readable WSQ fingerprint image (tipo 2)", err)
		}
	case verify.TipoRaw:
		if w <= 0 || h <= 0 || w > fingerimage.MaxSide || h > fingerimage.MaxSide || w*h > fingerimage.MaxPixels || len(data) != w*h {
			return bad(fmt.Sprintf("no es una imagen en grises de %d × %d (tipo 3)", w, h), fmt.Sprintf("is not a %d × %d grey image (tipo 3)", w, h), nil)
		}
	default:
		return bad(fmt.Sprintf("tipo de huella %d desconocido (1 ANSI, 2 WSQ, 3 grises)", tipo), fmt.Sprintf("unknown fingerprint tipo %d (1 ANSI, 2 WSQ, 3 grey)", tipo), nil)
	}
	return nil
}

// fingerCap is the largest file a sample of tipo may come in.
func fingerCap(tipo int) int64 {
	if tipo == verify.TipoANSI {
		return MaxTemplateBytes
	}
	return MaxFingerImageBytes
}
