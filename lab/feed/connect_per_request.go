package feed

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// getDbConnection is called on EVERY request (the broken preset) and builds
// a brand-new pool for that one request: at most 1 connection, and 150 ms
// to open it.
//
// The new pool has no connection yet: the request that borrows from it has
// to open one (TCP, then password authentication, then a PostgreSQL backend
// process) and gets only ConnectTimeout to do so. 100 requests at once
// means 100 new connections at once, on a database that allows
// max_connections.
func getDbConnection(dbURL string, k Knobs) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = k.MaxConns                        // max: 1
	cfg.ConnConfig.ConnectTimeout = k.ConnectTimeout // 150 ms
	return pgxpool.NewWithConfig(context.Background(), cfg)
}

// perRequestDB makes this request's own pool, and returns what to do when
// the request is over: close the pool (the `defer done()` in newestPosts),
// which also closes its connection. With ClosePerRequest off nobody closes
// it: the pool and its open connection leak, one per request, until
// PostgreSQL runs out of connections. (The lab tracks leaked pools so it
// can close them on a reset.)
func (app *app) perRequestDB() (*pgxpool.Pool, func(), error) {
	db, err := getDbConnection(app.dbURL, app.knobs)
	if err != nil {
		return nil, nil, err
	}
	app.track(db)
	if !app.knobs.ClosePerRequest {
		return db, func() {}, nil // leaked!
	}
	return db, func() { app.closePool(db) }, nil
}
