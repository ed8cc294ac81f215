package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	gossh "golang.org/x/crypto/ssh"

	"scalelab/class/room"
)

// testServer is a class server on a loopback port of its own, run until the test ends.
type testServer struct {
	*Server
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// startServer starts a text-only class server in a fresh directory unless cfg says otherwise.
func startServer(t testing.TB, cfg Config) *testServer {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = filepath.Join(t.TempDir(), "class")
	}
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.MetricsAddr == "" {
		cfg.MetricsAddr = MetricsOff
	}
	if cfg.Logf == nil {
		cfg.Logf = t.Logf
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{Server: s, cancel: cancel, done: make(chan error, 1)}
	go func() { ts.done <- s.Run(ctx) }()
	t.Cleanup(func() { ts.stop(t) })
	return ts
}

// stop shuts the server down and waits for it (once).
func (ts *testServer) stop(t testing.TB) {
	ts.once.Do(func() {
		ts.cancel()
		select {
		case err := <-ts.done:
			if err != nil {
				t.Errorf("the server ended with: %v", err)
			}
		case <-time.After(60 * time.Second):
			t.Errorf("the server did not stop within 60 s")
		}
	})
}

// newKey is a fresh ed25519 key of a learner.
func newKey(t testing.TB) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// screen is one learner's SSH session with a terminal, as a real client opens it.
type screen struct {
	t      testing.TB
	client *gossh.Client
	sess   *gossh.Session
	stdin  io.WriteCloser
	mu     sync.Mutex
	out    bytes.Buffer
	ended  chan struct{}
	err    error // the session's end (after ended)
}

// dial opens an SSH connection as user with the given auth methods.
func dial(addr, user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	return gossh.Dial("tcp", addr, &gossh.ClientConfig{
		User: user, Auth: auth, Timeout: 10 * time.Second,
		HostKeyCallback: gossh.InsecureIgnoreHostKey(), // the host key's persistence is tested on its own
	})
}

// join connects as user with key and opens the workshop in a 120x40 terminal.
func join(t testing.TB, s *Server, user string, key gossh.Signer, env ...string) *screen {
	t.Helper()
	c, err := dial(s.Addr().String(), user, gossh.PublicKeys(key))
	if err != nil {
		t.Fatalf("joining as %s: %v", user, err)
	}
	return openScreen(t, c, env...)
}

func openScreen(t testing.TB, c *gossh.Client, env ...string) *screen {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(env); i += 2 {
		sess.Setenv(env[i], env[i+1])
	}
	if err := sess.RequestPty("xterm-256color", 40, 120, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	sc := &screen{t: t, client: c, sess: sess, ended: make(chan struct{})}
	sc.stdin, _ = sess.StdinPipe()
	sess.Stdout = (*lockedWriter)(sc)
	sess.Stderr = (*lockedWriter)(sc)
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc.err = sess.Wait()
		close(sc.ended)
	}()
	t.Cleanup(sc.close)
	return sc
}

type lockedWriter screen

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.Write(p)
}

// text is everything the session printed so far, without escape sequences.
func (sc *screen) text() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return ansi.Strip(sc.out.String())
}

// raw is everything the session printed so far, escape sequences and all.
func (sc *screen) raw() string {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.out.String()
}

// mark is the length of the text so far: waitAfter looks only at what comes after it.
func (sc *screen) mark() int { return len(sc.text()) }

// waitFor waits up to d for every want in the session's text.
func (sc *screen) waitFor(d time.Duration, want ...string) string {
	sc.t.Helper()
	return sc.waitAfter(0, d, want...)
}

func (sc *screen) waitAfter(mark int, d time.Duration, want ...string) string {
	sc.t.Helper()
	deadline := time.Now().Add(d)
	for {
		txt := sc.text()
		if mark <= len(txt) {
			txt = txt[mark:]
		}
		missing := ""
		for _, w := range want {
			if !strings.Contains(squash(txt), squash(w)) {
				missing = w
				break
			}
		}
		if missing == "" {
			return txt
		}
		if time.Now().After(deadline) {
			sc.t.Fatalf("the session did not show %q within %v; it showed:\n%s", missing, d, tailText(txt, 3000))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// squash drops spaces and line breaks: a redraw may break a phrase anywhere.
func squash(s string) string {
	return strings.NewReplacer(" ", "", "\r", "", "\n", "").Replace(s)
}

func tailText(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// send types keys on the session.
func (sc *screen) send(keys string) {
	sc.t.Helper()
	if _, err := io.WriteString(sc.stdin, keys); err != nil {
		sc.t.Fatalf("typing %q: %v", keys, err)
	}
}

// waitEnd waits up to d for the server to end the session.
func (sc *screen) waitEnd(d time.Duration) {
	sc.t.Helper()
	select {
	case <-sc.ended:
	case <-time.After(d):
		sc.t.Fatalf("the session did not end within %v; it showed:\n%s", d, tailText(sc.text(), 2000))
	}
}

// close hangs up (a dropped connection).
func (sc *screen) close() {
	sc.sess.Close()
	sc.client.Close()
}

// waitRoom waits up to d for the room's snapshot to satisfy ok.
func waitRoom(t testing.TB, s *Server, d time.Duration, what string, ok func(learners map[string]room.Learner) bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		snap := s.Room().Snapshot()
		m := map[string]room.Learner{}
		for _, l := range snap.Learners {
			m[l.Name] = l
		}
		if ok(m) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the room never showed %s within %v: %+v", what, d, snap.Learners)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// fileMode is the permission bits of path.
func fileMode(t testing.TB, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// dialFrom opens an SSH connection as user with key from the loopback address local
// (127.0.0.2 is loopback on Linux too): a second source address for the per-address bounds.
func dialFrom(local, addr, user string, key gossh.Signer) (*gossh.Client, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(local)}, Timeout: 10 * time.Second}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	c, chans, reqs, err := gossh.NewClientConn(conn, addr, &gossh.ClientConfig{
		User: user, Auth: []gossh.AuthMethod{gossh.PublicKeys(key)}, Timeout: 10 * time.Second,
		HostKeyCallback: gossh.InsecureIgnoreHostKey(),
	})
	if err != nil {
		conn.Close()
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	return gossh.NewClient(c, chans, reqs), nil
}

// joinFrom is join from the loopback address local.
func joinFrom(t testing.TB, s *Server, local, user string, key gossh.Signer) *screen {
	t.Helper()
	c, err := dialFrom(local, s.Addr().String(), user, key)
	if err != nil {
		t.Fatalf("joining as %s from %s: %v", user, local, err)
	}
	return openScreen(t, c)
}

// serverLog is a server's log lines, kept for the test to read (and passed to t.Logf).
type serverLog struct {
	t     testing.TB
	mu    sync.Mutex
	lines []string
}

func (l *serverLog) logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	l.mu.Lock()
	l.lines = append(l.lines, line)
	l.mu.Unlock()
	l.t.Logf("server: %s", line)
}

// has says whether a line holds every part.
func (l *serverLog) has(parts ...string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, line := range l.lines {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok {
			return true
		}
	}
	return false
}

// waitLog waits up to d for a log line holding every part.
func (l *serverLog) waitLog(d time.Duration, parts ...string) {
	l.t.Helper()
	deadline := time.Now().Add(d)
	for !l.has(parts...) {
		if time.Now().After(deadline) {
			l.mu.Lock()
			defer l.mu.Unlock()
			l.t.Fatalf("the server never logged %q within %v; it logged:\n%s", parts, d, strings.Join(l.lines, "\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}
