//go:build unix

package running

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// noFollow makes an open fail on a symbolic link instead of following it.
const noFollow = unix.O_NOFOLLOW

// tryLock takes an exclusive flock on f without waiting: false when another holds it.
func tryLock(f *os.File) (bool, error) {
	err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return false, nil
	}
	return err == nil, err
}

func unlock(f *os.File) { _ = unix.Flock(int(f.Fd()), unix.LOCK_UN) }
