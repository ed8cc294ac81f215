package pg

import "time"

// Internals the external tests (package pg_test) drive.

var (
	IsPostmaster = isPostmaster
	AccountName  = accountName
	ReadPortFile = func(dataDir string) int { return readInt((&cluster{dir: dataDir}).portPath()) }
)

// SetSearchGlobs replaces the well-known install places; it returns a func restoring them.
func SetSearchGlobs(g []string) (restore func()) {
	old := searchGlobs
	searchGlobs = g
	return func() { searchGlobs = old }
}

// SetRootClusterBase moves where root-run clusters are relocated; it returns a restore func.
func SetRootClusterBase(dir string) (restore func()) {
	old := rootClusterBase
	rootClusterBase = dir
	return func() { rootClusterBase = old }
}

// PostmasterPID reads PGDATA/postmaster.pid.
func PostmasterPID(pgdata string) (pid, port int, status string, err error) {
	pf, err := readPidFile(pgdata)
	return pf.PID, pf.Port, pf.Status, err
}

// SetFixedPortWait shortens how long Start waits for its port; it returns a restore func.
func SetFixedPortWait(d time.Duration) (restore func()) {
	old := fixedPortWait
	fixedPortWait = d
	return func() { fixedPortWait = old }
}
