package worksheet

import "os"

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
