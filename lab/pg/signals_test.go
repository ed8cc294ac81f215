package pg_test

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"scalelab/lab/pg"
)

// SIGTERM / SIGINT to a process using StopOnSignals: postgres is stopped before the process
// ends (not later, by the parent-death signal), and the process ends by that signal.
func TestStopOnSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := clusterDir(t)
			cmd, in := helper(t, "signals", dir)
			if !in.Started {
				t.Fatalf("helper: %+v", in)
			}
			cmd.Process.Signal(sig)
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("helper exit: %v", err)
			}
			if ws, ok := ee.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != sig {
				t.Fatalf("helper ended with %v, want killed by %v", ee, sig)
			}
			if pg.IsPostmaster(in.PID) {
				t.Fatal("postgres still ran when its scalelab had exited: StopOnSignals did not wait for it")
			}
		})
	}
}

// A panic: the deferred Close stops postgres before the process dies; a panic in a goroutine
// without that defer leaves it to the parent-death signal (Linux), and the next Open recovers
// in any case.
func TestPanicStopsPostgres(t *testing.T) {
	for _, mode := range []string{"panic", "panic-elsewhere"} {
		t.Run(mode, func(t *testing.T) {
			dir := clusterDir(t)
			cmd, in := helper(t, mode, dir)
			if err := cmd.Wait(); err == nil {
				t.Fatal("helper did not panic")
			}
			if mode == "panic" && pg.IsPostmaster(in.PID) {
				t.Fatal("postgres still ran when the panicking process had exited: the deferred Close did not stop it")
			}
			if _, err := os.Stat("/proc/self"); err == nil && !waitGone(in.PID, time.Minute) {
				t.Fatalf("postgres %d still runs a minute after its process panicked", in.PID)
			}
			srv := open(t, pg.Options{DataDir: dir})
			if !srv.Info().Started {
				t.Fatalf("next Open: %+v", srv.Info())
			}
		})
	}
}
