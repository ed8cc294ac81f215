package room

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// socketDir is a short private directory for a test's control socket (a unix socket's path
// must stay short, and t.TempDir's directories are not private).
func socketDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "room")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "ctl")
}

// startServer serves the room's control socket until the test ends; sent collects what
// reached the sessions.
type served struct {
	path string
	mu   sync.Mutex
	sent []Notice
	done chan error
}

func (s *served) notices() []Notice {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Notice(nil), s.sent...)
}

func startServer(t *testing.T, r *Room) *served {
	t.Helper()
	s := &served{path: filepath.Join(socketDir(t), "control.sock"), done: make(chan error, 1)}
	r.Subscribe(func(n Notice) {
		s.mu.Lock()
		s.sent = append(s.sent, n)
		s.mu.Unlock()
	})
	ln, err := Listen(s.path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { s.done <- ServeListener(ctx, ln, Handler(r, nil)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-s.done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("Serve did not stop when its context ended")
		}
	})
	return s
}

func TestClientOverTheSocket(t *testing.T) {
	ctx := testCtx(t)
	r := New("tuesday", 1)
	r.Update("ada-1", func(l *Learner) { l.Name = "ada"; l.Connected = true })
	srv := startServer(t, r)
	c := Dial(srv.path)
	defer c.Close()

	info, err := os.Stat(srv.path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v (%v), want 0600", info.Mode(), err)
	}
	if info, _ := os.Stat(filepath.Dir(srv.path)); info.Mode().Perm() != 0o700 {
		t.Errorf("socket directory mode %v, want 0700", info.Mode())
	}

	s, err := c.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s.Class != "tuesday" || len(s.Learners) != 1 || s.Learners[0].Name != "ada" {
		t.Fatalf("snapshot %+v", s)
	}

	// a long poll returns at the next change
	got := make(chan Snapshot, 1)
	go func() {
		w, err := c.Wait(ctx, s.Version)
		if err != nil {
			t.Error(err)
		}
		got <- w
	}()
	time.Sleep(20 * time.Millisecond) // let the poll reach the server; correctness does not depend on it
	r.AddRun("ada-1", run(1, "broken", 0, 40, 900, 50))
	select {
	case w := <-got:
		if w.Version <= s.Version || len(w.Learners[0].Runs) != 1 {
			t.Errorf("long poll returned %+v", w)
		}
	case <-ctx.Done():
		t.Fatal("the long poll never returned")
	}

	// broadcast: cleaned to one line, recorded, delivered
	if err := c.Broadcast(ctx, "  Break\x1b[31m until\n11:00\x07 "); err != nil {
		t.Fatal(err)
	}
	if err := c.Goto(ctx, 4); err != nil {
		t.Fatal(err)
	}
	sent := srv.notices()
	if len(sent) != 2 || sent[0].Goto != GotoNone || sent[1] != (Notice{Goto: 4}) {
		t.Fatalf("sessions got %+v", sent)
	}
	msg := sent[0].Message
	if strings.ContainsAny(msg, "\x1b\x07\n") || !strings.HasPrefix(msg, "Break") || !strings.Contains(msg, "until 11:00") {
		t.Errorf("message %q is not one clean line", msg)
	}
	if s, _ := c.Snapshot(ctx); s.Message != msg {
		t.Errorf("snapshot message %q, want %q", s.Message, msg)
	}

	// refusals arrive as the server's sentences
	for _, bad := range []func() error{
		func() error { return c.Broadcast(ctx, " \n\t") },
		func() error { return c.Broadcast(ctx, strings.Repeat("é", MaxMessage+1)) },
		func() error { return c.Goto(ctx, -1) },
	} {
		if err := bad(); err == nil || !strings.Contains(err.Error(), "refused") {
			t.Errorf("want a refusal, got %v", err)
		}
	}
	if err := c.Broadcast(ctx, strings.Repeat("é", MaxMessage)); err != nil {
		t.Errorf("a message of exactly %d runes: %v", MaxMessage, err)
	}
	if n := len(srv.notices()); n != 3 {
		t.Errorf("%d notices reached the sessions, want 3 (refused ones must not)", n)
	}
}

// rawRequest speaks plain HTTP to the socket, to check what the client never sends.
func rawRequest(t *testing.T, path, method, target, body string) (int, map[string]any) {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", path)
	}}, Timeout: 10 * time.Second}
	req, err := http.NewRequest(method, "http://class"+target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Errorf("%s %s: the answer is not JSON: %v", method, target, err)
	}
	return resp.StatusCode, out
}

