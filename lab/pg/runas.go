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
	"syscall"
	"time"
)

// account is the unix user initdb and postgres run as.
type account struct {
	Name     string
	UID, GID int
	drop     bool // we are root: run the programs with these credentials
}

// SystemUser is the unprivileged user created (when root) to run the private cluster.
const SystemUser = "scalelab-pg"

// rootClusterBase is where a root-run cluster lives when the unprivileged user cannot reach the
// asked-for data directory (a directory under /root, which is 0700).
var rootClusterBase = "/var/lib/scalelab/pg"

func (a account) credential() *syscall.SysProcAttr {
	if !a.drop {
		return nil
	}
	return &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(a.UID), Gid: uint32(a.GID), NoSetGroups: true}}
}

// runAccount returns who runs PostgreSQL: ourselves, or when root an unprivileged user:
// scalelab-pg (created with useradd if missing), else postgres, else nobody.
func runAccount(ctx context.Context, logf func(string, ...any)) (account, error) {
	if os.Geteuid() != 0 {
		name := strconv.Itoa(os.Geteuid())
		if u, err := user.Current(); err == nil {
			name = u.Username
		}
		return account{Name: name, UID: os.Geteuid(), GID: os.Getegid()}, nil
	}
	if a, ok := lookupAccount(SystemUser); ok {
		return a, nil
	}
	if path, err := exec.LookPath("useradd"); err == nil {
		logf("running as root: creating the system user %s to run PostgreSQL (it refuses to run as root)", SystemUser)
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		out, err := exec.CommandContext(cctx, path, "--system", "--no-create-home", "--home-dir", "/nonexistent",
			"--shell", "/usr/sbin/nologin", "--user-group", "--comment", "scalelab private PostgreSQL", SystemUser).CombinedOutput()
		cancel()
		// Another process may have created it at the same moment: look again either way.
		if a, ok := lookupAccount(SystemUser); ok {
			return a, nil
		}
		logf("useradd %s failed (%v: %s); trying the postgres user", SystemUser, err, out)
	}
	for _, name := range []string{"postgres", "nobody"} {
		if a, ok := lookupAccount(name); ok {
			return a, nil
		}
	}
	return account{}, fmt.Errorf("running as root, and PostgreSQL refuses to run as root: could not create or find an unprivileged user (%s, postgres, nobody); create one with `useradd --system %s` or run scalelab as a normal user", SystemUser, SystemUser)
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
// reach it, else a directory under rootClusterBase named after the major version (default data
// dir) or after the version and a hash of dir.
func reachableDataDir(dir string, a account, major int, isDefault bool) string {
	if !a.drop || canTraverse(filepath.Dir(dir), a) {
		return dir
	}
	name := strconv.Itoa(major)
	if !isDefault {
		sum := sha256.Sum256([]byte(dir))
		name = fmt.Sprintf("%d-%x", major, sum[:6])
	}
	return filepath.Join(rootClusterBase, name)
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
