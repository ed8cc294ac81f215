package pg_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
)

func TestOpenPingQuery(t *testing.T) {
	srv := pgtest.OwnServer(t, pg.Options{})
	in := srv.Info()
	if in.External || !in.Started || !in.Running || in.PID == 0 || in.Port == 0 {
		t.Fatalf("Info = %+v, want a private cluster started and running here", in)
	}
	want := fmt.Sprintf("postgres://%s:xxxxx@127.0.0.1:%d/feedapp?sslmode=disable", pg.AppUser, in.Port)
	if pg.Redact(srv.URL()) != want {
		t.Fatalf("URL = %q, want %q", pg.Redact(srv.URL()), want)
	}
	if err := srv.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := queryInt(t, srv.URL(), "SELECT 40 + 2"); got != 42 {
		t.Fatalf("SELECT 40 + 2 = %d", got)
	}
	if got := queryInt(t, srv.URL(), "SELECT current_setting('max_connections')::int"); got != pg.DefaultMaxConnections {
		t.Fatalf("max_connections = %d, want %d", got, pg.DefaultMaxConnections)
	}
	// Password auth like a real deployment: a wrong password is refused.
	bad := fmt.Sprintf("postgres://%s:wrong@127.0.0.1:%d/feedapp?sslmode=disable", pg.AppUser, in.Port)
	if conn, err := connect(context.Background(), bad); err == nil {
		conn.Close(context.Background())
		t.Fatal("a wrong password was accepted")
	}
	if in.Version == "" || in.BinDir == "" {
		t.Fatalf("Info lacks version or bin dir: %+v", in)
	}
}

func TestMaxConnectionsOption(t *testing.T) {
	srv := pgtest.OwnServer(t, pg.Options{MaxConnections: 37})
	if got := queryInt(t, srv.URL(), "SELECT current_setting('max_connections')::int"); got != 37 {
		t.Fatalf("max_connections = %d, want 37", got)
	}
	if srv.Info().MaxConnections != 37 {
		t.Fatalf("Info().MaxConnections = %d", srv.Info().MaxConnections)
	}
}

func TestWarmRestartKeepsDataAndPort(t *testing.T) {
	dir := clusterDir(t)
	srv := open(t, pg.Options{DataDir: dir})
	first := srv.Info()
	mustExec(t, srv.URL(), "CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)")
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if pg.IsPostmaster(first.PID) {
		t.Fatalf("postmaster %d still runs after Close", first.PID)
	}
	srv = open(t, pg.Options{DataDir: dir})
	in := srv.Info()
	if !in.Started || in.DataDir != first.DataDir {
		t.Fatalf("second Open: %+v, first: %+v", in, first)
	}
	if in.Port != first.Port {
		t.Errorf("port changed across restarts: %d then %d (the last port should be reused when free)", first.Port, in.Port)
	}
	if got := queryInt(t, srv.URL(), "SELECT n FROM kept"); got != 7 {
		t.Fatalf("kept row = %d", got)
	}
}

func TestCloseIsIdempotentAndFinal(t *testing.T) {
	srv := pgtest.OwnServer(t, pg.Options{})
	pid := srv.Info().PID
	for i := 0; i < 3; i++ {
		if err := srv.Close(); err != nil {
			t.Fatalf("Close #%d: %v", i+1, err)
		}
	}
	if pg.IsPostmaster(pid) {
		t.Fatal("postmaster runs after Close returned")
	}
	if err := srv.Start(context.Background()); !errors.Is(err, pg.ErrClosed) {
		t.Fatalf("Start after Close = %v, want ErrClosed", err)
	}
	if srv.Info().Running {
		t.Fatal("Info says running after Close")
	}
}

