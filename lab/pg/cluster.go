package pg

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// cluster is the on-disk side of the private cluster: paths and initdb.
type cluster struct {
	bins Binaries
	dir  string // Info.DataDir
	as   account
}

func (c *cluster) pgdata() string   { return filepath.Join(c.dir, "data") }
func (c *cluster) lockPath() string { return filepath.Join(c.dir, "scalelab.lock") }
func (c *cluster) logPath() string  { return filepath.Join(c.dir, "postgres.log") }
func (c *cluster) ownerPath() string {
	return filepath.Join(c.dir, "owner")
}
func (c *cluster) portPath() string { return filepath.Join(c.dir, "port") }

// prepareDir creates the cluster directory. It belongs to the process running scalelab (0700,
// or root's and 0711 when root runs postgres as another user) and holds the files scalelab
// writes (lock, owner, port, log, passwords, the stop marker); PGDATA inside it belongs to the
// account postgres runs as. So a root scalelab never writes in a directory the unprivileged user
// can write in, and cannot be made to follow a link that user planted.
func (c *cluster) prepareDir() error {
	if err := os.MkdirAll(filepath.Dir(c.dir), 0o755); err != nil {
		return fmt.Errorf("create %s: %w (set SCALELAB_HOME to a writable directory%s)", filepath.Dir(c.dir), err, c.reachNote())
	}
	mode := os.FileMode(0o700)
	if c.as.drop {
		mode = 0o711 // postgres (another user) must pass through to PGDATA, and see nothing else
	}
	if err := os.Mkdir(c.dir, mode); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("create the PostgreSQL data dir %s: %w (set SCALELAB_HOME to a writable directory%s)", c.dir, err, c.reachNote())
	}
	st, err := os.Lstat(c.dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("the PostgreSQL data dir %s is not a directory: remove it, or set SCALELAB_HOME to another directory", c.dir)
	}
	if c.as.drop {
		// A lock file a previous owner of the directory replaced by a link: nobody can hold
		// it (it is never opened through a link), so it can go.
		if st, err := os.Lstat(c.lockPath()); err == nil && st.Mode()&os.ModeSymlink != 0 {
			os.Remove(c.lockPath())
		}
	} else if st.Mode().Perm()&0o077 != 0 {
		os.Chmod(c.dir, mode)
	}
	return nil
}

// takeBack gives a root-run cluster the layout prepareDir describes when an older scalelab left
// another one: the cluster dir owned by the postgres account, and PGDATA by another account than
// this directory's own. Called with the lock held and no postmaster running (changing owners
// under a running server would break it): entries of the directory but PGDATA and the lock are
// removed (they were writable by that account, and scalelab writes them afresh), the directory
// becomes root's, PGDATA this cluster's account's.
func (c *cluster) takeBack() error {
	if !c.as.drop {
		return nil
	}
	st, err := os.Lstat(c.dir)
	if err != nil {
		return err
	}
	if uid, _, ok := fileOwner(st); ok && uid != os.Geteuid() {
		if err := os.Lchown(c.dir, os.Geteuid(), os.Getegid()); err != nil {
			return fmt.Errorf("take back %s: %w", c.dir, err)
		}
		entries, _ := os.ReadDir(c.dir)
		for _, e := range entries {
			if n := e.Name(); n != "data" && n != filepath.Base(c.lockPath()) && !strings.HasPrefix(n, "data.init-") {
				os.RemoveAll(filepath.Join(c.dir, n))
			}
		}
	}
	if err := os.Chmod(c.dir, 0o711); err != nil {
		return err
	}
	if st, err := os.Lstat(c.pgdata()); err == nil && st.IsDir() && !ownedBy(st, c.as) {
		if err := chownTree(c.pgdata(), c.as); err != nil {
			return fmt.Errorf("give %s to %s: %w", c.pgdata(), c.as.Name, err)
		}
	}
	return nil
}

// initialized says whether PGDATA holds a finished cluster.
func (c *cluster) initialized() bool {
	_, err := os.Stat(filepath.Join(c.pgdata(), "PG_VERSION"))
	return err == nil
}

