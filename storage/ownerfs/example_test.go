package ownerfs_test

import (
	"fmt"
	"os"
	"path/filepath"

	"cotejo/storage/ownerfs"
)

// The data key's folder and file, made private, pass the check that refuses a key
// others can read.
func ExampleCheck() {
	top, err := os.MkdirTemp("", "ejemplo")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(top)
	dir := filepath.Join(top, "cotejo")
	if err := ownerfs.MkdirAll(dir); err != nil {
		fmt.Println(err)
		return
	}
	key := filepath.Join(dir, "cotejo.key")
	if err := ownerfs.WriteFile(key, []byte("secreto\n")); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ownerfs.Check(dir), ownerfs.Check(key))
	// Output: <nil> <nil>
}
