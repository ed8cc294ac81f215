package worksheet

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// privateDir creates dir 0700, and tightens it to 0700 when it exists with more: the
// worksheets directory holds nobody's files but the learner's.
func privateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return os.Chmod(dir, fi.Mode().Perm()&0o700)
	}
	return nil
}

// moveAsideFile keeps b (the content of path, just read) in a new file path.bad-<time>[-n]
// created with O_EXCL, so an earlier backup is never overwritten, then removes path. It returns
// the backup's name.
func moveAsideFile(path string, b []byte) (string, error) {
	stamp := fmt.Sprintf("%s.bad-%s", path, time.Now().UTC().Format("20060102T150405.000"))
	for n := 0; n < 1000; n++ {
		name := stamp
		if n > 0 {
			name = fmt.Sprintf("%s-%d", stamp, n)
		}
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			os.Remove(name)
			return "", err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			os.Remove(name)
			return "", err
		}
		if err := f.Close(); err != nil {
			os.Remove(name)
			return "", err
		}
		if err := os.Remove(path); err != nil {
			os.Remove(name)
			return "", err
		}
		return name, nil
	}
	return "", fmt.Errorf("no free backup name beside %s", path)
}
