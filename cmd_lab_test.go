package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"scalelab/lab"
	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

var listenRE = regexp.MustCompile(`Lab single-server listening on (http://\S+)`)

// labMain is the lab command name of the default lab, with its streams.
func labMain(name string) func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		return labCommandMain(ctx, lab.Default, name, args, stdout, stderr, false)
	}
}

var serveMain0 = labMain("serve")

// waitFor polls out until re matches (or 2 minutes pass) and returns the first group.
func waitFor(t *testing.T, out interface{ String() string }, re *regexp.Regexp, done <-chan error) string {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("command ended before %v: %v\n%s", re, err, out.String())
		default:
		}
	}
	t.Fatalf("no %v in:\n%s", re, out.String())
	return ""
}

// httpStatus sends a request and returns the status, retrying connect
// timeouts (the broken preset's 150 ms to connect is tight on a busy machine).
func httpStatus(t *testing.T, method, url, body string) int {
	t.Helper()
	for i := 0; ; i++ {
		req, _ := http.NewRequest(method, url, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.Header.Get("X-Scalelab-Cause") != "connect_timeout" || i == 20 {
			return resp.StatusCode
		}
	}
}

func TestLabCommands(t *testing.T) {
	t.Setenv("SCALELAB_HOME", t.TempDir())
	t.Setenv("DATABASE_URL", "")
	srv := pgtest.OwnServer(t, pg.Options{})
	db := "--db=" + srv.URL()

	t.Run("serve", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var out, errOut syncBuffer
		done := make(chan error, 1)
		go func() { done <- serveMain0(ctx, []string{db, "--addr", "127.0.0.1:0", "--rows", "500"}, &out, &errOut) }()
		base := waitFor(t, &out, listenRE, done)
		for _, want := range []string{"broken", "scalelab loadtest", "Ctrl+C"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("serve output lacks %q:\n%s", want, out.String())
			}
		}
		if got := httpStatus(t, "GET", base+"/feed", ""); got != 200 {
			t.Errorf("GET /feed = %d", got)
		}
		if got := httpStatus(t, "POST", base+"/posts", `{"user_id": 3, "content": "hi"}`); got != 201 {
			t.Errorf("POST /posts = %d", got)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("serve returned %v", err)
		}
		if !strings.Contains(out.String(), "Stopping") {
			t.Errorf("no Stopping line:\n%s", out.String())
		}
		if _, err := http.Get(base + "/feed"); err == nil {
			t.Error("the API still answers after serve returned")
		}
		if strings.Contains(errOut.String(), "Warning") {
			t.Errorf("a loopback API warns:\n%s", errOut.String())
		}
	})

	// Listening beyond loopback says who can now reach the API. (The API is
	// up for a moment only, on a random port, over a throwaway database.)
	t.Run("serve on every interface warns", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var out, errOut syncBuffer
		done := make(chan error, 1)
		go func() { done <- serveMain0(ctx, []string{db, "--addr", "0.0.0.0:0"}, &out, &errOut) }()
		waitFor(t, &out, listenRE, done)
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if !regexp.MustCompile(`Warning: listening on (0\.0\.0\.0|\[::\]):(\d+): anyone who can reach this machine on any of its networks on port (\d+) can use the API and load the database`).MatchString(errOut.String()) {
			t.Errorf("no warning on stderr:\n%s", errOut.String())
		}
	})

	t.Run("serve fixed", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var out, errOut syncBuffer
		done := make(chan error, 1)
		go func() {
			done <- serveMain0(ctx, []string{db, "--addr", "127.0.0.1:0", "--preset", "fixed"}, &out, &errOut)
		}()
		base := waitFor(t, &out, listenRE, done)
		if strings.Contains(out.String(), "broken") {
			t.Errorf("serve --preset fixed runs the broken API:\n%s", out.String())
		}
		if got := httpStatus(t, "GET", base+"/feed", ""); got != 200 {
			t.Errorf("GET /feed = %d", got)
		}
		cancel()
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})

	t.Run("serve busy port", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		var out, errOut syncBuffer
		err = serveMain0(context.Background(), []string{db, "--addr", ln.Addr().String()}, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "is already in use: stop the other program or pass --addr 127.0.0.1:") {
			t.Fatalf("serve on a busy port = %v", err)
		}
	})

	t.Run("bad flags", func(t *testing.T) {
		for _, args := range [][]string{{"--rows", "0"}, {"--rows", "10000001"}, {"--addr", "nowhere"}} {
			var out, errOut syncBuffer
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			err := serveMain0(ctx, append([]string{db}, args...), &out, &errOut)
			cancel()
			if err == nil {
				t.Errorf("serve %v: no error", args)
			} else if strings.Contains(out.String(), "listening") {
				t.Errorf("serve %v started the API", args)
			}
		}
	})

	t.Run("explain, apply-fix, explain, reset", func(t *testing.T) {
		ctx := context.Background()
		run := func(f func(context.Context, []string, io.Writer, io.Writer) error, args ...string) string {
			t.Helper()
			var out, errOut syncBuffer
			if err := f(ctx, append([]string{db}, args...), &out, &errOut); err != nil {
				t.Fatalf("%v: %v\n%s", args, err, errOut.String())
			}
			return out.String()
		}
		explain, applyFixMain, resetMain := labMain("explain-query"), labMain("apply-fix"), labMain("reset")
		out := run(explain)
		if !regexp.MustCompile(`(?m)^>> .*Seq Scan on posts`).MatchString(out) || !strings.Contains(out, "\nSeq Scan: ") {
			t.Errorf("explain before the fix:\n%s", out)
		}
		if out := run(applyFixMain); !strings.Contains(out, "posts_created_at_idx") {
			t.Errorf("apply-fix:\n%s", out)
		}
		if out := run(applyFixMain); !strings.Contains(out, "the index exists") {
			t.Errorf("second apply-fix:\n%s", out)
		}
		out = run(explain)
		if !regexp.MustCompile(`(?m)^>> .*Index Scan using posts_created_at_idx`).MatchString(out) || !strings.Contains(out, "\nIndex Scan: ") {
			t.Errorf("explain after the fix:\n%s", out)
		}
		if out := run(resetMain, "--rows", "700"); !strings.Contains(out, "700") {
			t.Errorf("reset:\n%s", out)
		}
		if out := run(explain); !strings.Contains(out, "\nSeq Scan: ") {
			t.Errorf("explain after reset:\n%s", out)
		}
		// a new action is a command without a line of the CLI for it; the lab's own refusal
		// comes through as it says it
		// (a workshop-only kill-db is refused before any lab starts: TestToyLabWorkshopOnlyAction)
		var kout, kerr syncBuffer
		if a, _ := labCommand(lab.Default, "kill-db"); !a.InWorkshop {
			if err := labMain("kill-db")(ctx, []string{db}, &kout, &kerr); err == nil || !strings.Contains(err.Error(), "kill-db only kills the lab's private cluster") {
				t.Errorf("kill-db on an existing server: %v\n%s%s", err, kout.String(), kerr.String())
			}
		}
		var colored syncBuffer
		if err := labCommandMain(ctx, lab.Default, "explain-query", []string{db}, &colored, io.Discard, true); err != nil || !strings.Contains(colored.String(), "\x1b[1;31mSeq Scan\x1b[0m") {
			t.Errorf("colored explain (%v):\n%q", err, colored.String())
		}
	})
}

