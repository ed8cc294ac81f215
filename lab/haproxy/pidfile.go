package haproxy

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"scalelab/lab/feed"
)

// ErrBusy: another running scalelab runs the HAProxy of this directory.
var ErrBusy = errors.New("HAProxy directory in use")

// pidRecord is haproxy.pid: the haproxy process and the scalelab process that started it.
type pidRecord struct{ HAProxy, Owner int }

func readPidRecord(dir string) (pidRecord, error) {
	b, err := os.ReadFile(filepath.Join(dir, pidFile))
	if err != nil {
		return pidRecord{}, err
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return pidRecord{}, fmt.Errorf("%s: want \"<haproxy pid> <owner pid>\", got %q", pidFile, string(b))
	}
	var r pidRecord
	r.HAProxy, _ = strconv.Atoi(f[0])
	r.Owner, _ = strconv.Atoi(f[1])
	return r, nil
}

// writePidRecord replaces haproxy.pid atomically (0600).
func writePidRecord(dir string, r pidRecord) error {
	path := filepath.Join(dir, pidFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, fmt.Appendf(nil, "%d %d\n", r.HAProxy, r.Owner), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// claimDir makes this process the owner of dir's haproxy: a haproxy that haproxy.pid names and
// that still serves this directory is killed when its owner is gone or is this process (which
// lost track of it), and refused with ErrBusy when another live process owns it. The record is
// rewritten to name no haproxy before the kill, so the old owner's supervision, if it still
// runs in this process, sees its directory taken and does not start haproxy again.
func claimDir(ctx context.Context, dir string, logf func(string, ...any)) error {
	r, err := readPidRecord(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil || !servesDir(r.HAProxy, dir) {
		return os.Remove(filepath.Join(dir, pidFile))
	}
	me := os.Getpid()
	if r.Owner != me && alive(r.Owner) {
		return fmt.Errorf("%w: %s is served by haproxy pid %d, started by scalelab pid %d, which still runs: quit that one first",
			ErrBusy, dir, r.HAProxy, r.Owner)
	}
	if err := writePidRecord(dir, pidRecord{0, me}); err != nil {
		return err
	}
	logf("haproxy: killing haproxy pid %d left running in %s by scalelab pid %d", r.HAProxy, dir, r.Owner)
	syscall.Kill(r.HAProxy, syscall.SIGKILL)
	deadline := time.NewTimer(5 * time.Second)
	defer deadline.Stop()
	bound := boundAddr(dir)
	for servesDir(r.HAProxy, dir) || (bound != "" && feed.CheckAddr(bound) != nil) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-deadline.C:
			if bound != "" && !servesDir(r.HAProxy, dir) {
				return nil // its port is someone else's now: Start says so
			}
			return fmt.Errorf("haproxy pid %d (left running in %s) survived SIGKILL", r.HAProxy, dir)
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

// boundAddr is the address the haproxy.cfg in dir listens on, "" when there is none. The
// kernel may release a killed process's listening socket a moment after the process is gone,
// so claimDir waits for the address too: a Start right after must find its port free.
func boundAddr(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, configFile))
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[0] == "bind" {
			return f[1]
		}
	}
	return ""
}

// alive says whether a process with this pid exists.
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// servesDir says whether pid is a live haproxy running dir's configuration: its command line
// names dir/haproxy.cfg. That rules out a pid reused by an unrelated process after a reboot.
// Linux reads /proc (a process whose threads are all zombies counts as gone); elsewhere ps
// tells.
func servesDir(pid int, dir string) bool {
	if !alive(pid) {
		return false
	}
	cfg := filepath.Join(dir, configFile)
	proc := "/proc/" + strconv.Itoa(pid)
	if b, err := os.ReadFile(proc + "/cmdline"); err == nil {
		if exiting(proc) {
			return false
		}
		args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		return len(args) > 0 && strings.Contains(filepath.Base(args[0]), "haproxy") && slices.Contains(args, cfg)
	}
	out, err := exec.Command("ps", "-o", "command=", "-p", strconv.Itoa(pid)).Output()
	return err == nil && strings.Contains(string(out), "haproxy") && strings.Contains(string(out), cfg)
}

// exiting says whether every thread of the process at proc (/proc/<pid>) is a zombie: it has
// exited and closed its sockets. The main thread of a multi-threaded process turns zombie
// before the others are done, so each thread is read.
func exiting(proc string) bool {
	tasks, err := filepath.Glob(proc + "/task/*/stat")
	if err != nil || len(tasks) == 0 {
		return false
	}
	for _, t := range tasks {
		st, err := os.ReadFile(t)
		if err == nil && statState(string(st)) != "Z" {
			return false
		}
	}
	return true
}

// statState is the state letter of a /proc/<pid>/stat line ("pid (comm) S ppid ...").
func statState(stat string) string {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(stat[i+1:])
	if len(f) < 1 {
		return ""
	}
	return f[0]
}
