package pg

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
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
	sec      secrets // the cluster's passwords (private cluster)
	up       bool    // the last state the supervisor or an operation saw

	epoch   atomic.Uint64 // bumped on every down/up transition (Epoch)
	stopSup chan struct{} // closed by Close: the supervisor ends
	supDone chan struct{} // closed when the supervisor has ended
	supStop sync.Once
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
	asked, err := askedDir(opt, bins)
	if err != nil {
		return nil, err
	}
	as, err := runAccount(ctx, asked, opt.logf)
	if err != nil {
		return nil, err
	}
	dir, err := dataDir(opt, bins, as)
	if err != nil {
		return nil, err
	}
	s := &Server{opt: opt, version: bins.Version, cl: &cluster{bins: bins, dir: dir, as: as}}
	if err := s.cl.prepareDir(); err != nil {
		return nil, err
	}
	// Opening is starting again: a deliberate stop of an earlier run ends here.
	s.cl.clearStopped()
	if err := s.bringUp(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.up = true
	s.mu.Unlock()
	s.stopSup, s.supDone = make(chan struct{}), make(chan struct{})
	go s.supervise()
	return s, nil
}

// DataDirFor returns the cluster directory Open would use for these options and binaries
// (where root runs put it included). It creates nothing but the data home.
func DataDirFor(ctx context.Context, opt Options, bins Binaries) (string, error) {
	var as account
	if os.Geteuid() == 0 {
		asked, err := askedDir(opt, bins)
		if err != nil {
			return "", err
		}
		a, ok := lookupAccount(accountName(asked))
		if !ok { // not created yet: it will own nothing, so only the "other" bits count
			a = account{Name: accountName(asked), UID: -2, GID: -2, drop: true}
		}
		as = a
	}
	return dataDir(opt, bins, as)
}

func dataDir(opt Options, bins Binaries, as account) (string, error) {
	abs, err := askedDir(opt, bins)
	if err != nil {
		return "", err
	}
	return reachableDataDir(abs, as, bins.Major), nil
}

// askedDir is the absolute cluster directory the options ask for (before any move for root):
// DataDir, else pg/<major> in Home, else in the data home.
func askedDir(opt Options, bins Binaries) (string, error) {
	asked := opt.DataDir
	if asked == "" && opt.Home != "" {
		asked = filepath.Join(opt.Home, "pg", strconv.Itoa(bins.Major))
	}
	if asked == "" {
		p, err := home.Path("pg", strconv.Itoa(bins.Major))
		if err != nil {
			return "", fmt.Errorf("the scalelab data dir: %w (set SCALELAB_HOME to a writable directory)", err)
		}
		asked = p
	}
	return filepath.Abs(asked)
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

	// An older scalelab's layout is fixed while no server runs on it, before anything in the
	// directory is trusted.
	if pf, err := readPidFile(c.pgdata()); err != nil || !postmasterOf(pf.PID, c.pgdata()) {
		if err := c.takeBack(); err != nil {
			return err
		}
	}
	if err := s.readSecrets(); err != nil {
		return err
	}
	if pf, err := readPidFile(c.pgdata()); err == nil {
		switch attached, err := s.tryAttach(ctx, pf); {
		case err != nil:
			return err
		case attached:
			return nil
		}
	}
	if err := c.takeBack(); err != nil { // an orphan stopped above may have kept it from running
		return err
	}
	if !c.initialized() {
		s.opt.logf("initialising a PostgreSQL %s cluster in %s", c.bins.Version, c.pgdata())
		t0 := time.Now()
		sec, err := c.initdb(ctx)
		if err != nil {
			return err
		}
		s.setSecrets(sec)
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
	if !postmasterOf(pf.PID, c.pgdata()) && !servesDir(ctx, pf, urlFor(AdminUser, s.secrets().Admin, pf.Port, "postgres"), c.pgdata()) {
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
	migrated := false
	deadline := time.Now().Add(10 * time.Second)
	for {
		if perr = ping(ctx, s.appURL(pf.Port)); perr == nil {
			break
		}
		if authFailed(perr) {
			// Started by an older scalelab (no lab role yet, the published superuser
			// password): set the cluster up as this version expects, once.
			if !migrated {
				migrated = true
				if err := s.ensureRoles(ctx, pf.Port); err == nil {
					continue
				}
			}
			return false, c.authError(perr)
		}
		if time.Now().After(deadline) || ctx.Err() != nil || !isPostmaster(pf.PID) {
			return false, fmt.Errorf("%w: the PostgreSQL in %s (pid %d, port %d) run by scalelab pid %d does not answer: %v; stop that scalelab, or use another data dir",
				ErrStartFailed, c.pgdata(), pf.PID, pf.Port, owner, perr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	maxConns, _ := showInt(ctx, s.appURL(pf.Port), "max_connections")
	s.mu.Lock()
	s.port, s.pid, s.started, s.child, s.url = pf.Port, pf.PID, false, nil, s.appURLLocked(pf.Port)
	s.maxConns = maxConns
	s.mu.Unlock()
	s.opt.logf("using the PostgreSQL already running on port %d (pid %d)", pf.Port, pf.PID)
	return true, nil
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

// Close ends supervision, stops the cluster if this process started it, and waits until it has
// exited. An attached or external Server is only forgotten. Safe to call more than once.
func (s *Server) Close() error {
	s.endSupervision()
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

// AdminURL is the superuser's URL on the lab's database (for psql --admin and setup that needs
// it); Options.URL for an external server. It holds the password: show it only on request, and
// pass it through Redact everywhere else.
func (s *Server) AdminURL() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.external || s.port == 0 {
		return s.url
	}
	return urlFor(AdminUser, s.sec.Admin, s.port, Database)
}

// Epoch counts the cluster's down/up transitions seen by this Server: it changes whenever the
// postmaster went away (killed, stopped, crashed) or came back. Compare two readings to learn
// whether an outage or a restart happened in between. Always 0 for an external server.
func (s *Server) Epoch() uint64 { return s.epoch.Load() }

// setUp records the cluster's state and bumps the epoch when it changed.
func (s *Server) setUp(up bool) {
	s.mu.Lock()
	changed := s.up != up
	s.up = up
	s.mu.Unlock()
	if changed {
		s.epoch.Add(1)
		if s.opt.OnChange != nil {
			s.opt.OnChange(up)
		}
	}
}

// URL is what the lab connects with: postgres://feedapp:PASSWORD@127.0.0.1:PORT/feedapp?sslmode=disable
// for the private cluster (the role that owns the lab's database and nothing more), Options.URL
// for an external one. It holds the password: pass it through Redact before showing it.
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
		in.Running = !s.child.Exited()
	case s.pid != 0:
		in.Running = alive(s.pid)
	}
	in.MaxConnections = s.maxConns
	in.Stopped = c.stopped()
	if !in.Running {
		in.PID = 0
	}
	return in
}
