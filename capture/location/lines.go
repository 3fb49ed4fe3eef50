package location

import (
	"bufio"
	"errors"
	"io"
)

// lineReader splits a stream into lines no longer than max bytes. A longer line is
// dropped whole rather than growing a buffer without bound: neither gpsd nor a GPS
// receiver sends one, so it is noise (a wrong baud rate, a hostile peer).
type lineReader struct {
	br *bufio.Reader
}

func newLineReader(r io.Reader, max int) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, max)}
}

// next returns the next line without its line ending, or overlong set (and no line)
// for one that was dropped. The line is valid until the next call. A last line without
// a newline is returned before io.EOF.
func (l *lineReader) next() (line []byte, overlong bool, err error) {
	line, err = l.br.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		for errors.Is(err, bufio.ErrBufferFull) {
			_, err = l.br.ReadSlice('\n')
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, true, err
		}
		return nil, true, nil
	}
	if err != nil {
		if errors.Is(err, io.EOF) && len(line) > 0 {
			return trimEOL(line), false, nil
		}
		return nil, false, err
	}
	return trimEOL(line), false, nil
}

func trimEOL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}
