package singleserver

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
)

// BenchmarkBigTable is the slow query for real: the posts grown from 10,000 to 1,000,000
// (grow-table), then Fix 1 (no simulated delay) under 50 users for 5 s without the index and
// again with it, through the real API, with EXPLAIN ANALYZE of the feed query at each. Targets:
// the grow takes under 10 s, and the index serves at least 20 times the requests per second.
func BenchmarkBigTable(b *testing.B) {
	srv := pgtest.OwnServer(b, pg.Options{MaxConnections: DefaultMaxConnections})
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		l, err := lab.New(lab.Default, lab.Config{DBURL: srv.DatabaseURL(pg.Database), Addr: "127.0.0.1:0", Rows: DefaultRows, Reseed: true})
		if err != nil {
			b.Fatal(err)
		}
		if err := l.Start(ctx); err != nil {
			b.Fatal(err)
		}
		act := func(name string) lab.Outcome {
			a, _ := lab.FindAction(l, name)
			out, err := a.Do(ctx, lab.Request{Progress: func(string) {}})
			if err != nil {
				b.Fatalf("%s: %v", name, err)
			}
			return out
		}
		act("reset") // 10,000 posts, no index
		act("start") // no Fix 1 tasks: the fixed preset
		start := time.Now()
		act("grow-table")
		grow := time.Since(start)
		run := func(want string) (*load.Record, lab.Plan) {
			plan := act("explain-query").Plan
			rec, err := l.LoadTest(ctx, nil, load.Options{Concurrency: 50, Duration: 5 * time.Second}, nil)
			if err != nil {
				b.Fatal(err)
			}
			if rec.State != want {
				b.Fatalf("run filed as %s, want %s", rec.State, want)
			}
			return rec, *plan
		}
		seq, seqPlan := run("big-noindex")
		act("apply-fix")
		idx, idxPlan := run("big-index")
		act("shrink-table")
		l.Close()

		okRPS := func(r *load.Result) float64 { return float64(r.Succeeded) / r.Elapsed.Seconds() }
		fmt.Printf("\n1,000,000 posts, Fix 1 (shared pool of 10, no simulated delay), 50 users for 5 s; grown from 10,000 in %.2f s\n", grow.Seconds())
		fmt.Printf("  %-24s %-11s %12s %9s %9s %10s %10s  %s\n", "Run", "Plan", "EXPLAIN", "Success", "p99", "Req/sec", "OK/sec", "Errors")
		for _, r := range []struct {
			rec  *load.Record
			plan lab.Plan
		}{{seq, seqPlan}, {idx, idxPlan}} {
			res := r.rec.Result
			fmt.Printf("  %-24s %-11s %10.3fms %8.1f%% %7.1fms %10.1f %10.1f  %v\n", lab.StageTitle(l.Stages(), r.rec.State), r.plan.Kind,
				msOf(r.plan.Execution), res.SuccessRate, msOf(res.P99), res.RPS, okRPS(res), res.Errors)
		}
		ratio := okRPS(idx.Result) / okRPS(seq.Result)
		fmt.Printf("  with / without the index, successful requests per second: %.1fx\n\n", ratio)
		b.ReportMetric(grow.Seconds(), "s-grow-10k-1M")
		b.ReportMetric(okRPS(seq.Result), "noindex_ok_rps")
		b.ReportMetric(okRPS(idx.Result), "index_ok_rps")
		b.ReportMetric(ratio, "index/noindex_rps")
		b.ReportMetric(msOf(seqPlan.Execution), "ms-explain-seqscan")
		b.ReportMetric(msOf(idxPlan.Execution), "ms-explain-indexscan")
		if grow > 10*time.Second || ratio < 20 || !strings.Contains(idxPlan.Kind, "Index") {
			b.Errorf("targets missed: grow %v (target < 10 s), ratio %.1fx (target >= 20x)", grow, ratio)
		}
	}
}
