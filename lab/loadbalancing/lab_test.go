package loadbalancing

import (
	"context"
	"errors"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"scalelab/lab"
	"scalelab/lab/haproxy"
	"scalelab/lab/load"
	"scalelab/lab/pg/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// newLab starts the registered lab on a database of its own of the test PostgreSQL, HAProxy on
// a free port, with the tasks ticked; closed at the end.
func newLab(t testing.TB, ticked ...string) *lbLab {
	t.Helper()
	return newLabAt(t, "127.0.0.1:0", ticked...)
}

// newLabAt is newLab with HAProxy asked to listen on addr.
func newLabAt(t testing.TB, addr string, ticked ...string) *lbLab {
	t.Helper()
	if _, err := haproxy.Find(); err != nil {
		t.Fatal(err) // HAProxy is required, as PostgreSQL is
	}
	t.Setenv("SCALELAB_HOME", t.TempDir())
	l, err := lab.New(labName, lab.Config{DBURL: pgtest.NewDatabase(t), Addr: addr, Rows: 2_000, Applied: ticked})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := l.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return l.(*lbLab)
}

// run runs a load test of users for d (through the balancer); during, when set, runs after a
// second of it.
func run(t testing.TB, l *lbLab, users int, d time.Duration, during func()) *load.Record {
	t.Helper()
	done := make(chan struct{})
	if during != nil {
		go func() {
			defer close(done)
			time.Sleep(time.Second)
			during()
		}()
	} else {
		close(done)
	}
	rec, err := l.LoadTest(context.Background(), nil, load.Options{Concurrency: users, Duration: d, Timeout: 5 * time.Second}, nil)
	<-done
	if err != nil {
		t.Fatal(err)
	}
	if rec.Result.Total == 0 {
		t.Fatalf("no request made: %+v", rec.Result)
	}
	return rec
}

func do(t testing.TB, l *lbLab, name string, args ...string) lab.Outcome {
	t.Helper()
	a, ok := lab.FindAction(l, name)
	if !ok || a.Do == nil {
		t.Fatalf("no action %q to do", name)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := a.Do(ctx, lab.Request{Args: args, Progress: func(string) {}})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	t.Logf("%s: %s", name, out.Summary)
	return out
}

func share(r *load.Result, cause string) float64 {
	if r.Total == 0 {
		return 0
	}
	return 100 * float64(r.Errors[cause]) / float64(r.Total)
}

func TestRegisteredUnstarted(t *testing.T) {
	l, err := lab.New(labName, lab.Config{})
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, a := range l.Actions() {
		keys[a.Name] = a.Key
	}
	want := map[string]string{actLoadTest: "L", actStart: "R", actKill: "K", actBringBack: "B", actReset: "X"}
	for n, k := range want {
		if keys[n] != k {
			t.Errorf("action %s: key %q, want %q", n, keys[n], k)
		}
	}
	if got := l.StageAfter([]string{"loadtest"}); got != stageInMemory {
		t.Errorf("after a load test: %q", got)
	}
	if got := l.StageAfter([]string{"serve", "loadtest", "kill-replica"}); got != stageStickyKill {
		t.Errorf("after a start and a kill: %q", got)
	}
	if got := l.StageAfter([]string{"start", "bring-back", "start"}); got != stageShared {
		t.Errorf("after two starts: %q", got)
	}
	if got := lab.StageOfLabel(l.Stages(), "Fix B, a replica killed"); got != stageSharedKill {
		t.Errorf("row label: %q", got)
	}
	if st := l.Status(context.Background()); st.Up || st.Err == "" {
		t.Errorf("unstarted status %+v", st)
	}
	if _, err := l.(*lbLab).wanted([]string{"--preset", "nope"}); err == nil {
		t.Error("a preset of no stage was accepted")
	}
}

// As shipped, each replica knows only the sessions it created: most requests are logged out.
func TestInMemoryLogsMostUsersOut(t *testing.T) {
	l := newLab(t)
	rec := run(t, l, 30, 3*time.Second, nil)
	out := share(rec.Result, causeLoggedOut)
	t.Logf("in memory, 3 replicas: %.1f%% of %d requests logged out (%.0f req/s)", out, rec.Result.Total, rec.Result.RPS)
	if out < 40 || out > 90 {
		t.Errorf("logged out %.1f%%, want about two thirds", out)
	}
	if rec.State != stageInMemory || rec.Lab != labName {
		t.Errorf("filed under %q of %q", rec.State, rec.Lab)
	}
	st := l.Status(context.Background())
	if !st.Up || st.Stage != stageInMemory || st.Addr == "" {
		t.Errorf("status %+v", st)
	}
	t.Log(st.Line)
	s := l.Sample(context.Background())
	if len(s.Groups) != DefaultReplicas+1 || s.Telemetry.Total.ByCause[causeLoggedOut] == 0 {
		t.Errorf("sample groups %d, causes %v", len(s.Groups), s.Telemetry.Total.ByCause)
	}
}

// Fix A: every user stays on the replica it logged in on, until that replica dies.
func TestStickyThenKill(t *testing.T) {
	l := newLab(t)
	l.SetTasks(map[string]bool{tagSticky: true, tagShared: false})
	if !l.Status(context.Background()).Conditions[condRestartPending] {
		t.Error("ticked and not applied: no restart-pending")
	}
	out := do(t, l, actStart)
	if !slices.Equal(out.Applied, []string{tagSticky}) {
		t.Errorf("applied %v", out.Applied)
	}
	rec := run(t, l, 30, 2*time.Second, nil)
	if n := rec.Result.Errors[causeLoggedOut]; n != 0 || rec.State != stageSticky {
		t.Errorf("sticky: %d logged out, filed under %q", n, rec.State)
	}
	t.Logf("sticky: %d requests, %.1f%% ok", rec.Result.Total, rec.Result.SuccessRate)

	rec = run(t, l, 30, 5*time.Second, func() { do(t, l, actKill) })
	t.Logf("sticky, a replica killed: %.1f%% logged out, errors %v\n%s", share(rec.Result, causeLoggedOut), rec.Result.Errors, rec.Result.Summary)
	if rec.Result.Errors[causeLoggedOut] == 0 || rec.State != stageStickyKill {
		t.Errorf("killed under sticky: %v, filed under %q", rec.Result.Errors, rec.State)
	}
	l.mu.Lock()
	d, ok := l.detected[l.lastDetect]
	l.mu.Unlock()
	if !ok {
		t.Fatal("no detection of the kill")
	}
	t.Logf("detection time (kill -> HAProxy DOWN): %v", d)
	if !l.Status(context.Background()).Conditions[condReplicaDown] {
		t.Error("a replica is down: no replica-down")
	}
	do(t, l, actBringBack)
	if st := l.Status(context.Background()); st.Conditions[condReplicaDown] || !st.Up {
		t.Errorf("after bring-back: %+v", st)
	}
}

// Fix B: any replica serves any user; a kill costs only the requests inside the detection window.
func TestSharedThenKill(t *testing.T) {
	l := newLab(t, tagShared)
	rec := run(t, l, 30, 2*time.Second, nil)
	if n := rec.Result.Errors[causeLoggedOut]; n != 0 || rec.State != stageShared {
		t.Errorf("shared: %d logged out, filed under %q", n, rec.State)
	}
	t.Logf("shared: %d requests, %.1f%% ok", rec.Result.Total, rec.Result.SuccessRate)
	before := l.replicaList()[1].requests.Load()
	rec = run(t, l, 30, 5*time.Second, func() { do(t, l, actKill, "--replica", "2") })
	t.Logf("shared, a replica killed: errors %v\n%s", rec.Result.Errors, rec.Result.Summary)
	if rec.Result.Errors[causeLoggedOut] != 0 || rec.State != stageSharedKill {
		t.Errorf("killed under shared: %v, filed under %q", rec.Result.Errors, rec.State)
	}
	if rec.Result.Failed == 0 {
		t.Error("a replica died under load and no request failed")
	}
	l.mu.Lock()
	fig := l.lastRun
	l.mu.Unlock()
	t.Logf("failure window under Fix B: %v (first failure at %v)", fig.FailWindow(), fig.FirstFail)
	if l.replicaList()[1].requests.Load() == before {
		t.Error("replica 2 served nothing before its kill")
	}
	out := do(t, l, actReset)
	if !out.Reset || l.Status(context.Background()).Stage != stageInMemory {
		t.Errorf("reset: %+v", out)
	}
}

// Close leaves no HAProxy behind: its process is gone and its port is free.
func TestCloseStopsHAProxy(t *testing.T) {
	l := newLab(t)
	hap := l.balancer()
	pid, addr := hap.PID(), hap.Addr()
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); err == nil {
		// a zombie (state Z) has exited: only its parent's wait is left
		if b, _ := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); !strings.Contains(string(b), ") Z ") {
			t.Errorf("haproxy %d still runs", pid)
		}
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections", addr)
	}
	if st := l.Status(context.Background()); st.Up {
		t.Errorf("closed lab is up: %+v", st)
	}
}

