package main

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDependencies holds the README's rule against the code: ui → capture → {ocr,
// scanner, verify, storage}, the lower floors apart but for verify/credential (which ocr
// reads credentials into), storage/ownerfs (owner-only files, which verify/pki keeps
// private keys with) and assets; ui reaches sign-in, the data file and assets only
// through capture. Test files may reach further (a test wires real
// parts), production files may not.
func TestDependencies(t *testing.T) {
	floor := func(pkg string) string {
		p := strings.TrimPrefix(pkg, "cotejo/")
		top, _, _ := strings.Cut(p, "/")
		return top
	}
	allowed := func(from, to string) bool {
		f, d := floor(from), floor(to)
		switch {
		case f == "ui" && (d == "assets" || d == "storage" || strings.HasPrefix(to, "cotejo/capture/signin")):
			return false // the user interfaces reach sign-in, the data file and the shipped files through capture
		case f == d || d == "assets":
			return true
		case f == "ui" || from == "cotejo":
			return true
		case f == "capture":
			return d != "ui"
		case to == "cotejo/storage/ownerfs":
			return f == "verify" // owner-only files, a leaf on the OS: verify/pki's private keys
		case strings.HasPrefix(to, "cotejo/verify/credential"):
			return f == "ocr"
		}
		return false
	}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := "cotejo"
		if dir := filepath.Dir(path); dir != "." {
			pkg += "/" + filepath.ToSlash(dir)
		}
		for _, imp := range f.Imports {
			to, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(to, "cotejo/") && !allowed(pkg, to) {
				t.Errorf("%s imports %s, against the rule", path, to)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
