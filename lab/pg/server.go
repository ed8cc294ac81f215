package pg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"scalelab/lab/home"
)

// Server is the lab's PostgreSQL: the private cluster (started by this process or by another
// scalelab process) or an external server. Safe for concurrent use.
type Server struct {
	opt Options

	op sync.Mutex // serialises Stop, Start and Close

	mu       sync.Mutex // guards the fields below
	external bool
	url      string
	version  string
	port     int
	cl       *cluster
	child    *child // the postmaster we started, while it runs
	pid      int    // postmaster pid (ours or another process's)
	started  bool   // this process started the running postmaster
	maxConns int
	closed   bool
}

// Open gives the lab its PostgreSQL. With opt.URL it checks that server answers (ErrUnreachable
// otherwise). Without, it finds the binaries (ErrBinariesNotFound), initialises the cluster on
// first use, and starts it, or attaches to the one another scalelab process runs, or recovers one
// a killed run left behind. The caller must Close the Server.
func Open(ctx context.Context, opt Options) (*Server, error) {
	if opt.URL != "" {
		return openExternal(ctx, opt)
	}
	if opt.MaxConnections <= 0 {
		opt.MaxConnections = DefaultMaxConnections
	}
	bins, err := FindBinaries(ctx, opt.BinDir)
	if err != nil {
		return nil, err
	}
	as, err := runAccount(ctx, opt.logf)
	if err != nil {
		return nil, err
	}
	dir, err := dataDir(opt.DataDir, bins, as)
	if err != nil {
		return nil, err
	}
	s := &Server{opt: opt, version: bins.Version, cl: &cluster{bins: bins, dir: dir, as: as}}
	if err := s.cl.prepareDir(); err != nil {
		return nil, err
	}
	if err := s.bringUp(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// DataDirFor returns the cluster directory Open would use for these options and binaries
// (where root runs put it included). It creates nothing but the data home.
func DataDirFor(ctx context.Context, opt Options, bins Binaries) (string, error) {
	var as account
	if os.Geteuid() == 0 {
		// Which user does not change the answer unless the dir is unreachable for all of them.
		a, ok := lookupAccount(SystemUser)
		if !ok {
			a = account{Name: "nobody", UID: 65534, GID: 65534, drop: true}
		}
		as = a
	}
	return dataDir(opt.DataDir, bins, as)
}

func dataDir(asked string, bins Binaries, as account) (string, error) {
	isDefault := asked == ""
	if isDefault {
		p, err := home.Path("pg", strconv.Itoa(bins.Major))
		if err != nil {
			return "", fmt.Errorf("the scalelab data dir: %w (set SCALELAB_HOME to a writable directory)", err)
		}
		asked = p
	}
	abs, err := filepath.Abs(asked)
	if err != nil {
		return "", err
	}
	return reachableDataDir(abs, as, bins.Major, isDefault), nil
}

// bringUp makes the private cluster run and answer: attach to a running one, recover a stale
// or orphaned one, initialise a missing one, start it. It holds the directory lock throughout.
func (s *Server) bringUp(ctx context.Context) error {
	c := s.cl
	lock, err := lockDir(ctx, c.lockPath(), s.opt.Logf)
	if err != nil {
		return err
	}
	defer lock.unlock()

	if pf, err := readPidFile(c.pgdata()); err == nil {
		switch attached, err := s.tryAttach(ctx, pf); {
		case err != nil:
			return err
		case attached:
			return nil
		}
	}
	if !c.initialized() {
		s.opt.logf("initialising a PostgreSQL %s cluster in %s", c.bins.Version, c.pgdata())
		t0 := time.Now()
		if err := c.initdb(ctx); err != nil {
			return err
		}
		s.opt.logf("cluster initialised in %v", time.Since(t0).Round(time.Millisecond))
	} else if err := c.checkVersion(); err != nil {
		return err
	}
	t0 := time.Now()
	if err := s.launch(ctx); err != nil {
		return err
	}
	in := s.Info()
	s.opt.logf("PostgreSQL %s ready on 127.0.0.1:%d in %v (pid %d, data %s)", in.Version, in.Port, time.Since(t0).Round(time.Millisecond), in.PID, in.PGData)
	return nil
}

// tryAttach deals with a postmaster.pid found before starting. It reports attached=true when a
// live cluster run by another live scalelab (or by this process) answers; it removes a stale pid
// file and stops an orphan so that the caller starts afresh.
func (s *Server) tryAttach(ctx context.Context, pf pidFile) (attached bool, err error) {
	c := s.cl
	if !postmasterOf(pf.PID, c.pgdata()) && !servesDir(ctx, pf, c.pgdata()) {
		s.opt.logf("removing a stale postmaster.pid (pid %d is gone, or is not this cluster's server)", pf.PID)
		if err := os.Remove(filepath.Join(c.pgdata(), "postmaster.pid")); err != nil && !errors.Is(err, os.ErrNotExist) {
			return false, fmt.Errorf("remove the stale %s: %w", filepath.Join(c.pgdata(), "postmaster.pid"), err)
		}
		return false, nil
	}
	owner := readInt(c.ownerPath())
	orphan := !alive(owner)
	if ppid := parentPID(pf.PID); ppid != 0 && ppid != owner {
		orphan = true // the owner file is from an older run, or the pid was reused
	}
	if orphan {
		// Left behind by a scalelab that died without stopping it (no parent-death signal on
		// this system, or it was killed while starting). Stop it and start our own, so that it
		// stops when we do.
		s.opt.logf("stopping PostgreSQL (pid %d) left running by an earlier scalelab", pf.PID)
		if err := stopPID(ctx, pf.PID); err != nil {
			return false, fmt.Errorf("stop the orphaned PostgreSQL (pid %d): %w", pf.PID, err)
		}
		return false, nil
	}
	// Run by a live scalelab process: use it. Give it a moment if it is between states.
	var perr error
	deadline := time.Now().Add(10 * time.Second)
	for {
		if perr = ensureDatabase(ctx, pf.Port); perr == nil {
			break
		}
		if authFailed(perr) {
			return false, c.authError(perr)
		}
		if time.Now().After(deadline) || ctx.Err() != nil || !isPostmaster(pf.PID) {
			return false, fmt.Errorf("%w: the PostgreSQL in %s (pid %d, port %d) run by scalelab pid %d does not answer: %v; stop that scalelab, or use another data dir",
				ErrStartFailed, c.pgdata(), pf.PID, pf.Port, owner, perr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	maxConns, _ := showInt(ctx, URLFor(pf.Port, Database), "max_connections")
	s.mu.Lock()
	s.port, s.pid, s.started, s.child, s.url = pf.Port, pf.PID, false, nil, URLFor(pf.Port, Database)
	s.maxConns = maxConns
	s.mu.Unlock()
	s.opt.logf("using the PostgreSQL already running on port %d (pid %d)", pf.Port, pf.PID)
	return true, nil
}

// Stop shuts the private cluster down (fast shutdown, SIGINT) and waits. Start brings it back on
// the same port. Meant for failure drills: the lab keeps running without its database.
func (s *Server) Stop(ctx context.Context) error {
	s.op.Lock()
	defer s.op.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	lock, err := lockDir(ctx, s.cl.lockPath(), s.opt.Logf)
	if err != nil {
		return err
	}
	defer lock.unlock()
	return s.stopLocked(ctx)
}

func (s *Server) stopLocked(ctx context.Context) error {
	s.mu.Lock()
	ch, pid := s.child, s.pid
	s.mu.Unlock()
	var err error
	switch {
	case ch != nil:
		err = ch.stop(ctx)
	case pid != 0 && postmasterOf(pid, s.cl.pgdata()):
		err = stopPID(ctx, pid)
	}
	if err != nil {
		return fmt.Errorf("stop PostgreSQL: %w", err)
	}
	s.mu.Lock()
	s.child, s.pid, s.started = nil, 0, false
	s.mu.Unlock()
	return nil
}

// Start brings the private cluster back after Stop (or after it died), on the same port. If
// another scalelab process started it meanwhile, Start attaches to that one.
func (s *Server) Start(ctx context.Context) error {
	s.op.Lock()
	defer s.op.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	s.mu.Lock()
	ch := s.child
	s.mu.Unlock()
	if ch != nil && !ch.exited() {
		return nil
	}
	return s.bringUp(ctx)
}

func (s *Server) usable() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	if s.external {
		return ErrExternal
	}
	return nil
}

// Close stops the cluster if this process started it, and waits until it has exited. An
// attached or external Server is only forgotten. Safe to call more than once.
func (s *Server) Close() error {
	s.op.Lock()
	defer s.op.Unlock()
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	ch := s.child
	s.mu.Unlock()
	if ch == nil {
		return nil
	}
	// Take the lock so that a process attaching right now sees either a running or a stopped
	// cluster; but never let a stuck peer keep us from stopping ours.
	lctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	lock, _ := lockDir(lctx, s.cl.lockPath(), nil)
	cancel()
	defer lock.unlock()
	err := ch.stop(context.Background())
	s.mu.Lock()
	s.child, s.pid, s.started = nil, 0, false
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("stop PostgreSQL: %w", err)
	}
	return nil
}

// URL is what clients connect with: postgres://postgres:postgres@127.0.0.1:PORT/feedapp?sslmode=disable
// for the private cluster, Options.URL for an external one.
func (s *Server) URL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.url
}

// DatabaseURL returns the URL of another database on the same server (same user and password).
func (s *Server) DatabaseURL(db string) string {
	return withDatabase(s.URL(), db)
}

// Ping checks the server answers a query now.
func (s *Server) Ping(ctx context.Context) error {
	return ping(ctx, s.URL())
}

// Info describes the server. Cheap: no I/O beyond a non-blocking check of our child.
func (s *Server) Info() Info {
	s.mu.Lock()
	defer s.mu.Unlock()
	in := Info{External: s.external, URL: s.url, Version: s.version, Port: s.port}
	if s.external {
		return in
	}
	c := s.cl
	in.BinDir, in.DataDir, in.PGData, in.LogFile, in.RunAs = c.bins.Dir, c.dir, c.pgdata(), c.logPath(), c.as.Name
	in.Started = s.started
	in.PID = s.pid
	switch {
	case s.child != nil:
		in.Running = !s.child.exited()
	case s.pid != 0:
		in.Running = alive(s.pid)
	}
	in.MaxConnections = s.maxConns
	if !in.Running {
		in.PID = 0
	}
	return in
}
