package haproxy

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"scalelab/lab/home"
)

// DefaultListen is where the balancer listens when Config.Listen is empty (or the first free
// port of the ten after it).
const DefaultListen = "127.0.0.1:3000"

// Health check defaults: a check of GET /health every second, two failures in a row mark a
// server DOWN, two successes bring it back UP.
const (
	DefaultCheckInterval = time.Second
	DefaultFall          = 2
	DefaultRise          = 2
)

// Backend is one server behind the balancer.
type Backend struct {
	Name string // the server's name in HAProxy (stats, logs, the sticky cookie): letters, digits, - _ .
	Addr string // host:port, e.g. 127.0.0.1:8081
}

// Timeouts bound each phase of a request through HAProxy. Zero fields take the defaults.
type Timeouts struct {
	Connect time.Duration // to open a connection to a backend; default 2s
	Client  time.Duration // client inactivity; default 30s
	Server  time.Duration // backend inactivity (waiting for its response); default 30s
	Check   time.Duration // one health check; default the check interval
	Queue   time.Duration // waiting for a free backend; default 5s
}

// Config is one HAProxy setup. Only Backends is required.
type Config struct {
	Dir      string    // private directory for the config, pid file and sockets (0700); "" = DefaultDir; keep its path short (unix socket paths are limited to ~100 bytes)
	Listen   string    // the address to listen on; "" = DefaultListen or the first free of the ten ports after it
	Backends []Backend // at least one
	Sticky   bool      // stickiness through HAProxy's cookie SERVERID (one value per server)

	// Retries is how many times HAProxy tries to connect again after a connection to a server
	// failed (refused, timed out), each time after a turn-around of up to a second; then the
	// client gets a 503. 0 (unlike HAProxy's own default of 3) means none: a request sent to a
	// dead server before the checks mark it DOWN fails at once, so failures show exactly the
	// detection window instead of stalling each request for seconds.
	Retries int
	// Redispatch sends a retry to another server (`option redispatch`): with Retries >= 1 a dead
	// server costs only its requests in flight.
	Redispatch bool

	CheckInterval time.Duration // between two health checks of one server; 0 = DefaultCheckInterval
	Fall          int           // failed checks in a row that mark a server DOWN; 0 = DefaultFall
	Rise          int           // passed checks in a row that mark it UP again; 0 = DefaultRise
	Timeouts      Timeouts

	// OnLog, when set, is called from one goroutine with each line HAProxy logs: every request
	// and every server state change. It must not block for long: lines arriving meanwhile wait
	// in the socket's buffer, and the ones that overflow it are lost.
	OnLog func(Log)
	// Logf, when set, is told what the supervision does (a leftover killed, a crashed haproxy
	// started again).
	Logf func(format string, args ...any)
}

func (c Config) logf(format string, args ...any) {
	if c.Logf != nil {
		c.Logf(format, args...)
	}
}

// Names of things in the generated configuration.
const (
	FrontendName = "lb"       // the frontend in Stats and logs
	BackendName  = "replicas" // the backend in Stats and logs
	CookieName   = "SERVERID" // the sticky cookie
	healthPath   = "/health"
)

// The files in Config.Dir.
const (
	configFile = "haproxy.cfg"
	pidFile    = "haproxy.pid"
	outFile    = "haproxy.log"
	statsSock  = "stats.sock"
	logSock    = "log.sock"
)

// maxSockPath is the longest unix socket path every system accepts (sun_path is 104 bytes on
// macOS, 108 on Linux, both counting the final NUL).
const maxSockPath = 103

var nameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// DefaultDir is the data home's haproxy directory, where Start keeps its files when Config.Dir
// is empty.
func DefaultDir() (string, error) { return home.Path("haproxy") }

// withDefaults fills the zero fields but Dir (see Start).
func (c Config) withDefaults() Config {
	if c.Dir != "" {
		c.Dir = filepath.Clean(c.Dir)
	}
	if c.CheckInterval == 0 {
		c.CheckInterval = DefaultCheckInterval
	}
	if c.Fall == 0 {
		c.Fall = DefaultFall
	}
	if c.Rise == 0 {
		c.Rise = DefaultRise
	}
	t := &c.Timeouts
	if t.Connect == 0 {
		t.Connect = 2 * time.Second
	}
	if t.Client == 0 {
		t.Client = 30 * time.Second
	}
	if t.Server == 0 {
		t.Server = 30 * time.Second
	}
	if t.Check == 0 {
		t.Check = c.CheckInterval
	}
	if t.Queue == 0 {
		t.Queue = 5 * time.Second
	}
	return c
}

