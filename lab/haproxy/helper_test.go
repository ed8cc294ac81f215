package haproxy_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"scalelab/lab/haproxy"
)

// needHAProxy skips a test that runs the real HAProxy when this machine has none.
func needHAProxy(t testing.TB) {
	t.Helper()
	if _, err := haproxy.Find(); err != nil {
		t.Skipf("skipping: %v", err)
	}
}

// shortDir is a private directory with a path short enough for unix sockets.
func shortDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "hx")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// freeAddr is a loopback address free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// backend is a tiny real HTTP server: /health answers 200, /hang never answers, /work answers
// after 2 ms, every other path at once; they answer the backend's name (and the cookies it was
// sent, to check what HAProxy forwards).
type backend struct {
	name string
	srv  *httptest.Server
}

func (b *backend) Addr() string { return b.srv.Listener.Addr().String() }

func startBackend(t testing.TB, name, addr string) *backend {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/health":
			io.WriteString(w, "ok")
			return
		case "/hang": // answers only when the connection is gone
			w.Header().Set("X-Server", name)
			<-r.Context().Done()
			return
		case "/work": // a replica's work, roughly: a short query's wait
			time.Sleep(2 * time.Millisecond)
		}
		w.Header().Set("X-Server", name)
		w.Header().Set("X-Cookies", r.Header.Get("Cookie"))
		io.WriteString(w, name)
	})
	srv := httptest.NewUnstartedServer(h)
	if addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		srv.Listener.Close()
		srv.Listener = ln
	}
	srv.Start()
	b := &backend{name: name, srv: srv}
	t.Cleanup(b.kill)
	return b
}

// kill closes the listener and every connection, as a crashed replica does.
func (b *backend) kill() {
	b.srv.CloseClientConnections()
	b.srv.Close()
}

// start runs HAProxy for cfg and closes it when the test ends.
func start(t testing.TB, cfg haproxy.Config) *haproxy.Proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	p, err := haproxy.Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// get asks path of HAProxy with c and returns the status and the server that answered.
func get(t testing.TB, c *http.Client, p *haproxy.Proc, path string) (int, string) {
	t.Helper()
	resp, err := c.Get(p.URL() + path)
	if err != nil {
		return 0, ""
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("X-Server")
}

// waitFor polls cond every 20 ms until it holds or bound passes.
func waitFor(t testing.TB, bound time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	t0 := time.Now()
	for !cond() {
		if time.Since(t0) > bound {
			t.Fatalf("%s: not within %v", what, bound)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(t0)
}

// serverState reads one server's State from Stats.
func serverState(t testing.TB, p *haproxy.Proc, name string) string {
	t.Helper()
	st, err := p.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s, ok := st.Server(name)
	if !ok {
		t.Fatalf("no server %s in %+v", name, st.Servers)
	}
	return s.State
}

// gone says whether the process with this pid has exited: no such pid, or a zombie waiting
// for its parent (init, when its owner died first) to reap it.
func gone(pid int) bool {
	if errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) {
		return true
	}
	st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(st)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && strings.HasPrefix(strings.TrimSpace(s[i+1:]), "Z")
}

// logs collects what HAProxy logs.
type logs struct {
	mu    sync.Mutex
	lines []haproxy.Log
}

func (l *logs) add(x haproxy.Log) { l.mu.Lock(); l.lines = append(l.lines, x); l.mu.Unlock() }

func (l *logs) all() []haproxy.Log {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]haproxy.Log(nil), l.lines...)
}
