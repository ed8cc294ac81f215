package feed_test

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"scalelab/lab/feed"
	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
	"scalelab/lab/posts"
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
	_, with := start(b, url, feed.Fixed(), telemetry.NewRecorder())
	hammer(b, without+"/feed", 50, 500*time.Millisecond) // warm up both
	hammer(b, with+"/feed", 50, 500*time.Millisecond)

	// Many short pairs in alternating order, and the median of the pairs'
	// ratios: other work on the machine hits both sides of a pair alike.
	const pairs, d = 30, 300 * time.Millisecond
	var ratios []float64
	var nOff, nOn int
	for i := 0; i < b.N; i++ {
		for r := 0; r < pairs; r++ {
			var off, on int
			if r%2 == 0 {
				_, off = hammer(b, without+"/feed", 50, d)
				_, on = hammer(b, with+"/feed", 50, d)
			} else {
				_, on = hammer(b, with+"/feed", 50, d)
				_, off = hammer(b, without+"/feed", 50, d)
			}
			nOff += off
			nOn += on
			ratios = append(ratios, float64(on)/float64(max(off, 1)))
		}
	}
	sort.Float64s(ratios)
	secs := float64(len(ratios)) * d.Seconds()
	b.ReportMetric(float64(nOff)/secs, "req/s-without")
	b.ReportMetric(float64(nOn)/secs, "req/s-with")
	b.ReportMetric(ratios[len(ratios)/2], "ratio-with/without(median)")
}

// BenchmarkPresetsUnderLoad runs 100 concurrent clients against each preset on
// a private cluster with PostgreSQL's default max_connections, and reports the
// share of requests that succeeded and the throughput.
func BenchmarkPresetsUnderLoad(b *testing.B) {
	srv := pgtest.OwnServer(b, pg.Options{})
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
