package feed

import (
	"sync"

	"github.com/jackc/pgx/v5/pgxpool"
)

// app is the API with one setting of the knobs: what a restart of the server
// with new settings would give. SetKnobs builds a new app and retires the old
// one once its requests are done.
type app struct {
	dbURL   string
	knobs   Knobs
	shared  *pgxpool.Pool // SharedPool only
	owns    bool          // this app closes shared when retired
	monitor *pgxpool.Pool // the lab's monitoring connection (health, stats)
	srv     *Server

	// in-flight requests hold inflight.RLock; retire takes the write lock.
	inflight sync.RWMutex
	retired  bool

	live map[*pgxpool.Pool]struct{} // per-request pools not closed yet; under srv.poolMu
}

// track remembers a per-request pool until it is closed.
func (app *app) track(db *pgxpool.Pool) {
	app.srv.poolsCreated.Add(1)
	s := app.srv
	s.poolMu.Lock()
	app.live[db] = struct{}{}
	s.open[db] = struct{}{}
	s.poolMu.Unlock()
}

// closePool closes a per-request pool (once) and keeps its counters.
func (app *app) closePool(db *pgxpool.Pool) {
	s := app.srv
	s.poolMu.Lock()
	_, ok := app.live[db]
	delete(app.live, db)
	s.poolMu.Unlock()
	if ok {
		s.closePool(db)
	}
}

// livePools returns the per-request pools still open.
func (app *app) livePools() []*pgxpool.Pool {
	app.srv.poolMu.Lock()
	defer app.srv.poolMu.Unlock()
	out := make([]*pgxpool.Pool, 0, len(app.live))
	for db := range app.live {
		out = append(out, db)
	}
	return out
}

// retire waits for the app's requests to finish, then closes its pools:
// leaked per-request pools included.
func (app *app) retire() {
	app.inflight.Lock()
	app.retired = true
	app.inflight.Unlock()
	for _, db := range app.livePools() {
		app.closePool(db)
	}
	if app.owns && app.shared != nil {
		app.srv.closePool(app.shared)
	}
}
