package pg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// dirLock is an exclusive flock on DataDir/scalelab.lock. Every process holds it while it
// initialises, starts, attaches to or stops the cluster, so two processes never run initdb or
// postgres on the same directory at once. The kernel drops it when the process dies.
type dirLock struct{ f *os.File }

func lockDir(ctx context.Context, path string, logf func(string, ...any)) (*dirLock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file: %w", err)
	}
	for waited := false; ; waited = true {
		err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
		if err == nil {
			return &dirLock{f: f}, nil
		}
		if errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EOPNOTSUPP) || errors.Is(err, unix.ENOLCK) {
			// A filesystem without flock (some network mounts): go on unlocked rather than not
			// at all; postgres' own postmaster.pid interlock still prevents two servers.
			if logf != nil {
				logf("cannot lock %s (%v): starting without the cross-process lock", path, err)
			}
			return &dirLock{f: f}, nil
		}
		if !errors.Is(err, unix.EWOULDBLOCK) && !errors.Is(err, unix.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if !waited && logf != nil {
			logf("waiting for another scalelab process to finish starting or stopping PostgreSQL")
		}
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for another scalelab to finish starting PostgreSQL (lock %s): %w", path, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (l *dirLock) unlock() {
	if l == nil || l.f == nil {
		return
	}
	unix.Flock(int(l.f.Fd()), unix.LOCK_UN)
	l.f.Close()
	l.f = nil
}