// check says what is wrong with a configuration (defaults filled).
func (c Config) check() error {
	if c.Dir == "" {
		return errors.New("haproxy: Config.Dir is empty")
	}
	if !filepath.IsAbs(c.Dir) {
		return fmt.Errorf("haproxy: Config.Dir %q is not an absolute path", c.Dir)
	}
	if n := len(filepath.Join(c.Dir, statsSock)); n > maxSockPath {
		return fmt.Errorf("haproxy: Config.Dir %q is too long for a unix socket path (%d bytes, at most %d)", c.Dir, n, maxSockPath)
	}
	if strings.ContainsAny(c.Dir, " \t\n\"'\\#") {
		return fmt.Errorf("haproxy: Config.Dir %q holds a character HAProxy's configuration cannot take", c.Dir)
	}
	if len(c.Backends) == 0 {
		return errors.New("haproxy: no backends")
	}
	seen := map[string]bool{}
	for _, b := range c.Backends {
		if !nameRE.MatchString(b.Name) {
			return fmt.Errorf("haproxy: backend name %q: use letters, digits, - _ or .", b.Name)
		}
		if seen[b.Name] {
			return fmt.Errorf("haproxy: two backends named %q", b.Name)
		}
		seen[b.Name] = true
		if _, _, err := net.SplitHostPort(b.Addr); err != nil || strings.ContainsAny(b.Addr, " \t\n") {
			return fmt.Errorf("haproxy: backend %s: address %q: want host:port, like 127.0.0.1:8081", b.Name, b.Addr)
		}
	}
	if c.Retries < 0 || c.Retries > 10 {
		return fmt.Errorf("haproxy: %d retries: want 0 to 10", c.Retries)
	}
	if c.CheckInterval < 10*time.Millisecond || c.Fall < 1 || c.Rise < 1 {
		return fmt.Errorf("haproxy: health checks every %v, fall %d, rise %d: want at least 10ms, 1 and 1", c.CheckInterval, c.Fall, c.Rise)
	}
	return nil
}

// DetectionWindow is how long after a backend dies HAProxy may still send it requests: the
// first failed check comes at most one CheckInterval after the death, and Fall-1 more follow
// at the same interval, each taking up to Timeouts.Check when the backend hangs instead of
// refusing connections. A refused connection fails a check at once, so a crashed backend is
// marked DOWN between (Fall-1) and Fall intervals after it died: 1 to 2 seconds by default.
// (Until its first check after a start or reload, a server counts as UP but a single failure
// marks it DOWN.)
func (c Config) DetectionWindow() (min, max time.Duration) {
	c = c.withDefaults()
	n := time.Duration(c.Fall)
	return (n - 1) * c.CheckInterval, n * c.CheckInterval
}

// logFormat makes each request one line of space-separated fields that parseLog reads:
// "req" client frontend backend server status Tw Tc Tr Ta termination retries method path.
const logFormat = `req %ci:%cp %f %b %s %ST %Tw %Tc %Tr %Ta %tsc %rc %HM %HPO`

// render writes haproxy.cfg for c (defaults filled) listening on listen.
func (c Config) render(listen string) string {
	ms := func(d time.Duration) string { return fmt.Sprintf("%dms", d.Milliseconds()) }
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	w("# Generated by scalelab; rewritten at every start and reload.")
	w("global")
	w("    log %s format raw local0 info", filepath.Join(c.Dir, logSock))
	w("    stats socket %s mode 600 level admin", filepath.Join(c.Dir, statsSock))
	w("    stats timeout 10s")
	w("    hard-stop-after %s", ms(hardStopAfter))
	w("    maxconn 4096")
	w("")
	w("defaults")
	w("    mode http")
	w("    log global")
	w("    log-format \"%s\"", logFormat)
	w("    option http-keep-alive")
	w("    retries %d", c.Retries)
	if c.Redispatch {
		w("    option redispatch")
	}
	w("    timeout connect %s", ms(c.Timeouts.Connect))
	w("    timeout client %s", ms(c.Timeouts.Client))
	w("    timeout server %s", ms(c.Timeouts.Server))
	w("    timeout check %s", ms(c.Timeouts.Check))
	w("    timeout queue %s", ms(c.Timeouts.Queue))
	w("")
	w("frontend %s", FrontendName)
	w("    bind %s", listen)
	w("    default_backend %s", BackendName)
	w("")
	w("backend %s", BackendName)
	w("    balance roundrobin")
	w("    option httpchk GET %s", healthPath)
	w("    http-check expect status 200")
	w("    default-server check inter %s fastinter %s downinter %s fall %d rise %d",
		ms(c.CheckInterval), ms(c.CheckInterval), ms(c.CheckInterval), c.Fall, c.Rise)
	if c.Sticky {
		w("    cookie %s insert indirect nocache httponly", CookieName)
	}
	for _, s := range c.Backends {
		if c.Sticky {
			w("    server %s %s cookie %s", s.Name, s.Addr, s.Name)
		} else {
			w("    server %s %s", s.Name, s.Addr)
		}
	}
	return b.String()
}
