package safefile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// WriteAtomic replaces path with b (mode 0600: the learner's files are private): a temp file
// beside it is written, synced and renamed over path, then the directory is synced. On error
// the old file is untouched and no temp file is left. The directory must exist. Errors name
// path.
func WriteAtomic(path string, b []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	if _, err = f.Write(b); err != nil {
		return err
	}
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync() // best effort: the rename is durable once the directory is
		d.Close()
	}
	return nil
}

// RemoveLeftTemps removes the temp files of WriteAtomic(path) left by a process killed before
// its rename: each is a copy of a private file that would otherwise stay forever. Call it only
// holding the lock every writer of path takes, so no write in progress loses its file.
func RemoveLeftTemps(path string) {
	dir, prefix := filepath.Dir(path), "."+filepath.Base(path)+".tmp-"
	ents, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), prefix) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
