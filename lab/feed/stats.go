package feed

import (
	"scalelab/lab/telemetry"

	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// PoolStats is pgxpool's statistics summed over the API's open pools: the
// shared pool, or the per-request ones. The counters (AcquireCount to
// EmptyAcquireWait) include every pool closed since New, so they never go down.
type PoolStats struct {
	Acquired, Idle, Constructing, Total, MaxConns int32
	AcquireCount, EmptyAcquire, CanceledAcquire   int64
	NewConns                                      int64         // connections opened (attempts, failed ones included)
	AcquireWait                                   time.Duration // total time of successful acquires
	EmptyAcquireWait                              time.Duration // of which spent waiting on an empty pool
}

// Stats is a snapshot of the API's database side, for the live panes.
type Stats struct {
	At           time.Time
	Knobs        Knobs
	Preset       string
	Pool         PoolStats
	LivePools    int   // pools open now: 1 when shared; per request: in flight + leaked (+ those of knobs being switched away from)
	PoolsCreated int64 // per-request pools made since New

	// From pg_stat_activity, through the lab's monitoring connection;
	// -1 when PostgreSQL did not answer (DBErr says why).
	Backends       int // client backends in the whole cluster (what max_connections limits)
	APIBackends    int // of which the API's connections to its database
	ActiveBackends int // API connections running a query right now
	MaxConnections int // PostgreSQL's max_connections
	DBErr          string

	// LastErrors holds the full error text of the latest failed request of
	// each cause (driver messages included), for the lab's own panes and
	// logs: clients get only the cause and a plain sentence. Nil when none.
	LastErrors map[telemetry.Cause]string
}

func (p *PoolStats) add(st *pgxpool.Stat) {
	p.Acquired += st.AcquiredConns()
	p.Idle += st.IdleConns()
	p.Constructing += st.ConstructingConns()
	p.Total += st.TotalConns()
	p.MaxConns += st.MaxConns()
	p.addCounters(st)
}

// addCounters adds a pool's counters (not its gauges) to p.
func (p *PoolStats) addCounters(st *pgxpool.Stat) {
	p.addCountersOf(PoolStats{
		AcquireCount: st.AcquireCount(), EmptyAcquire: st.EmptyAcquireCount(),
		CanceledAcquire: st.CanceledAcquireCount(), NewConns: st.NewConnsCount(),
		AcquireWait: st.AcquireDuration(), EmptyAcquireWait: st.EmptyAcquireWaitTime(),
	})
}

// addCountersOf adds q's counters (not its gauges) to p.
func (p *PoolStats) addCountersOf(q PoolStats) {
	p.AcquireCount += q.AcquireCount
	p.EmptyAcquire += q.EmptyAcquire
	p.CanceledAcquire += q.CanceledAcquire
	p.NewConns += q.NewConns
	p.AcquireWait += q.AcquireWait
	p.EmptyAcquireWait += q.EmptyAcquireWait
}

// closePool closes one of the API's pools and, in the same step as it stops
// counting it as open, adds its counters to closedStats.
func (s *Server) closePool(db *pgxpool.Pool) {
	db.Close() // first: the counters are final once it is closed
	s.poolMu.Lock()
	defer s.poolMu.Unlock()
	if _, ok := s.open[db]; ok {
		delete(s.open, db)
		s.closedStats.addCounters(db.Stat())
	}
}

// PoolStats returns the pool statistics alone (no query to PostgreSQL), and
// how many pools are open. It counts every pool still open, those of an app
// that SetKnobs is retiring included, so that the counters never go down.
func (s *Server) PoolStats() (PoolStats, int) {
	s.poolMu.Lock()
	defer s.poolMu.Unlock()
	var p PoolStats
	for db := range s.open {
		p.add(db.Stat())
	}
	if len(s.open) == 0 {
		p.MaxConns = s.cur.Load().knobs.MaxConns
	}
	p.addCountersOf(s.closedStats)
	return p, len(s.open)
}

// backendsQuery counts the server's client backends against max_connections; for a role with a
// CONNECTION LIMIT (a learner's own role on a class's shared server) it counts that role's
// backends against its limit instead: that is the ceiling the lab meets, and the other
// learners' connections are not this lab's story.
const backendsQuery = `WITH lim AS (SELECT rolconnlimit AS n FROM pg_roles WHERE rolname = current_user)
SELECT
  count(*) FILTER (WHERE backend_type = 'client backend' AND (COALESCE((SELECT n FROM lim), -1) < 0 OR usename = current_user)),
  count(*) FILTER (WHERE application_name = $1 AND datname = current_database()),
  count(*) FILTER (WHERE application_name = $1 AND datname = current_database() AND state = 'active'),
  CASE WHEN COALESCE((SELECT n FROM lim), -1) >= 0
       THEN least((SELECT n FROM lim), current_setting('max_connections')::int)
       ELSE current_setting('max_connections')::int END
FROM pg_stat_activity`

// Stats returns the pool statistics and PostgreSQL's backend counts. It asks
// PostgreSQL through the monitoring connection, for at most a second.
func (s *Server) Stats(ctx context.Context) Stats {
	a := s.cur.Load()
	st := Stats{At: time.Now(), Knobs: a.knobs, Preset: a.knobs.Preset(), PoolsCreated: s.poolsCreated.Load()}
	st.Pool, st.LivePools = s.PoolStats()
	st.LastErrors = s.errs.snapshot()
	st.Backends, st.APIBackends, st.ActiveBackends, st.MaxConnections = -1, -1, -1, -1
	if s.monitor == nil {
		st.DBErr = "no database"
		return st
	}
	ctx, cancel := context.WithTimeout(ctx, time.Second)
	defer cancel()
	err := s.monitor.QueryRow(ctx, backendsQuery, AppName).
		Scan(&st.Backends, &st.APIBackends, &st.ActiveBackends, &st.MaxConnections)
	if err != nil {
		st.Backends, st.APIBackends, st.ActiveBackends, st.MaxConnections = -1, -1, -1, -1
		st.DBErr = err.Error()
	}
	return st
}