// checkVersion refuses a cluster made by another major version than our binaries.
func (c *cluster) checkVersion() error {
	b, err := os.ReadFile(filepath.Join(c.pgdata(), "PG_VERSION"))
	if err != nil {
		return err
	}
	v := strings.TrimSpace(string(b))
	if v != strconv.Itoa(c.bins.Major) {
		return fmt.Errorf("the cluster in %s was made by PostgreSQL %s but the binaries found in %s are %s: install PostgreSQL %s and put its bin directory first on PATH (Debian/Ubuntu: /usr/lib/postgresql/%s/bin), or set DATABASE_URL to a PostgreSQL server of your own, or delete %s to start over with PostgreSQL %s",
			c.dir, v, c.bins.Dir, c.bins.Version, v, v, c.pgdata(), c.bins.Version)
	}
	return nil
}

// initdb makes a new cluster: into data.init-<our pid>, renamed to data when complete, so a run
// killed halfway leaves nothing that looks like a cluster, and an initdb orphaned by a killed run
// can never write into the directory a later run is initialising. Locale C (fast, identical
// everywhere), UTF8, scram-sha-256 for every connection, superuser AdminUser with a random
// password. The password reaches initdb through a pipe (--pwfile=/dev/fd/3), never a file; the
// passwords are kept (secret.json) only once initdb has succeeded, just before the rename.
// --no-sync: a lab cluster does not need to survive a power cut, and syncing costs most of
// initdb's time.
func (c *cluster) initdb(ctx context.Context) (secrets, error) {
	c.removeStaleInits()
	tmp := fmt.Sprintf("%s.init-%d", c.pgdata(), os.Getpid())
	if err := os.RemoveAll(tmp); err != nil {
		return secrets{}, err
	}
	if err := os.RemoveAll(c.pgdata()); err != nil { // a data dir without PG_VERSION is junk
		return secrets{}, err
	}
	// Made here, and given to the postgres account: it cannot create entries in our directory.
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return secrets{}, err
	}
	if c.as.drop {
		if err := os.Lchown(tmp, c.as.UID, c.as.GID); err != nil {
			os.RemoveAll(tmp)
			return secrets{}, err
		}
	}
	sec, err := newSecrets()
	if err != nil {
		return secrets{}, err
	}
	pw, err := passwordPipe(sec.Admin, c.as)
	if err != nil {
		return secrets{}, err
	}
	defer pw.Close()
	cmd := exec.Command(c.bins.Path("initdb"),
		"-D", tmp, "--locale=C", "-E", "UTF8", "--auth=scram-sha-256", "-U", AdminUser,
		"--pwfile=/dev/fd/3", "--no-sync", "--no-instructions")
	cmd.ExtraFiles = []*os.File{pw} // fd 3
	cmd.Dir = c.dir
	cmd.SysProcAttr = c.as.credential()
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Started like postgres (startChild): it dies with us, by the parent-death signal.
	ch, err := startChild(cmd)
	if err != nil {
		os.RemoveAll(tmp)
		return secrets{}, fmt.Errorf("run %s: %w", c.bins.Path("initdb"), err)
	}
	pw.Close()
	select {
	case <-ch.Done():
	case <-ctx.Done():
		ch.stop(context.Background()) // SIGINT: initdb removes what it made and exits
		os.RemoveAll(tmp)
		return secrets{}, fmt.Errorf("initdb: %w", ctx.Err())
	}
	if ch.Err() != nil {
		os.RemoveAll(tmp)
		return secrets{}, fmt.Errorf("initdb into %s failed: %v\n%s", tmp, ch.Err(), tail(out.String(), 15))
	}
	if err := c.saveSecrets(sec); err != nil {
		os.RemoveAll(tmp)
		return secrets{}, fmt.Errorf("keep the cluster's passwords in %s: %w", c.secretPath(), err)
	}
	return sec, os.Rename(tmp, c.pgdata())
}

// removeStaleInits deletes data.init-<pid> directories of runs that are gone.
func (c *cluster) removeStaleInits() {
	m, _ := filepath.Glob(c.pgdata() + ".init-*")
	for _, d := range m {
		pid, err := strconv.Atoi(d[strings.LastIndexByte(d, '-')+1:])
		if err != nil || !alive(pid) || pid == os.Getpid() {
			os.RemoveAll(d)
		}
	}
}

func ownedBy(st os.FileInfo, a account) bool {
	uid, gid, ok := fileOwner(st)
	return ok && uid == a.UID && gid == a.GID
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func readInt(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return n
}

func writeInt(path string, n int) error {
	return writePrivate(path, []byte(strconv.Itoa(n)+"\n"), 0o644)
}

func (c *cluster) reachNote() string {
	if !c.as.drop {
		return ""
	}
	return " that the user " + c.as.Name + " can reach"
}
