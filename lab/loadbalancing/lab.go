package loadbalancing

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"scalelab/lab"
	"scalelab/lab/haproxy"
	"scalelab/lab/pg"
	"scalelab/lab/posts"
	"scalelab/lab/telemetry"
)

// labName is the lab's registered name, the one Scenario 2's `**Lab:**` line gives.
const labName = "load-balancing"

func init() {
	lab.Register(lab.Kind{Name: labName, Title: "replicas of the feed API behind HAProxy", New: func(cfg lab.Config) lab.Lab { return newLB(cfg) }})
}

// Replicas the lab runs: DefaultReplicas unless Config.Replicas says otherwise, within
// MinReplicas..MaxReplicas.
const (
	DefaultReplicas = 3
	MinReplicas     = 2
	MaxReplicas     = 8
)

// DefaultRows is how many posts the lab seeds into an empty table.
const DefaultRows = 10_000

// The task tags of the two fixes; a setting in Config.Applied and Status.Applied has the same name.
const (
	tagSticky = "sticky"          // Fix A: HAProxy pins each user to one replica
	tagShared = "shared-sessions" // Fix B: the sessions table
)

// settings are what the lab runs with: the two fixes.
type settings struct{ sticky, shared bool }

func settingsOf(applied []string) settings {
	return settings{sticky: slices.Contains(applied, tagSticky), shared: slices.Contains(applied, tagShared)}
}

func (s settings) applied() []string {
	var out []string
	if s.sticky {
		out = append(out, tagSticky)
	}
	if s.shared {
		out = append(out, tagShared)
	}
	return out
}

// lbLab is the lab behind the contract.
type lbLab struct {
	cfg     lab.Config
	actions []lab.Action
	rec     *telemetry.Recorder

	startMu sync.Mutex // one Start (or Close) at a time
	actMu   sync.Mutex // one action changing the lab at a time

	mu       sync.Mutex
	started  bool
	closed   bool
	pg       *pg.Server
	db       *pgxpool.Pool // the lab's own small pool (tables, reset)
	replicas []*replica
	hap      *haproxy.Proc
	set      settings        // what runs now
	tasks    map[string]bool // the ticked tasks
	lastRun  runFigures      // the last load test's own figures, for the panes
	run      *runLog         // the load test in progress through HAProxy, fed its log (nil between runs)
	byRep    *byReplica      // requests per second by replica, from HAProxy's log (nil before the replicas start)

	// kills: when each replica was killed, and how long HAProxy took to mark it DOWN.
	killedAt   map[string]time.Time
	detected   map[string]time.Duration
	lastDetect string // the replica of the latest detection

	// kills counts kills and bring-backs, changes counts settings applied: a load test across
	// one is filed under a kill stage, or as mixed.
	kills   atomic.Uint64
	changes atomic.Uint64
}

func newLB(cfg lab.Config) *lbLab {
	l := &lbLab{cfg: cfg, set: settingsOf(cfg.Applied), rec: telemetry.NewRecorder(),
		killedAt: map[string]time.Time{}, detected: map[string]time.Duration{}}
	l.actions = l.makeActions()
	return l
}

func (l *lbLab) Name() string { return labName }

func (l *lbLab) Conditions() []string { return []string{condRestartPending, condReplicaDown} }

// The Stuck? conditions the lab reports.
const (
	condRestartPending = "restart-pending" // the ticked fixes differ from what runs: restart (R)
	condReplicaDown    = "replica-down"    // a replica is killed and not brought back
)

var errNotStarted = errors.New("the lab is not running")

// findHAProxy locates the haproxy binary; a variable so a test can take it away.
var findHAProxy = haproxy.Find

func (l *lbLab) logf(format string, args ...any) {
	if l.cfg.Logf != nil {
		l.cfg.Logf(format, args...)
	}
}

// replicaCount is Config.Replicas with its default, or an error outside the bounds.
func (l *lbLab) replicaCount() (int, error) {
	n := l.cfg.Replicas
	if n == 0 {
		n = DefaultReplicas
	}
	if n < MinReplicas || n > MaxReplicas {
		return 0, fmt.Errorf("%d replicas: use %d to %d, e.g. --replicas 3", n, MinReplicas, MaxReplicas)
	}
	return n, nil
}

