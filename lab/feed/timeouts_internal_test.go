package feed

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"scalelab/lab/load"
	"scalelab/lab/pg/pgtest"
	"scalelab/lab/posts"
	"scalelab/lab/telemetry"
)

// The real timeouts leave the lesson alone: no answer that hey still waits
// for is cut, and the presets' waits are far inside every limit.
func TestDefaultTimeoutsKeepTheLesson(t *testing.T) {
	d := defaultTimeouts
	if d.readHeader <= 0 || d.read < d.readHeader || d.write <= 0 || d.idle <= 0 {
		t.Fatalf("every timeout must be set, read covering the headers: %+v", d)
	}
	if d.write <= load.DefaultTimeout {
		t.Errorf("write timeout %v would cut answers hey still waits for (%v)", d.write, load.DefaultTimeout)
	}
	b, f := Broken(), Fixed()
	if longest := b.ConnectTimeout + b.SlowQuery; d.write < 10*longest || d.write < 10*f.ConnectTimeout {
		t.Errorf("write timeout %v is close to the presets' waits (%v, %v)", d.write, longest, f.ConnectTimeout)
	}
}

// startWith serves a feed API with the given timeouts on 127.0.0.1:0.
func startWith(t *testing.T, dbURL string, k Knobs, lim timeouts, rec *telemetry.Recorder) *Server {
	t.Helper()
	s := New(dbURL, k, rec)
	s.limits = lim
	if err := s.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// newSeeded returns a fresh database with rows posts.
func newSeeded(t *testing.T, rows int) string {
	t.Helper()
	url := pgtest.NewDatabase(t)
	db, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := posts.Setup(context.Background(), db, rows, nil); err != nil {
		t.Fatal(err)
	}
	return url
}

// readUntilClosed reads c until the server closes it; it fails the test if
// that takes longer than a minute (a bound, not a timing assertion).
func readUntilClosed(t *testing.T, c net.Conn) int {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(time.Minute))
	n, err := io.Copy(io.Discard, c)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("the server kept the connection open (read %d bytes)", n)
	}
	return int(n)
}

// A client that sends half its headers and then nothing is disconnected.
func TestSlowHeadersAreCut(t *testing.T) {
	lim := defaultTimeouts
	lim.readHeader = 200 * time.Millisecond
	s := startWith(t, newSeeded(t, 10), Fixed(), lim, nil)
	c, err := net.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /feed HTTP/1.1\r\nHost: %s\r\nX-Slow: ", s.Addr())
	readUntilClosed(t, c)
}

// A client that never reads its answer is cut off once the write timeout
// passes: the handler ends, and the telemetry counts it.
func TestWriteTimeoutFreesAClientThatNeverReads(t *testing.T) {
	url := newSeeded(t, 10)
	db, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	// One answer of about 10 MB: more than the socket buffers can hold.
	_, err = db.Exec(context.Background(), `INSERT INTO posts (user_id, content, created_at)
		SELECT 1, repeat('x', 500000), now() + interval '1 hour' FROM generate_series(1, 20)`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	lim := defaultTimeouts
	lim.write = time.Second
	rec := telemetry.NewRecorder()
	s := startWith(t, url, Fixed(), lim, rec)

	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) {
			_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
	}}
	c, err := d.Dial("tcp", s.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET /feed HTTP/1.1\r\nHost: %s\r\n\r\n", s.Addr())
	for deadline := time.Now().Add(time.Minute); rec.Snapshot().Total.Requests == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the handler is still writing to a client that never reads")
		}
	}
	if n := readUntilClosed(t, c); n >= 20*500000 {
		t.Errorf("the whole answer (%d bytes) arrived: the write was not cut", n)
	}
}

// A handler that runs longer than the read timeout is not cut by it: the
// broken preset's slow query still answers.
func TestReadTimeoutDoesNotCutASlowHandler(t *testing.T) {
	lim := defaultTimeouts
	lim.readHeader, lim.read = 100*time.Millisecond, 200*time.Millisecond
	k := Fixed()
	k.SlowQuery = time.Second
	s := startWith(t, newSeeded(t, 10), k, lim, nil)
	resp, err := http.Get("http://" + s.Addr() + "/feed")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /feed with a 1 s query and a 200 ms read timeout = %d (%s)", resp.StatusCode, resp.Header.Get("X-Scalelab-Cause"))
	}
}
