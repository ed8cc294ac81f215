package feed_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"scalelab/lab/feed"
	"scalelab/lab/telemetry"
)

// bigFeed makes the 20 newest posts of the database at url size bytes each:
// an answer of 20 * size bytes for GET /feed.
func bigFeed(t testing.TB, url string, size int) {
	t.Helper()
	db, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.Exec(context.Background(), `INSERT INTO posts (user_id, content, created_at)
		SELECT 1, repeat('x', $1), now() + interval '1 hour' FROM generate_series(1, 20)`, size)
	if err != nil {
		t.Fatal(err)
	}
}

// pipelined is how many GET /feed a non-reading client sends at once: with
// answers of about 1 MB (bigFeed 50 KB), more than its socket buffers and
// the server's (4 MB at most on Linux) can hold, so the server's writes to
// it block.
const pipelined = 10

// nonReader sends n GET /feed at once on one connection with a tiny receive
// buffer and never reads the answers; the test's cleanup closes it.
func nonReader(t testing.TB, addr string, n int) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	req := fmt.Sprintf("GET /feed HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
	if _, err := c.Write([]byte(strings.Repeat(req, n))); err != nil {
		t.Fatal(err)
	}
	return c
}

// Ten clients that ask for the feed and never read the answer must not keep
// the pool's connections: the handler gives its connection back before it
// writes, so everybody else is still served.
func TestClientsThatNeverReadHoldNoConnection(t *testing.T) {
	url := seeded(t, 100)
	bigFeed(t, url, 50_000)
	rec := telemetry.NewRecorder()
	s, base := start(t, url, feed.Fixed(), rec)
	ctx := context.Background()

	const stuck = 10 // as many as the fixed pool's connections
	for range stuck {
		nonReader(t, s.Addr(), pipelined)
	}
	eventually(t, "every non-reading client's request has taken a connection", func() bool {
		return s.Stats(ctx).Pool.AcquireCount >= stuck
	})

	const workers, each = 10, 20
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				r := get(t, base+"/feed")
				mu.Lock()
				statuses[r.Status]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()

	// The non-reading clients' answers are still being written: the test
	// really had stuck writers while the others were served.
	if n := rec.Snapshot().Total.Requests - workers*each; n >= stuck*pipelined {
		t.Fatalf("all %d answers to the clients that do not read were written: the test measured nothing", n)
	}
	ok := float64(statuses[200]) / float64(workers*each)
	t.Logf("/feed success for other clients while %d clients refuse to read: %.1f%% (%v)", stuck, 100*ok, statuses)
	if ok < 0.99 {
		t.Errorf("/feed success for other clients %.1f%%, want at least 99%%: %v", 100*ok, statuses)
	}
	if st := s.Stats(ctx); st.Pool.Acquired != 0 {
		t.Errorf("%d connections still held by clients that do not read", st.Pool.Acquired)
	}
}

// With the database out of reach, a client learns that it is down, not who
// the API connects as, to which database, on which address: that text stays
// in the lab's Stats.
func TestErrorBodiesHideTheDriversText(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	url := "postgres://secret_role:secret_pw@" + addr + "/secret_db?sslmode=disable"
	for _, k := range []feed.Knobs{feed.Fixed(), feed.Broken()} {
		s, base := start(t, url, k, nil)
		for _, r := range []reply{get(t, base+"/feed"), get(t, base+"/health"),
			do(t, "POST", base+"/posts", []byte(`{"user_id": 1, "content": "hi"}`))} {
			if r.Status != 503 {
				t.Errorf("%s: status %d, want 503: %s", k.Preset(), r.Status, r.Body)
			}
			noDriverText(t, r)
			for _, secret := range []string{"secret_role", "secret_pw", "secret_db", addr} {
				if strings.Contains(string(r.Body), secret) {
					t.Errorf("%s: the error body names %q: %s", k.Preset(), secret, r.Body)
				}
			}
		}
		if last := s.Stats(context.Background()).LastErrors[telemetry.DatabaseDown]; !strings.Contains(last, addr) {
			t.Errorf("%s: the lab lost the driver's text: %q", k.Preset(), last)
		}
	}
}

// A client that never reads holds up no restart: SetKnobs waits for the
// requests of the knobs it replaces, and a request whose answer is being
// written is done with them.
func TestSetKnobsDoesNotWaitForClientsThatNeverRead(t *testing.T) {
	url := seeded(t, 100)
	bigFeed(t, url, 500_000) // one answer of 10 MB: its write blocks
	rec := telemetry.NewRecorder()
	s, _ := start(t, url, feed.Fixed(), rec)
	ctx := context.Background()
	nonReader(t, s.Addr(), 1)
	eventually(t, "the non-reading client's request has begun", func() bool {
		return s.Stats(ctx).Pool.AcquireCount == 1
	})
	k := feed.Fixed()
	// A new shared pool: the old one closes once its requests are done.
	k.MaxConns = 5
	// Less than the write timeout, which would end the stuck request.
	sctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := s.SetKnobs(sctx, k); err != nil {
		t.Fatal(err)
	}
	if sctx.Err() != nil {
		t.Error("SetKnobs waited for a client that never reads")
	}
	if n := rec.Snapshot().Total.Requests; n != 0 {
		t.Fatalf("the answer to the client that never reads was written (%d requests done): the test measured nothing", n)
	}
	if st := s.Stats(ctx); st.LivePools != 1 || st.Pool.MaxConns != 5 {
		t.Errorf("after SetKnobs: %d live pools, max %d conns (the old pool is still open)", st.LivePools, st.Pool.MaxConns)
	}
}
