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

// prepareDir creates the cluster directory, owned by the account postgres runs as.
func (c *cluster) prepareDir() error {
	if err := os.MkdirAll(filepath.Dir(c.dir), 0o755); err != nil {
		return fmt.Errorf("create %s: %w (set SCALELAB_HOME to a writable directory%s)", filepath.Dir(c.dir), err, c.reachNote())
	}
	if err := os.Mkdir(c.dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("create the PostgreSQL data dir %s: %w (set SCALELAB_HOME to a writable directory%s)", c.dir, err, c.reachNote())
	}
	if c.as.drop {
		if err := os.Chown(c.dir, c.as.UID, c.as.GID); err != nil {
			return fmt.Errorf("give %s to %s: %w", c.dir, c.as.Name, err)
		}
		// A cluster made earlier by another user (e.g. before the system user existed).
		if st, err := os.Stat(c.pgdata()); err == nil && !ownedBy(st, c.as) {
			if err := chownTree(c.pgdata(), c.as); err != nil {
				return fmt.Errorf("give %s to %s: %w", c.pgdata(), c.as.Name, err)
			}
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
// everywhere), UTF8, scram-sha-256 for every connection, superuser postgres/postgres.
// --no-sync: a lab cluster does not need to survive a power cut, and syncing costs most of
// initdb's time.
func (c *cluster) initdb(ctx context.Context) error {
	c.removeStaleInits()
	tmp := fmt.Sprintf("%s.init-%d", c.pgdata(), os.Getpid())
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.RemoveAll(c.pgdata()); err != nil { // a data dir without PG_VERSION is junk
		return err
	}
	pw := filepath.Join(c.dir, fmt.Sprintf("pwfile-%d", os.Getpid()))
	if err := os.WriteFile(pw, []byte(Password+"\n"), 0o600); err != nil {
		return err
	}
	defer os.Remove(pw)
	if c.as.drop {
		if err := os.Chown(pw, c.as.UID, c.as.GID); err != nil {
			return err
		}
	}
	cmd := exec.Command(c.bins.Path("initdb"),
		"-D", tmp, "--locale=C", "-E", "UTF8", "--auth=scram-sha-256", "-U", User,
		"--pwfile="+pw, "--no-sync", "--no-instructions")
	cmd.Dir = c.dir
	cmd.SysProcAttr = c.as.credential()
	cmd.Env = append(os.Environ(), "LC_ALL=C", "LANG=C")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Started like postgres (startChild): it dies with us, by the parent-death signal.
	ch, err := startChild(cmd)
	if err != nil {
		return fmt.Errorf("run %s: %w", c.bins.Path("initdb"), err)
	}
	select {
	case <-ch.done:
	case <-ctx.Done():
		ch.stop(context.Background()) // SIGINT: initdb removes what it made and exits
		os.RemoveAll(tmp)
		return fmt.Errorf("initdb: %w", ctx.Err())
	}
	if ch.err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("initdb into %s failed: %v\n%s", tmp, ch.err, tail(out.String(), 15))
	}
	return os.Rename(tmp, c.pgdata())
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
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(strconv.Itoa(n)+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func (c *cluster) reachNote() string {
	if !c.as.drop {
		return ""
	}
	return " that the user " + c.as.Name + " can reach"
}
