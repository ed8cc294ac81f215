package singleserver

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"scalelab/lab/feed"
	"scalelab/lab/load"
	"scalelab/lab/pg"
	"scalelab/lab/posts"
	"scalelab/lab/telemetry"
)

// defaultRows is how many posts the lab seeds unless told otherwise.
const defaultRows = 10_000

// defaultAddr is where `scalelab serve` listens, as the scenario's "Port 3000".
const defaultAddr = "127.0.0.1:3000"

// engineConfig says which lab to start.
type engineConfig struct {
	DBURL          string     // an existing PostgreSQL (DATABASE_URL / --db); "" starts the private cluster
	Rows           int        // posts to seed into an empty table; 0 = defaultRows
	Addr           string     // where the API listens; "" = 127.0.0.1:0 (any free port)
	Knobs          feed.Knobs // the API's connection knobs; zero value = feed.Broken()
	MaxConnections int        // private cluster's max_connections; 0 = DefaultMaxConnections (see runs.go)
	Logf           func(format string, args ...any)

	DataDir string // private cluster directory; "" = the default under Home
	Home    string // the data home ("" = home.Dir())
	// Reseed makes Start reseed when the table holds a different number of
	// posts than Rows (the learner asked for --rows explicitly).
	Reseed bool
	// NoAPI starts PostgreSQL and the table only (apply-fix, explain-query, reset).
	NoAPI bool
	// NoSeed creates the posts table if missing but seeds nothing (Reseed is ignored): for
	// callers that Reset at once, which seeds anyway (`scalelab reset`).
	NoSeed bool
}

// engine is a running lab. Its methods are safe for concurrent use.
type engine struct {
	cfg engineConfig
	pg  *pg.Server
	db  *pgxpool.Pool // the lab's own small pool for table work (not the API's)
	// pool is db once open, for the supervisor's goroutine (pgChanged), which may run before.
	pool atomic.Pointer[pgxpool.Pool]
	rec  *telemetry.Recorder

	// api is the feed API: nil with NoAPI, and while it is killed (kill-api) until it is
	// brought back. apiMu orders its kills, restarts and Close; knobs and addr are what it
	// was started with, for the restart, under apiMu.
	api       atomic.Pointer[feed.Server]
	apiMu     sync.Mutex
	knobs     feed.Knobs
	addr      string
	apiKilled atomic.Bool
	// apiEpoch counts the API's kills and restarts: a load test across one is an outage run.
	apiEpoch atomic.Uint64
	// rows is how many posts the table holds as far as this engine set them (the seed, a grow or
	// a shrink): the stage's row count while PostgreSQL cannot be asked.
	rows atomic.Int64

	// Changes of stage through this engine (SetKnobs, ApplyIndex, Reset): how many are under way
	// and how many ended having changed something. LoadTest files a run across one as custom.
	changing atomic.Int64
	changes  atomic.Uint64

	closeOnce sync.Once
	closeErr  error
}

// Stages of the scenario: the states lab/load records runs against.
const (
	StageBroken = load.StateBroken // as shipped: per-request pools, no index
	StageFix1   = load.StateFix1   // after Fix 1: one shared pool, still no index
	StageFix2   = load.StateFix2   // after Fix 2: shared pool and the index
	// With Fix 1 (no simulated delay) on a table grown to bigRows posts or more: the real cost of
	// the Seq Scan, then of the Index Scan.
	stageBigNoIndex = "big-noindex"
	stageBigIndex   = "big-index"
	StageCustom     = load.StateCustom // knobs of neither preset, or the index with broken knobs
)

// StageOf names the scenario stage for a setting of the knobs and the index, on the table as
// seeded (fewer than bigRows posts).
func StageOf(k feed.Knobs, index bool) string { return stageAt(k, index, defaultRows) }

// bigRows is the table size from which a run with Fix 1 measures the grown table's stages;
// growRows is what grow-table grows it to.
const (
	bigRows  = 500_000
	growRows = 1_000_000
)

// stageAt names the scenario stage for the knobs, the index and the posts in the table.
func stageAt(k feed.Knobs, index bool, rows int) string {
	big := rows >= bigRows
	switch {
	case k == feed.Broken() && !index && !big:
		return StageBroken
	case k == feed.Fixed() && !index && big:
		return stageBigNoIndex
	case k == feed.Fixed() && !index:
		return StageFix1
	case k == feed.Fixed() && big:
		return stageBigIndex
	case k == feed.Fixed():
		return StageFix2
	}
	return StageCustom
}

