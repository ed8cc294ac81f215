package feed_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"sort"
	"sync"
	"syscall"
	"testing"
	"time"

	"scalelab/lab/feed"
	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
	"scalelab/lab/posts"
	"scalelab/lab/singleserver"
	"scalelab/lab/telemetry"

	"github.com/jackc/pgx/v5/pgxpool"
)

// hammer sends GET url from workers goroutines for d and returns the number of
// 200 answers and of all answers.
func hammer(b *testing.B, url string, workers int, d time.Duration) (ok, total int) {
	tr := &http.Transport{MaxIdleConnsPerHost: workers, MaxConnsPerHost: workers}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var mu sync.Mutex
	var wg sync.WaitGroup
	deadline := time.Now().Add(d)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			o, n := 0, 0
			for time.Now().Before(deadline) {
				resp, err := c.Get(url)
				n++
				if err == nil {
					if resp.StatusCode == 200 {
						o++
					}
					drain(resp)
				}
			}
			mu.Lock()
			ok += o
			total += n
			mu.Unlock()
		}()
	}
	wg.Wait()
	return ok, total
}

func drain(resp *http.Response) {
	var buf [4096]byte
	for {
		if _, err := resp.Body.Read(buf[:]); err != nil {
			break
		}
	}
	resp.Body.Close()
}