func TestHandlerRefusals(t *testing.T) {
	r := New("c", 1)
	srv := startServer(t, r)
	for _, c := range []struct {
		method, target, body string
		status               int
	}{
		{"POST", "/v1/room", "", http.StatusMethodNotAllowed},
		{"GET", "/v1/broadcast", "", http.StatusMethodNotAllowed},
		{"DELETE", "/v1/goto", "", http.StatusMethodNotAllowed},
		{"GET", "/v1/nothing", "", http.StatusNotFound},
		{"GET", "/", "", http.StatusNotFound},
		{"GET", "/v1/room?after=soon", "", http.StatusBadRequest},
		{"POST", "/v1/broadcast", `{"message":""}`, http.StatusBadRequest},
		{"POST", "/v1/broadcast", `{}`, http.StatusBadRequest},
		{"POST", "/v1/broadcast", `not json`, http.StatusBadRequest},
		{"POST", "/v1/broadcast", `{"message":"a"}{"message":"b"}`, http.StatusBadRequest},
		{"POST", "/v1/broadcast", `{"message":"` + strings.Repeat("a", 5000) + `"}`, http.StatusRequestEntityTooLarge},
		{"POST", "/v1/broadcast", `{"message":"\u001b[2J"}`, http.StatusOK}, // a placeholder remains: something was there
		{"POST", "/v1/goto", `{"step":-2}`, http.StatusBadRequest},
		{"POST", "/v1/goto", `{"step":"two"}`, http.StatusBadRequest},
		{"POST", "/v1/goto", `{}`, http.StatusBadRequest},
		{"POST", "/v1/goto", `{"step":0}`, http.StatusOK},
	} {
		status, body := rawRequest(t, srv.path, c.method, c.target, c.body)
		if status != c.status {
			t.Errorf("%s %s %.40q: status %d, want %d (%v)", c.method, c.target, c.body, status, c.status, body)
		}
		if msg, _ := body["error"].(string); status != http.StatusOK && msg == "" {
			t.Errorf("%s %s: no JSON error in %v", c.method, c.target, body)
		}
	}
	sent := srv.notices()
	if len(sent) != 2 || strings.Contains(sent[0].Message, "\x1b") || sent[1].Goto != 0 {
		t.Errorf("sessions got %+v", sent)
	}
}

func TestLongPollAnswersAfterItsTime(t *testing.T) {
	old := longPoll
	longPoll = 30 * time.Millisecond
	t.Cleanup(func() { longPoll = old })
	ctx := testCtx(t)
	r := New("c", 1)
	srv := startServer(t, r)
	c := Dial(srv.path)
	defer c.Close()
	v := r.Snapshot().Version
	s, err := c.Wait(ctx, v)
	if err != nil || s.Version != v {
		t.Errorf("a quiet long poll = %d, %v; want the current version %d", s.Version, err, v)
	}
}

func TestNoServerRunningHere(t *testing.T) {
	ctx := testCtx(t)
	path := filepath.Join(socketDir(t), "control.sock")
	_, err := Dial(path).Snapshot(ctx)
	if !errors.Is(err, ErrNoServer) || !strings.Contains(err.Error(), "scalelab class serve") {
		t.Errorf("missing socket: %v", err)
	}
	// a stale socket file: nobody answers
	ln, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the stale socket file should remain: %v", err)
	}
	if _, err := Dial(path).Snapshot(ctx); !errors.Is(err, ErrNoServer) {
		t.Errorf("stale socket: %v", err)
	}
}

func TestListenRemovesStaleRefusesLive(t *testing.T) {
	path := filepath.Join(socketDir(t), "control.sock")
	ln, err := Listen(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(path); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Errorf("a second server on a live socket: %v", err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close() // dies, leaving its socket file
	ln2, err := Listen(path)
	if err != nil {
		t.Fatalf("a stale socket must be replaced: %v", err)
	}
	ln2.Close()

	// not a socket: left alone
	file := filepath.Join(filepath.Dir(path), "notes.txt")
	os.WriteFile(file, []byte("mine"), 0o600)
	if _, err := Listen(file); err == nil || !strings.Contains(err.Error(), "not a control socket") {
		t.Errorf("a plain file: %v", err)
	}
	if b, _ := os.ReadFile(file); string(b) != "mine" {
		t.Error("Listen changed a file that was not a socket")
	}
	// a directory others can read is refused
	open := filepath.Join(t.TempDir(), "open")
	os.Mkdir(open, 0o755)
	os.Chmod(open, 0o755)
	if _, err := Listen(filepath.Join(open, "control.sock")); err == nil || !strings.Contains(err.Error(), "chmod 700") {
		t.Errorf("a directory open to others: %v", err)
	}
	if _, err := Listen("/tmp/" + strings.Repeat("x", 120)); err == nil || !strings.Contains(err.Error(), "shorter") {
		t.Errorf("a path too long: %v", err)
	}
}

func TestServeRemovesTheSocketWhenDone(t *testing.T) {
	path := filepath.Join(socketDir(t), "control.sock")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, path, Handler(New("c", 1), nil)) }()
	c := Dial(path)
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := c.Snapshot(context.Background())
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server never answered: %v", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// a long poll in flight ends with the server
	polled := make(chan error, 1)
	go func() { _, err := c.Wait(context.Background(), 1<<40); polled <- err }()
	time.Sleep(20 * time.Millisecond)
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve = %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return")
	}
	select {
	case <-polled:
	case <-time.After(10 * time.Second):
		t.Fatal("the long poll outlived the server")
	}
	if _, err := os.Lstat(path); !os.IsNotExist(err) {
		t.Errorf("socket left behind: %v", err)
	}
}
