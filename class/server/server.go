// Package server is `scalelab class serve`: the workshop over SSH, one isolated lab per learner.
//
// Every learner runs `ssh -p 2222 NAME@HOST` and gets the same tui.App as the local workshop,
// on their own worksheet, run history and lab (their own PostgreSQL cluster, API port and
// HAProxy files) under <class dir>/learners/<id>/. A dropped connection loses nothing: the
// worksheet, the history and the lab controller are kept, and the next session resumes at the
// same step with the same lab. Load tests pass through one queue (class/queue) so that at most
// K run at once and every run notes how many ran beside it. The class's state lives in a
// class/room Room: the board and the export read it through the control socket, Prometheus
// through /metrics.
package server

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	"github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"scalelab/class/queue"
	"scalelab/class/room"
	"scalelab/content/safefile"
	"scalelab/lab/feed"
	"scalelab/lab/pg"
	"scalelab/tui"
)

// Defaults of Config.
const (
	DefaultAddr        = "127.0.0.1:2222"
	DefaultMetricsAddr = "127.0.0.1:9622"
	DefaultIdle        = 20 * time.Minute
	// DefaultMaxLearners is how many learners may join one class.
	DefaultMaxLearners = 100
	// DefaultCodeTimeout is how long the class code's prompt waits for a code.
	DefaultCodeTimeout = 2 * time.Minute
	// DefaultLoginTimeout is how long a connection may take to log in and open its session.
	DefaultLoginTimeout = 30 * time.Second
	// DefaultConnsPerAddr and DefaultConnsTotal cap the SSH connections open at once from one
	// source address and in all: a room needs a few per learner, a flood gets no more.
	DefaultConnsPerAddr = 64
	DefaultConnsTotal   = 512
	// MetricsOff as Config.MetricsAddr serves no /metrics.
	MetricsOff = "off"
)

// Files of the class directory.
const (
	HostKeyFile = "host_ed25519"
	PIDFile     = "server.pid"
	// LockFile is held (an exclusive flock) by the class server running on the directory, for
	// its whole life: the kernel drops it when that process ends, however it ends.
	LockFile     = "server.lock"
	SocketFile   = "control.sock"
	LearnersDir  = "learners"
	stopNotice   = "the class server is stopping: your answers are saved"
	takenOver    = "you opened this workshop in another session: this one is closed (your answers are saved)"
	codeTries    = 3
	codeAlphabet = "abcdefghjkmnpqrstuvwxyz23456789" // no 0/o, 1/l/i: read aloud in a room
)

// Config is what `scalelab class serve` was asked for.
type Config struct {
	Addr string // the SSH server's address; "" = DefaultAddr (loopback)
	Dir  string // the class directory (required): host key, learners.json, learners/<id>/ ...
	// KeysFile is an authorized_keys file: only its keys get in. "" = anyone with a key and the
	// class code.
	KeysFile string
	// Code is the class code learners type once (when KeysFile is ""); "" = a random one
	// (Server.Code says it).
	Code  string
	Slots int // load tests at once; 0 = queue.DefaultSlots(runtime.NumCPU())
	// Idle is how long a learner may be away before their lab is closed (started again on
	// return); 0 = DefaultIdle.
	Idle        time.Duration
	MetricsAddr string // "" = DefaultMetricsAddr; MetricsOff = none
	// NoLab runs text-only sessions: no PostgreSQL, no API (a memory benchmark, a reading class).
	NoLab bool
	// SharedDB is a PostgreSQL every learner's lab uses instead of a private cluster each (its
	// user may create roles and databases): each learner gets a database and a role of their
	// own there, limited to SharedConns connections, so that one learner's broken run cannot
	// take the connections of the rest. "" = a private cluster per learner.
	SharedDB string
	// SharedConns is each learner's connection limit on SharedDB; 0 = DefaultSharedConns.
	SharedConns int
	// Users and Duration override every load test's -c and -z when not 0 (as the workshop's
	// --users and --duration).
	Users    int
	Duration time.Duration
	Theme    tui.Theme
	Class    string                           // the class's name on the board; "" = the directory's name
	Logf     func(format string, args ...any) // the server's own log; nil = log.Printf
	// MaxLearners is how many learners may join (each name and key once); 0 = DefaultMaxLearners.
	MaxLearners int

	// Bounds shortened by tests; 0 = the defaults.
	codeTimeout         time.Duration // the class code's prompt: DefaultCodeTimeout
	wrongCodesPerMinute int           // per source address: 30
	wrongCodeDelay      time.Duration // what each wrong code costs: a second
	connsPerAddr        int           // DefaultConnsPerAddr
	connsTotal          int           // DefaultConnsTotal
	loginTimeout        time.Duration // DefaultLoginTimeout
}

