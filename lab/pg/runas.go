package pg

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// account is the unix user initdb and postgres run as.
type account struct {
	Name     string
	UID, GID int
	drop     bool // we are root: run the programs with these credentials
}

// SystemUser is the prefix of the unprivileged users created (when root) to run private
// clusters, one per cluster directory (see accountName).
const SystemUser = "scalelab-pg"

// rootClusterBase is where a root-run cluster lives when the unprivileged user cannot reach the
// asked-for data directory (a directory under /root, which is 0700).
var rootClusterBase = "/var/lib/scalelab/pg"

// useraddLock serialises the creation of system users by root scalelab processes (in /run,
// where only root writes).
var useraddLock = "/run/scalelab-useradd.lock"

func (a account) credential() *syscall.SysProcAttr {
	if !a.drop {
		return nil
	}
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(a.UID), Gid: uint32(a.GID), NoSetGroups: true}}
}

// accountName is the system user a root scalelab runs the cluster of dir as: one per cluster
// directory (SystemUser-<hash of dir>), so that the superuser of one cluster, who can read any
// file its unix user can, cannot read another cluster's data.
func accountName(dir string) string {
	sum := sha256.Sum256([]byte(dir))
	return fmt.Sprintf("%s-%x", SystemUser, sum[:4])
}

// runAccount returns who runs PostgreSQL for the cluster asked for at dir: ourselves, or when
// root an unprivileged user of that cluster's own, accountName(dir) (created with useradd if
// missing); without useradd, the shared SystemUser, postgres or nobody, which do not keep
// root-run clusters of different directories apart (said in the log).
func runAccount(ctx context.Context, dir string, logf func(string, ...any)) (account, error) {
	if os.Geteuid() != 0 {
		name := strconv.Itoa(os.Geteuid())
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
		return account{Name: name, UID: os.Geteuid(), GID: os.Getegid()}, nil
	}
	own := accountName(dir)
	if a, ok := lookupAccount(own); ok {
		return a, nil
	}
	if path, err := exec.LookPath("useradd"); err == nil {
		// One useradd at a time among scalelab processes: concurrent ones on the same name were
		// seen to leave the user missing for a moment, failing initdb.
		if l, err := lockDir(ctx, useraddLock, nil); err == nil {
			defer l.unlock()
			if a, ok := lookupAccount(own); ok {
				return a, nil
			}
		}
		logf("running as root: creating the system user %s to run the PostgreSQL of %s (it refuses to run as root)", own, dir)
		var out []byte
		// useradd fails while another one holds the passwd lock: try again for a while.
		for deadline := time.Now().Add(20 * time.Second); ; {
			cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			out, err = exec.CommandContext(cctx, path, "--system", "--no-create-home", "--home-dir", "/nonexistent",
				"--shell", "/usr/sbin/nologin", "--user-group", "--comment", "scalelab private PostgreSQL of "+filepath.Base(filepath.Dir(dir))+"/"+filepath.Base(dir), own).CombinedOutput()
			cancel()
			// Another process may have created it at the same moment: look again either way.
			if a, ok := lookupAccount(own); ok {
				if err == nil {
					created.add(own)
				}
				return a, nil
			}
			if time.Now().After(deadline) || ctx.Err() != nil {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		logf("useradd %s failed (%v: %s); falling back to a shared user", own, err, out)
	}
	for _, name := range []string{SystemUser, "postgres", "nobody"} {
		if a, ok := lookupAccount(name); ok {
			logf("running the PostgreSQL of %s as the shared user %s: clusters of other data dirs run as the same user and could read each other's data", dir, name)
			return a, nil
		}
	}
	return account{}, fmt.Errorf("running as root, and PostgreSQL refuses to run as root: could not create or find an unprivileged user (%s, postgres, nobody); create one with `useradd --system %s` or run scalelab as a normal user", own, own)
}

// created lists the system users this process made with useradd.
var created createdUsers

type createdUsers struct {
	mu    sync.Mutex
	names []string
}

func (c *createdUsers) add(name string) {
	c.mu.Lock()
	c.names = append(c.names, name)
	c.mu.Unlock()
}

// CreatedSystemUsers lists the system users this process created (as root) to run private
// clusters, for test harnesses that remove them once their clusters are gone.
func CreatedSystemUsers() []string {
	created.mu.Lock()
	defer created.mu.Unlock()
	return append([]string(nil), created.names...)
}

func lookupAccount(name string) (account, bool) {
	u, err := user.Lookup(name)
	if err != nil {
		return account{}, false
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil || uid == 0 {
		return account{}, false
	}
	return account{Name: name, UID: uid, GID: gid, drop: true}, true
}

// reachableDataDir returns where the cluster for dir lives when run as a: dir itself when a can
// reach it, else a directory under rootClusterBase named after the major version and a hash of
// dir. The hash is there for the default data dir too: every data home (a learner's, each test's
// temporary one) has a cluster, passwords and system user of its own, never another home's.
func reachableDataDir(dir string, a account, major int) string {
	if !a.drop || canTraverse(filepath.Dir(dir), a) {
		return dir
	}
	sum := sha256.Sum256([]byte(dir))
	return filepath.Join(rootClusterBase, fmt.Sprintf("%d-%x", major, sum[:6]))
}

// canTraverse says whether a can search every existing directory from / down to dir. Missing
// directories are created later by root with mode 0755, so they are fine.
func canTraverse(dir string, a account) bool {
	for d := dir; ; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err == nil {
			uid, gid, ok := fileOwner(st)
			if !ok {
				return false
			}
			m := st.Mode().Perm()
			switch {
			case uid == a.UID:
				if m&0o100 == 0 {
					return false
				}
			case gid == a.GID:
				if m&0o010 == 0 {
					return false
				}
			default:
				if m&0o001 == 0 {
					return false
				}
			}
		}
		if d == filepath.Dir(d) {
			return true
		}
	}
}

// chownTree gives dir and everything in it to a (when root), so postgres can use a cluster made
// before, e.g. by an older run.
func chownTree(dir string, a account) error {
	if !a.drop {
		return nil
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if ownedBy(info, a) {
			return nil
		}
		return os.Lchown(p, a.UID, a.GID)
	})
}

func fileOwner(st os.FileInfo) (uid, gid int, ok bool) {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(sys.Uid), int(sys.Gid), true
}
