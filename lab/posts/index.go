package posts

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"scalelab/sql"
)

// indexMu serialises index builds and drops within this process; across
// processes, waitForBuild and the INVALID-index repair below keep it safe.
var indexMu sync.Mutex

// HasIndex reports whether Fix 2's index exists and is valid (usable by the planner).
func HasIndex(ctx context.Context, db *pgxpool.Pool) (bool, error) {
	st, err := indexState(ctx, db)
	return st == indexValid, err
}

// CreateIndex applies Fix 2: CREATE INDEX CONCURRENTLY on posts(created_at DESC),
// while the API keeps serving. It is idempotent: created is false when a valid
// index was already there. An INVALID index left by a failed or interrupted
// build is dropped and built again.
func CreateIndex(ctx context.Context, db *pgxpool.Pool) (created bool, err error) {
	indexMu.Lock()
	defer indexMu.Unlock()

	// Up to maxBuilds looks-and-builds, then one last look: the last build may have succeeded.
	const maxBuilds = 3
	for attempt := 0; ; attempt++ {
		st, err := indexState(ctx, db)
		if err != nil {
			return false, err
		}
		if st == indexValid {
			return created, nil
		}
		if attempt == maxBuilds {
			return false, fmt.Errorf("create index %s: still not valid after %d attempts: check the PostgreSQL log", sql.IndexName, maxBuilds)
		}
		if st == indexInvalid {
			// Another process may be building it right now: wait for that build.
			building, err := waitForBuild(ctx, db)
			if err != nil {
				return false, err
			}
			if building {
				continue // look again: it finished, valid or not
			}
			// A build that failed or was interrupted: drop its remains.
			if _, err := db.Exec(ctx, sql.DropIndex); err != nil {
				return false, fmt.Errorf("drop the invalid index %s left by a failed build: %w", sql.IndexName, err)
			}
		}
		// CONCURRENTLY cannot run in a transaction: Exec without arguments sends
		// it alone through the simple protocol, outside any transaction block.
		if _, err := db.Exec(ctx, sql.CreateIndex); err != nil {
			return false, fmt.Errorf("create index %s: %w", sql.IndexName, err)
		}
		created = true
	}
}

// DropIndex removes Fix 2's index (CONCURRENTLY, so the API keeps serving).
// No index is not an error.
func DropIndex(ctx context.Context, db *pgxpool.Pool) error {
	indexMu.Lock()
	defer indexMu.Unlock()
	if _, err := db.Exec(ctx, sql.DropIndex); err != nil {
		return fmt.Errorf("drop index %s: %w", sql.IndexName, err)
	}
	return nil
}

type idxState int

const (
	indexMissing idxState = iota
	indexInvalid
	indexValid
)

func indexState(ctx context.Context, db *pgxpool.Pool) (idxState, error) {
	var valid bool
	err := db.QueryRow(ctx,
		"SELECT indisvalid AND indisready FROM pg_index WHERE indexrelid = to_regclass($1)",
		sql.IndexName).Scan(&valid)
	switch {
	case err == pgx.ErrNoRows:
		return indexMissing, nil
	case err != nil:
		return indexMissing, fmt.Errorf("look for index %s: %w", sql.IndexName, err)
	case valid:
		return indexValid, nil
	default:
		return indexInvalid, nil
	}
}

// waitForBuild waits while an index build on posts is in progress (in any
// session) and says whether there was one.
func waitForBuild(ctx context.Context, db *pgxpool.Pool) (bool, error) {
	waited := false
	for {
		var n int
		err := db.QueryRow(ctx,
			"SELECT count(*) FROM pg_stat_progress_create_index WHERE relid = to_regclass('posts')").Scan(&n)
		if err != nil {
			return waited, fmt.Errorf("check for an index build in progress: %w", err)
		}
		if n == 0 {
			return waited, nil
		}
		waited = true
		select {
		case <-ctx.Done():
			return waited, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
