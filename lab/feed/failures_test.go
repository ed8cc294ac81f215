package feed_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"scalelab/lab/feed"
	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
	"scalelab/lab/telemetry"
)

func wantCause(t *testing.T, r reply, status int, cause telemetry.Cause) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if m := r.errBody(t); m["cause"] != string(cause) {
		t.Fatalf("cause %q, want %q: %s", m["cause"], cause, r.Body)
	}
	if got := r.Header.Get("X-Scalelab-Cause"); got != string(cause) {
		t.Errorf("X-Scalelab-Cause %q, want %q", got, cause)
	}
	noDriverText(t, r)
}

// noDriverText fails when an error body carries the driver's text: a client
// learns the cause, not the user, database, address or SQL behind it.
func noDriverText(t *testing.T, r reply) {
	t.Helper()
	if _, ok := r.errBody(t)["detail"]; ok {
		t.Errorf("error body has a detail: %s", r.Body)
	}
	for _, leak := range []string{"SQLSTATE", "user=", "database=", "dial", "failed to connect", "127.0.0.1:", "FATAL", "SELECT", "INSERT"} {
		if strings.Contains(string(r.Body), leak) {
			t.Errorf("error body shows the driver's text (%q): %s", leak, r.Body)
		}
	}
}

func TestConnectTimeout(t *testing.T) {
	k := feed.Broken()
	k.ConnectTimeout = time.Microsecond // no connection opens that fast
	k.SlowQuery = 0
	rec := telemetry.NewRecorder()
	s, base := start(t, seeded(t, 10), k, rec)
	wantCause(t, get(t, base+"/feed"), 503, telemetry.ConnectTimeout)
	if n := rec.Snapshot().Total.ByCause[telemetry.ConnectTimeout]; n != 1 {
		t.Errorf("telemetry counted %d connect timeouts", n)
	}
	if st := s.Stats(context.Background()); st.LivePools != 0 {
		t.Errorf("the failed request's pool was not closed: %+v", st)
	}
}

// Leaked per-request pools (ClosePerRequest off) keep their connections until
// PostgreSQL refuses new ones: SQLSTATE 53300, too_many_clients. Switching the
// knobs closes the leaked pools and the API recovers.
func TestLeakRunsOutOfConnections(t *testing.T) {
	srv := pgtest.OwnServer(t, pg.Options{MaxConnections: 12})
	seedURL(t, srv.URL(), 50)
	k := feed.Broken()
	k.ClosePerRequest = false
	k.SlowQuery = 0
	k.ConnectTimeout = 5 * time.Second
	rec := telemetry.NewRecorder()
	s, base := start(t, srv.URL(), k, rec)

	ok := 0
	var last reply
	for i := 0; i < 20; i++ {
		last = get(t, base+"/feed")
		if last.Status != 200 {
			break
		}
		ok++
	}
	wantCause(t, last, 503, telemetry.TooManyClients)
	if ok < 5 {
		t.Errorf("only %d requests before running out", ok)
	}
	st := s.Stats(context.Background())
	if st.LivePools != ok+1 || st.APIBackends != ok {
		t.Errorf("after %d leaked requests: live pools %d, API backends %d", ok, st.LivePools, st.APIBackends)
	}

	if err := s.SetKnobs(context.Background(), feed.Fixed()); err != nil {
		t.Fatal(err)
	}
	checkFeed(t, get(t, base+"/feed"))
	if st := s.Stats(context.Background()); st.LivePools != 1 {
		t.Errorf("after SetKnobs(Fixed): live pools %d (leaked pools not closed?)", st.LivePools)
	}
	// Backends exit a moment after their client hangs up.
	eventually(t, "the leaked connections' backends exit", func() bool {
		return s.Stats(context.Background()).APIBackends == 1
	})
}