// Start finds HAProxy (before anything else: without it the lab cannot run), opens
// PostgreSQL and the tables (posts with Scenario 1's index, sessions), then unless DataOnly
// starts the replicas and HAProxy in front of them. On error nothing is left running.
func (l *lbLab) Start(ctx context.Context) (err error) {
	l.startMu.Lock()
	defer l.startMu.Unlock()
	l.mu.Lock()
	closed, started := l.closed, l.started
	l.mu.Unlock()
	switch {
	case closed:
		return errors.New("the lab was closed")
	case started:
		return nil
	}
	n, err := l.replicaCount()
	if err != nil {
		return err
	}
	if !l.cfg.DataOnly {
		if _, err := findHAProxy(); err != nil {
			return err
		}
	}
	defer func() {
		if err != nil {
			l.shutdown()
		}
	}()
	if err := l.startData(ctx); err != nil {
		return err
	}
	if !l.cfg.DataOnly {
		if err := l.startServing(ctx, n); err != nil {
			return err
		}
	}
	l.mu.Lock()
	l.started = true
	l.mu.Unlock()
	return nil
}

// startData opens PostgreSQL (the private cluster, or Config.DBURL) and the tables.
func (l *lbLab) startData(ctx context.Context) error {
	srv, err := pg.Open(ctx, pg.Options{URL: l.cfg.DBURL, DataDir: l.cfg.DataDir, Home: l.cfg.Home, Logf: l.cfg.Logf})
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.pg = srv
	l.mu.Unlock()
	pc, err := pgxpool.ParseConfig(srv.URL())
	if err != nil {
		return fmt.Errorf("invalid database URL: %w", err)
	}
	pc.MaxConns, pc.MinConns = 4, 1
	pc.ConnConfig.RuntimeParams["application_name"] = "scalelab-lab"
	db, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.db = db
	l.mu.Unlock()
	rows := l.cfg.Rows
	if rows == 0 {
		rows = DefaultRows
	}
	if l.cfg.NoSeed {
		err = posts.CreateTable(ctx, db)
	} else {
		err = posts.Setup(ctx, db, rows, nil)
	}
	if err != nil {
		return err
	}
	if _, err := posts.CreateIndex(ctx, db); err != nil { // Scenario 1's Fix 2 is in place
		return err
	}
	if _, err := db.Exec(ctx, sessionsSchema); err != nil {
		return fmt.Errorf("create the sessions table: %w", err)
	}
	return nil
}

// startServing starts n replicas and HAProxy in front of them, then waits (up to 5 s) for
// HAProxy's first passed check of each, so a kill right after is detected like any other.
func (l *lbLab) startServing(ctx context.Context, n int) error {
	l.mu.Lock()
	set, dbURL := l.set, l.pg.URL()
	l.mu.Unlock()
	reps := make([]*replica, n)
	for i := range reps {
		reps[i] = &replica{n: i + 1, name: fmt.Sprintf("replica-%d", i+1)}
		if err := reps[i].start(ctx, dbURL, set.shared); err != nil {
			l.mu.Lock()
			l.replicas = reps[:i]
			l.mu.Unlock()
			return err
		}
	}
	names := make([]string, n)
	for i, r := range reps {
		names[i] = r.name
	}
	l.mu.Lock()
	l.replicas = reps
	l.byRep = newByReplica(names)
	l.mu.Unlock()
	addr := l.cfg.Addr
	if addr == "" {
		addr = haproxy.DefaultListen
	}
	addr, err := listenFree(addr)
	if err != nil {
		return err
	}
	hap, err := haproxy.Start(ctx, l.haproxyConfig(addr, set))
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.hap = hap
	l.mu.Unlock()
	l.logf("HAProxy on http://%s in front of %d replicas", hap.Addr(), n)
	l.waitChecked(ctx, 5*time.Second)
	return nil
}

