package feed

import (
	"context"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"scalelab/lab/posts"
	"scalelab/sql"
)

// Post is one row of the posts table, as the API sends it.
type Post struct {
	ID        int64     `json:"id"`
	UserID    int32     `json:"user_id"`
	Content   string    `json:"content"`
	CreatedAt time.Time `json:"created_at"`
}

// scanPost reads one row of id, user_id, content, created_at.
func scanPost(row pgx.CollectableRow) (Post, error) {
	var p Post
	err := row.Scan(&p.ID, &p.UserID, &p.Content, &p.CreatedAt)
	return p, err
}

// getDB returns the pool this request uses, and what to do when it is done.
// Broken: a brand-new pool per request (connect_per_request.go).
// Fix 1:  the one shared pool (connect_shared.go).
func (app *app) getDB() (*pgxpool.Pool, func(), error) {
	if app.knobs.SharedPool {
		return app.sharedDB()
	}
	return app.perRequestDB()
}

// acquire borrows a connection from the pool, waiting at most
// ConnectTimeout (150 ms broken, 2 s after Fix 1). The limit covers both
// waiting for a busy pool and opening a new connection.
func (app *app) acquire(ctx context.Context, db *pgxpool.Pool) (*pgxpool.Conn, error) {
	if app.knobs.ConnectTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, app.knobs.ConnectTimeout)
		defer cancel()
	}
	return db.Acquire(ctx)
}

// feed answers GET /feed with the 20 newest posts. The database work is
// done in newestPosts, so the connection is back in the pool before the
// answer is written: a client that reads slowly (or never) holds no
// connection.
func (app *app) feed(w http.ResponseWriter, r *http.Request) {
	posts, err := app.newestPosts(r.Context())
	if err != nil {
		app.fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, posts)
}

// newestPosts gets a connection, runs the feed query and gives the
// connection back (the deferred calls run when it returns).
func (app *app) newestPosts(ctx context.Context) ([]Post, error) {
	db, done, err := app.getDB() // broken: a new pool of 1, just for this request
	if err != nil {
		return nil, err
	}
	defer done() // broken: that pool is closed after (Fix 1: the shared pool stays)

	conn, err := app.acquire(ctx, db) // broken: opens a connection: 150 ms at most
	if err != nil {
		return nil, err
	}
	defer conn.Release() // give the connection back to the pool

	// The scenario's simulated slow query (the 500 ms sleep Fix 1 removes).
	// Like a real slow query, it keeps the connection busy the whole time.
	if err := sleep(ctx, app.knobs.SlowQuery); err != nil {
		return nil, err
	}

	// SELECT ... ORDER BY created_at DESC LIMIT 20 (sql/feed.sql): without
	// an index on created_at, PostgreSQL reads and sorts every row (Fix 2).
	rows, err := conn.Query(ctx, sql.FeedQuery)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanPost)
}

// createPost answers POST /posts {"user_id": 42, "content": "hello"} with
// the stored post (201); a bad body gets 400, 413 or 415 (json.go).
func (app *app) createPost(w http.ResponseWriter, r *http.Request) {
	in, err := readNewPost(w, r)
	if err != nil {
		badRequest(w, err)
		return
	}
	p, err := app.insertPost(r.Context(), in)
	if err != nil {
		app.fail(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, p)
}

// insertPost stores one post, on a connection got like newestPosts gets
// one.
func (app *app) insertPost(ctx context.Context, in newPost) (Post, error) {
	db, done, err := app.getDB()
	if err != nil {
		return Post{}, err
	}
	defer done()

	conn, err := app.acquire(ctx, db)
	if err != nil {
		return Post{}, err
	}
	defer conn.Release()

	var p Post
	err = conn.QueryRow(ctx, sql.InsertPost, in.UserID, in.Content).
		Scan(&p.ID, &p.UserID, &p.Content, &p.CreatedAt)
	return p, err
}

// health answers GET /health: is the database reachable? It asks through
// the lab's own monitoring connection, not through the API's pool.
func (app *app) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), time.Second)
	defer cancel()
	if err := app.monitor.Ping(ctx); err != nil {
		app.healthDown(w, err) // 503, cause database_down (classify.go)
		return
	}
	reply := map[string]any{"status": "ok", "database": "up", "preset": app.knobs.Preset()}
	// The lab's state, so a load test run from another terminal knows which
	// stage it measured.
	if index, err := posts.HasIndex(ctx, app.monitor); err == nil {
		reply["index"] = index
	}
	if rows, err := posts.Estimate(ctx, app.monitor); err == nil && rows >= 0 {
		reply["rows"] = rows
	}
	writeJSON(w, http.StatusOK, reply)
}

// sleep waits d, or less if the client goes away.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