func TestPoolAcquireTimeout(t *testing.T) {
	k := feed.Fixed()
	k.MaxConns = 1
	k.ConnectTimeout = time.Second
	k.SlowQuery = 5 * time.Second
	s, base := start(t, seeded(t, 30), feed.Fixed(), nil)
	if err := s.SetKnobs(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	if s.Knobs() != k || s.Knobs().Preset() != "custom" {
		t.Fatalf("knobs %+v", s.Knobs())
	}
	first := make(chan reply)
	go func() { first <- get(t, base+"/feed") }()
	eventually(t, "the first request holds the only connection", func() bool {
		return s.Stats(context.Background()).Pool.Acquired == 1
	})
	wantCause(t, get(t, base+"/feed"), 503, telemetry.PoolAcquireTimeout)
	checkFeed(t, <-first)
	if st := s.Stats(context.Background()); st.Pool.CanceledAcquire != 1 {
		t.Errorf("canceled acquires %d, want 1", st.Pool.CanceledAcquire)
	}
}

// With PostgreSQL stopped, /feed and /health answer 503 database_down; when it
// is back, both recover by themselves.
func TestDatabaseDownAndBack(t *testing.T) {
	srv := pgtest.OwnServer(t, pg.Options{})
	seedURL(t, srv.URL(), 100)
	rec := telemetry.NewRecorder()
	s, base := start(t, srv.URL(), feed.Fixed(), rec)
	checkFeed(t, get(t, base+"/feed"))
	ctx := context.Background()

	if err := srv.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	for _, k := range []feed.Knobs{feed.Fixed(), feed.Broken()} {
		if err := s.SetKnobs(ctx, k); err != nil {
			t.Fatal(err)
		}
		// The shared pool may first hand out its dead connection: that
		// request fails too, as database_down, and the pool drops it.
		for i := 0; i < 2; i++ {
			wantCause(t, get(t, base+"/feed"), 503, telemetry.DatabaseDown)
		}
	}
	down := rec.Snapshot().Total.ByCause[telemetry.DatabaseDown]
	wantCause(t, get(t, base+"/health"), 503, telemetry.DatabaseDown)
	if n := rec.Snapshot().Total.ByCause[telemetry.DatabaseDown]; n != down+1 {
		t.Errorf("telemetry: /health down counted %d times as database_down", n-down)
	}
	if st := s.Stats(ctx); st.DBErr == "" || st.Backends != -1 {
		t.Errorf("stats with the database down: %+v", st)
	}

	if err := s.SetKnobs(ctx, feed.Fixed()); err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	eventually(t, "/feed recovers", func() bool { return get(t, base+"/feed").Status == 200 })
	eventually(t, "/health recovers", func() bool { return get(t, base+"/health").Status == 200 })
	checkFeed(t, get(t, base+"/feed"))
}

// Switching knobs while requests run loses none of them to the switch itself:
// in-flight requests finish on the old pools, new ones use the new knobs.
func TestSetKnobsUnderLoad(t *testing.T) {
	rec := telemetry.NewRecorder()
	s, base := start(t, seeded(t, 500), feed.Fixed(), rec)
	broken := feed.Broken()
	broken.SlowQuery = 20 * time.Millisecond
	broken.ConnectTimeout = 5 * time.Second // failures here would come from the switch, not from load

	var stop atomic.Bool
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				r := get(t, base+"/feed")
				mu.Lock()
				statuses[r.Status]++
				mu.Unlock()
				if r.Status != 200 {
					t.Errorf("during switches: %d %s", r.Status, r.Body)
				}
			}
		}()
	}
	ctx := context.Background()
	for i := 0; i < 6; i++ {
		k := broken
		if i%2 == 1 {
			k = feed.Fixed()
			k.MaxConns = int32(4 + i)
		}
		time.Sleep(150 * time.Millisecond)
		if err := s.SetKnobs(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(150 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	if statuses[200] < 50 {
		t.Errorf("too few requests ran: %v", statuses)
	}
	if st := s.Stats(ctx); st.LivePools != 1 || st.Pool.MaxConns != 9 {
		t.Errorf("after the switches: %+v", st)
	}
	eventually(t, "only the last shared pool's backends remain", func() bool {
		return s.Stats(ctx).APIBackends <= 9
	})
	if snap := rec.Snapshot(); snap.Total.Failed != 0 {
		t.Errorf("telemetry saw failures: %v", snap.Total.ByCause)
	}
}

// While broken requests are in flight, each holds a pool of its own with one
// connection: the live panes see them in Stats, and they are gone after.
func TestStatsWhileBrokenRequestsRun(t *testing.T) {
	k := feed.Broken()
	k.SlowQuery = 3 * time.Second
	k.ConnectTimeout = 5 * time.Second
	s, base := start(t, seeded(t, 50), k, nil)
	ctx := context.Background()
	done := make(chan reply, 3)
	for range 3 {
		go func() { done <- get(t, base+"/feed") }()
	}
	eventually(t, "three per-request pools with a connection each", func() bool {
		st := s.Stats(ctx)
		return st.LivePools == 3 && st.Pool.Acquired == 3 && st.Pool.MaxConns == 3 && st.APIBackends == 3
	})
	for range 3 {
		checkFeed(t, <-done)
	}
	st := s.Stats(ctx)
	if st.LivePools != 0 || st.Pool.Total != 0 || st.PoolsCreated != 3 || st.Pool.AcquireCount != 3 {
		t.Errorf("after the requests: %+v", st)
	}
}