// DefaultSharedConns is each learner's connection limit on a shared PostgreSQL: the
// max_connections of the private cluster a learner's lab would have had (Scenario 1's lesson
// is what happens at that ceiling).
const DefaultSharedConns = 50

// Server is a running class server (New listens; Run serves until its context ends).
type Server struct {
	cfg     Config
	code    string
	allowed map[string]bool // nil: the code decides
	book    *learnerBook
	room    *room.Room
	codes   *codeGuard // wrong class codes, bounded per source address

	// sharedRoom is how many learners' labs the shared PostgreSQL holds (SharedDB); shared
	// names those given a database there so far (guarded by mu).
	sharedRoom int
	shared     map[string]bool
	queue      *queue.Queue

	ssh       *ssh.Server
	ln        net.Listener
	metricsLn net.Listener
	metrics   *http.Server
	sockLn    net.Listener // the control socket
	pidPath   string
	sockPath  string
	unlock    func() // releases LockFile

	mu       sync.Mutex
	learners map[string]*learner // by ID
	sessions map[*session]bool   // open sessions, learners' or not yet
	stopping bool
	wg       sync.WaitGroup // session handlers
}

// New checks the configuration, prepares the class directory (0700), takes server.lock (a
// live server on the same directory is refused, and nothing of it is touched), writes
// server.pid, loads or makes the host key, and listens on the SSH and /metrics addresses and
// the control socket. Nothing is served before Run.
func New(cfg Config) (_ *Server, err error) {
	if cfg.Dir == "" {
		return nil, errors.New("the class needs a directory: pass --dir DIR")
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.MetricsAddr == "" {
		cfg.MetricsAddr = DefaultMetricsAddr
	}
	if cfg.Idle <= 0 {
		cfg.Idle = DefaultIdle
	}
	if cfg.SharedConns <= 0 {
		cfg.SharedConns = DefaultSharedConns
	}
	if cfg.Slots <= 0 {
		cfg.Slots = queue.DefaultSlots(runtime.NumCPU())
	}
	if cfg.Logf == nil {
		cfg.Logf = log.Printf
	}
	if cfg.MaxLearners <= 0 {
		cfg.MaxLearners = DefaultMaxLearners
	}
	if cfg.codeTimeout <= 0 {
		cfg.codeTimeout = DefaultCodeTimeout
	}
	if cfg.connsPerAddr <= 0 {
		// a room behind one NAT is one address: it must hold the whole class
		cfg.connsPerAddr = max(DefaultConnsPerAddr, cfg.MaxLearners+16)
	}
	if cfg.connsTotal <= 0 {
		cfg.connsTotal = DefaultConnsTotal
	}
	if cfg.loginTimeout <= 0 {
		cfg.loginTimeout = DefaultLoginTimeout
	}
	if cfg.KeysFile != "" && cfg.Code != "" {
		return nil, errors.New("--keys and --code exclude each other: give the list of allowed keys, or a class code, not both")
	}
	if cfg.Dir, err = filepath.Abs(cfg.Dir); err != nil {
		return nil, err
	}
	if sock := filepath.Join(cfg.Dir, SocketFile); len(sock) > maxSocketPath {
		return nil, fmt.Errorf("the class directory's path is too long for its control socket (%s is %d bytes, a unix socket allows %d): pass a shorter --dir", sock, len(sock), maxSocketPath)
	}
	if cfg.Class == "" {
		cfg.Class = filepath.Base(cfg.Dir)
	}
	if err := os.MkdirAll(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("making the class directory: %w (pass a writable --dir)", err)
	}
	if err := os.Chmod(cfg.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("making the class directory private: %w", err)
	}
	s := &Server{cfg: cfg, learners: map[string]*learner{}, sessions: map[*session]bool{}}
	s.pidPath = filepath.Join(cfg.Dir, PIDFile)
	s.sockPath = filepath.Join(cfg.Dir, SocketFile)
	if s.unlock, err = lockDir(cfg.Dir); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			s.closeListeners()
			os.Remove(s.pidPath)
			s.unlock()
		}
	}()
	if cfg.KeysFile != "" {
		if s.allowed, err = readAuthorizedKeys(cfg.KeysFile); err != nil {
			return nil, err
		}
	} else {
		s.code = cfg.Code
		if s.code == "" {
			s.code = randomCode(7)
		}
	}
	if s.book, err = openBook(filepath.Join(cfg.Dir, LearnersFile)); err != nil {
		return nil, err
	}
	if cfg.SharedDB != "" && !cfg.NoLab {
		ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		n, maxConns, err := pg.SharedCapacity(ctx, cfg.SharedDB, cfg.SharedConns)
		cancel()
		if err != nil {
			return nil, fmt.Errorf("the shared PostgreSQL: %w (check --db / DATABASE_URL, or leave it out to give every learner a private cluster)", err)
		}
		if n < 1 {
			return nil, fmt.Errorf("the shared PostgreSQL's max_connections is %d: not enough for one learner's lab of %d connections; raise max_connections or leave --db out", maxConns, cfg.SharedConns)
		}
		s.sharedRoom, s.shared = n, map[string]bool{}
		cfg.Logf("the shared PostgreSQL (max_connections %d) holds %d learners' labs of %d connections each", maxConns, n, cfg.SharedConns)
	}
	s.codes = newCodeGuard(cfg.wrongCodesPerMinute, cfg.wrongCodeDelay, cfg.Logf)
	s.queue = queue.New(cfg.Slots)
	s.room = room.New(cfg.Class, cfg.Slots)
	s.restoreRoom() // a restarted server's board shows everyone who joined before
	s.queue.OnChange(func() { s.room.SetQueue(len(s.queue.Running()), len(s.queue.Waiting())) })

	// The learners' terminals are not the server's stdout: the styles are rendered for a
	// 256-colour terminal (what a terminal reached over SSH shows nearly everywhere), and a
	// session whose TERM is dumb or that sends NO_COLOR gets the app's no-colour styles (bold
	// and reverse only, see sessionLook). lipgloss's profile is one per process, so a session
	// cannot have its own number of colours.
	lipgloss.SetColorProfile(termenv.ANSI256)

	hostKey := filepath.Join(cfg.Dir, HostKeyFile)
	s.ssh, err = wish.NewServer(
		wish.WithAddress(cfg.Addr),
		wish.WithHostKeyPath(hostKey),
		wish.WithPublicKeyAuth(publicKeyHandler(s.allowed)),
		wish.WithMiddleware(
			s.afterProgramMiddleware, // innermost: the series, the end
			bubbletea.MiddlewareWithProgramHandler(s.program, termenv.Ascii), // the learner's program
			s.interactiveOnly, // outermost: no exec, no subsystem, a pty
		),
	)
	if err != nil {
		return nil, fmt.Errorf("the SSH server: %w (the host key is %s)", err, hostKey)
	}
	if err := checkPrivate(hostKey); err != nil {
		return nil, err
	}
	// No forwarding of any kind, no SFTP, no agent: only "session" channels and no subsystem.
	s.ssh.LocalPortForwardingCallback = nil
	s.ssh.ReversePortForwardingCallback = nil
	s.ssh.SubsystemHandlers = map[string]ssh.SubsystemHandler{}
	s.ssh.ChannelHandlers = map[string]ssh.ChannelHandler{"session": ssh.DefaultSessionHandler}
	// the connection travels with its context, so that its session can stop its login clock
	s.ssh.ConnCallback = func(ctx ssh.Context, c net.Conn) net.Conn { ctx.SetValue(connKey{}, c); return c }

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w (pass another --addr, or stop what uses that port)", cfg.Addr, err)
	}
	s.ln = newCapListener(ln, cfg.connsPerAddr, cfg.connsTotal, cfg.loginTimeout, cfg.Logf)
	if cfg.MetricsAddr != MetricsOff {
		if s.metricsLn, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			return nil, fmt.Errorf("listening for /metrics on %s: %w (pass another --metrics-addr, or --metrics-addr off)", cfg.MetricsAddr, err)
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(s.room.Collector(), collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
		// a client that sends its headers slowly, or keeps an idle connection, is cut
		s.metrics = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 60 * time.Second, MaxHeaderBytes: 16 << 10}
	}
	if s.sockLn, err = room.Listen(s.sockPath); err != nil {
		return nil, err
	}
	return s, nil
}

