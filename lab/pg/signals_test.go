package pg_test

import (
	"errors"
	"os/exec"
	"syscall"
	"testing"

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