// Start brings the lab up: PostgreSQL, the posts table (created and seeded if
// empty, with progress lines through Logf) and, unless NoAPI, the feed API.
// On error nothing is left running.
func startEngine(ctx context.Context, cfg engineConfig) (l *engine, err error) {
	if cfg.Rows == 0 {
		cfg.Rows = defaultRows
	}
	if cfg.Knobs == (feed.Knobs{}) {
		cfg.Knobs = feed.Broken()
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.MaxConnections == 0 {
		// The same limit whoever starts the private cluster (serve, loadtest,
		// the workshop), so the broken preset fails the same way in all.
		cfg.MaxConnections = DefaultMaxConnections
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if err := cfg.Knobs.Validate(); err != nil {
		return nil, err
	}
	l = &engine{cfg: cfg}
	defer func() {
		if err != nil {
			l.Close()
			l = nil
		}
	}()

	l.pg, err = pg.Open(ctx, pg.Options{URL: cfg.DBURL, DataDir: cfg.DataDir, Home: cfg.Home, MaxConnections: cfg.MaxConnections, Logf: cfg.Logf,
		OnChange: l.pgChanged})
	if err != nil {
		return l, err
	}
	l.db, err = openPool(ctx, l.pg.URL())
	if err != nil {
		return l, err
	}
	l.pool.Store(l.db)
	if err := l.setupTable(ctx); err != nil {
		return l, err
	}
	if n, err := posts.Rows(ctx, l.db); err == nil {
		l.rows.Store(int64(n))
	}
	if cfg.NoAPI {
		return l, nil
	}
	l.rec = telemetry.NewRecorder()
	l.knobs, l.addr = cfg.Knobs, cfg.Addr
	if err := l.startAPI(); err != nil {
		return l, err
	}
	cfg.Logf("feed API listening on http://%s (%s preset)", l.addr, cfg.Knobs.Preset())
	return l, nil
}

func openPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("invalid database URL: %w", err)
	}
	pc.MaxConns = 4
	// Keep two connections open: when the broken API has used up every slot
	// of max_connections, apply-fix, explain and reset must still get through.
	pc.MinConns = 2
	pc.MaxConnIdleTime = 24 * time.Hour
	pc.ConnConfig.RuntimeParams["application_name"] = "scalelab-lab"
	db, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, err
	}
	if err := db.Ping(ctx); err != nil {
		db.Close()
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "53300" {
			return nil, fmt.Errorf("PostgreSQL has no free connection (max_connections reached, most likely by a load test on the broken API): wait for the load to end or stop it, then run this again: %w", err)
		}
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	return db, nil
}

// setupTable creates and seeds the posts table as the config asks.
func (l *engine) setupTable(ctx context.Context) error {
	if l.cfg.NoSeed {
		return posts.CreateTable(ctx, l.db)
	}
	progress := l.progress("seeding")
	if err := posts.Setup(ctx, l.db, l.cfg.Rows, progress); err != nil {
		return err
	}
	if !l.cfg.Reseed {
		return nil
	}
	n, err := posts.Count(ctx, l.db)
	if err != nil || n == l.cfg.Rows {
		return err
	}
	l.cfg.Logf("the posts table holds %d posts, %d asked: reseeding", n, l.cfg.Rows)
	return posts.Reseed(ctx, l.db, l.cfg.Rows, progress)
}

// progress returns a seeding progress callback that logs through Logf, or nil
// for small seeds (one chunk: nothing worth reporting).
func (l *engine) progress(what string) func(done, total int) {
	start := time.Now()
	return func(done, total int) {
		if total <= 200_000 {
			if done == total {
				l.cfg.Logf("%s %d posts: done in %v", what, total, time.Since(start).Round(time.Millisecond))
			}
			return
		}
		l.cfg.Logf("%s posts: %d / %d (%d%%, %v)", what, done, total, 100*done/total, time.Since(start).Round(100*time.Millisecond))
	}
}

// labState is what the lab looks like now.
type labState struct {
	PGUp    bool
	PGErr   string // why PGUp is false
	PG      pg.Info
	APIAddr string // host:port of the feed API ("" with NoAPI)
	Knobs   feed.Knobs
	Preset  string // "broken" | "fixed" | "custom"
	Index   bool   // Fix 2's index exists and is valid
	Rows    int    // posts in the table: the planner's estimate, exact after a seed (see posts.Rows)
	Stage   string // StageBroken, StageFix1, StageFix2, stageBigNoIndex, stageBigIndex or StageCustom
	// APIKilled: the API was killed (kill-api) and not brought back; APIAddr is where it was.
	APIKilled bool
}