func TestStopStartSamePort(t *testing.T) {
	srv := pgtest.OwnServer(t, pg.Options{})
	mustExec(t, srv.URL(), "CREATE TABLE t (n int); INSERT INTO t VALUES (1)")
	before := srv.Info()
	ctx := context.Background()
	// Mid-load: a client in a long query must not hold the shutdown up.
	busy, err := connect(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close(ctx)
	queryErr := make(chan error, 1)
	go func() { _, err := busy.Exec(ctx, "SELECT pg_sleep(600)"); queryErr <- err }()
	if err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-queryErr; err == nil {
		t.Fatal("a query survived the server stopping")
	}
	if srv.Info().Running || pg.IsPostmaster(before.PID) {
		t.Fatal("still running after Stop")
	}
	if err := srv.Ping(ctx); err == nil {
		t.Fatal("ping succeeded while stopped")
	}
	if err := srv.Stop(ctx); err != nil { // stopping a stopped server is fine
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	after := srv.Info()
	if after.Port != before.Port || srv.URL() != before.URL {
		t.Fatalf("port %d -> %d after Stop/Start", before.Port, after.Port)
	}
	if !after.Running || !after.Started || after.PID == before.PID {
		t.Fatalf("after Start: %+v", after)
	}
	if got := queryInt(t, srv.URL(), "SELECT count(*) FROM t"); got != 1 {
		t.Fatalf("rows after restart = %d", got)
	}
}

// A second Open of the same data dir while the cluster runs attaches; its Close leaves the
// cluster to the one who started it.
func TestSecondOpenInProcessAttaches(t *testing.T) {
	dir := clusterDir(t)
	first := open(t, pg.Options{DataDir: dir})
	second := open(t, pg.Options{DataDir: dir, MaxConnections: 5}) // ignored: it attaches
	in := second.Info()
	if in.MaxConnections != pg.DefaultMaxConnections {
		t.Errorf("attached Info().MaxConnections = %d, want the running server's %d", in.MaxConnections, pg.DefaultMaxConnections)
	}
	if in.Started || in.PID != first.Info().PID || second.URL() != first.URL() {
		t.Fatalf("second Open: %+v, want attached to pid %d", in, first.Info().PID)
	}
	if err := second.Close(); err != nil {
		t.Fatal(err)
	}
	if err := first.Ping(context.Background()); err != nil {
		t.Fatalf("the attached Server's Close stopped the cluster: %v", err)
	}
}

func TestSecondProcessAttaches(t *testing.T) {
	dir := clusterDir(t)
	srv := open(t, pg.Options{DataDir: dir})
	cmd, in := helper(t, "attach", dir)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v", err)
	}
	if in.Started || in.PID != srv.Info().PID || in.Port != srv.Info().Port {
		t.Fatalf("other process: %+v, want attached to pid %d port %d", in, srv.Info().PID, srv.Info().Port)
	}
	if err := srv.Ping(context.Background()); err != nil {
		t.Fatalf("the other process's Close stopped our cluster: %v", err)
	}
}

// Many Opens at once on a fresh dir: one initdb, one postmaster, everybody gets it.
func TestConcurrentOpens(t *testing.T) {
	dir := clusterDir(t)
	const n = 4
	srvs := make([]*pg.Server, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			srvs[i], errs[i] = pg.Open(context.Background(), pg.Options{DataDir: dir})
		}()
	}
	wg.Wait()
	started, pids := 0, map[int]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Open #%d: %v", i, errs[i])
		}
		defer srvs[i].Close()
		in := srvs[i].Info()
		pids[in.PID] = true
		if in.Started {
			started++
		}
	}
	if started != 1 || len(pids) != 1 {
		t.Fatalf("%d Servers started a cluster, %d distinct postmasters; want 1 and 1", started, len(pids))
	}
}

// The Pdeathsig gotcha: the signal follows the OS thread that forked postgres. Open from a
// goroutine locked to a thread that then exits (the runtime kills such a thread) must not take
// the cluster down.
func TestCallerThreadExitDoesNotStopPostgres(t *testing.T) {
	dir := clusterDir(t)
	res := make(chan *pg.Server, 1)
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with this goroutine
		srv, err := pg.Open(context.Background(), pg.Options{DataDir: dir})
		if err != nil {
			errc <- err
			return
		}
		res <- srv
	}()
	var srv *pg.Server
	select {
	case err := <-errc:
		t.Fatal(err)
	case srv = <-res:
	}
	defer srv.Close()
	// The thread is gone by now or soon; a postmaster signalled then would be shutting down.
	time.Sleep(500 * time.Millisecond)
	if err := srv.Ping(context.Background()); err != nil || !srv.Info().Running {
		t.Fatalf("postgres stopped after the opening thread exited: %v", err)
	}
}

// The process that started the cluster goes; the attached one takes over (its supervisor, or
// Start if called first).
func TestAttachedTakesOverWithStart(t *testing.T) {
	dir := clusterDir(t)
	first := open(t, pg.Options{DataDir: dir})
	second := open(t, pg.Options{DataDir: dir})
	port := first.Info().Port
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	if err := second.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	in := second.Info()
	if !in.Started || !in.Running || in.Port != port {
		t.Fatalf("after takeover: %+v (port was %d)", in, port)
	}
}

// Start must reuse the port; when another program took it meanwhile, it says so (after a bounded
// wait) instead of moving the URL under the lab's feet.
func TestStartWhenPortTaken(t *testing.T) {
	defer pg.SetFixedPortWait(300 * time.Millisecond)()
	srv := pgtest.OwnServer(t, pg.Options{})
	port := srv.Info().Port
	ctx := context.Background()
	if err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatalf("could not take the port: %v", err)
	}
	err = srv.Start(ctx)
	l.Close()
	if !errors.Is(err, pg.ErrStartFailed) || !strings.Contains(err.Error(), "taken") {
		t.Fatalf("Start with the port taken = %v", err)
	}
	if err := srv.Start(ctx); err != nil { // free again
		t.Fatal(err)
	}
	if srv.Info().Port != port {
		t.Fatalf("port %d -> %d", port, srv.Info().Port)
	}
}

// Several scalelab processes starting at once on a fresh data dir: one runs initdb and postgres,
// the others wait for the lock and attach to it.
func TestConcurrentProcesses(t *testing.T) {
	dir := clusterDir(t)
	const n = 3
	infos := make(chan pg.Info, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, in, err := startHelper(t, "hold", dir)
			if err != nil {
				errs <- err
				return
			}
			infos <- in
		}()
	}
	wg.Wait()
	close(infos)
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	started, pids := 0, map[int]bool{}
	for in := range infos {
		pids[in.PID] = true
		if in.Started {
			started++
		}
	}
	if started != 1 || len(pids) != 1 {
		t.Fatalf("%d processes started a cluster, %d distinct postmasters; want 1 and 1", started, len(pids))
	}
}
