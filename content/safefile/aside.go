package safefile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"
)

// MoveAside keeps b (the content of path, just read) in a new file path.<tag>-<time>[-n]
// created 0600 with O_EXCL, so an earlier backup is never overwritten and a link planted at
// that name is not followed, then removes path. It returns the backup's name.
func MoveAside(path string, b []byte, tag string) (string, error) {
	stamp := fmt.Sprintf("%s.%s-%s", path, tag, time.Now().UTC().Format("20060102T150405.000"))
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
		_, werr := f.Write(b)
		if serr := f.Sync(); werr == nil {
			werr = serr
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr == nil {
			werr = os.Remove(path)
		}
		if werr != nil {
			os.Remove(name)
			return "", werr
		}
		return name, nil
	}
	return "", fmt.Errorf("no free backup name beside %s", path)
}