// State reads the lab's state (a few small queries, each bounded to 2 s). It changes nothing:
// bringing PostgreSQL back after it died is pg.Server's supervisor's work.
func (l *engine) State(ctx context.Context) labState {
	st := labState{Knobs: l.cfg.Knobs}
	if f := l.Feed(); f != nil {
		st.APIAddr = f.Addr()
		st.Knobs = f.Knobs()
	} else if l.apiKilled.Load() {
		l.apiMu.Lock()
		st.APIAddr, st.Knobs, st.APIKilled = l.addr, l.knobs, true
		l.apiMu.Unlock()
	}
	st.Preset = st.Knobs.Preset()
	var err error
	st.Index, st.Rows, err = l.table(ctx)
	st.PGUp = err == nil
	if err != nil {
		st.PGErr = err.Error()
	}
	st.PG = l.pg.Info()
	st.PG.URL = pg.Redact(st.PG.URL) // for display; l.PG().URL() has the password
	if st.PGUp && !st.PG.External && (!st.PG.Running || st.PG.Stopped) {
		// A killed postmaster's backends answer on their open connections for a moment: the
		// cluster is down all the same.
		st.PGUp, st.PGErr = false, "PostgreSQL is not running"
		if st.PG.Stopped {
			st.PGErr = "PostgreSQL was stopped on purpose: start it again"
		}
	}
	if !st.PGUp {
		st.Rows = int(l.rows.Load())
	}
	st.Stage = stageAt(st.Knobs, st.Index, st.Rows)
	return st
}

// pgChanged is told by the supervisor when PostgreSQL went down or came back: the lab's pool
// drops its connections, which went with the old server, so the next query opens fresh ones.
func (l *engine) pgChanged(up bool) {
	if db := l.pool.Load(); db != nil && up {
		db.Reset()
	}
}

// table reads whether the index is there and how many posts the table holds, bounded to 2 s.
func (l *engine) table(ctx context.Context) (index bool, rows int, err error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if index, err = posts.HasIndex(ctx, l.db); err != nil {
		return false, 0, err
	}
	rows, err = posts.Rows(ctx, l.db)
	return index, rows, err
}

// ApplyIndex applies Fix 2 while the API serves; created is false when the
// index was already there.
func (l *engine) ApplyIndex(ctx context.Context) (created bool, err error) {
	l.changing.Add(1)
	defer func() { l.changed(created || err != nil) }()
	return posts.CreateIndex(ctx, l.db)
}

// Explain runs EXPLAIN ANALYZE of the feed query.
func (l *engine) Explain(ctx context.Context) (posts.Plan, error) {
	return posts.Explain(ctx, l.db)
}

// Reset brings the lab back to the scenario's starting state: the broken
// knobs, no index, the posts reseeded (engineConfig.Rows) and a new telemetry window.
func (l *engine) Reset(ctx context.Context) error {
	l.changing.Add(1)
	defer l.changed(true)
	if err := l.SetKnobs(ctx, feed.Broken()); err != nil && !errors.Is(err, errNoAPI) {
		return err
	}
	if err := posts.ResetProgress(ctx, l.db, l.cfg.Rows, l.progress("reseeding")); err != nil {
		return err
	}
	l.rows.Store(int64(l.cfg.Rows))
	l.rec.Reset()
	return nil
}

// errNoAPI is returned by SetKnobs on a lab started with NoAPI.
var errNoAPI = errors.New("the lab runs without its feed API")

// SetKnobs restarts the API with new knobs, in place (Fix 1 is SetKnobs(ctx, feed.Fixed())); a
// killed API is started again with them.
func (l *engine) SetKnobs(ctx context.Context, k feed.Knobs) error {
	if l.cfg.NoAPI {
		return errNoAPI
	}
	if err := k.Validate(); err != nil {
		return err
	}
	l.changing.Add(1)
	defer l.changed(true)
	l.apiMu.Lock()
	defer l.apiMu.Unlock()
	if l.apiKilled.Load() {
		l.knobs = k
		return l.startAPILocked()
	}
	l.knobs = k
	return l.Feed().SetKnobs(ctx, k)
}

// Feed is the feed API (nil with NoAPI, and while it is killed).
func (l *engine) Feed() *feed.Server { return l.api.Load() }

// DB is the lab's own pool for table work (not the API's pool).
func (l *engine) DB() *pgxpool.Pool { return l.db }

// Recorder is the API's telemetry (nil with NoAPI; a nil Recorder is safe to use).
func (l *engine) Recorder() *telemetry.Recorder { return l.rec }

// PG is the lab's PostgreSQL.
func (l *engine) PG() *pg.Server { return l.pg }

// Rows is the number of posts the lab seeds (engineConfig.Rows).
func (l *engine) Rows() int { return l.cfg.Rows }

// Close stops the API, then PostgreSQL if this process started it. Safe to
// call more than once; it waits until everything has stopped.
func (l *engine) Close() error {
	l.closeOnce.Do(func() {
		var errs []error
		l.apiMu.Lock()
		if f := l.api.Swap(nil); f != nil {
			errs = append(errs, f.Close())
		}
		l.apiMu.Unlock()
		if l.db != nil {
			l.db.Close()
		}
		if l.pg != nil {
			errs = append(errs, l.pg.Close())
		}
		l.closeErr = errors.Join(errs...)
	})
	return l.closeErr
}
