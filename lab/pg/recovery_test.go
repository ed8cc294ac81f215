package pg_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
)

// A postmaster.pid naming a process that is gone (or is not postgres) is removed, not reported.
func TestStalePidFileIsRecovered(t *testing.T) {
	for _, tc := range []struct {
		name string
		pid  func(t *testing.T) int
	}{
		{"dead pid", func(t *testing.T) int {
			c := exec.Command("true")
			if err := c.Run(); err != nil {
				t.Fatal(err)
			}
			return c.Process.Pid
		}},
		{"pid of another program", func(t *testing.T) int {
			c := exec.Command("sleep", "600")
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { c.Process.Kill(); c.Wait() })
			return c.Process.Pid
		}},
		{"pid of another PostgreSQL", func(t *testing.T) int {
			// After a reboot the pid may belong to an unrelated PostgreSQL: never stop it.
			other := pgtest.OwnServer(t, pg.Options{})
			t.Cleanup(func() {
				if err := other.Ping(context.Background()); err != nil {
					t.Errorf("the other PostgreSQL was disturbed: %v", err)
				}
			})
			return other.Info().PID
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := clusterDir(t)
			srv := open(t, pg.Options{DataDir: dir})
			in := srv.Info()
			mustExec(t, srv.URL(), "CREATE TABLE survived (n int)")
			if err := srv.Close(); err != nil {
				t.Fatal(err)
			}
			pidfile := filepath.Join(in.PGData, "postmaster.pid")
			stale := strconv.Itoa(tc.pid(t)) + "\n" + in.PGData + "\n1700000000\n" + strconv.Itoa(in.Port) + "\n\n127.0.0.1\n  1234  5678\nready   \n"
			if err := os.WriteFile(pidfile, []byte(stale), 0o600); err != nil {
				t.Fatal(err)
			}
			srv = open(t, pg.Options{DataDir: dir})
			if !srv.Info().Started {
				t.Fatalf("Open attached to a stale pid file: %+v", srv.Info())
			}
			queryInt(t, srv.URL(), "SELECT count(*) FROM survived")
		})
	}
}

