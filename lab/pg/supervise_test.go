package pg_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"scalelab/lab/pg"
)

type logLines struct {
	mu    sync.Mutex
	lines []string
}

func (l *logLines) logf(f string, a ...any) {
	l.mu.Lock()
	l.lines = append(l.lines, fmt.Sprintf(f, a...))
	l.mu.Unlock()
}

func (l *logLines) has(sub string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Contains(strings.Join(l.lines, "\n"), sub)
}

// waitFor polls cond until it holds or within passes, and says whether it held.
func waitFor(within time.Duration, cond func() bool) bool {
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return cond()
}

// kill -9 of the postmaster under the process that started it: its supervisor brings it back on
// the same port, says so, and the epoch shows the outage.
func TestSupervisorBringsBackAKilledPostmaster(t *testing.T) {
	var logs logLines
	srv := open(t, pg.Options{DataDir: clusterDir(t), Logf: logs.logf})
	in := srv.Info()
	mustExec(t, srv.URL(), "CREATE TABLE t (n int); INSERT INTO t VALUES (1)")
	e0 := srv.Epoch()
	t0 := time.Now()
	if err := syscall.Kill(in.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if !waitFor(time.Minute, func() bool {
		got := srv.Info()
		return got.Running && got.PID != in.PID && srv.Ping(ctx) == nil
	}) {
		t.Fatalf("not back a minute after kill -9; log:\n%s", strings.Join(logs.lines, "\n"))
	}
	t.Logf("kill -9 of the postmaster to a query answered again: %v", time.Since(t0).Round(time.Millisecond))
	if got := srv.Info(); got.Port != in.Port || !got.Started {
		t.Fatalf("after the restart: %+v (port was %d)", got, in.Port)
	}
	if got := queryInt(t, srv.URL(), "SELECT n FROM t"); got != 1 {
		t.Fatal(got)
	}
	if e := srv.Epoch(); e < e0+2 {
		t.Fatalf("epoch %d -> %d, want the down and the up counted", e0, e)
	}
	if !logs.has("went away") || !logs.has("is back") {
		t.Fatalf("the restart was not logged:\n%s", strings.Join(logs.lines, "\n"))
	}
}

// A deliberate Kill is respected by every Server on the cluster (here a second one attached to
// it) until Start.
func TestKillIsRespectedUntilStart(t *testing.T) {
	dir := clusterDir(t)
	owner := open(t, pg.Options{DataDir: dir})
	attached := open(t, pg.Options{DataDir: dir})
	pid := owner.Info().PID
	ctx := context.Background()
	if err := owner.Kill(ctx); err != nil {
		t.Fatal(err)
	}
	if pg.IsPostmaster(pid) {
		t.Fatal("postmaster alive after Kill")
	}
	// Longer than the takeover grace and a few supervisor rounds: nobody brings it back.
	if waitFor(3*time.Second, func() bool { return owner.Ping(ctx) == nil || attached.Ping(ctx) == nil }) {
		t.Fatal("the cluster was restarted after a deliberate Kill")
	}
	if !owner.Info().Stopped || !attached.Info().Stopped || attached.Info().Running {
		t.Fatalf("Info after Kill: %+v / %+v", owner.Info(), attached.Info())
	}
	if err := owner.Start(ctx); err != nil {
		t.Fatal(err)
	}
	if err := owner.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if !waitFor(30*time.Second, func() bool { return attached.Info().Running && attached.Ping(ctx) == nil }) {
		t.Fatal("the attached Server did not follow the restart")
	}
	if owner.Info().Stopped {
		t.Fatal("still marked stopped after Start")
	}
}

// The process that started the cluster exits: one attached to it takes over by itself.
func TestAttachedTakesOverWhenTheOwnerExits(t *testing.T) {
	dir := clusterDir(t)
	cmd, in := helper(t, "hold", dir)
	var logs logLines
	srv := open(t, pg.Options{DataDir: dir, Logf: logs.logf})
	if srv.Info().Started {
		t.Fatal("did not attach")
	}
	if err := cmd.Process.Kill(); err != nil { // its postgres gets the parent-death signal
		t.Fatal(err)
	}
	cmd.Wait()
	ctx := context.Background()
	if !waitFor(time.Minute, func() bool {
		got := srv.Info()
		return got.Started && got.PID != in.PID && srv.Ping(ctx) == nil
	}) {
		t.Fatalf("no takeover: %+v; log:\n%s", srv.Info(), strings.Join(logs.lines, "\n"))
	}
	if srv.Info().Port != in.Port {
		t.Fatalf("port %d -> %d", in.Port, srv.Info().Port)
	}
}
