package pg_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
)

// helperEnv makes the test binary act as "another scalelab process" (see runHelper).
const helperEnv = "SCALELAB_PG_TEST_HELPER"

// Keep the main goroutine on the main thread, so that no test goroutine can run on it: the
// runtime never exits the main thread, which would hide the Pdeathsig thread gotcha that
// TestCallerThreadExitDoesNotStopPostgres checks.
func init() { runtime.LockOSThread() }

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode))
	}
	pgtest.Main(m)
}

// runHelper: Open the cluster in $SCALELAB_PG_TEST_DIR, print its Info as one JSON line, then
//   - "attach": Close and exit 0;
//   - "hold": wait to be killed;
//   - "signals": wait for a signal, with StopOnSignals set up;
//   - "panic", "panic-elsewhere": panic with Close deferred, in this goroutine or another one.
func runHelper(mode string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := pg.Open(ctx, pg.Options{DataDir: os.Getenv("SCALELAB_PG_TEST_DIR")})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper open:", err)
		return 3
	}
	if mode == "signals" {
		defer pg.StopOnSignals(srv)()
	}
	b, _ := json.Marshal(srv.Info())
	fmt.Println(string(b))
	switch mode {
	case "panic": // the caller's deferred Close runs while the panic unwinds
		defer srv.Close()
		panic("helper panics on purpose")
	case "panic-elsewhere": // a panic in another goroutine: no defer of ours runs
		defer srv.Close()
		go func() { panic("helper goroutine panics on purpose") }()
		select {}
	case "attach":
		if err := srv.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "helper close:", err)
			return 4
		}
		return 0
	default:
		select {}
	}
}

// helper starts the test binary as another process running runHelper(mode) on dir and returns
// it with the Info it printed. The process is killed at the end of the test if still running.
func helper(t *testing.T, mode, dir string) (*exec.Cmd, pg.Info) {
	t.Helper()
	cmd, in, err := startHelper(t, mode, dir)
	if err != nil {
		t.Fatal(err)
	}
	return cmd, in
}

// startHelper is helper without t.Fatal, for use from other goroutines.
func startHelper(t *testing.T, mode, dir string) (*exec.Cmd, pg.Info, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, "SCALELAB_PG_TEST_DIR="+dir)
	cmd.Stderr = os.Stderr
	if strings.HasPrefix(mode, "panic") {
		cmd.Stderr = io.Discard // the panic trace is expected
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, pg.Info{}, err
	}
	if err := cmd.Start(); err != nil {
		return nil, pg.Info{}, err
	}
	var postmaster int // set below once known
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		// Let a postgres it started finish its (parent-death) shutdown before its directory is removed.
		waitGone(postmaster, time.Minute)
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Wait()
		return nil, pg.Info{}, fmt.Errorf("helper %s printed no Info: %v (exit %v)", mode, err, cmd.ProcessState)
	}
	var in pg.Info
	if err := json.Unmarshal([]byte(line), &in); err != nil {
		return nil, pg.Info{}, fmt.Errorf("helper output %q: %v", line, err)
	}
	if in.Started {
		postmaster = in.PID
	}
	return cmd, in, nil
}

// clusterDir returns a data dir for one test, reachable by the unprivileged user when root, and
// removes it (and a relocated copy) at the end.
func clusterDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "scalelab-pg-test-")
	if err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	pgdir := filepath.Join(dir, "pg")
	t.Cleanup(func() {
		os.RemoveAll(dir)
		pgtest.RemoveAccount(pg.Info{RunAs: pg.AccountName(pgdir)})
	})
	return pgdir
}

func open(t *testing.T, opt pg.Options) *pg.Server {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := pg.Open(ctx, opt)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// waitGone waits (bounded) until pid is no postmaster any more and reports whether it went.
func waitGone(pid int, within time.Duration) bool {
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if !pg.IsPostmaster(pid) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return !pg.IsPostmaster(pid)
}

func queryInt(t *testing.T, url, sql string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(ctx, sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

func mustExec(t *testing.T, url, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := connect(ctx, url)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func contains(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// startHelperNoWait starts runHelper(mode) on dir in another process and returns at once,
// without waiting for it to open the cluster (for tests that interrupt Open itself).
func startHelperNoWait(t *testing.T, mode, dir string) (*exec.Cmd, io.ReadCloser, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+mode, "SCALELAB_PG_TEST_DIR="+dir)
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, nil, err
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, out, nil
}
