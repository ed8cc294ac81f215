package posts_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"scalelab/lab/posts"
	"scalelab/sql"
)

func TestSetupSeedsOnceAndCounts(t *testing.T) {
	db := newPool(t)
	ctx := context.Background()
	var calls, last int
	if err := posts.Setup(ctx, db, 450_000, func(done, total int) {
		calls++
		last = done
		if total != 450_000 {
			t.Errorf("progress total = %d, want 450000", total)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if calls != 3 || last != 450_000 {
		t.Errorf("progress called %d times ending at %d, want 3 calls ending at 450000", calls, last)
	}
	n, err := posts.Count(ctx, db)
	if err != nil || n != 450_000 {
		t.Fatalf("Count = %d, %v; want 450000", n, err)
	}
	// A second Setup keeps the data.
	if err := posts.Setup(ctx, db, 10, nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := posts.Count(ctx, db); n != 450_000 {
		t.Errorf("Setup on a seeded table changed the count to %d", n)
	}
	// The posts are spread over the past year.
	var span float64
	if err := db.QueryRow(ctx, "SELECT extract(epoch FROM max(created_at) - min(created_at)) / 86400 FROM posts").Scan(&span); err != nil {
		t.Fatal(err)
	}
	if span < 300 || span > 366 {
		t.Errorf("posts span %.0f days, want about a year", span)
	}
	if est, err := posts.Estimate(ctx, db); err != nil || est < 400_000 {
		t.Errorf("Estimate = %d, %v after ANALYZE", est, err)
	}
}

func TestRowsOutOfRange(t *testing.T) {
	db := newPool(t)
	for _, n := range []int{-1, posts.MaxRows + 1} {
		err := posts.Setup(context.Background(), db, n, nil)
		if !errors.Is(err, posts.ErrTooManyRows) {
			t.Errorf("Setup(%d) = %v, want ErrTooManyRows", n, err)
		}
	}
}

func TestIndexExplainReset(t *testing.T) {
	db := newPool(t)
	ctx := context.Background()
	if err := posts.Setup(ctx, db, 20_000, nil); err != nil {
		t.Fatal(err)
	}
	plan, err := posts.Explain(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.SeqScan || plan.IndexScan {
		t.Errorf("before the fix the plan should be a Seq Scan:\n%s", plan.Text)
	}
	if !strings.Contains(plan.Verdict(), "Seq Scan") || plan.Execution <= 0 {
		t.Errorf("verdict %q, execution %v", plan.Verdict(), plan.Execution)
	}
	if ok, err := posts.HasIndex(ctx, db); ok || err != nil {
		t.Fatalf("HasIndex before = %v, %v", ok, err)
	}

	created, err := posts.CreateIndex(ctx, db)
	if err != nil || !created {
		t.Fatalf("CreateIndex = %v, %v; want created", created, err)
	}
	created, err = posts.CreateIndex(ctx, db)
	if err != nil || created {
		t.Fatalf("second CreateIndex = %v, %v; want found (not created)", created, err)
	}
	if ok, err := posts.HasIndex(ctx, db); !ok || err != nil {
		t.Fatalf("HasIndex after = %v, %v", ok, err)
	}
	plan, err = posts.Explain(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.IndexScan || plan.SeqScan {
		t.Errorf("after the fix the plan should be an Index Scan:\n%s", plan.Text)
	}

	// Reset: index gone, data reseeded with the new count.
	if err := posts.Reset(ctx, db, 5_000); err != nil {
		t.Fatal(err)
	}
	if ok, _ := posts.HasIndex(ctx, db); ok {
		t.Error("index still there after Reset")
	}
	if n, _ := posts.Count(ctx, db); n != 5_000 {
		t.Errorf("Count after Reset = %d, want 5000", n)
	}
	var maxID int64
	db.QueryRow(ctx, "SELECT max(id) FROM posts").Scan(&maxID)
	if maxID != 5_000 {
		t.Errorf("ids not restarted: max id %d", maxID)
	}
}

// An interrupted CREATE INDEX CONCURRENTLY leaves an INVALID index behind;
// CreateIndex must notice, drop it and build a valid one.
func TestCreateIndexRepairsInvalidIndex(t *testing.T) {
	db := newPool(t)
	ctx := context.Background()
	if err := posts.Setup(ctx, db, 1_000, nil); err != nil {
		t.Fatal(err)
	}
	// Make a real failed build: a unique index over duplicate user_ids fails
	// CONCURRENTLY and stays behind INVALID, under the index's name.
	_, err := db.Exec(ctx, "CREATE UNIQUE INDEX CONCURRENTLY "+sql.IndexName+" ON posts ((user_id % 2))")
	if err == nil {
		t.Fatal("the unique build over duplicates should fail")
	}
	var valid bool
	if err := db.QueryRow(ctx, "SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)", sql.IndexName).Scan(&valid); err != nil || valid {
		t.Fatalf("expected an INVALID leftover index: valid=%v err=%v", valid, err)
	}
	if ok, _ := posts.HasIndex(ctx, db); ok {
		t.Fatal("HasIndex must not count an INVALID index")
	}
	created, err := posts.CreateIndex(ctx, db)
	if err != nil || !created {
		t.Fatalf("CreateIndex over an invalid index = %v, %v", created, err)
	}
	plan, err := posts.Explain(ctx, db)
	if err != nil || !plan.IndexScan {
		t.Fatalf("plan after repair (err %v):\n%s", err, plan.Text)
	}
}

func TestDropIndexWithoutIndex(t *testing.T) {
	db := newPool(t)
	ctx := context.Background()
	if err := posts.Setup(ctx, db, 10, nil); err != nil {
		t.Fatal(err)
	}
	if err := posts.DropIndex(ctx, db); err != nil {
		t.Fatal(err)
	}
}

// Two setups at once on an empty table (two scalelab processes starting
// together) seed it once.
func TestConcurrentSetupSeedsOnce(t *testing.T) {
	db := newPool(t)
	other := newPoolOn(t, db.Config().ConnString())
	ctx := context.Background()
	errs := make(chan error, 2)
	for _, p := range []*pgxpool.Pool{db, other} {
		go func() { errs <- posts.Setup(ctx, p, 300_000, nil) }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := posts.Count(ctx, db); n != 300_000 {
		t.Errorf("%d posts after two concurrent setups, want 300000", n)
	}
}

// Rows is what the lab polls: the estimate after a seed, a count of a small table never analyzed.
func TestRows(t *testing.T) {
	db := newPool(t)
	ctx := context.Background()
	if _, err := db.Exec(ctx, sql.Schema); err != nil {
		t.Fatal(err)
	}
	if n, err := posts.Rows(ctx, db); err != nil || n != 0 {
		t.Fatalf("Rows of a new table = %d, %v", n, err)
	}
	// Fewer rows than autovacuum waits for before it analyzes: the table stays unanalyzed.
	if _, err := db.Exec(ctx, "INSERT INTO posts (user_id, content) SELECT g, 'hello' FROM generate_series(1, 7) g"); err != nil {
		t.Fatal(err)
	}
	if est, _ := posts.Estimate(ctx, db); est != -1 {
		t.Skipf("the table was analyzed meanwhile (estimate %d)", est)
	}
	if n, err := posts.Rows(ctx, db); err != nil || n != 7 {
		t.Fatalf("Rows of a table never analyzed = %d, %v; want 7", n, err)
	}
	if err := posts.Reseed(ctx, db, 3_000, nil); err != nil {
		t.Fatal(err)
	}
	if n, err := posts.Rows(ctx, db); err != nil || n != 3_000 {
		t.Fatalf("Rows after a seed = %d, %v; want 3000", n, err)
	}
}

// Reset on a database without the table creates it (under the seeding lock) and seeds it.
func TestResetCreatesTheTable(t *testing.T) {
	db := newPool(t)
	ctx := context.Background()
	if err := posts.Reset(ctx, db, 250); err != nil {
		t.Fatal(err)
	}
	if n, err := posts.Count(ctx, db); err != nil || n != 250 {
		t.Fatalf("Count after Reset of a missing table = %d, %v", n, err)
	}
}

func TestGrowAndShrink(t *testing.T) {
	db := newPool(t)
	ctx := context.Background()
	if err := posts.Setup(ctx, db, 1_000, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := posts.CreateIndex(ctx, db); err != nil {
		t.Fatal(err)
	}
	var progress [][2]int
	dropped, err := posts.Grow(ctx, db, 250_000, func(done, total int) { progress = append(progress, [2]int{done, total}) })
	if err != nil || !dropped {
		t.Fatalf("Grow = %v, %v; want the index dropped", dropped, err)
	}
	// From the 1,000 there: chunks of 200,000 at most, counted from the posts in the table.
	if len(progress) != 2 || progress[len(progress)-1] != [2]int{250_000, 250_000} || progress[0][0] <= 1_000 {
		t.Errorf("progress %v", progress)
	}
	if n, _ := posts.Count(ctx, db); n != 250_000 {
		t.Errorf("grown to %d posts", n)
	}
	if has, _ := posts.HasIndex(ctx, db); has {
		t.Error("the index survived the grow")
	}
	if n, _ := posts.Rows(ctx, db); n != 250_000 {
		t.Errorf("the planner's estimate after the grow is %d (no ANALYZE?)", n)
	}
	if dropped, err := posts.Grow(ctx, db, 2_000, nil); err != nil || dropped {
		t.Errorf("Grow to fewer posts = %v, %v", dropped, err)
	}
	if n, _ := posts.Count(ctx, db); n != 250_000 {
		t.Errorf("a grow to fewer posts changed the table to %d", n)
	}
	if _, err := posts.CreateIndex(ctx, db); err != nil {
		t.Fatal(err)
	}
	if shrunk, err := posts.Shrink(ctx, db, 3_000, nil); err != nil || !shrunk {
		t.Fatalf("Shrink = %v, %v", shrunk, err)
	}
	if n, _ := posts.Count(ctx, db); n != 3_000 {
		t.Errorf("shrunk to %d posts", n)
	}
	if has, _ := posts.HasIndex(ctx, db); !has {
		t.Error("Shrink dropped the index")
	}
	if shrunk, err := posts.Shrink(ctx, db, 5_000, nil); err != nil || shrunk {
		t.Errorf("Shrink of a smaller table = %v, %v", shrunk, err)
	}
	if _, err := posts.Grow(ctx, db, posts.MaxRows+1, nil); !errors.Is(err, posts.ErrTooManyRows) {
		t.Errorf("Grow past MaxRows: %v", err)
	}
}
