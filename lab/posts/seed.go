package posts

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"scalelab/sql"
)

// MaxRows is the largest data set the lab seeds.
const MaxRows = 10_000_000

// chunk is how many rows one INSERT writes; progress is reported after each.
const chunk = 200_000

// ErrTooManyRows is returned for a row count above MaxRows or below zero.
var ErrTooManyRows = errors.New("row count out of range")

// Setup creates the posts table if needed and seeds it with rows posts when it
// is empty. A table that already has rows is left alone (see Reseed).
// progress, if not nil, is called with (done, total) while seeding.
func Setup(ctx context.Context, db *pgxpool.Pool, rows int, progress func(done, total int)) error {
	if err := checkRows(rows); err != nil {
		return err
	}
	return withTableLock(ctx, db, func() error {
		if err := createTable(ctx, db); err != nil {
			return err
		}
		// Not count(*): a scan of the whole table at every start, where one row says enough.
		var seeded bool
		if err := db.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM posts)").Scan(&seeded); err != nil {
			return fmt.Errorf("look for posts: %w", err)
		}
		if seeded {
			return nil
		}
		return seed(ctx, db, 0, rows, progress)
	})
}

// CreateTable creates the posts table if it is missing, and seeds nothing.
func CreateTable(ctx context.Context, db *pgxpool.Pool) error {
	return withTableLock(ctx, db, func() error { return createTable(ctx, db) })
}

// createTable runs the schema (CREATE TABLE IF NOT EXISTS); callers hold the table lock.
func createTable(ctx context.Context, db *pgxpool.Pool) error {
	if _, err := db.Exec(ctx, sql.Schema); err != nil {
		return fmt.Errorf("create the posts table: %w", err)
	}
	return nil
}

// Reseed empties the table and seeds it again with rows posts. The index, if
// any, is kept (Reset also drops it).
func Reseed(ctx context.Context, db *pgxpool.Pool, rows int, progress func(done, total int)) error {
	if err := checkRows(rows); err != nil {
		return err
	}
	return withTableLock(ctx, db, func() error { return reseed(ctx, db, rows, progress) })
}

func reseed(ctx context.Context, db *pgxpool.Pool, rows int, progress func(done, total int)) error {
	if err := createTable(ctx, db); err != nil {
		return err
	}
	if _, err := db.Exec(ctx, sql.Truncate); err != nil {
		return fmt.Errorf("empty the posts table: %w", err)
	}
	return seed(ctx, db, 0, rows, progress)
}

// Grow adds posts until the table holds rows (nothing when it holds that many or more), in
// chunks with progress (done counts the posts in the table), after dropping the index on
// created_at when there is one: filling a table is faster without an index to keep up, and the
// grown table is measured without it first. dropped says the index was there.
func Grow(ctx context.Context, db *pgxpool.Pool, rows int, progress func(done, total int)) (dropped bool, err error) {
	if err := checkRows(rows); err != nil {
		return false, err
	}
	err = withTableLock(ctx, db, func() error {
		if err := createTable(ctx, db); err != nil {
			return err
		}
		if dropped, err = HasIndex(ctx, db); err != nil {
			return err
		}
		if err := DropIndex(ctx, db); err != nil {
			return err
		}
		n, err := Count(ctx, db)
		if err != nil || n >= rows {
			return err
		}
		return seed(ctx, db, n, rows, progress)
	})
	return dropped, err
}

// Shrink brings a table of more than rows posts back to rows freshly seeded ones (emptied and
// seeded again: deleting most rows would leave the table as large on disk, and as slow to scan,
// until a vacuum). The index, if any, is kept. shrunk is false when the table held rows or fewer.
func Shrink(ctx context.Context, db *pgxpool.Pool, rows int, progress func(done, total int)) (shrunk bool, err error) {
	if err := checkRows(rows); err != nil {
		return false, err
	}
	err = withTableLock(ctx, db, func() error {
		n, err := Count(ctx, db)
		if err != nil || n <= rows {
			return err
		}
		shrunk = true
		return reseed(ctx, db, rows, progress)
	})
	return shrunk, err
}

// Reset brings the table back to the scenario's starting state: no index on
// created_at and rows freshly seeded posts.
func Reset(ctx context.Context, db *pgxpool.Pool, rows int) error {
	return ResetProgress(ctx, db, rows, nil)
}