// BenchmarkTelemetryOverhead compares the fixed API's throughput (with the
// index, so the API is as fast as it gets and telemetry weighs the most)
// without a recorder and with one, in alternating rounds. Target: ratio >= 0.98.
func BenchmarkTelemetryOverhead(b *testing.B) {
	url := pgtest.NewDatabase(b)
	db, err := pgxpool.New(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	if err := posts.Setup(context.Background(), db, 10_000, nil); err != nil {
		b.Fatal(err)
	}
	if _, err := posts.CreateIndex(context.Background(), db); err != nil {
		b.Fatal(err)
	}
	db.Close()
	_, without := start(b, url, feed.Fixed(), nil)
	_, with := start(b, url, feed.Fixed(), aaRec())
	hammer(b, without+"/feed", 50, 500*time.Millisecond) // warm up both
	hammer(b, with+"/feed", 50, 500*time.Millisecond)

	// Many short pairs in alternating order, and the median of the pairs'
	// ratios: other work on the machine hits both sides of a pair alike.
	// Beside requests/s, the process's CPU time per request (API + client,
	// PostgreSQL excluded) is less sensitive to what else the machine runs.
	const pairs, d = 20, 300 * time.Millisecond
	var ratios []float64
	var nOff, nOn int
	var cpuOff, cpuOn time.Duration
	measure := func(url string) (int, time.Duration) {
		c0 := cpuTime()
		_, n := hammer(b, url+"/feed", 50, d)
		return n, cpuTime() - c0
	}
	for i := 0; i < b.N; i++ {
		for r := 0; r < pairs; r++ {
			var off, on int
			var cOff, cOn time.Duration
			if r%2 == 0 {
				off, cOff = measure(without)
				on, cOn = measure(with)
			} else {
				on, cOn = measure(with)
				off, cOff = measure(without)
			}
			nOff, nOn, cpuOff, cpuOn = nOff+off, nOn+on, cpuOff+cOff, cpuOn+cOn
			ratios = append(ratios, float64(on)/float64(max(off, 1)))
		}
	}
	sort.Float64s(ratios)
	secs := float64(len(ratios)) * d.Seconds()
	b.ReportMetric(float64(nOff)/secs, "req/s-without")
	b.ReportMetric(float64(nOn)/secs, "req/s-with")
	b.ReportMetric(ratios[len(ratios)/2], "ratio-req/s-with/without(median)")
	usOff := float64(cpuOff.Microseconds()) / float64(max(nOff, 1))
	usOn := float64(cpuOn.Microseconds()) / float64(max(nOn, 1))
	b.ReportMetric(usOff, "cpu-µs/req-without")
	b.ReportMetric(usOn, "cpu-µs/req-with")
	b.ReportMetric(usOff/usOn, "ratio-cpu-without/with")

	// Both servers loaded at the same time, 50 clients each: whatever else the
	// machine does hits both alike at every instant, and the one that costs
	// more CPU per request gets the smaller share of the requests.
	var together []float64
	for i := 0; i < b.N; i++ {
		for r := 0; r < 10; r++ {
			var off, on int
			var wg sync.WaitGroup
			wg.Add(2)
			go func() { defer wg.Done(); _, off = hammer(b, without+"/feed", 50, 600*time.Millisecond) }()
			go func() { defer wg.Done(); _, on = hammer(b, with+"/feed", 50, 600*time.Millisecond) }()
			wg.Wait()
			together = append(together, float64(on)/float64(max(off, 1)))
		}
	}
	sort.Float64s(together)
	b.ReportMetric(together[len(together)/2], "ratio-req/s-with/without(simultaneous,median)")

	// What Observe itself costs, against the CPU a request costs: the
	// overhead telemetry adds, free of the machine's noise.
	rec := telemetry.NewRecorder()
	const calls = 1_000_000
	start := time.Now()
	for i := range calls {
		rec.Observe("/feed", 200, telemetry.OK, time.Duration(i%5000)*time.Microsecond)
	}
	nsObserve := float64(time.Since(start).Nanoseconds()) / calls
	b.ReportMetric(nsObserve, "ns/observe")
	b.ReportMetric(nsObserve/(usOff*1000), "observe/request-cpu")
}

// cpuTime is the CPU time (user + system) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkPresetsUnderLoad runs 100 concurrent clients against each preset on
// a private cluster with the lab's max_connections, and reports the share of
// requests that succeeded, the throughput, p99 and the failures by cause.
func BenchmarkPresetsUnderLoad(b *testing.B) {
	srv := pgtest.OwnServer(b, pg.Options{MaxConnections: singleserver.DefaultMaxConnections})
	db, err := pgxpool.New(context.Background(), srv.URL())
	if err != nil {
		b.Fatal(err)
	}
	if err := posts.Reset(context.Background(), db, 10_000); err != nil {
		b.Fatal(err)
	}
	rec := telemetry.NewRecorder()
	s, base := start(b, srv.URL(), feed.Broken(), rec)
	for i := 0; i < b.N; i++ {
		for _, step := range []string{"broken", "fixed", "index"} {
			rec.Reset()
			switch step {
			case "fixed":
				s.SetKnobs(context.Background(), feed.Fixed())
			case "index":
				posts.CreateIndex(context.Background(), db)
			}
			ok, total := hammer(b, base+"/feed", 100, 5*time.Second)
			b.ReportMetric(100*float64(ok)/float64(max(total, 1)), "%ok-"+step)
			b.ReportMetric(float64(total)/5, "req/s-"+step)
			snap := rec.Snapshot()
			b.ReportMetric(float64(snap.Total.P99.Milliseconds()), "p99-ms-"+step)
			for cause, n := range snap.Total.ByCause {
				b.ReportMetric(float64(n), string(cause)+"-"+step)
			}
		}
	}
	db.Close()
}

// aaRec is the recorder of the "with" server; SCALELAB_BENCH_AA=1 makes it nil
// too, an A/A run that shows how noisy the machine is.
func aaRec() *telemetry.Recorder {
	if os.Getenv("SCALELAB_BENCH_AA") != "" {
		return nil
	}
	return telemetry.NewRecorder()
}

// BenchmarkFeedWithClientsThatNeverRead measures GET /feed for 10 ordinary
// clients on the fixed API, first alone (the reference), then while 10 other
// clients ask for the feed and never read it; each answer is about 1 MB, more
// than the sockets can buffer. Reported: both success rates and the ratio of
// throughput with the non-readers to without. Target: ok-pct-stuck >= 99.
func BenchmarkFeedWithClientsThatNeverRead(b *testing.B) {
	url := pgtest.NewDatabase(b)
	seedURL(b, url, 1000)
	bigFeed(b, url, 50_000)
	_, base := start(b, url, feed.Fixed(), nil)
	const d = 2 * time.Second
	for range b.N {
		okRef, nRef := hammer(b, base+"/feed", 10, d)
		var stuck []io.Closer
		for range 10 {
			stuck = append(stuck, nonReader(b, base[len("http://"):], pipelined))
		}
		ok, n := hammer(b, base+"/feed", 10, d)
		for _, c := range stuck {
			c.Close()
		}
		b.ReportMetric(100*float64(okRef)/float64(max(nRef, 1)), "ok-pct-alone")
		b.ReportMetric(100*float64(ok)/float64(max(n, 1)), "ok-pct-stuck")
		b.ReportMetric(float64(ok)/float64(max(okRef, 1)), "throughput-ratio")
	}
}
