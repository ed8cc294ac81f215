package pg

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// pidFile is what postgres writes to PGDATA/postmaster.pid (see PostgreSQL's pidfile.h):
// line 1 pid, 2 data dir, 3 start time, 4 port, 5 socket dir, 6 listen address, 7 shmem key,
// 8 status ("starting", "ready", "stopping").
type pidFile struct {
	PID     int
	DataDir string
	Port    int
	Listen  string
	Status  string
}

func readPidFile(pgdata string) (pidFile, error) {
	b, err := os.ReadFile(filepath.Join(pgdata, "postmaster.pid"))
	if err != nil {
		return pidFile{}, err
	}
	lines := strings.Split(string(b), "\n")
	var pf pidFile
	get := func(i int) string {
		if i < len(lines) {
			return strings.TrimSpace(lines[i])
		}
		return ""
	}
	pf.PID, _ = strconv.Atoi(get(0))
	pf.DataDir = get(1)
	pf.Port, _ = strconv.Atoi(get(3))
	pf.Listen = get(5)
	pf.Status = get(7)
	if pf.PID <= 0 {
		return pf, errors.New("postmaster.pid has no pid (being written?)")
	}
	return pf, nil
}

// alive says whether a process with this pid exists (zombies count as alive until reaped).
func alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// isPostmaster says whether pid looks like a postgres server. Where /proc exists it checks the
// command line (pid reuse after a reboot leaves a stale postmaster.pid naming an unrelated
// process); elsewhere a live pid is taken at its word.
func isPostmaster(pid int) bool {
	if !alive(pid) {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return !procFS()
	}
	if st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil && statState(string(st)) == "Z" {
		return false // a zombie holds no port and no shared memory
	}
	return strings.Contains(string(b), "postgres")
}

// postmasterOf says whether pid is a postgres serving pgdata. A postmaster.pid surviving a
// reboot may name an unrelated PostgreSQL (the system's own), which must never be stopped as if
// it were ours; and a live postmaster of ours must never be taken for stale (removing its pid
// file would let a second one start on the same files). On Linux, a postmaster chdirs into its
// data dir, so /proc/<pid>/cwd tells; reading another user's cwd needs CAP_SYS_PTRACE, which
// root lacks in a default container, so the command line (`postgres -D <pgdata>`, always how
// ours are started, and how pg_ctl starts one) is the fallback. Without /proc (macOS) a live
// postgres pid is taken at its word.
func postmasterOf(pid int, pgdata string) bool {
	if !isPostmaster(pid) {
		return false
	}
	if !procFS() {
		return true
	}
	paths := []string{pgdata}
	if real, err := filepath.EvalSymlinks(pgdata); err == nil && real != pgdata {
		paths = append(paths, real)
	}
	if cwd, err := os.Readlink("/proc/" + strconv.Itoa(pid) + "/cwd"); err == nil {
		for _, p := range paths {
			if cwd == p {
				return true
			}
		}
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline")
	if err != nil {
		return false
	}
	args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
	for i, a := range args {
		var dir string
		switch {
		case a == "-D" && i+1 < len(args):
			dir = args[i+1]
		case strings.HasPrefix(a, "-D") && len(a) > 2:
			dir = a[2:]
		default:
			continue
		}
		for _, p := range paths {
			if filepath.Clean(dir) == p {
				return true
			}
		}
	}
	return false
}

// parentPID returns pid's parent, or 0 when unknown (no /proc).
func parentPID(pid int) int {
	st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// "pid (comm) S ppid ...": comm may hold spaces and parens, so cut at the last ')'.
	s := string(st)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

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

func procFS() bool {
	_, err := os.Stat("/proc/self/stat")
	return err == nil
}
