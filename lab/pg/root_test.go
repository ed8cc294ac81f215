package pg_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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