// haproxyConfig is the balancer's configuration for the replicas with set.
func (l *lbLab) haproxyConfig(listen string, set settings) haproxy.Config {
	l.mu.Lock()
	backends := make([]haproxy.Backend, len(l.replicas))
	for i, r := range l.replicas {
		backends[i] = haproxy.Backend{Name: r.name, Addr: r.addr}
	}
	l.mu.Unlock()
	dir := "" // the data home's haproxy directory
	if l.cfg.Home != "" {
		dir = filepath.Join(l.cfg.Home, "haproxy")
	}
	return haproxy.Config{Listen: listen, Dir: dir, Backends: backends, Sticky: set.sticky,
		CheckInterval: haproxy.DefaultCheckInterval, Fall: haproxy.DefaultFall, Rise: haproxy.DefaultRise,
		OnLog: l.onLog, Logf: l.cfg.Logf}
}

// waitChecked waits until every running replica has passed a check since HAProxy's (re)start.
func (l *lbLab) waitChecked(ctx context.Context, max time.Duration) {
	hap := l.balancer()
	if hap == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, max)
	defer cancel()
	for {
		st, err := hap.Stats(ctx)
		ok := err == nil
		for _, sv := range st.Servers {
			if sv.CheckStatus != "L7OK" && !l.replicaNamed(sv.Name).isKilled() {
				ok = false
			}
		}
		if ok {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (l *lbLab) balancer() *haproxy.Proc {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.hap
}

func (l *lbLab) replicaList() []*replica {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.replicas)
}

// replicaNamed is the replica of that HAProxy name; a stopped placeholder when there is none.
func (l *lbLab) replicaNamed(name string) *replica {
	for _, r := range l.replicaList() {
		if r.name == name {
			return r
		}
	}
	return &replica{name: name}
}

// onLog reads HAProxy's log: each request goes into the telemetry (its failure cause from its
// status), the count of its replica's second and the failure window of the load test in progress, each DOWN of a killed replica gives the
// detection time.
func (l *lbLab) onLog(lg haproxy.Log) {
	switch {
	case lg.Request != nil:
		rq := lg.Request
		if rq.Path == "/login" {
			return
		}
		lat := rq.Active
		if lat < 0 {
			lat = 0
		}
		l.rec.Observe(rq.Path, rq.Status, causeOfStatus(rq.Status), lat)
		l.mu.Lock()
		byRep, run := l.byRep, l.run
		l.mu.Unlock()
		if byRep != nil {
			byRep.add(rq.Server, lg.Time)
		}
		if run != nil {
			run.add(rq.Path, rq.Status, lg.Time)
		}
	case lg.Change != nil && lg.Change.State == "DOWN":
		l.noteDown(lg.Change.Server, lg.Time)
	}
}

// noteDown records when HAProxy marked a killed replica DOWN (the first time after its kill).
func (l *lbLab) noteDown(server string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if killed, ok := l.killedAt[server]; ok {
		if _, done := l.detected[server]; !done {
			l.detected[server] = at.Sub(killed)
			l.lastDetect = server
		}
	}
}

// Close stops HAProxy, the replicas and PostgreSQL. Safe to call more than once.
func (l *lbLab) Close() error {
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
	l.startMu.Lock()
	defer l.startMu.Unlock()
	return l.shutdown()
}

// shutdown stops whatever runs, balancer first (so no request reaches a stopping replica).
func (l *lbLab) shutdown() error {
	l.mu.Lock()
	hap, reps, db, srv := l.hap, l.replicas, l.db, l.pg
	l.hap, l.replicas, l.db, l.pg, l.started = nil, nil, nil, nil, false
	l.mu.Unlock()
	var errs []error
	if hap != nil {
		errs = append(errs, hap.Close())
	}
	for _, r := range reps {
		r.stop()
	}
	if db != nil {
		db.Close()
	}
	if srv != nil {
		errs = append(errs, srv.Close())
	}
	return errors.Join(errs...)
}

// SetTasks keeps the ticked tasks: the next start applies their fixes.
func (l *lbLab) SetTasks(ticked map[string]bool) {
	l.mu.Lock()
	l.tasks = maps.Clone(ticked)
	l.mu.Unlock()
}
