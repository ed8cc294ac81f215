package feed

import (
	"context"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Fix 1: ONE pool for the whole server, made once when the server starts
// and shared by every request: at most 10 connections, 2 s to get one.
//
// Its connections stay open between requests. A request borrows one, runs
// its query and gives it back. When all 10 are busy, the next request waits
// for one to come back (up to ConnectTimeout) instead of opening an 11th.
func newSharedPool(dbURL string, k Knobs) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns = k.MaxConns                        // max: 10
	cfg.ConnConfig.ConnectTimeout = k.ConnectTimeout // 2 s
	return pgxpool.NewWithConfig(context.Background(), cfg)
}

// sharedDB hands out the shared pool. Nothing to do after the request: a
// shared pool is not closed per request (its done is empty), only when the
// server stops.
func (app *app) sharedDB() (*pgxpool.Pool, func(), error) {
	return app.shared, func() {}, nil
}
