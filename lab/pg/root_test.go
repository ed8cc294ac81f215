package pg_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
)

// PostgreSQL refuses to run as root; run as root, scalelab runs it as an unprivileged user.
func TestRunningAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root: the root path is exercised when the tests run as root (CI containers)")
	}
	srv := pgtest.OwnServer(t, pg.Options{})
	in := srv.Info()
	if in.RunAs == "" || in.RunAs == "root" {
		t.Fatalf("RunAs = %q", in.RunAs)
	}
	uid := procUID(t, in.PID)
	if uid == 0 {
		t.Fatal("postmaster runs as root")
	}
	if got := queryInt(t, srv.URL(), "SELECT 1"); got != 1 {
		t.Fatal(got)
	}
}

// As root with a data dir the unprivileged user cannot reach (like anything under /root, 0700),
// the cluster moves to a directory it can reach, and Info says where.
func TestRootRelocatesUnreachableDataDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root")
	}
	b, err := os.MkdirTemp("", "scalelab-reloc-") // stands in for /var/lib/scalelab/pg
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(b, 0o755)
	t.Cleanup(func() { os.RemoveAll(b) })
	base := filepath.Join(b, "pg")
	defer pg.SetRootClusterBase(base)()

	private := filepath.Join(t.TempDir(), "home", "pg") // t.TempDir is 0700 and root's
	srv := pgtest.OwnServer(t, pg.Options{DataDir: private})
	in := srv.Info()
	if !strings.HasPrefix(in.DataDir, base+string(filepath.Separator)) {
		t.Fatalf("DataDir = %s, want it under %s", in.DataDir, base)
	}
	if got := queryInt(t, srv.URL(), "SELECT 1"); got != 1 {
		t.Fatal(got)
	}
}

func procUID(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		t.Skip("no /proc")
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "Uid:" {
			uid, _ := strconv.Atoi(f[1])
			return uid
		}
	}
	t.Fatal("no Uid in /proc status")
	return -1
}

// Root in a default container lacks CAP_SYS_PTRACE, so it cannot read the cwd of the postgres
// it runs as another user; recognising its own cluster must still work there. Re-runs the
// attach and recovery tests without that capability.
func TestRootWithoutPtraceCapability(t *testing.T) {
	if os.Geteuid() != 0 || os.Getenv("SCALELAB_PG_NO_PTRACE") != "" {
		t.Skip("not root, or already the re-run")
	}
	capsh, err := exec.LookPath("capsh")
	if err != nil {
		t.Skip("capsh not installed (libcap2-bin)")
	}
	run := "^(TestSecondProcessAttaches|TestStalePidFileIsRecovered|TestOrphanIsStoppedAndReplaced)$"
	cmd := exec.Command(capsh, "--drop=cap_sys_ptrace", "--", "-c", `exec "$0" -test.run "$1" -test.count=1`, os.Args[0], run)
	cmd.Env = append(os.Environ(), "SCALELAB_PG_NO_PTRACE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("without CAP_SYS_PTRACE: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "PASS") {
		t.Fatalf("no tests ran:\n%s", out)
	}
}

