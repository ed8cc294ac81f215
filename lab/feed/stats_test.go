package feed_test

import (
	"context"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"scalelab/lab/feed"
)

// The pool counters are exported as Prometheus counters: they must never go
// down, neither while per-request pools open and close nor across SetKnobs,
// or a scrape reads a counter reset that did not happen.
func TestPoolCountersNeverDecrease(t *testing.T) {
	broken := feed.Broken()
	broken.SlowQuery = 0
	broken.ConnectTimeout = 5 * time.Second
	s, base := start(t, seeded(t, 50), broken, nil)

	var stop atomic.Bool
	var requests atomic.Int64
	var workers sync.WaitGroup
	for range 8 {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for range 25 {
				resp, err := client.Get(base + "/feed")
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("GET /feed: %d", resp.StatusCode)
				}
				requests.Add(1)
			}
		}()
	}

	polls := 0
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		var prev feed.PoolStats
		for !stop.Load() {
			p, _ := s.PoolStats()
			polls++
			if p.AcquireCount < prev.AcquireCount || p.EmptyAcquire < prev.EmptyAcquire ||
				p.CanceledAcquire < prev.CanceledAcquire || p.NewConns < prev.NewConns ||
				p.AcquireWait < prev.AcquireWait || p.EmptyAcquireWait < prev.EmptyAcquireWait {
				t.Errorf("pool counters went down after %d requests:\n was %+v\n now %+v", requests.Load(), prev, p)
				return
			}
			prev = p
		}
	}()

	// Restarts with other knobs while the requests run: per-request pools of
	// the old settings are still in flight, a shared pool comes and goes.
	fixed := feed.Fixed()
	other := broken
	other.MaxConns = 2
	for _, k := range []feed.Knobs{fixed, broken, other, fixed, broken} {
		want := min(requests.Load()+20, 200)
		eventually(t, "twenty more requests", func() bool { return requests.Load() >= want })
		if err := s.SetKnobs(context.Background(), k); err != nil {
			t.Fatal(err)
		}
	}
	workers.Wait()
	stop.Store(true)
	<-polled
	p, _ := s.PoolStats()
	if p.AcquireCount < 200 {
		t.Errorf("after 200 requests: %d acquires counted (%+v)", p.AcquireCount, p)
	}
	t.Logf("%d polls, %d requests, %+v", polls, requests.Load(), p)
}