func TestLabCommandsHelp(t *testing.T) {
	for _, name := range []string{"serve", "apply-fix", "reset", "explain-query", "loadtest", "kill-db", "bring-back", "grow-table"} {
		var out, errOut syncBuffer
		err := labMain(name)(context.Background(), []string{"--help"}, &out, &errOut)
		if a, _ := labCommand(lab.Default, name); a.InWorkshop {
			if err == nil || !strings.Contains(err.Error(), "runs in the workshop only") {
				t.Errorf("%s --help of a workshop-only action: %v", name, err)
			}
			continue
		}
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut.String(), "Usage: scalelab "+name) || !strings.Contains(errOut.String(), "-db") {
			t.Errorf("%s --help: %v\n%s", name, err, errOut.String())
		}
	}
}

// The real binary: serve until SIGINT, then a clean stop with exit status 0.
func TestServeBinaryStopsOnSIGINT(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	t.Setenv("SCALELAB_HOME", t.TempDir())
	srv := pgtest.OwnServer(t, pg.Options{})
	bin := filepath.Join(t.TempDir(), "scalelab")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "serve", "--db", srv.URL(), "--addr", "127.0.0.1:0", "--preset", "fixed")
	var out, errOut syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	base := waitFor(t, &out, listenRE, done)
	if got := httpStatus(t, "GET", base+"/feed", ""); got != 200 {
		t.Errorf("GET /feed = %d", got)
	}
	cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve exited with %v\n%s\n%s", err, out.String(), errOut.String())
		}
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatal("serve did not stop within a minute of SIGINT")
	}
	if !strings.HasSuffix(out.String(), "Stopped.\n") {
		t.Errorf("output:\n%s", out.String())
	}
}