// Code is the class code learners type once; "" when --keys decides who gets in.
func (s *Server) Code() string { return s.code }

// Addr is where the SSH server listens.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// MetricsAddr is where /metrics is served; nil when off.
func (s *Server) MetricsAddr() net.Addr {
	if s.metricsLn == nil {
		return nil
	}
	return s.metricsLn.Addr()
}

// Room is the class's state (what the board shows).
func (s *Server) Room() *room.Room { return s.room }

// Dir is the class directory.
func (s *Server) Dir() string { return s.cfg.Dir }

// Exposure is the warning to print when the SSH server is reachable from other machines ("" on
// loopback): who may then try to join, and what keeps them out.
func (s *Server) Exposure() string { return s.exposure(s.ln.Addr().String()) }

func (s *Server) exposure(addr string) string {
	if feed.ExposureWarning(addr) == "" { // loopback (the feed's rule of what is exposed)
		return ""
	}
	gate := "the class code " + s.code
	if s.allowed != nil {
		gate = "a key listed in " + s.cfg.KeysFile
	}
	_, port, _ := net.SplitHostPort(addr)
	return fmt.Sprintf("the class server listens on %s: anyone who can reach this machine on port %s can try to join, and %s lets them in; "+
		"share the code in the room only, or keep the class to this machine with --addr 127.0.0.1:%s", addr, port, gate, port)
}