// The postmaster is SIGKILLed under a running Server: it comes back on the same port (by the
// supervisor, or Start if called first), and a fresh Open after Close recovers it too (crash
// recovery, leftover shared memory).
func TestServerSIGKILLRecovers(t *testing.T) {
	dir := clusterDir(t)
	srv := open(t, pg.Options{DataDir: dir})
	mustExec(t, srv.URL(), "CREATE TABLE t (n int); INSERT INTO t SELECT generate_series(1, 1000)")
	in := srv.Info()
	// Hold a connection so a backend is alive when the postmaster dies.
	conn, err := connect(context.Background(), srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())

	if err := syscall.Kill(in.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	if !waitGone(in.PID, time.Minute) {
		t.Fatal("SIGKILLed postmaster still there")
	}
	ctx := context.Background()
	if err := srv.Start(ctx); err != nil {
		t.Fatalf("Start after SIGKILL: %v", err)
	}
	if srv.Info().Port != in.Port {
		t.Fatalf("port %d -> %d", in.Port, srv.Info().Port)
	}
	if got := queryInt(t, srv.URL(), "SELECT count(*) FROM t"); got != 1000 {
		t.Fatalf("rows = %d", got)
	}

	// Again, then a new Open instead of Start.
	pid := srv.Info().PID
	syscall.Kill(pid, syscall.SIGKILL)
	waitGone(pid, time.Minute)
	srv.Close()
	srv = open(t, pg.Options{DataDir: dir})
	if !srv.Info().Started {
		t.Fatalf("Open after SIGKILL: %+v", srv.Info())
	}
	if got := queryInt(t, srv.URL(), "SELECT count(*) FROM t"); got != 1000 {
		t.Fatalf("rows = %d", got)
	}
}

// The scalelab process that started the cluster is SIGKILLed: its postgres goes away (Linux:
// parent-death signal), and the next Open starts cleanly either way.
func TestParentSIGKILL(t *testing.T) {
	dir := clusterDir(t)
	cmd, in := helper(t, "hold", dir)
	if !in.Started || in.PID == 0 {
		t.Fatalf("helper did not start the cluster: %+v", in)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if _, err := os.Stat("/proc/self"); err == nil { // Linux: Pdeathsig
		if !waitGone(in.PID, time.Minute) {
			t.Fatalf("postgres %d still runs a minute after its scalelab was SIGKILLed", in.PID)
		}
	}
	srv := open(t, pg.Options{DataDir: dir})
	if got := srv.Info(); !got.Started || got.PID == in.PID {
		t.Fatalf("Open after the parent died: %+v", got)
	}
	if err := srv.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A postgres left running on our data dir whose scalelab is gone (what happens where there is
// no parent-death signal): Open stops it and starts its own, which it then owns.
func TestOrphanIsStoppedAndReplaced(t *testing.T) {
	dir := clusterDir(t)
	srv := open(t, pg.Options{DataDir: dir})
	in := srv.Info()
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	// Start it the way a tool that outlives us would: pg_ctl, detached.
	pgctl := exec.Command(filepath.Join(in.BinDir, "pg_ctl"), "-D", in.PGData, "-w", "-l", filepath.Join(in.PGData, "orphan.log"),
		"-o", "-c listen_addresses=127.0.0.1 -c port="+strconv.Itoa(in.Port)+" -c unix_socket_directories=", "start")
	if os.Geteuid() == 0 {
		uid, gid := owner(t, in.PGData)
		pgctl.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid, NoSetGroups: true}}
	}
	pgctl.Dir = in.DataDir
	if out, err := pgctl.CombinedOutput(); err != nil {
		t.Fatalf("pg_ctl start: %v\n%s", err, out)
	}
	orphan, _, status, err := pg.PostmasterPID(in.PGData)
	if err != nil || status != "ready" {
		t.Fatalf("orphan not ready: %v %q", err, status)
	}
	t.Cleanup(func() { syscall.Kill(orphan, syscall.SIGINT) })
	// The owner file still names a pid: the test process itself is alive, but it is not the
	// orphan's parent, so the orphan must still be recognised.
	srv = open(t, pg.Options{DataDir: dir})
	got := srv.Info()
	if !got.Started || got.PID == orphan {
		t.Fatalf("Open reused the orphan: %+v (orphan pid %d)", got, orphan)
	}
	if !waitGone(orphan, time.Minute) {
		t.Fatalf("orphan %d still runs", orphan)
	}
	if err := srv.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func owner(t *testing.T, path string) (uid, gid uint32) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	sys := st.Sys().(*syscall.Stat_t)
	return sys.Uid, sys.Gid
}

// An Open cancelled at any point (initdb, start, readiness) leaves no server running and
// nothing that stops the next Open.
func TestCancelledOpenLeavesNothingBehind(t *testing.T) {
	dir := clusterDir(t)
	for _, d := range []time.Duration{time.Millisecond, 50 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond} {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		srv, err := pg.Open(ctx, pg.Options{DataDir: dir})
		cancel()
		if err == nil {
			srv.Close() // fast enough this time; fine
			continue
		}
		if pgdata := filepath.Join(dir, "data"); true {
			if pid, _, _, err := pg.PostmasterPID(pgdata); err == nil && pg.IsPostmaster(pid) {
				t.Fatalf("a cancelled Open (after %v) left postgres %d running", d, pid)
			}
		}
	}
	srv := open(t, pg.Options{DataDir: dir})
	if err := srv.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// A cluster whose password was changed by hand fails at once with advice, not after minutes.
func TestChangedPasswordFailsWithAdvice(t *testing.T) {
	dir := clusterDir(t)
	srv := open(t, pg.Options{DataDir: dir})
	mustExec(t, srv.AdminURL(), "ALTER USER postgres PASSWORD 'changed'")
	srv.Close()
	_, err := pg.Open(context.Background(), pg.Options{DataDir: dir})
	if !errors.Is(err, pg.ErrStartFailed) || !contains(err.Error(), "delete", dir) || strings.Count(err.Error(), "did not start") != 1 {
		t.Fatalf("Open = %v", err)
	}
	if pid, _, _, err := pg.PostmasterPID(filepath.Join(srv.Info().DataDir, "data")); err == nil && pg.IsPostmaster(pid) {
		t.Fatalf("failed Open left postgres %d running", pid)
	}
}
