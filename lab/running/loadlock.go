package running

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"scalelab/lab/home"
)

// LoadLockName is the file in the data home a load test holds while it runs. Two load tests at
// once on one machine measure each other (the same API, the same PostgreSQL, the same CPUs),
// so a data home runs one at a time: the workshop's and every `scalelab loadtest`.
const LoadLockName = "load.lock"

// Loader says who holds the load lock: which process, run by what, since when.
type Loader struct {
	PID   int       `json:"pid"`
	What  string    `json:"what"`
	Since time.Time `json:"since"`
}

// BusyError is returned by LockLoad while another process runs a load test.
type BusyError struct{ Loader Loader }

func (e *BusyError) Error() string {
	who := "another scalelab process"
	if e.Loader.PID > 0 {
		who = fmt.Sprintf("%s, pid %d", orDefault(e.Loader.What, "scalelab"), e.Loader.PID)
	}
	if !e.Loader.Since.IsZero() {
		who += fmt.Sprintf(", started %s ago", time.Since(e.Loader.Since).Round(time.Second))
	}
	return fmt.Sprintf("a load test is running already (%s): two at once measure each other; wait until it ends, then run this one again", who)
}

// ErrBusy matches a *BusyError with errors.Is.
var ErrBusy = errors.New("a load test is running")

func (e *BusyError) Is(target error) bool { return target == ErrBusy }

// LockLoad takes the data home's load lock for a load test run by what ("the workshop",
// "scalelab loadtest"); release gives it back (safe twice). While another process holds it the
// error is a *BusyError naming that process. The lock is the kernel's (flock): a process
// killed mid-run holds it no longer.
func LockLoad(what string) (release func(), err error) {
	return LockLoadIn("", what)
}

// LockLoadIn is LockLoad for the data home dir ("" = home.Dir()).
func LockLoadIn(dir, what string) (release func(), err error) {
	if dir == "" {
		p, err := home.Path(LoadLockName)
		if err != nil {
			return nil, err
		}
		return LockLoadAt(p, what)
	}
	return LockLoadAt(filepath.Join(dir, LoadLockName), what)
}

// LockLoadAt is LockLoad for the lock file at path.
func LockLoadAt(path, what string) (release func(), err error) {
	// not through a link: the lock file is truncated and written, and must be this one
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|noFollow, 0o600)
	if err != nil {
		return nil, fmt.Errorf("taking the load-test lock %s: %w (if it is a link or not yours, remove it and run again)", path, err)
	}
	held, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("taking the load-test lock %s: %w", path, err)
	}
	if !held {
		var l Loader
		if b, rerr := os.ReadFile(path); rerr == nil {
			_ = json.Unmarshal(b, &l) // a holder that has not written itself yet is "another process"
		}
		f.Close()
		return nil, &BusyError{Loader: l}
	}
	// Who holds it, for the message another process gives; the lock itself is the flock.
	b, _ := json.Marshal(Loader{PID: os.Getpid(), What: what, Since: time.Now().UTC()})
	if f.Truncate(0) == nil {
		_, _ = f.WriteAt(append(b, '\n'), 0)
	}
	done := false
	return func() {
		if done {
			return
		}
		done = true
		_ = f.Truncate(0)
		unlock(f)
		f.Close()
	}, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
