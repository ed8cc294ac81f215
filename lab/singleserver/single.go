package singleserver

import (
	"context"
	"errors"
	"sync"
	"time"

	"scalelab/lab"
	"scalelab/lab/feed"
	"scalelab/lab/load"
	"scalelab/lab/telemetry"
)

// labName is the lab's registered name, the one a scenario's `**Lab:**` line gives.
const labName = lab.Default

func init() {
	lab.Register(lab.Kind{Name: labName, Title: "one feed API on one PostgreSQL", New: func(cfg lab.Config) lab.Lab { return newSingle(cfg) }})
}

// The Stuck? conditions the lab reports (lab.Status.Conditions).
const (
	// condRestartPending: the ticked Fix 1 tasks and the running API disagree on a change (a
	// box ticked that the API does not have yet, or one unticked that it still runs with).
	condRestartPending = "restart-pending"
	// condIndexExists: Fix 2 was applied while the index was already there.
	condIndexExists = "index-exists"
	// condRunWhileDown: the last load test ran while PostgreSQL or the API was down.
	condRunWhileDown = "run-while-down"
	// condOtherMaxConnections: the lab uses a DATABASE_URL server whose max_connections is not
	// the private cluster's DefaultMaxConnections, so the broken run fails differently from the text.
	condOtherMaxConnections = "other-max-connections"
)

// single is Scenario 1's lab behind the lab contract: the engine and what the workshop
// and the CLI see of it (actions, stages, status, samples, the code and the plans).
type single struct {
	cfg     lab.Config
	actions []lab.Action

	startMu sync.Mutex // one Start at a time, without holding mu (Status answers meanwhile)

	mu       sync.Mutex
	eng      *engine // nil until Start
	starting bool    // a Start is under way
	closed   bool
	tasks    map[string]bool
	applied  []string // the settings the API runs with, in lab.Config.Applied's form

	planBefore, planAfter lab.Plan // the latest plans without and with the index
	indexExisted          bool     // the last apply-fix found the index there
	runWhileDown          bool     // the last load test met PostgreSQL or the API down
	otherMaxConns         int      // max_connections of a DATABASE_URL server, when not DefaultMaxConnections

	// the waited-on-an-empty-pool counter at the previous sample, for its rate
	prevEmpty int64
	prevAt    time.Time
}

func newSingle(cfg lab.Config) *single {
	s := &single{cfg: cfg, applied: append([]string(nil), cfg.Applied...)}
	s.actions = s.makeActions()
	return s
}

func (s *single) Name() string { return labName }

// errNotStarted is what an action answers before Start, or after a failed one.
var errNotStarted = errors.New("the lab is not running")

// engine is the running engine, or nil.
func (s *single) engine() *engine {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.eng
}

// running is the engine, or errNotStarted.
func (s *single) running() (*engine, error) {
	if e := s.engine(); e != nil {
		return e, nil
	}
	return nil, errNotStarted
}

// Start starts PostgreSQL, the posts table and (unless DataOnly) the feed API on Config.Addr
// ("" = defaultAddr), or the first free of the ten ports after it when it is taken.
func (s *single) Start(ctx context.Context) error {
	s.startMu.Lock()
	defer s.startMu.Unlock()
	s.mu.Lock()
	closed, started := s.closed, s.eng != nil
	s.mu.Unlock()
	switch {
	case closed:
		return errors.New("the lab was closed")
	case started:
		return nil
	}
	s.mu.Lock()
	s.starting = true
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.starting = false
		s.mu.Unlock()
	}()
	cfg := engineConfig{DBURL: s.cfg.DBURL, DataDir: s.cfg.DataDir, Home: s.cfg.Home, Addr: s.cfg.Addr, Rows: s.cfg.Rows, Reseed: s.cfg.Reseed,
		NoAPI: s.cfg.DataOnly, NoSeed: s.cfg.NoSeed, Logf: s.cfg.Logf, Knobs: knobsFromApplied(s.cfg.Applied)}
	if cfg.Addr == "" {
		cfg.Addr = defaultAddr
	}
	var eng *engine
	var err error
	for try := 0; try < 2; try++ { // a port found free may be taken before the listen: once more
		if a, aerr := feed.NextFreeAddr(cfg.Addr, 10); aerr == nil {
			cfg.Addr = a
		}
		eng, err = startEngine(ctx, cfg)
		if !errors.Is(err, feed.ErrAddrInUse) || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return err
	}
	other := otherMaxConnections(ctx, eng)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed { // closed while it started
		return errors.Join(errors.New("the lab was closed while it started"), eng.Close())
	}
	s.eng, s.otherMaxConns = eng, other
	return nil
}

// otherMaxConnections is the connection ceiling of a DATABASE_URL server (its max_connections,
// or the lab's role's CONNECTION LIMIT when lower) when it is not the private cluster's
// DefaultMaxConnections (0 otherwise, or when it cannot be read in 2 s).
func otherMaxConnections(ctx context.Context, eng *engine) int {
	if !eng.PG().Info().External {
		return 0
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var n int
	// a role with a connection limit (a learner's on a class's shared server) meets that ceiling
	q := `SELECT CASE WHEN r.rolconnlimit >= 0 THEN least(r.rolconnlimit, current_setting('max_connections')::int)
	             ELSE current_setting('max_connections')::int END
	      FROM pg_roles r WHERE r.rolname = current_user`
	if err := eng.DB().QueryRow(ctx, q).Scan(&n); err != nil || n == DefaultMaxConnections {
		return 0
	}
	return n
}

// Close stops the lab; a Start under way is waited for (it sees the lab closed and unwinds).
func (s *single) Close() error {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.startMu.Lock()
	defer s.startMu.Unlock()
	s.mu.Lock()
	eng := s.eng
	s.mu.Unlock()
	if eng == nil {
		return nil
	}
	return eng.Close()
}

// SetTasks keeps the scenario's ticked tasks: the next start applies their Fix 1 changes.
func (s *single) SetTasks(ticked map[string]bool) {
	cp := make(map[string]bool, len(ticked))
	for k, v := range ticked {
		cp[k] = v
	}
	s.mu.Lock()
	s.tasks = cp
	s.mu.Unlock()
}

func (s *single) Conditions() []string {
	return []string{condRestartPending, condIndexExists, condRunWhileDown, condOtherMaxConnections}
}

// LoadTest runs a load test against the API (engine.LoadTest), recorded with the scenario and the
// lab; it notes whether the run met the lab down, for the Stuck? conditions.
func (s *single) LoadTest(ctx context.Context, h *load.History, opt load.Options, progress func(load.Progress)) (*load.Record, error) {
	eng, err := s.running()
	if err != nil {
		return nil, err
	}
	sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	st := eng.State(sctx)
	cancel()
	down := !st.PGUp || st.APIKilled
	rec, err := eng.loadTest(ctx, h, opt, progress, load.Record{Scenario: s.cfg.Scenario, Lab: labName})
	if rec != nil && rec.Result != nil && !errors.Is(err, context.Canceled) {
		s.mu.Lock()
		s.runWhileDown = down || ranWhileDown(rec.Result)
		s.indexExisted = false // its hint says to run the test: done
		s.mu.Unlock()
	}
	return rec, err
}

// ranWhileDown tells whether a run met a lab that was down: every request failed and the
// failures say the database or the API could not be reached.
func ranWhileDown(r *load.Result) bool {
	if r.Total == 0 || r.Failed < r.Total {
		return false
	}
	for cause := range r.Errors {
		if cause == load.CauseRefused || cause == string(telemetry.DatabaseDown) {
			return true
		}
	}
	return false
}