// Run serves SSH sessions, the control socket and /metrics until ctx ends, then shuts the
// class down: no new session, every session told and closed, every worksheet flushed, every
// lab closed (PostgreSQL and HAProxy stopped), control.sock and server.pid removed.
func (s *Server) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, 3)
	go func() {
		if err := s.ssh.Serve(s.ln); err != nil && !errors.Is(err, ssh.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			errs <- fmt.Errorf("the SSH server stopped: %w", err)
		}
	}()
	if s.metrics != nil {
		go func() {
			if err := s.metrics.Serve(s.metricsLn); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("/metrics stopped: %w", err)
			}
		}()
	}
	sockDone := make(chan struct{})
	go func() {
		defer close(sockDone)
		send := func(n room.Notice) error { s.room.Broadcast(n); return nil }
		if err := room.ServeListener(ctx, s.sockLn, room.Handler(s.room, send)); err != nil && ctx.Err() == nil {
			errs <- fmt.Errorf("the control socket: %w", err)
		}
	}()
	unsubscribe := s.room.Subscribe(s.notify)
	go s.reapIdle(ctx)

	var err error
	select {
	case <-ctx.Done():
	case err = <-errs:
	}
	unsubscribe()
	cancel()
	s.shutdown()
	<-sockDone
	os.Remove(s.sockPath)
	os.Remove(s.pidPath)
	s.unlock() // last: until here a second server is refused
	return err
}