// Without HAProxy the lab does not start, with HAProxy's own message, and leaves nothing.
func TestMissingHAProxy(t *testing.T) {
	old := findHAProxy
	findHAProxy = func() (string, error) { return "", haproxy.ErrNotFound }
	defer func() { findHAProxy = old }()
	l, _ := lab.New(labName, lab.Config{DBURL: "postgres://nobody@127.0.0.1:1/none", Addr: "127.0.0.1:0"})
	err := l.Start(context.Background())
	if !errors.Is(err, haproxy.ErrNotFound) {
		t.Fatalf("start without haproxy: %v", err)
	}
	if l.Status(context.Background()).Up {
		t.Error("up without haproxy")
	}
	l.Close()
}

// A run against one replica directly is a custom run with nobody logged out; beside one
// through HAProxy in the same lab it shows what the balancer costs (logged, not asserted).
func TestDirectReplicaRun(t *testing.T) {
	l := newLab(t, tagShared)
	through := run(t, l, 20, 2*time.Second, nil)
	direct, err := l.LoadTest(context.Background(), nil, load.Options{URL: "http://" + l.replicaList()[0].addr + "/me/feed",
		Concurrency: 20, Duration: 2 * time.Second, Timeout: 5 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if direct.State != lab.StageCustom || direct.Result.Failed != 0 {
		t.Errorf("direct run: %q, %v", direct.State, direct.Result.Errors)
	}
	t.Logf("balancer cost, 20 users: through HAProxy p99 %v %.0f req/s; one replica directly p99 %v %.0f req/s",
		through.Result.P99, through.Result.RPS, direct.Result.P99, direct.Result.RPS)
}
