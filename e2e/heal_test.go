package e2e

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"scalelab/lab/pg"
	"scalelab/lab/pg/pgtest"
)

// kill -9 of the private postmaster under `scalelab serve`: serve brings PostgreSQL back by
// itself, says so on its log, and /feed answers 200 again. The seconds from the kill to the
// next 200 are logged (the target is at most 3 s).
func TestServeHealsAfterPostmasterKill(t *testing.T) {
	if pgtest.ExternalURL() != "" {
		t.Skip("tests use an external server")
	}
	bin := binary(t)
	home := labHome(t)
	t.Setenv("SCALELAB_HOME", home) // for pg.Inspect below
	cmd := exec.Command(bin, "serve", "--preset", "fixed", "--addr", "127.0.0.1:0", "--rows", "1000")
	cmd.Env = append(os.Environ(), "SCALELAB_HOME="+home, "DATABASE_URL=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var log []string
	addr := make(chan string, 1)
	listening := regexp.MustCompile(`listening on http://(127\.0\.0\.1:\d+)`)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			mu.Lock()
			log = append(log, sc.Text())
			mu.Unlock()
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
		pgtest.RemoveAccount(pg.Info{RunAs: pg.Inspect(context.Background(), pg.Options{}).RunAs}) // t.Context() has ended by now
		if t.Failed() {
			mu.Lock()
			t.Logf("serve's log:\n%s", strings.Join(log, "\n"))
			mu.Unlock()
		}
	})
	var feed string
	select {
	case a := <-addr:
		feed = "http://" + a + "/feed"
	case <-time.After(2 * time.Minute):
		t.Fatal("serve never said where it listens")
	}
	get := func() int {
		resp, err := http.Get(feed)
		if err != nil {
			return 0
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(); got != 200 {
		t.Fatalf("GET /feed = %d", got)
	}
	st := pg.Inspect(t.Context(), pg.Options{})
	if !st.Running || st.PID == 0 {
		t.Fatalf("no running cluster found in %s: %+v", home, st)
	}
	t0 := time.Now()
	if err := syscall.Kill(st.PID, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// The killed postmaster was serve's child: once serve reaped it, a 200 is the new one's.
	for syscall.Kill(st.PID, 0) == nil {
		if time.Since(t0) > time.Minute {
			t.Fatal("the killed postmaster is still there")
		}
		time.Sleep(time.Millisecond)
	}
	for get() != 200 {
		if time.Since(t0) > time.Minute {
			t.Fatal("/feed not back a minute after kill -9 of PostgreSQL")
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("kill -9 of the postmaster under serve to the next 200 from /feed: %.2f s", time.Since(t0).Seconds())
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		said := strings.Contains(strings.Join(log, "\n"), "PostgreSQL is back")
		mu.Unlock()
		if said {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("serve did not say it brought PostgreSQL back")
		}
	}
}