// shutdown ends every session (telling why), then flushes and closes every learner's lab.
func (s *Server) shutdown() {
	s.mu.Lock()
	s.stopping = true
	open := make([]*session, 0, len(s.sessions))
	for st := range s.sessions {
		open = append(open, st)
	}
	s.mu.Unlock()
	s.ln.Close() // no new connection
	for _, st := range open {
		st.stop(stopNotice)
	}
	waitTimeout(&s.wg, 15*time.Second)
	s.ssh.Close() // connections still open (a client that does not read) are cut
	if s.metrics != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s.metrics.Shutdown(sctx)
		cancel()
	}
	s.mu.Lock()
	all := make([]*learner, 0, len(s.learners))
	for _, l := range s.learners {
		all = append(all, l)
	}
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, l := range all {
		wg.Add(1)
		go func() { defer wg.Done(); l.close() }()
	}
	wg.Wait()
}

// closeListeners undoes New's listening when New fails after it.
func (s *Server) closeListeners() {
	if s.ln != nil {
		s.ln.Close()
	}
	if s.metricsLn != nil {
		s.metricsLn.Close()
	}
	if s.sockLn != nil {
		s.sockLn.Close()
	}
}

// notify passes the instructor's notice to every learner's live session. It must not block
// (room.Subscribe): each session's notices go through its own small queue, drained by one
// goroutine of that session; a session whose queue is full misses this notice.
func (s *Server) notify(n room.Notice) {
	var msgs []tea.Msg
	if n.Message != "" {
		msgs = append(msgs, tui.BroadcastMsg{Text: n.Message})
	}
	if n.Goto >= 0 {
		msgs = append(msgs, tui.GotoStepMsg{Step: n.Goto})
	}
	s.mu.Lock()
	open := make([]*session, 0, len(s.sessions))
	for st := range s.sessions {
		open = append(open, st)
	}
	s.mu.Unlock()
	for _, st := range open {
		if st.program() == nil {
			continue // not a learner's yet
		}
		for _, m := range msgs {
			if !st.deliver(m) {
				s.cfg.Logf("a notice to %s was dropped: their session is not reading its notices", st.who())
			}
		}
	}
}

// reapIdle closes the labs of learners away for longer than Config.Idle.
func (s *Server) reapIdle(ctx context.Context) {
	every := min(max(s.cfg.Idle/4, 100*time.Millisecond), 30*time.Second)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			s.mu.Lock()
			all := make([]*learner, 0, len(s.learners))
			for _, l := range s.learners {
				all = append(all, l)
			}
			s.mu.Unlock()
			for _, l := range all {
				l.closeIfIdle(now, s.cfg.Idle)
			}
		}
	}
}

// lockDir takes the class directory's LockFile (an exclusive flock, held until unlock) and
// writes server.pid, which says who holds it. A directory another live server holds is refused
// with that server's pid, and nothing of it is touched: the kernel's lock, not the pid file,
// says whether it runs (a copy of the binary, `go run` or a reused pid cannot fool it).
func lockDir(dir string) (unlock func(), err error) {
	path := filepath.Join(dir, LockFile)
	release, holder, err := safefile.Claim(path)
	if err != nil {
		return nil, fmt.Errorf("locking the class directory (%s): %w (pass a writable --dir)", path, err)
	}
	if release == nil {
		who := "another process"
		if holder > 0 {
			who = fmt.Sprintf("pid %d", holder)
		}
		return nil, fmt.Errorf("a class server (%s) already runs on %s: stop it first, or pass another --dir", who, dir)
	}
	pidPath := filepath.Join(dir, PIDFile)
	if err := safefile.WriteAtomic(pidPath, []byte(strconv.Itoa(os.Getpid())+"\n")); err != nil {
		release()
		return nil, fmt.Errorf("%w (pass a writable --dir)", err)
	}
	return release, nil
}

