package capture

import (
	"bytes"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// PhotoFolder is one folder as the window's photo picker shows it: the photos newest
// first (the one just taken or scanned is on top), then the subfolders by name.
type PhotoFolder struct {
	Dir     string
	Parent  string // "" at the top of the file system
	Folders []string
	Photos  []PhotoFile
}

// PhotoFile is a photo in a PhotoFolder.
type PhotoFile struct {
	Path     string
	Name     string
	Modified time.Time
	Size     int64
}

// photoExt are the kinds of file the reader decodes.
var photoExt = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".gif": true, ".bmp": true, ".tif": true, ".tiff": true, ".webp": true}

// ListPhotos lists dir's photos and subfolders, hidden ones left out.
func ListPhotos(dir string) (*PhotoFolder, error) {
	dir = filepath.Clean(dir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, &FileError{Path: dir, Kind: FileUnreadable, Err: err, es: "no se puede abrir la carpeta", en: "the folder cannot be opened"}
	}
	f := &PhotoFolder{Dir: dir}
	if p := filepath.Dir(dir); p != dir {
		f.Parent = p
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		path := filepath.Join(dir, name)
		info, err := os.Stat(path) // follows links, as a person expects
		if err != nil {
			continue
		}
		switch {
		case info.IsDir():
			f.Folders = append(f.Folders, path)
		case info.Mode().IsRegular() && photoExt[strings.ToLower(filepath.Ext(name))]:
			f.Photos = append(f.Photos, PhotoFile{Path: path, Name: name, Modified: info.ModTime(), Size: info.Size()})
		}
	}
	sort.Slice(f.Photos, func(i, j int) bool {
		if !f.Photos[i].Modified.Equal(f.Photos[j].Modified) {
			return f.Photos[i].Modified.After(f.Photos[j].Modified)
		}
		return f.Photos[i].Name < f.Photos[j].Name
	})
	sort.Slice(f.Folders, func(i, j int) bool { return strings.ToLower(f.Folders[i]) < strings.ToLower(f.Folders[j]) })
	return f, nil
}

// OpenPhoto reads and decodes a credential photo, refusing a file or an image too large
// before decoding it.
func OpenPhoto(path string) (image.Image, error) {
	data, err := ReadFileLimited(path, MaxPhotoBytes)
	if err != nil {
		return nil, err
	}
	img, err := DecodePhoto(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return img, nil
}

// PhotoDir is the folder the photo picker opens first: [kiosk] photos, else the user's
// pictures folder (Imágenes or Pictures), else the home folder.
func (c *Config) PhotoDir() string {
	if c.Kiosk.Photos != "" {
		return c.path(c.Kiosk.Photos)
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	for _, d := range []string{"Imágenes", "Pictures", "Fotos"} {
		if st, err := os.Stat(filepath.Join(home, d)); err == nil && st.IsDir() {
			return filepath.Join(home, d)
		}
	}
	return home
}
