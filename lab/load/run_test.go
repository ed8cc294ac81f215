package load

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// goroutinesSettle waits until the goroutine count is back to at most before; it fails the test
// with the stacks of what is left when that never happens.
func goroutinesSettle(t *testing.T, before int) {
	t.Helper()
	for i := 0; i < 300; i++ {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	buf := make([]byte, 1<<20)
	n := runtime.Stack(buf, true)
	t.Fatalf("goroutines left behind: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:n])
}

// newServer starts a test server that, like most real ones, closes keep-alive connections idle
// for a while. The runner closes every connection a request used; a connection that net/http
// dialed and then never handed to any request (see Run) is only closed by the server.
func newServer(h http.Handler) *httptest.Server {
	srv := httptest.NewUnstartedServer(h)
	srv.Config.IdleTimeout = 200 * time.Millisecond
	srv.Config.ReadHeaderTimeout = 200 * time.Millisecond // also for a connection that never sent a request
	srv.Start()
	return srv
}

// every4th503 answers 503 to every fourth request and 200 to the others.
func every4th503() (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := newServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1)%4 == 0 {
			http.Error(w, `{"error":"no"}`, http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(`[]`))
	}))
	return srv, &n
}

func TestCountBoundRunCountsEveryOutcome(t *testing.T) {
	srv, served := every4th503()
	defer srv.Close()
	before := runtime.NumGoroutine()
	res, err := Run(context.Background(), Options{URL: srv.URL, Concurrency: 10, Requests: 400}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if served.Load() != 400 || res.Total != 400 || res.Succeeded != 300 || res.Failed != 100 {
		t.Fatalf("served %d; total %d, succeeded %d, failed %d; want 400, 400, 300, 100", served.Load(), res.Total, res.Succeeded, res.Failed)
	}
	if res.StatusCodes[200] != 300 || res.StatusCodes[503] != 100 || res.Errors["http 503"] != 100 || len(res.Errors) != 1 {
		t.Fatalf("status %v errors %v", res.StatusCodes, res.Errors)
	}
	if res.SuccessRate != 75 || res.Ended != EndedCount || res.Unfinished != 0 {
		t.Fatalf("success rate %v ended %q unfinished %d", res.SuccessRate, res.Ended, res.Unfinished)
	}
	if res.P50 <= 0 || res.P99 < res.P50 || res.Avg <= 0 || res.RPS <= 0 || res.Slowest < res.P99 {
		t.Fatalf("latency avg %v p50 %v p99 %v slowest %v rps %v", res.Avg, res.P50, res.P99, res.Slowest, res.RPS)
	}
	if !strings.Contains(res.Summary, "Requests/sec:") || !strings.Contains(res.Summary, "[503]\t100 responses") {
		t.Fatalf("hey summary missing:\n%s", res.Summary)
	}
	goroutinesSettle(t, before)
}

// TestParseHeySummary pins the format of hey's summary that the runner reads back.
func TestParseHeySummary(t *testing.T) {
	var n atomic.Int64
	srv := newServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Millisecond) // hey prints 4 decimals of a second: make every figure visible
		if n.Add(1)%4 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	res, err := Run(context.Background(), Options{URL: srv.URL, Concurrency: 4, Requests: 200}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s, err := parseSummary(res.Summary)
	if err != nil {
		t.Fatal(err)
	}
	if s.StatusCodes[200] != 150 || s.StatusCodes[503] != 50 || len(s.Errors) != 0 {
		t.Fatalf("status %v errors %v from\n%s", s.StatusCodes, s.Errors, res.Summary)
	}
	for _, p := range []int{10, 25, 50, 75, 90, 95, 99} {
		if s.Percentiles[p] <= 0 {
			t.Fatalf("percentile %d missing from\n%s", p, res.Summary)
		}
	}
	if s.Total <= 0 || s.RPS <= 0 || s.Average <= 0 || s.Fastest <= 0 || s.Slowest < s.Fastest {
		t.Fatalf("summary fields %+v from\n%s", s, res.Summary)
	}
	if _, err := parseSummary("Something else entirely\n"); err == nil {
		t.Fatal("a text that is not hey's summary parsed without error")
	}
}

func TestDurationBoundRunEndsOnTime(t *testing.T) {
	srv, _ := every4th503()
	defer srv.Close()
	before := runtime.NumGoroutine()
	var calls int
	var last Progress
	res, err := Run(context.Background(), Options{URL: srv.URL, Concurrency: 8, Duration: time.Second},
		func(p Progress) { calls++; last = p })
	if err != nil {
		t.Fatal(err)
	}
	if res.Ended != EndedTime || res.Total == 0 || res.Succeeded == 0 {
		t.Fatalf("ended %q total %d succeeded %d", res.Ended, res.Total, res.Succeeded)
	}
	// Progress is a ticker (about 4 per second plus the final one), never one call per request.
	if calls < 2 || calls > 10 || calls >= res.Total {
		t.Fatalf("%d progress calls for %d requests in 1s", calls, res.Total)
	}
	if last.Requests != res.Total+res.Unfinished || last.Fraction() != 1 {
		t.Fatalf("final progress %+v, result total %d unfinished %d", last, res.Total, res.Unfinished)
	}
	goroutinesSettle(t, before)
}

// hanging answers only when the client goes away.
func hanging() *httptest.Server {
	return newServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
}

func TestCancelEndsTheRunAndLeavesNothing(t *testing.T) {
	srv := hanging()
	defer srv.Close()
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	res, err := Run(ctx, Options{URL: srv.URL, Concurrency: 20, Duration: time.Hour}, func(p Progress) {
		if p.Requests >= 20 {
			cancel() // every worker is now stuck inside a request
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if res == nil || res.Ended != EndedCancelled || res.Unfinished != 20 || res.Total != 0 {
		t.Fatalf("result %+v", res)
	}
	goroutinesSettle(t, before)
}

func TestInFlightRequestsAreCutShortlyAfterTheDeadline(t *testing.T) {
	srv := hanging()
	defer srv.Close()
	before := runtime.NumGoroutine()
	// The per-request timeout (20s) is far beyond the run: the runner itself must end them.
	res, err := Run(context.Background(), Options{URL: srv.URL, Concurrency: 5, Duration: 300 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Ended != EndedTime || res.Unfinished != 5 || res.Total != 0 {
		t.Fatalf("ended %q unfinished %d total %d", res.Ended, res.Unfinished, res.Total)
	}
	goroutinesSettle(t, before)
}

func TestTimeoutsAreCountedAsFailures(t *testing.T) {
	srv := hanging()
	defer srv.Close()
	res, err := Run(context.Background(), Options{URL: srv.URL, Concurrency: 3, Requests: 3, Timeout: time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 3 || res.Failed != 3 || res.Errors[CauseTimeout] != 3 || res.SuccessRate != 0 {
		t.Fatalf("total %d failed %d errors %v", res.Total, res.Failed, res.Errors)
	}
}

func TestUnreachableURLGivesErrorsNotACrash(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String() + "/feed"
	l.Close() // nothing listens there any more
	before := runtime.NumGoroutine()
	res, err := Run(context.Background(), Options{URL: url, Concurrency: 4, Duration: 300 * time.Millisecond}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total == 0 || res.Succeeded != 0 || res.Errors[CauseRefused] != res.Failed || res.Failed != res.Total {
		t.Fatalf("total %d succeeded %d errors %v", res.Total, res.Succeeded, res.Errors)
	}
	if res.P99 != 0 || res.SuccessRate != 0 {
		t.Fatalf("no response yet p99 %v success %v", res.P99, res.SuccessRate)
	}
	goroutinesSettle(t, before)
}

func TestBadOptions(t *testing.T) {
	for _, o := range []Options{
		{URL: "localhost:3000/feed"},
		{URL: "ftp://x/y"},
		{URL: "http://127.0.0.1:1/", Concurrency: -1},
		{URL: "http://127.0.0.1:1/", Concurrency: MaxConcurrency + 1},
		{URL: "http://127.0.0.1:1/", Duration: -time.Second},
		{URL: "http://127.0.0.1:1/", Requests: -5},
	} {
		if _, err := Run(context.Background(), o, nil); !errors.Is(err, ErrBadOptions) {
			t.Errorf("%+v: err = %v, want ErrBadOptions", o, err)
		}
	}
}

// hey gives each worker Requests/Concurrency requests: fewer requests than workers is refused,
// and a count that is not a multiple of the workers is rounded down before the run, so that
// the progress reaches 100% and the recorded options say what was really made.
func TestRequestsRoundedAsHeyDoes(t *testing.T) {
	if _, err := (Options{URL: "http://127.0.0.1:1/", Concurrency: 100, Requests: 7}).Normalize(); !errors.Is(err, ErrBadOptions) ||
		!strings.Contains(err.Error(), "-n must be at least -c") {
		t.Fatalf("7 requests for 100 workers: err = %v, want ErrBadOptions saying -n must be at least -c", err)
	}
	srv, served := every4th503()
	defer srv.Close()
	opt := Options{URL: srv.URL, Concurrency: 10, Requests: 405}
	norm, err := opt.Normalize()
	if err != nil || norm.Requests != 400 {
		t.Fatalf("normalized requests %d (err %v), want 400", norm.Requests, err)
	}
	var last Progress
	res, err := Run(context.Background(), opt, func(p Progress) { last = p })
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 400 || served.Load() != 400 {
		t.Fatalf("total %d served %d, want 400", res.Total, served.Load())
	}
	if last.Target != 400 || last.Requests != 400 || last.Fraction() != 1 {
		t.Fatalf("final progress %+v, want 400 of 400", last)
	}
}

// hey prints no 99th percentile for fewer than 100 responses; the runner then uses the slowest.
func TestP99OfASmallRun(t *testing.T) {
	srv, _ := every4th503()
	defer srv.Close()
	res, err := Run(context.Background(), Options{URL: srv.URL, Concurrency: 2, Requests: 20}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.P99 != res.Slowest || res.P99 == 0 && res.Slowest != 0 {
		t.Fatalf("p99 %v slowest %v", res.P99, res.Slowest)
	}
}

// TestClosedConnectionsAreNotKept: a server that closes every connection after its response
// makes each request open a new one. The runner must not keep every closed connection until the
// run ends (memory growing with the request count), only the open ones.
func TestClosedConnectionsAreNotKept(t *testing.T) {
	srv := newServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	peak := -1
	testHookConnPeak = func(p int) { peak = p }
	defer func() { testHookConnPeak = nil }()
	before := runtime.NumGoroutine()
	res, err := Run(context.Background(), Options{URL: srv.URL, Concurrency: 4, Requests: 2000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Total != 2000 || res.Succeeded != 2000 {
		t.Fatalf("total %d succeeded %d errors %v", res.Total, res.Succeeded, res.Errors)
	}
	// 4 workers have at most 4 connections in use and 4 being closed; the set sweeps at 64.
	if peak < 0 || peak > 128 {
		t.Fatalf("the run held up to %d connections for 4 workers and 2000 one-request connections", peak)
	}
	goroutinesSettle(t, before)
}
