package storage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// FileError is a data file that cannot be opened safely: cut short (a disk that filled,
// a copy that stopped), or whose header pages are damaged. bbolt maps the file and
// would crash (SIGBUS) on pages past its end, so the file is checked before it is opened.
type FileError struct {
	Path    string
	Problem string // what is wrong, in English, for the log
	Size    int64  // the file's size
	Want    int64  // the size its header records, when known
}

func (e *FileError) Error() string {
	return fmt.Sprintf("storage: el archivo de datos %s está dañado (%s; mide %d bytes, su encabezado indica %d): "+
		"cierre Cotejo, restaure el archivo desde el respaldo o avise a soporte; no lo borre, las solicitudes pendientes están en él "+
		"(the data file is damaged: close Cotejo, restore the file from the backup or call support; do not delete it, the pending requests are in it)",
		e.Path, e.Problem, e.Size, e.Want)
}

// bbolt's on-disk layout (go.etcd.io/bbolt/internal/common, file format version 2): a
// 16-byte page header, then on pages 0 and 1 the meta record.
const (
	boltMagic      = 0xED0CDAED
	boltVersion    = 2
	pageHeaderSize = 16
	metaSize       = 64 // magic … txid, then the checksum
	noFreelist     = ^uint64(0)
)

type boltMeta struct {
	pageSize           uint32
	root, freelist, hi uint64 // hi: the high-water mark, pages in use
	txid               uint64
}

// readMeta decodes the meta record of a page, or says why it is not one.
func readMeta(page []byte) (boltMeta, error) {
	if len(page) < pageHeaderSize+metaSize {
		return boltMeta{}, errors.New("short meta page")
	}
	m := page[pageHeaderSize : pageHeaderSize+metaSize]
	le := binary.LittleEndian // bbolt writes in the machine's order; Cotejo runs on little-endian machines
	if le.Uint32(m[0:]) != boltMagic || le.Uint32(m[4:]) != boltVersion {
		return boltMeta{}, errors.New("not a bbolt meta page")
	}
	h := fnv.New64a()
	h.Write(m[:56])
	if h.Sum64() != le.Uint64(m[56:]) {
		return boltMeta{}, errors.New("meta page checksum")
	}
	return boltMeta{pageSize: le.Uint32(m[8:]), root: le.Uint64(m[16:]), freelist: le.Uint64(m[32:]), hi: le.Uint64(m[40:]), txid: le.Uint64(m[48:])}, nil
}

// checkFile refuses a file bbolt could not map safely: its size must be a whole number
// of pages and cover every page the newest valid meta record counts (and the freelist
// it names). A missing or empty file passes: Open decides what that means.
func checkFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	size := st.Size()
	if size == 0 {
		return nil
	}
	bad := func(problem string, want int64) error {
		return &FileError{Path: path, Problem: problem, Size: size, Want: want}
	}
	head := make([]byte, pageHeaderSize+metaSize)
	if _, err := f.ReadAt(head, 0); err != nil {
		return bad("shorter than its first header page", 0)
	}
	m0, err0 := readMeta(head)
	pageSize := int64(os.Getpagesize())
	if err0 == nil {
		pageSize = int64(m0.pageSize)
	}
	if pageSize < 1024 || pageSize > 1<<16 {
		return bad(fmt.Sprintf("page size %d", pageSize), 0)
	}
	best, found := m0, err0 == nil
	if _, err := f.ReadAt(head, pageSize); err == nil || errors.Is(err, io.EOF) {
		if m1, err1 := readMeta(head); err1 == nil && (!found || m1.txid > best.txid) {
			best, found = m1, true
		}
	}
	if !found {
		return bad("both header pages unreadable", 0)
	}
	if best.pageSize != uint32(pageSize) {
		return bad(fmt.Sprintf("header pages disagree on the page size (%d, %d)", pageSize, best.pageSize), 0)
	}
	want := int64(best.hi) * pageSize
	if best.hi < 4 || best.hi > uint64(1<<62)/uint64(pageSize) {
		return bad(fmt.Sprintf("header counts %d pages", best.hi), 0)
	}
	if size%pageSize != 0 {
		return bad(fmt.Sprintf("not a whole number of %d-byte pages", pageSize), want)
	}
	if size < want {
		return bad("cut short", want)
	}
	if best.root >= best.hi {
		return bad("root page beyond the end", want)
	}
	if best.freelist != noFreelist {
		if best.freelist >= best.hi {
			return bad("freelist page beyond the end", want)
		}
		// The freelist may span pages: its header's overflow counts the extra ones.
		hdr := make([]byte, pageHeaderSize)
		if _, err := f.ReadAt(hdr, int64(best.freelist)*pageSize); err != nil {
			return bad("freelist page unreadable", want)
		}
		if end := best.freelist + 1 + uint64(binary.LittleEndian.Uint32(hdr[12:])); end > best.hi {
			return bad("freelist runs past the end", want)
		}
	}
	return nil
}