// checkPrivate refuses a host key others can read.
func checkPrivate(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("the host key: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("the host key %s can be read by others (mode %04o): run chmod 600 %s", path, fi.Mode().Perm(), path)
	}
	return nil
}

// randomCode is a class code of n characters easy to read aloud.
func randomCode(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// capListener caps the connections open at once: perAddr from one source address, total in
// all. A connection over a cap is closed as soon as it is accepted (and logged), so that one
// machine cannot take every file descriptor, or every learner's place, by opening connections;
// one that has not opened its session within login is closed too, so that the places are not
// held by connections that never log in.
type capListener struct {
	net.Listener
	perAddr, total int
	login          time.Duration
	logf           func(string, ...any)

	mu     sync.Mutex
	open   int
	byAddr map[string]int
}

func newCapListener(ln net.Listener, perAddr, total int, login time.Duration, logf func(string, ...any)) *capListener {
	return &capListener{Listener: ln, perAddr: perAddr, total: total, login: login, logf: logf, byAddr: map[string]int{}}
}

// Accept returns the next connection within the caps.
func (cl *capListener) Accept() (net.Conn, error) {
	for {
		c, err := cl.Listener.Accept()
		if err != nil {
			return nil, err
		}
		addr := remoteHost(c.RemoteAddr())
		cl.mu.Lock()
		over := ""
		switch {
		case cl.open >= cl.total:
			over = fmt.Sprintf("the server holds %d connections, its most", cl.open)
		case cl.byAddr[addr] >= cl.perAddr:
			over = fmt.Sprintf("%s holds %d connections, the most from one address", addr, cl.byAddr[addr])
		default:
			cl.open++
			cl.byAddr[addr]++
		}
		cl.mu.Unlock()
		if over != "" {
			c.Close()
			cl.logf("a connection from %s was closed at once: %s", addr, over)
			continue
		}
		cc := &cappedConn{Conn: c, cl: cl, addr: addr}
		cc.clock = time.AfterFunc(cl.login, func() {
			cl.logf("a connection from %s was closed: it opened no session within %s", addr, humanDuration(cl.login))
			cc.closeConn() // not Close: the clock is not this goroutine's to read
		})
		return cc, nil
	}
}

// release gives back the place of a closed connection from addr.
func (cl *capListener) release(addr string) {
	cl.mu.Lock()
	defer cl.mu.Unlock()
	cl.open--
	if cl.byAddr[addr]--; cl.byAddr[addr] <= 0 {
		delete(cl.byAddr, addr)
	}
}

type cappedConn struct {
	net.Conn
	cl    *capListener
	addr  string
	clock *time.Timer // closes the connection unless a session opens first
	once  sync.Once
}

// loggedIn stops the login clock: the connection opened its session.
func (c *cappedConn) loggedIn() { c.clock.Stop() }

func (c *cappedConn) Close() error {
	c.clock.Stop()
	return c.closeConn()
}

// closeConn closes the connection and gives its place back (once).
func (c *cappedConn) closeConn() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.cl.release(c.addr) })
	return err
}

// connKey keys a connection's *cappedConn in its ssh.Context.
type connKey struct{}

// remoteHost is the host of a peer's address (its IP without the port).
func remoteHost(a net.Addr) string {
	if a == nil {
		return "unknown"
	}
	if h, _, err := net.SplitHostPort(a.String()); err == nil {
		return h
	}
	return a.String()
}

// maxSocketPath is the longest unix socket path class/room's Listen accepts (sun_path on every
// platform): the same limit, checked before anything is printed or listened on.
const maxSocketPath = 104

// waitTimeout waits for wg, at most d.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
	}
}
