// Package sql holds the lab's SQL as embedded files: the posts schema, the seed,
// Fix 2 (the index on created_at) and its undo, the feed query and its EXPLAIN.
//
// The files are the source of truth: the learner reads them in the workshop, and
// lab/posts and lab/feed run exactly these strings. Each file holds one statement,
// because CREATE INDEX CONCURRENTLY cannot run in a multi-statement string.
package sql

import (
	"embed"
	"strings"
)

// Files holds every .sql file of this package (for the workshop's code view).
//
//go:embed *.sql
var Files embed.FS

var (
	Schema      = mustRead("schema.sql")       // CREATE TABLE IF NOT EXISTS posts
	Seed        = mustRead("seed.sql")         // $1 rows after an offset of $2 rows
	Analyze     = mustRead("analyze.sql")      // ANALYZE posts
	Truncate    = mustRead("truncate.sql")     // TRUNCATE posts RESTART IDENTITY
	CreateIndex = mustRead("create_index.sql") // Fix 2, CONCURRENTLY, IF NOT EXISTS
	DropIndex   = mustRead("drop_index.sql")   // DROP INDEX CONCURRENTLY IF EXISTS
	FeedQuery   = mustRead("feed.sql")         // the 20 newest posts
	InsertPost  = mustRead("insert_post.sql")  // $1 user_id, $2 content; RETURNING the row
	ExplainFeed = mustRead("explain.sql")      // EXPLAIN (ANALYZE, BUFFERS) of FeedQuery
)

// IndexName is the name create_index.sql gives the index.
const IndexName = "posts_created_at_idx"

func mustRead(name string) string {
	b, err := Files.ReadFile(name)
	if err != nil {
		panic("sql: " + err.Error())
	}
	return strings.TrimSpace(string(b))
}
