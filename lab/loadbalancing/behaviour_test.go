package loadbalancing

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// A busy balancer port is no failure: HAProxy takes the next free one and the status says
// which (a load test from another terminal targets it).
func TestBusyPortTakesTheNextFree(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	_, bp, _ := net.SplitHostPort(busy.Addr().String())
	l := newLabAt(t, busy.Addr().String())
	st := l.Status(context.Background())
	_, p, err := net.SplitHostPort(st.Addr)
	if err != nil {
		t.Fatalf("status address %q: %v", st.Addr, err)
	}
	want, _ := strconv.Atoi(bp)
	got, _ := strconv.Atoi(p)
	if got <= want || got > want+10 || !st.Up {
		t.Fatalf("port %d busy: HAProxy on %q (up %v), want one of the ten after it", want, st.Addr, st.Up)
	}
	t.Log(st.Line)
	run(t, l, 5, time.Second, nil)
}

// A replica that dies with requests in flight leaves HAProxy no answer to send: those clients
// fail at the kill, whatever the session store. The feed query is held by a lock on the posts
// table (a slow query), so requests are in flight on every replica at the kill. The users keep
// their connections alive, and a request on a connection HAProxy reused gets another try on a
// new connection, which the dead replica refuses: those come back as 503s (no_server, SC in
// HAProxy's log), not as the 502s of TestCrashCutsAFreshRequestWith502, so the test takes either.
func TestCrashWithRequestsInFlight(t *testing.T) {
	l := newLab(t, tagShared)
	ctx := context.Background()
	rec := run(t, l, 30, 4*time.Second, func() {
		tx, err := l.db.Begin(ctx)
		if err != nil {
			t.Error(err)
			return
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, "LOCK TABLE posts IN ACCESS EXCLUSIVE MODE"); err != nil {
			t.Error(err)
			return
		}
		time.Sleep(300 * time.Millisecond) // the users' requests pile up behind the lock
		do(t, l, actKill, "--replica", "2")
	})
	res := rec.Result
	t.Logf("killed with requests in flight: statuses %v, errors %v", res.StatusCodes, res.Errors)
	if res.Errors[causeReplicaCrashed]+res.Errors[causeNoServer] == 0 || res.Unfinished != 0 {
		t.Errorf("the requests in flight at the kill did not fail at once: %v, %d unfinished", res.Errors, res.Unfinished)
	}
	if res.Errors[causeLoggedOut] != 0 || rec.State != stageSharedKill {
		t.Errorf("under Fix B: %v, filed under %q", res.Errors, rec.State)
	}
	by := l.Sample(ctx).Telemetry.Total.ByCause
	if by[causeReplicaCrashed]+by[causeNoServer] == 0 {
		t.Errorf("HAProxy's log showed no failure of the kill: %v", by)
	}
}

// The Stuck? conditions follow the lab: restart-pending while the ticked fixes are not the
// ones running, replica-down from a kill to the bring-back (the stage is then a kill stage).
func TestConditions(t *testing.T) {
	l := newLab(t)
	ctx := context.Background()
	conds := func() map[string]bool { return l.Status(ctx).Conditions }
	if c := conds(); len(c) != 0 {
		t.Errorf("a fresh lab: %v", c)
	}
	l.SetTasks(map[string]bool{tagSticky: false, tagShared: false})
	if c := conds(); len(c) != 0 {
		t.Errorf("nothing ticked: %v", c)
	}
	l.SetTasks(map[string]bool{tagSticky: false, tagShared: true})
	if c := conds(); !c[condRestartPending] || c[condReplicaDown] {
		t.Errorf("Fix B ticked, not applied: %v", c)
	}
	do(t, l, actStart)
	if c := conds(); len(c) != 0 {
		t.Errorf("Fix B applied: %v", c)
	}
	do(t, l, actKill, "--replica", "1")
	st := l.Status(ctx)
	if !st.Conditions[condReplicaDown] || st.Conditions[condRestartPending] || st.Stage != stageSharedKill {
		t.Errorf("a replica killed: %v, stage %q", st.Conditions, st.Stage)
	}
	do(t, l, actBringBack)
	st = l.Status(ctx)
	if len(st.Conditions) != 0 || st.Stage != stageShared {
		t.Errorf("brought back: %v, stage %q", st.Conditions, st.Stage)
	}
}

// The panes' stack splits HAProxy's requests by the replica that served them: round robin
// gives each replica a part, and a killed replica's part stops.
func TestStackByReplica(t *testing.T) {
	l := newLab(t, tagShared)
	rec := run(t, l, 20, 2*time.Second, nil)
	st := l.Sample(context.Background()).Stacks
	if len(st) != 1 || len(st[0].Parts) != DefaultReplicas || len(st[0].Seconds) != stackSeconds {
		t.Fatalf("stacks %+v", st)
	}
	s := st[0]
	sums := make([]float64, len(s.Parts))
	for i, sec := range s.Seconds {
		if i > 0 && sec.At.Sub(s.Seconds[i-1].At) != time.Second {
			t.Fatalf("a gap between %v and %v", s.Seconds[i-1].At, sec.At)
		}
		for j, v := range sec.Values {
			sums[j] += v
		}
	}
	var total float64
	for j, v := range sums {
		if v == 0 {
			t.Errorf("%s served nothing under round robin", s.Parts[j])
		}
		if s.Parts[j] != "replica-"+strconv.Itoa(j+1) {
			t.Errorf("part %d is %q", j, s.Parts[j])
		}
		total += v
	}
	t.Logf("stacked by replica: %v, %.0f of the run's %d requests logged", sums, total, rec.Result.Total)
}

// HAProxy sends the first request of a client's connection to a replica on a connection of its
// own: a crash of the replica while it works on such a request cuts the only connection the
// request had, and HAProxy answers 502 (replica_crashed). The requests are held in flight by
// a lock on the posts table, then replica 2 is killed.
func TestCrashCutsAFreshRequestWith502(t *testing.T) {
	l := newLab(t, tagShared)
	ctx := context.Background()
	base := l.balancer().URL()
	resp, err := http.Post(base+"/login", "application/json", strings.NewReader(`{"user": 7}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			session = c
		}
	}
	if session == nil {
		t.Fatal("no session cookie from /login")
	}
	tx, err := l.db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "LOCK TABLE posts IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	const n = 2 * DefaultReplicas // round robin: two of them on replica 2
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
			req, _ := http.NewRequest(http.MethodGet, base+"/me/feed", nil)
			req.AddCookie(session)
			resp, err := c.Do(req)
			if err != nil {
				statuses <- -1
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	waitInFlight(t, l, n)
	do(t, l, actKill, "--replica", "2")
	tx.Rollback(ctx)
	wg.Wait()
	close(statuses)
	got := map[int]int{}
	for s := range statuses {
		got[s]++
	}
	t.Logf("requests in flight at the kill: %v", got)
	if got[http.StatusBadGateway] == 0 || got[http.StatusOK] == 0 {
		t.Errorf("statuses %v: want 502 for those on replica 2, 200 for the others", got)
	}
	if l.Sample(ctx).Telemetry.Total.ByCause[causeReplicaCrashed] == 0 {
		t.Error("HAProxy's log showed no replica_crashed")
	}
}

// waitInFlight waits (up to 5 s) until HAProxy has n requests at the replicas.
func waitInFlight(t *testing.T, l *lbLab, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		st, err := l.balancer().Stats(context.Background())
		if err == nil {
			cur := 0
			for _, sv := range st.Servers {
				cur += sv.Current
			}
			if cur >= n {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%d requests never were in flight at once", n)
}