// ResetProgress is Reset with a progress callback for the seeding.
func ResetProgress(ctx context.Context, db *pgxpool.Pool, rows int, progress func(done, total int)) error {
	if err := checkRows(rows); err != nil {
		return err
	}
	return withTableLock(ctx, db, func() error {
		if err := DropIndex(ctx, db); err != nil {
			return err
		}
		return reseed(ctx, db, rows, progress) // creates the table if missing, under the lock
	})
}

// Count returns the exact number of posts.
func Count(ctx context.Context, db *pgxpool.Pool) (int, error) {
	var n int
	if err := db.QueryRow(ctx, "SELECT count(*) FROM posts").Scan(&n); err != nil {
		return 0, fmt.Errorf("count posts: %w", err)
	}
	return n, nil
}

// Estimate returns the planner's row estimate (cheap on huge tables; exact
// right after a seed, which runs ANALYZE). -1 if the table was never analyzed.
func Estimate(ctx context.Context, db *pgxpool.Pool) (int, error) {
	var n float64
	err := db.QueryRow(ctx, "SELECT reltuples FROM pg_class WHERE oid = 'posts'::regclass").Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("estimate posts: %w", err)
	}
	return int(n), nil
}

// smallTable is the size up to which Rows counts a table the planner knows nothing about: a scan
// of a few hundred thousand posts at most.
const smallTable = 64 << 20

// Rows returns how many posts the table holds, cheaply enough to poll while a load runs: the
// planner's estimate (exact right after a seed, which runs ANALYZE; the API's inserts show when
// autovacuum analyzes the table again), or the exact count of a table never analyzed if it is
// small. -1 for a large table never analyzed.
func Rows(ctx context.Context, db *pgxpool.Pool) (int, error) {
	n, err := Estimate(ctx, db)
	if err != nil || n >= 0 {
		return n, err
	}
	var size int64
	if err := db.QueryRow(ctx, "SELECT pg_relation_size('posts')").Scan(&size); err != nil {
		return 0, fmt.Errorf("size of posts: %w", err)
	}
	if size > smallTable {
		return -1, nil
	}
	return Count(ctx, db)
}

func checkRows(rows int) error {
	if rows < 0 || rows > MaxRows {
		return fmt.Errorf("%w: %d posts asked, the lab seeds 0 to %d: pass a smaller --rows", ErrTooManyRows, rows, MaxRows)
	}
	return nil
}

// lockKey is the advisory lock that serialises Setup, Reseed and Reset across
// sessions and processes (two scalelab processes starting on an empty table
// must not both seed it).
const lockKey = 0x5ca1e1ab

// withTableLock runs fn holding the advisory lock, taken on a connection of its
// own and released when fn returns.
func withTableLock(ctx context.Context, db *pgxpool.Pool, fn func() error) error {
	conn, err := db.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect to lock the posts table: %w", err)
	}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		conn.Release()
		return fmt.Errorf("lock the posts table for seeding: %w", err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", lockKey); err != nil {
			conn.Conn().Close(ctx) // closing the session releases the lock too
		}
		conn.Release()
	}()
	return fn()
}

// seedWorkers is how many chunks are inserted at once, on separate connections.
const seedWorkers = 2

// seed inserts posts from+1 to rows in chunks (one INSERT ... SELECT generate_series each,
// seedWorkers at a time) and refreshes the planner statistics. progress gets (posts in the
// table, rows).
func seed(ctx context.Context, db *pgxpool.Pool, from, rows int, progress func(done, total int)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	offsets := make(chan int)
	go func() {
		defer close(offsets)
		for off := from; off < rows; off += chunk {
			select {
			case offsets <- off:
			case <-ctx.Done():
				return
			}
		}
	}()
	var (
		mu       sync.Mutex
		done     = from
		firstErr error
		wg       sync.WaitGroup
	)
	for range seedWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for off := range offsets {
				n := min(chunk, rows-off)
				_, err := db.Exec(ctx, sql.Seed, n, off)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("seed posts (%d of %d done): %w", done, rows, err)
					cancel()
				}
				if err == nil {
					done += n
					if progress != nil {
						progress(done, rows)
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if _, err := db.Exec(ctx, sql.Analyze); err != nil {
		return fmt.Errorf("analyze posts: %w", err)
	}
	return nil
}
