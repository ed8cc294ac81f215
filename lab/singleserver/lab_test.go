package singleserver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"scalelab/lab/feed"
	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// feedStatus GETs /feed, retrying connect timeouts: the broken preset's 150 ms
// to connect is tight on a busy machine.
func feedStatus(t *testing.T, l *Lab) int {
	t.Helper()
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + l.Feed().Addr() + "/feed")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.Header.Get("X-Scalelab-Cause") != "connect_timeout" || i == 20 {
			return resp.StatusCode
		}
	}
}

func TestLabThroughTheScenario(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	ctx := context.Background()
	var logs []string
	l, err := Start(ctx, Config{
		DBURL: pgtest.NewDatabase(t), Rows: 2_000,
		Logf: func(f string, a ...any) { logs = append(logs, f) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	st := l.State(ctx)
	if !st.PGUp || st.Stage != StageBroken || st.Preset != "broken" || st.Index || st.Rows != 2_000 || st.APIAddr == "" {
		t.Fatalf("initial state %+v", st)
	}
	if len(logs) == 0 {
		t.Error("no progress lines")
	}
	if got := feedStatus(t, l); got != 200 {
		t.Fatalf("GET /feed = %d", got)
	}

	// Fix 1.
	if err := l.SetKnobs(ctx, feed.Fixed()); err != nil {
		t.Fatal(err)
	}
	if st := l.State(ctx); st.Stage != StageFix1 || st.Preset != "fixed" {
		t.Fatalf("after Fix 1: %+v", st)
	}
	plan, err := l.Explain(ctx)
	if err != nil || !plan.SeqScan {
		t.Fatalf("plan before Fix 2 (%v):\n%s", err, plan.Text)
	}
	// Fix 2.
	if created, err := l.ApplyIndex(ctx); err != nil || !created {
		t.Fatalf("ApplyIndex = %v, %v", created, err)
	}
	if created, err := l.ApplyIndex(ctx); err != nil || created {
		t.Fatalf("second ApplyIndex = %v, %v", created, err)
	}
	if st := l.State(ctx); st.Stage != StageFix2 || !st.Index {
		t.Fatalf("after Fix 2: %+v", st)
	}
	if plan, err := l.Explain(ctx); err != nil || !plan.IndexScan {
		t.Fatalf("plan after Fix 2 (%v):\n%s", err, plan.Text)
	}
	if got := feedStatus(t, l); got != 200 {
		t.Fatalf("GET /feed = %d", got)
	}
	if l.Recorder().Snapshot().Total.OK != 2 {
		t.Errorf("telemetry: %+v", l.Recorder().Snapshot().Total)
	}

	// Back to the start.
	if err := l.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if st := l.State(ctx); st.Stage != StageBroken || st.Index || st.Rows != 2_000 {
		t.Fatalf("after Reset: %+v", st)
	}
	if n := l.Recorder().Snapshot().Total.Requests; n != 0 {
		t.Errorf("telemetry not restarted: %d requests", n)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestReseedOnlyWhenAsked(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	start := func(cfg Config) State {
		t.Helper()
		cfg.DBURL, cfg.NoAPI = url, true
		l, err := Start(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		if l.Feed() != nil {
			t.Error("NoAPI lab has a feed API")
		}
		if err := l.SetKnobs(ctx, feed.Fixed()); !errors.Is(err, ErrNoAPI) {
			t.Errorf("SetKnobs without API = %v", err)
		}
		return l.State(ctx)
	}
	if st := start(Config{Rows: 300}); st.Rows != 300 {
		t.Fatalf("rows %d", st.Rows)
	}
	if st := start(Config{Rows: 500}); st.Rows != 300 {
		t.Fatalf("a seeded table was reseeded without Reseed: %d rows", st.Rows)
	}
	if st := start(Config{Rows: 500, Reseed: true}); st.Rows != 500 {
		t.Fatalf("Reseed: %d rows", st.Rows)
	}
}

func TestStartFailsCleanly(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	// A busy address: Start fails with the advice, and leaves nothing behind.
	l1, err := Start(ctx, Config{DBURL: url, Rows: 10, Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer l1.Close()
	_, err = Start(ctx, Config{DBURL: url, Rows: 10, Addr: l1.Feed().Addr()})
	if !errors.Is(err, feed.ErrAddrInUse) || !strings.Contains(err.Error(), "--addr") {
		t.Fatalf("Start on a busy address = %v", err)
	}
	bad := feed.Fixed()
	bad.MaxConns = 0
	if _, err := Start(ctx, Config{DBURL: url, Knobs: bad}); !errors.Is(err, feed.ErrBadKnobs) {
		t.Fatalf("Start with bad knobs = %v", err)
	}
}

// The default path: a private cluster the lab starts, and stops on Close.
func TestPrivateCluster(t *testing.T) {
	if os.Getenv("SCALELAB_TEST_DATABASE_URL") != "" || os.Getenv("DATABASE_URL") != "" {
		t.Skip("tests use an external server")
	}
	dir := clusterDir(t)
	t.Setenv("SCALELAB_HOME", dir)
	ctx := context.Background()
	l, err := Start(ctx, Config{DataDir: filepath.Join(dir, "pg"), Rows: 100})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	st := l.State(ctx)
	if !st.PGUp || st.PG.External || !st.PG.Started || st.Rows != 100 {
		t.Fatalf("state %+v", st)
	}
	if strings.Contains(st.PG.URL, ":postgres@") {
		t.Errorf("State shows the password: %s", st.PG.URL)
	}
	if got := feedStatus(t, l); got != 200 {
		t.Fatalf("GET /feed = %d", got)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := l.PG().Ping(ctx); err == nil {
		t.Error("PostgreSQL still answers after Close")
	}
}

// When the leaking API has used up max_connections, the lab's own actions
// (explain, apply-fix, state) still work, on the connections it keeps open.
func TestLabWorksWhenTheAPIExhaustsConnections(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	ctx := context.Background()
	srv := pgtest.OwnServer(t, pg.Options{MaxConnections: 12})
	leak := feed.Broken()
	leak.ClosePerRequest, leak.SlowQuery, leak.ConnectTimeout = false, 0, 5*time.Second
	l, err := Start(ctx, Config{DBURL: srv.URL(), Rows: 1_000, Knobs: leak})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	exhausted := false
	for i := 0; i < 20 && !exhausted; i++ {
		resp, err := http.Get("http://" + l.Feed().Addr() + "/feed")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		exhausted = resp.Header.Get("X-Scalelab-Cause") == "too_many_clients"
	}
	if !exhausted {
		t.Fatal("the leaking API never ran out of connections")
	}
	if st := l.State(ctx); !st.PGUp || st.Rows != 1_000 {
		t.Fatalf("state with connections exhausted: %+v", st)
	}
	if plan, err := l.Explain(ctx); err != nil || !plan.SeqScan {
		t.Fatalf("explain with connections exhausted: %v", err)
	}
	if _, err := l.ApplyIndex(ctx); err != nil {
		t.Fatalf("apply-fix with connections exhausted: %v", err)
	}
	if err := l.SetKnobs(ctx, feed.Fixed()); err != nil {
		t.Fatal(err)
	}
	if got := feedStatus(t, l); got != 200 {
		t.Fatalf("GET /feed after Fix 1 = %d", got)
	}
}

// A lab attached to the private cluster another process started takes it over when that
// process stops it (it exits): its PostgreSQL supervisor starts it again instead of leaving
// "DB down" for ever, and State, which changes nothing, sees it back.
func TestLabTakesOverWhenTheOwnerStops(t *testing.T) {
	if os.Getenv("SCALELAB_TEST_DATABASE_URL") != "" || os.Getenv("DATABASE_URL") != "" {
		t.Skip("tests use an external server")
	}
	dir := clusterDir(t)
	t.Setenv("SCALELAB_HOME", dir)
	ctx := context.Background()
	cfg := Config{DataDir: filepath.Join(dir, "pg"), Rows: 100, NoAPI: true}
	owner, err := Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	attached, err := Start(ctx, cfg) // as a second scalelab process would
	if err != nil {
		t.Fatal(err)
	}
	defer attached.Close()
	if in := attached.PG().Info(); in.Started || !owner.PG().Info().Started {
		t.Fatalf("the second lab did not attach: %+v", in)
	}
	if err := owner.Close(); err != nil {
		t.Fatal(err)
	}
	if err := attached.PG().Ping(ctx); err == nil {
		t.Fatal("PostgreSQL still answers after its owner closed")
	}
	var st State
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if st = attached.State(ctx); st.PGUp && st.PG.Started {
			break
		}
	}
	if !st.PGUp || !st.PG.Started || st.Rows != 100 {
		t.Fatalf("state after the owner stopped: %+v", st)
	}
}

// State has no side effect: a PostgreSQL stopped on purpose stays stopped however often the
// lab's state is read, until Start.
func TestStateDoesNotRestartPostgres(t *testing.T) {
	if pgtest.ExternalURL() != "" {
		t.Skip("tests use an external server")
	}
	dir := clusterDir(t)
	ctx := context.Background()
	l, err := Start(ctx, Config{DataDir: filepath.Join(dir, "pg"), Rows: 100, NoAPI: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.PG().Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if st := l.State(ctx); st.PGUp || st.PG.Running || !st.PG.Stopped {
			t.Fatalf("State #%d after a deliberate Stop: %+v", i, st)
		}
	}
	if err := l.PG().Start(ctx); err != nil {
		t.Fatal(err)
	}
	var st State
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if st = l.State(ctx); st.PGUp {
			break
		}
	}
	if !st.PGUp || st.Rows != 100 {
		t.Fatalf("after Start: %+v", st)
	}
}

// kill -9 of the private postmaster under a running lab (what `scalelab serve` runs): /feed
// answers 200 again within seconds, by the supervisor alone. The figure is logged.
func TestFeedBackAfterPostmasterKill(t *testing.T) {
	if pgtest.ExternalURL() != "" {
		t.Skip("tests use an external server")
	}
	dir := clusterDir(t)
	ctx := context.Background()
	l, err := Start(ctx, Config{DataDir: filepath.Join(dir, "pg"), Rows: 500, Knobs: feed.Fixed()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	get := func() int {
		resp, err := http.Get(l.FeedURL())
		if err != nil {
			return 0
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(); got != 200 {
		t.Fatalf("GET /feed = %d before the kill", got)
	}
	pid := l.PG().Info().PID
	t0 := time.Now()
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Once the old postmaster is reaped, a 200 can only come from the new one.
	for syscall.Kill(pid, 0) == nil {
		if time.Since(t0) > time.Minute {
			t.Fatal("the killed postmaster is still there")
		}
		time.Sleep(time.Millisecond)
	}
	for get() != 200 {
		if time.Since(t0) > time.Minute {
			t.Fatal("/feed not back a minute after kill -9 of PostgreSQL")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("kill -9 of the postmaster to the next 200 from /feed: %.2f s", time.Since(t0).Seconds())
}

// NoSeed (what `scalelab reset` starts with) creates the table without seeding it, so a Reset
// right after seeds an empty database once, not twice.
func TestNoSeedThenReset(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	ctx := context.Background()
	var logs []string
	l, err := Start(ctx, Config{
		DBURL: pgtest.NewDatabase(t), Rows: 400, NoAPI: true, NoSeed: true, Reseed: true,
		Logf: func(f string, a ...any) { logs = append(logs, fmt.Sprintf(f, a...)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if st := l.State(ctx); !st.PGUp || st.Rows != 0 {
		t.Fatalf("NoSeed start: %+v", st)
	}
	if err := l.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	if st := l.State(ctx); st.Rows != 400 {
		t.Fatalf("after Reset: %d rows", st.Rows)
	}
	seeds := 0
	for _, line := range logs {
		if strings.Contains(line, "seeding 400 posts") {
			seeds++
		}
	}
	if seeds != 1 {
		t.Errorf("seeded %d times, want once:\n%s", seeds, strings.Join(logs, "\n"))
	}
}

// clusterDir is a temporary directory for a private cluster of a test's own, which the
// unprivileged user PostgreSQL runs as (when the tests run as root) can reach, removed at the end.
func clusterDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "scalelab-labtest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
