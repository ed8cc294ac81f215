package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"scalelab/lab/telemetry"
)

// AppName is the application_name of the API's connections in pg_stat_activity.
const AppName = "scalelab-feed"

var (
	// ErrClosed: the server was closed.
	ErrClosed = errors.New("feed server closed")
	// ErrListening: Listen was called twice.
	ErrListening = errors.New("feed server already listening")
)

// Server is the feed API. Make it with New, serve it with Listen (or mount
// Handler yourself), stop it with Close.
type Server struct {
	url     string // the database URL, tagged with application_name
	rec     *telemetry.Recorder
	monitor *pgxpool.Pool
	metrics *metrics
	initErr error
	limits  timeouts // the http.Server's timeouts (timeouts.go)
	errs    errLog   // the full text of failures, kept from clients (errlog.go)

	cur          atomic.Pointer[app]
	setMu        sync.Mutex // SetKnobs and Close, one at a time
	closed       atomic.Bool
	retiring     sync.WaitGroup
	poolsCreated atomic.Int64

	// poolMu guards open, closedStats and every app's live set, so that a
	// pool moves from open to closedStats in one step: PoolStats, which holds
	// it too, counts each pool exactly once and its counters never go down.
	poolMu      sync.Mutex
	open        map[*pgxpool.Pool]struct{} // the API's pools not closed yet, of every app (shared and per request)
	closedStats PoolStats                  // counters of the pools already closed

	httpMu  sync.Mutex
	httpSrv *http.Server
	ln      net.Listener
	serveWG sync.WaitGroup

	closeOnce sync.Once
}

// New makes a feed API on the database at dbURL with the given knobs,
// recording every request into rec (nil: no telemetry). It does not connect
// yet; a bad URL or bad knobs make Listen fail and every request answer 500.
func New(dbURL string, k Knobs, rec *telemetry.Recorder) *Server {
	s := &Server{rec: rec, open: map[*pgxpool.Pool]struct{}{}, limits: defaultTimeouts}
	s.metrics = newMetrics(s)
	s.url, s.initErr = withAppName(dbURL, AppName)
	if s.initErr == nil {
		s.initErr = k.Validate()
	}
	if s.initErr == nil {
		s.monitor, s.initErr = newMonitor(dbURL)
	}
	a, err := s.newApp(k, nil)
	if s.initErr == nil {
		s.initErr = err
	}
	s.cur.Store(a)
	return s
}

// withAppName adds application_name to a postgres URL or keyword/value string,
// so the API's connections are told apart in pg_stat_activity.
func withAppName(dbURL, name string) (string, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return "", fmt.Errorf("invalid database URL: %w", err)
	}
	if cfg.ConnConfig.RuntimeParams["application_name"] != "" {
		return dbURL, nil
	}
	if u, err := url.Parse(dbURL); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set("application_name", name)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return dbURL + " application_name=" + name, nil
}

// newMonitor opens the lab's own small pool for /health and Stats, apart from
// the API's connections so it keeps working when the API's pools are starved.
func newMonitor(dbURL string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(dbURL)
	if err != nil {
		return nil, fmt.Errorf("invalid database URL: %w", err)
	}
	cfg.MaxConns = 1
	cfg.MinConns = 1 // keep it open: when max_connections is reached, it is already in
	cfg.MaxConnIdleTime = time.Hour
	cfg.ConnConfig.ConnectTimeout = 2 * time.Second
	cfg.ConnConfig.RuntimeParams["application_name"] = "scalelab-monitor"
	return pgxpool.NewWithConfig(context.Background(), cfg)
}

// newApp builds the API for knobs k, reusing prev's shared pool when its
// settings are the same.
func (s *Server) newApp(k Knobs, prev *app) (*app, error) {
	a := &app{dbURL: s.url, knobs: k, monitor: s.monitor, srv: s, live: map[*pgxpool.Pool]struct{}{}}
	if !k.SharedPool || s.initErr != nil {
		return a, nil
	}
	if prev != nil && prev.shared != nil && prev.knobs.MaxConns == k.MaxConns && prev.knobs.ConnectTimeout == k.ConnectTimeout {
		a.shared, a.owns, prev.owns = prev.shared, true, false
		return a, nil
	}
	db, err := newSharedPool(s.url, k)
	if err != nil {
		return a, err
	}
	a.shared, a.owns = db, true
	s.poolMu.Lock()
	s.open[db] = struct{}{}
	s.poolMu.Unlock()
	return a, nil
}

