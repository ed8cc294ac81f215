package singleserver

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"scalelab/lab"
	"scalelab/lab/load"
)

// background runs a load test in the background; the channel gives its record.
func background(t *testing.T, l lab.Lab, opt load.Options) <-chan *load.Record {
	t.Helper()
	done := make(chan *load.Record, 1)
	go func() {
		rec, err := l.LoadTest(context.Background(), nil, opt, nil)
		if err != nil {
			t.Errorf("load test: %v", err)
		}
		done <- rec
	}()
	return done
}

// waitFor polls cond every 20 ms for at most 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); !cond(); {
		if time.Now().After(end) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func getFeed(addr string) (int, error) {
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get("http://" + addr + "/feed")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// kill-db under load: the requests fail because the database is down, the run is an outage
// run, the cluster stays down (no supervisor brings it back) until bring-back, which recovers.
func TestKillDBUnderLoad(t *testing.T) {
	l := privateLab(t, lab.Config{Applied: []string{"preset:fixed"}})
	eng := l.(*single).engine()
	if st := status(l); len(st.Conditions) != 0 {
		t.Errorf("conditions on the private cluster: %v", st.Conditions)
	}
	run := background(t, l, load.Options{Concurrency: 10, Duration: 4 * time.Second})
	waitFor(t, "requests served before the kill", func() bool { return l.Sample(context.Background()).Telemetry.Total.OK > 20 })
	if out := do(t, l, "kill-db"); !strings.HasPrefix(out.Summary, "PostgreSQL killed (SIGKILL of the postmaster)") {
		t.Errorf("kill-db: %+v", out)
	}
	st := status(l)
	if st.Up || st.Err != "PostgreSQL killed: B brings it back" || st.Stage != lab.StageOutage {
		t.Errorf("status after kill-db: %+v", st)
	}
	rec := <-run
	if rec.State != lab.StageOutage || rec.Result.Succeeded == 0 || rec.Result.Errors[string("database_down")] == 0 {
		t.Errorf("run across the kill: state %s, ok %d, errors %v", rec.State, rec.Result.Succeeded, rec.Result.Errors)
	}
	if s := l.Sample(context.Background()); len(s.Groups) != 2 || s.Groups[1].Err == "" || !strings.Contains(s.CauseHelp["database_down"], "killed") {
		t.Errorf("panes with PostgreSQL down: %+v, %v", s.Groups, s.CauseHelp)
	}

	// Still down: the supervisor leaves a deliberate kill alone. A run now fails whole.
	rec, err := l.LoadTest(context.Background(), nil, load.Options{Concurrency: 2, Requests: 10}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != lab.StageOutage || rec.Result.Failed != rec.Result.Total || !status(l).Conditions["run-while-down"] {
		t.Errorf("run while down: state %s, %+v; conditions %v", rec.State, rec.Result, status(l).Conditions)
	}
	if in := eng.PG().Info(); in.Running || !in.Stopped {
		t.Errorf("PostgreSQL came back by itself: %+v", in)
	}
	if _, err := do2(l, "reset"); err == nil || !strings.Contains(err.Error(), "bring it back") {
		t.Errorf("reset while PostgreSQL is down: %v", err)
	}

	if out := do(t, l, "bring-back"); !strings.Contains(out.Summary, "PostgreSQL") {
		t.Errorf("bring-back: %+v", out)
	}
	if st := status(l); !st.Up || st.Stage != "fix1" {
		t.Errorf("status after bring-back: %+v", st)
	}
	rec, err = l.LoadTest(context.Background(), nil, load.Options{Concurrency: 4, Requests: 40}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != "fix1" || rec.Result.Failed != 0 {
		t.Errorf("run after bring-back: state %s, %+v", rec.State, rec.Result)
	}
	if status(l).Conditions["run-while-down"] {
		t.Error("run-while-down still holds after a run on the lab brought back")
	}
}

// kill-api: a request in flight gets a connection error (no answer at all), the port closes,
// and bring-back serves again on the same port with the same knobs.
func TestKillAPIDropsRequestsInFlight(t *testing.T) {
	// Fix 1 but the 500 ms slow query: a request stays in flight for half a second.
	l := newLab(t, lab.Config{Applied: []string{"shared-pool", "pool-size", "no-close"}})
	eng := l.(*single).engine()
	addr := status(l).Addr
	type answer struct {
		code int
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		code, err := getFeed(addr)
		got <- answer{code, err}
	}()
	waitFor(t, "a request in flight", func() bool {
		p, _ := eng.Feed().PoolStats()
		return p.Acquired > 0
	})
	if out := do(t, l, "kill-api"); !strings.HasPrefix(out.Summary, "API killed") {
		t.Errorf("kill-api: %+v", out)
	}
	a := <-got
	if a.err == nil {
		t.Errorf("the request in flight got an answer (%d), not a dropped connection", a.code)
	}
	if c, err := net.DialTimeout("tcp", addr, 2*time.Second); err == nil {
		c.Close()
		t.Error("the killed API's port still accepts connections")
	}
	st := status(l)
	if st.Up || st.Err != "API killed: B brings it back" || st.Addr != "" || !strings.Contains(st.Line, "killed: B brings it back") {
		t.Errorf("status after kill-api: %+v", st)
	}
	if s := l.Sample(context.Background()); len(s.Groups) == 0 || s.Groups[0].Err == "" || !strings.Contains(s.CauseHelp[load.CauseRefused], "killed") {
		t.Errorf("panes with the API killed: %+v, %v", s.Groups, s.CauseHelp)
	}
	rec, err := l.LoadTest(context.Background(), nil, load.Options{Concurrency: 2, Requests: 10}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec.State != lab.StageOutage || rec.Result.Errors[load.CauseRefused] == 0 {
		t.Errorf("run against the killed API: state %s, errors %v", rec.State, rec.Result.Errors)
	}
	if out := do(t, l, "bring-back"); out.Summary != "brought back: the API; the feed answers again" {
		t.Errorf("bring-back: %+v", out)
	}
	if code, err := getFeed(addr); err != nil || code != 200 {
		t.Errorf("GET /feed after bring-back: %d, %v", code, err)
	}
	if st := status(l); !st.Up || st.Addr != addr || st.Stage != lab.StageCustom {
		t.Errorf("status after bring-back: %+v (was on %s)", st, addr)
	}
	if out := do(t, l, "bring-back"); !strings.HasPrefix(out.Summary, "nothing to bring back") {
		t.Errorf("second bring-back: %+v", out)
	}
}

// A start brings a killed API back too, with the ticked fixes.
func TestStartAfterKillAPI(t *testing.T) {
	l := newLab(t, lab.Config{})
	do(t, l, "kill-api")
	l.SetTasks(map[string]bool{"shared-pool": true, "pool-size": true, "no-close": true, "no-delay": true})
	do(t, l, "start")
	st := status(l)
	if !st.Up || st.Stage != "fix1" {
		t.Fatalf("after kill-api and start: %+v", st)
	}
	if code, err := getFeed(st.Addr); err != nil || code != 200 {
		t.Errorf("GET /feed: %d, %v", code, err)
	}
}

// grow-table grows the posts to 1,000,000 with progress lines, dropping the index first; the
// 1M stages follow the index; shrink-table goes back to the lab's rows.
func TestGrowAndShrink(t *testing.T) {
	l := newLab(t, lab.Config{Applied: []string{"preset:fixed"}})
	do(t, l, "apply-fix")
	a, _ := lab.FindAction(l, "grow-table")
	var lines []string
	out, err := a.Do(context.Background(), lab.Request{Progress: func(line string) { lines = append(lines, line) }})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.Summary, "posts grown to 1,000,000 in ") || !strings.Contains(out.Summary, "the index was dropped first") {
		t.Errorf("grow-table: %+v", out)
	}
	if len(lines) < 2 || lines[len(lines)-1] != "grown to 1,000,000 of 1,000,000 posts" {
		t.Errorf("progress lines %q", lines)
	}
	st := status(l)
	if st.Stage != "big-noindex" || !strings.Contains(st.Line, "1,000,000 rows") || !strings.Contains(st.Line, "no index") {
		t.Errorf("after grow-table: %+v", st)
	}
	out = do(t, l, "explain-query")
	if out.Plan == nil || out.Plan.Kind != "Seq Scan" || out.Plan.Rows != 1_000_000 {
		t.Errorf("explain at 1M rows: %+v", out.Plan)
	}
	small := load.Options{Concurrency: 2, Requests: 6}
	if rec, err := l.LoadTest(context.Background(), nil, small, nil); err != nil || rec.State != "big-noindex" {
		t.Errorf("run at 1M rows without the index: %+v, %v", rec, err)
	}
	do(t, l, "apply-fix")
	if st := status(l); st.Stage != "big-index" {
		t.Errorf("1M rows with the index: %+v", st)
	}
	if rec, err := l.LoadTest(context.Background(), nil, small, nil); err != nil || rec.State != "big-index" || rec.Rows != 1_000_000 {
		t.Errorf("run at 1M rows with the index: %+v, %v", rec, err)
	}
	if out := do(t, l, "grow-table"); !strings.Contains(out.Summary, "the index was dropped first") {
		t.Errorf("grow-table at 1M with the index: %+v", out)
	}
	do(t, l, "apply-fix")
	if out := do(t, l, "shrink-table"); out.Summary != "posts back to 2,000 (the index kept as it was)" {
		t.Errorf("shrink-table: %+v", out)
	}
	if st := status(l); st.Stage != "fix2" || !strings.Contains(st.Line, "2,000 rows") {
		t.Errorf("after shrink-table: %+v", st)
	}
	if _, err := do2(l, "shrink-table"); err != nil {
		t.Errorf("shrink-table of a small table: %v", err)
	}
}
