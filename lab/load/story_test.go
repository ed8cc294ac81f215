package load_test

import (
	"context"
	"net/http"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"scalelab/lab/feed"
	"scalelab/lab/load"
	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
	"scalelab/lab/posts"
	"scalelab/lab/singleserver"
	"scalelab/lab/telemetry"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// storyMaxConnections is the private cluster's max_connections in the lab (see
// singleserver.DefaultMaxConnections for why).
const storyMaxConnections = singleserver.DefaultMaxConnections

// testLab is the feed API on a seeded database: what `scalelab loadtest` starts.
type testLab struct {
	db  *pgxpool.Pool
	api *feed.Server
	rec *telemetry.Recorder
	url string
}

func newTestLab(t *testing.T, dbURL string, rows int, k feed.Knobs) *testLab {
	t.Helper()
	ctx := context.Background()
	db, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	if err := posts.Setup(ctx, db, rows, nil); err != nil {
		t.Fatal(err)
	}
	rec := telemetry.NewRecorder()
	api := feed.New(dbURL, k, rec)
	t.Cleanup(func() { api.Close() })
	if err := api.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	return &testLab{db: db, api: api, rec: rec, url: "http://" + api.Addr() + "/feed"}
}

// run loads the lab's /feed and explains the failures with the API's telemetry, as
// (*singleserver.Lab).LoadTest does.
func (l *testLab) run(t *testing.T, opt load.Options) *load.Result {
	t.Helper()
	ctx := context.Background()
	idx, err := posts.HasIndex(ctx, l.db)
	if err != nil {
		t.Fatal(err)
	}
	opt.URL = l.url
	l.rec.Reset()
	res, err := load.Run(ctx, opt, nil)
	if err != nil {
		t.Fatal(err)
	}
	causes := map[string]int{}
	for c, n := range l.rec.Snapshot().Total.ByCause {
		causes[string(c)] = n
	}
	res.AttributeServerCauses(causes)
	res.State = singleserver.StageOf(l.api.Knobs(), idx)
	t.Logf("%-6s %5d requests  success %5.1f%%  avg %6.1fms  p99 %6.1fms  %7.1f req/s  errors %v  unfinished %d",
		res.State, res.Total, res.SuccessRate, ms(res.Avg), ms(res.P99), res.RPS, res.Errors, res.Unfinished)
	return res
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// TestScenarioDirection is the scenario in short: the broken API loses requests to real
// connection failures, Fix 1 loses none, Fix 2 loses none either.
func TestScenarioDirection(t *testing.T) {
	mc := storyMaxConnections
	if v, _ := strconv.Atoi(os.Getenv("MAXC")); v > 0 {
		mc = v
	}
	srv := pgtest.OwnServer(t, pg.Options{MaxConnections: mc})
	l := newTestLab(t, srv.URL(), 10_000, feed.Broken())
	ctx := context.Background()
	d := 3 * time.Second
	if v, _ := time.ParseDuration(os.Getenv("DUR")); v > 0 {
		d = v
	}

	broken := l.run(t, load.Options{Concurrency: 100, Duration: d})
	if broken.State != load.StateBroken || broken.Failed == 0 {
		t.Fatalf("broken: state %q, %d of %d failed; want failures", broken.State, broken.Failed, broken.Total)
	}
	real := broken.Errors["connect_timeout"] + broken.Errors["too_many_clients"]
	if real == 0 {
		t.Fatalf("broken: failures %v, want connect timeouts or too many clients", broken.Errors)
	}
	for cause := range broken.Errors {
		switch cause {
		case "connect_timeout", "too_many_clients", "pool_acquire_timeout":
		default:
			t.Errorf("broken: unexpected cause %q in %v", cause, broken.Errors)
		}
	}

	if err := l.api.SetKnobs(ctx, feed.Fixed()); err != nil {
		t.Fatal(err)
	}
	fix1 := l.run(t, load.Options{Concurrency: 50, Duration: 3 * time.Second})
	if fix1.State != load.StateFix1 || fix1.Failed != 0 || fix1.Succeeded == 0 {
		t.Fatalf("fix1: state %q, %d of %d failed (%v); want none", fix1.State, fix1.Failed, fix1.Total, fix1.Errors)
	}

	if _, err := posts.CreateIndex(ctx, l.db); err != nil {
		t.Fatal(err)
	}
	fix2 := l.run(t, load.Options{Concurrency: 50, Duration: 3 * time.Second})
	if fix2.State != load.StateFix2 || fix2.Failed != 0 || fix2.Succeeded == 0 {
		t.Fatalf("fix2: state %q, %d of %d failed (%v); want none", fix2.State, fix2.Failed, fix2.Total, fix2.Errors)
	}
}

// TestIndexRaisesThroughput: with 100,000 posts the feed query's sequential scan and sort cost
// far more than the index scan, so the same load gets more requests through after Fix 2.
//
// On a shared machine (go test ./... runs packages side by side on 2 cores) the CPU this test
// gets drifts from one second to the next, so one run of each compared one after the other can
// measure the machine rather than the index. The runs alternate instead, without and with the
// index, in short rounds, and the medians are compared: both sides see the same drift.
func TestIndexRaisesThroughput(t *testing.T) {
	l := newTestLab(t, pgtest.NewDatabase(t), 100_000, feed.Fixed())
	ctx := context.Background()
	opt := load.Options{Concurrency: 20, Duration: time.Second}
	const rounds = 3
	var fix1, fix2 []float64
	for r := 0; r < rounds; r++ {
		if r > 0 {
			if err := posts.DropIndex(ctx, l.db); err != nil {
				t.Fatal(err)
			}
		}
		for _, want := range []string{load.StateFix1, load.StateFix2} {
			if want == load.StateFix2 {
				if _, err := posts.CreateIndex(ctx, l.db); err != nil {
					t.Fatal(err)
				}
			}
			res := l.run(t, opt)
			if res.State != want || res.Failed != 0 || res.Succeeded == 0 {
				t.Fatalf("round %d: state %q (want %q), %d of %d failed (%v)", r+1, res.State, want, res.Failed, res.Total, res.Errors)
			}
			if want == load.StateFix1 {
				fix1 = append(fix1, res.RPS)
			} else {
				fix2 = append(fix2, res.RPS)
			}
		}
	}
	m1, m2 := median(fix1), median(fix2)
	t.Logf("median of %d rounds: %.1f req/s without the index, %.1f with it (%.1fx)", rounds, m1, m2, m2/m1)
	if m2 <= m1 {
		t.Fatalf("the index did not raise throughput: median %.1f req/s before (%v), %.1f after (%v)", m1, fix1, m2, fix2)
	}
}

// median returns the middle value of xs (the mean of the two middle ones for an even count).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// TestDatabaseStopsMidRun: PostgreSQL goes away in the middle of a run. The failures are counted
// by cause, the run ends on time, and once PostgreSQL is back the API serves again.
func TestDatabaseStopsMidRun(t *testing.T) {
	srv := pgtest.OwnServer(t, pg.Options{})
	l := newTestLab(t, srv.URL(), 10_000, feed.Fixed())
	ctx := context.Background()
	stopped := make(chan error, 1)
	var once bool
	l.rec.Reset()
	res, err := load.Run(ctx, load.Options{URL: l.url, Concurrency: 20, Duration: 3 * time.Second}, func(p load.Progress) {
		if p.Elapsed >= time.Second && !once {
			once = true
			go func() { stopped <- srv.Stop(ctx) }()
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("stop PostgreSQL: %v", err)
	}
	causes := map[string]int{}
	for c, n := range l.rec.Snapshot().Total.ByCause {
		causes[string(c)] = n
	}
	res.AttributeServerCauses(causes)
	t.Logf("while PostgreSQL stopped: %d requests, %d ok, errors %v, unfinished %d", res.Total, res.Succeeded, res.Errors, res.Unfinished)
	if res.Ended != load.EndedTime || res.Succeeded == 0 || res.Failed == 0 {
		t.Fatalf("ended %q, %d ok, %d failed; want both before and after the stop", res.Ended, res.Succeeded, res.Failed)
	}
	if res.Errors["database_down"] == 0 {
		t.Fatalf("errors %v: want database_down", res.Errors)
	}

	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	waitHealthy(t, "http://"+l.api.Addr()+"/health")
	after, err := load.Run(ctx, load.Options{URL: l.url, Concurrency: 10, Requests: 200}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if after.Succeeded != after.Total || after.Total != 200 {
		t.Fatalf("after PostgreSQL came back: %d of %d ok, errors %v", after.Succeeded, after.Total, after.Errors)
	}
}

func waitHealthy(t *testing.T, url string) {
	t.Helper()
	for i := 0; i < 300; i++ {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s never became healthy", url)
}