// begin returns the current app for one request (nil once closed), held
// with inflight.RLock until the request's statusWriter lets go of it.
func (s *Server) begin() *app {
	for {
		a := s.cur.Load()
		a.inflight.RLock()
		if !a.retired {
			return a
		}
		a.inflight.RUnlock()
		if s.closed.Load() {
			return nil
		}
	}
}

// Knobs returns the knobs in effect.
func (s *Server) Knobs() Knobs { return s.cur.Load().knobs }

// SetKnobs restarts the API with new knobs, in place: requests from now on use
// the new settings; requests in flight finish with the old ones, whose pools
// (leaked ones included) are closed once they are done. SetKnobs waits for
// that, or for ctx.
func (s *Server) SetKnobs(ctx context.Context, k Knobs) error {
	if err := k.Validate(); err != nil {
		return err
	}
	s.setMu.Lock()
	defer s.setMu.Unlock()
	if s.closed.Load() {
		return ErrClosed
	}
	if s.initErr != nil {
		return s.initErr
	}
	old := s.cur.Load()
	a, err := s.newApp(k, old)
	if err != nil {
		return err
	}
	if a.shared != nil && a.shared != old.shared {
		// Open a first connection now; errors show up on requests.
		pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_ = a.shared.Ping(pctx)
		cancel()
	}
	s.cur.Store(a)
	done := make(chan struct{})
	s.retiring.Add(1)
	go func() {
		defer s.retiring.Done()
		defer close(done)
		old.retire()
	}()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return nil
}

// Handler returns the API's HTTP handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /feed", s.route("/feed", (*app).feed))
	mux.Handle("POST /posts", s.route("/posts", (*app).createPost))
	mux.Handle("GET /health", s.route("/health", (*app).health))
	mux.Handle("GET /metrics", s.metrics.handler())
	return mux
}

// Listen starts serving on addr ("127.0.0.1:3000"; port 0 picks a free one)
// in the background. A busy port returns an *AddrInUseError.
func (s *Server) Listen(addr string) error {
	if s.initErr != nil {
		return s.initErr
	}
	s.httpMu.Lock()
	defer s.httpMu.Unlock()
	if s.closed.Load() {
		return ErrClosed
	}
	if s.ln != nil {
		return ErrListening
	}
	ln, err := listen(addr)
	if err != nil {
		return err
	}
	s.ln = ln
	s.httpSrv = &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: s.limits.readHeader,
		ReadTimeout:       s.limits.read,
		WriteTimeout:      s.limits.write,
		IdleTimeout:       s.limits.idle,
		// net/http logs to stderr by default, which would write over the
		// workshop's full-screen terminal.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	s.serveWG.Add(1)
	go func() {
		defer s.serveWG.Done()
		_ = s.httpSrv.Serve(ln) // returns on Close
	}()
	return nil
}

// Addr returns the host:port the server listens on ("" before Listen).
func (s *Server) Addr() string {
	s.httpMu.Lock()
	defer s.httpMu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Close stops serving (waiting up to 5 s for requests in flight, then cutting
// off the rest), then closes every pool. Nothing in that can fail: it returns
// nil, for io.Closer. Safe to call more than once (Crash included); later calls
// wait for the first.
func (s *Server) Close() error {
	s.stop(false)
	return nil
}

// Crash stops the server as a crashed process stops: the listener closes and every connection,
// requests in flight included, is closed without an answer (their clients see a connection
// error, not a status), then the pools close. Like Close it is final and safe to repeat.
func (s *Server) Crash() {
	s.stop(true)
}

// stop is Close (abrupt false: requests in flight get up to 5 s to finish) or Crash.
func (s *Server) stop(abrupt bool) {
	s.closeOnce.Do(func() {
		s.setMu.Lock()
		defer s.setMu.Unlock()
		s.closed.Store(true)
		s.httpMu.Lock()
		if s.httpSrv != nil && abrupt {
			s.httpSrv.Close()
		} else if s.httpSrv != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			if err := s.httpSrv.Shutdown(ctx); err != nil {
				s.httpSrv.Close()
			}
			cancel()
		}
		s.httpMu.Unlock()
		s.serveWG.Wait()
		s.cur.Load().retire()
		s.retiring.Wait()
		if s.monitor != nil {
			s.monitor.Close()
		}
	})
}

// ResetPools drops the idle connections of the API's shared pool and of its monitoring
// connection, so that after PostgreSQL came back the next requests open fresh ones instead of
// failing on connections to the server that went away.
func (s *Server) ResetPools() {
	if a := s.cur.Load(); a.shared != nil {
		a.shared.Reset()
	}
	if s.monitor != nil {
		s.monitor.Reset()
	}
}
