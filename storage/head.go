package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrDataMissing means the data file is missing or empty while its key (and, if
// kept, the trail's head) exist: a deleted or emptied file, not a fresh installation.
var ErrDataMissing = errors.New("storage: falta el archivo de datos o está vacío, pero su clave ya existe: restaure el archivo desde el respaldo o avise a soporte; " +
	"si es una instalación nueva cuyo primer arranque se interrumpió, borre la clave y el archivo .head junto a ella " +
	"(the data file is missing or empty but its key exists: restore the file from the backup or call support; for a new installation whose first start was interrupted, delete the key and the .head file beside it)")

// ErrKeyMissing means the data file exists but its key file does not: making a new key
// would leave every sealed value unreadable, so none is made.
var ErrKeyMissing = errors.New("storage: falta el archivo de la clave de datos y el archivo de datos existe: restaure la clave desde el respaldo; no se crea una nueva porque los datos ya no se podrían leer " +
	"(the data key file is missing but the data file exists: restore the key from the backup; no new key is made, as the data could no longer be read)")

// HeadFile keeps the audit trail's sealed head in a small file beside the data key,
// replaced atomically (written aside, synced, renamed).
type HeadFile struct{ Path string }

// LoadHead returns the stored head, or nil when there is none yet.
func (h HeadFile) LoadHead() ([]byte, error) {
	raw, err := os.ReadFile(h.Path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return raw, nil
}

// StoreHead replaces the stored head.
func (h HeadFile) StoreHead(head []byte) error {
	tmp := h.Path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(head)
	if err = errors.Join(err, f.Sync(), f.Close()); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("storage: keeping the trail's head: %w", err)
	}
	if err := os.Rename(tmp, h.Path); err != nil {
		return fmt.Errorf("storage: keeping the trail's head: %w", err)
	}
	if d, err := os.Open(filepath.Dir(h.Path)); err == nil {
		d.Sync() // the rename survives a power cut
		d.Close()
	}
	return nil
}

// emptyOrMissing reports whether the file at path is absent or has no bytes.
func emptyOrMissing(path string) bool {
	st, err := os.Stat(path)
	return errors.Is(err, os.ErrNotExist) || err == nil && st.Size() == 0
}