// As root, every file scalelab writes lives in a directory only root can write: the cluster dir
// is root's (0711), PGDATA inside it the unprivileged user's; that user cannot plant a link
// where root writes.
func TestRootWritesOnlyWhereRootWrites(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root")
	}
	srv := open(t, pg.Options{DataDir: clusterDir(t)})
	in := srv.Info()
	st, err := os.Lstat(in.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	if uid, _ := owner(t, in.DataDir); uid != 0 || st.Mode().Perm() != 0o711 {
		t.Fatalf("cluster dir owned by %d, mode %v; want root's, 0711", uid, st.Mode().Perm())
	}
	if uid, _ := owner(t, in.PGData); uid == 0 {
		t.Fatal("PGDATA is root's")
	}
	for _, f := range []string{"scalelab.lock", "owner", "port", "postgres.log", "secret.json"} {
		if uid, _ := owner(t, filepath.Join(in.DataDir, f)); uid != 0 {
			t.Errorf("%s owned by %d", f, uid)
		}
	}
	// The postgres account tries to plant a link where root writes.
	pgUID, pgGID := owner(t, in.PGData)
	ln := exec.Command("ln", "-s", "/etc/passwd", filepath.Join(in.DataDir, "postgres.log.new"))
	ln.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: pgUID, Gid: pgGID, NoSetGroups: true}}
	if out, err := ln.CombinedOutput(); err == nil {
		t.Fatalf("the postgres account could create an entry in the cluster dir: %s", out)
	}
	// Nor read the passwords.
	cat := exec.Command("cat", filepath.Join(in.DataDir, "secret.json"))
	cat.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: pgUID, Gid: pgGID, NoSetGroups: true}}
	if out, err := cat.CombinedOutput(); err == nil {
		t.Fatalf("the postgres account can read the passwords: %s", out)
	}
}

// A cluster made by an older root scalelab had its directory, and the files root wrote in it,
// owned by the postgres account; a link planted there is never followed: the directory is taken
// back and the planted entries removed.
func TestRootTakesBackAnOldClusterDir(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root")
	}
	dir := clusterDir(t)
	srv := open(t, pg.Options{DataDir: dir})
	in := srv.Info()
	mustExec(t, srv.AdminURL(), "ALTER ROLE postgres PASSWORD 'postgres'") // as older versions made it
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(t.TempDir(), "victim")
	if err := os.WriteFile(victim, []byte("precious\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	uid, gid := owner(t, in.PGData)
	os.Lchown(in.DataDir, int(uid), int(gid))
	os.Chmod(in.DataDir, 0o700)
	for _, f := range []string{"postgres.log", "owner.tmp", "port.tmp", "owner", "port"} {
		p := filepath.Join(in.DataDir, f)
		os.Remove(p)
		if err := os.Symlink(victim, p); err != nil {
			t.Fatal(err)
		}
		os.Lchown(p, int(uid), int(gid))
	}
	// And passwords of its choosing, which root must not give the cluster.
	planted := filepath.Join(in.DataDir, "secret.json")
	os.Remove(planted)
	os.WriteFile(planted, []byte(`{"admin":"planted","app":"planted"}`+"\n"), 0o600)
	os.Lchown(planted, int(uid), int(gid))
	srv = open(t, pg.Options{DataDir: dir})
	if err := srv.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious\n" {
		t.Fatalf("root wrote through a planted link: victim now %q", b)
	}
	if strings.Contains(srv.AdminURL(), "planted") || strings.Contains(srv.URL(), "planted") {
		t.Fatal("root took the passwords planted by the postgres account")
	}
}

// Two root-run clusters of different directories run as different users, and the superuser of
// one (who may read any file its unix user can) cannot read the other's data.
func TestRootClustersCannotReadEachOther(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("not root")
	}
	a := open(t, pg.Options{DataDir: clusterDir(t)})
	b := open(t, pg.Options{DataDir: clusterDir(t)})
	if a.Info().RunAs == b.Info().RunAs {
		t.Fatalf("both clusters run as %s", a.Info().RunAs)
	}
	if procUID(t, a.Info().PID) == procUID(t, b.Info().PID) {
		t.Fatal("both postmasters run as the same uid")
	}
	ctx := context.Background()
	conn, err := connect(ctx, b.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var s string
	err = conn.QueryRow(ctx, "SELECT pg_read_file($1)", filepath.Join(a.Info().PGData, "PG_VERSION")).Scan(&s)
	if err == nil {
		t.Fatalf("cluster B's superuser read cluster A's PG_VERSION: %q", s)
	}
	if !strings.Contains(err.Error(), "ermission denied") {
		t.Fatalf("reading A's data from B: %v (want permission denied)", err)
	}
}
