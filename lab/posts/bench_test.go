package posts_test

import (
	"context"
	"testing"
	"time"

	"scalelab/lab/posts"
)

// BenchmarkSeed1M seeds 1,000,000 posts (target: under 20 s on 2 cores) and
// compares it with a reference measured in the same run: a bare
// INSERT ... SELECT generate_series of 1,000,000 integers into a temp table.
func BenchmarkSeed1M(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := newPool(b)
		conn, err := db.Acquire(ctx)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		_, err = conn.Exec(ctx, "CREATE TEMP TABLE ref (n int); INSERT INTO ref SELECT generate_series(1, 1000000)")
		ref := time.Since(start)
		conn.Release()
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start = time.Now()
		if err := posts.Setup(ctx, db, 1_000_000, nil); err != nil {
			b.Fatal(err)
		}
		seed := time.Since(start)
		b.StopTimer()
		if n, _ := posts.Count(ctx, db); n != 1_000_000 {
			b.Fatalf("seeded %d posts", n)
		}
		b.ReportMetric(seed.Seconds(), "s-seed-1M")
		b.ReportMetric(ref.Seconds(), "s-ref-insert-1M-ints")
		b.ReportMetric(seed.Seconds()/ref.Seconds(), "ratio-seed/ref")
		db.Close()
	}
}

// BenchmarkGrow1M grows a table of 10,000 posts to 1,000,000 (the lab's grow-table; target:
// under 10 s on 2 cores).
func BenchmarkGrow1M(b *testing.B) {
	ctx := context.Background()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := newPool(b)
		if err := posts.Setup(ctx, db, 10_000, nil); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if _, err := posts.Grow(ctx, db, 1_000_000, nil); err != nil {
			b.Fatal(err)
		}
		grow := time.Since(start)
		b.StopTimer()
		if n, _ := posts.Count(ctx, db); n != 1_000_000 {
			b.Fatalf("grown to %d posts", n)
		}
		b.ReportMetric(grow.Seconds(), "s-grow-10k-1M")
		db.Close()
	}
}
