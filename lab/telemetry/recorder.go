package telemetry

import (
	"sync"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Keep is how many seconds of per-second data a Recorder holds (15 minutes).
const Keep = 900

const (
	minLatency = 1                // µs
	maxLatency = 120 * 1_000_000  // µs: 2 minutes; longer requests count as 2 minutes
	sigFigs    = 2                // 2 significant figures = 1% accuracy
	unit       = time.Microsecond // histogram unit
)

// Recorder collects request outcomes. Safe for concurrent use.
type Recorder struct {
	now func() time.Time // time.Now; tests replace it

	mu    sync.Mutex
	start time.Time
	ring  [Keep]*bucket // second s lives in ring[s % Keep] while bucket.sec == s
	total bucket        // the whole window
	max   time.Duration
	sum   time.Duration
}

// bucket holds the counts and latencies of one second (or of the window).
type bucket struct {
	sec                  int64
	requests, ok, failed int
	byCause              map[Cause]int
	hist                 *hdr.Histogram
	dirty                bool // percentiles below are stale
	p50, p90, p99        time.Duration
}

// NewRecorder returns a Recorder whose window starts now.
func NewRecorder() *Recorder {
	r := &Recorder{now: time.Now}
	r.total.hist = newHist()
	r.start = r.now()
	return r
}

func newHist() *hdr.Histogram { return hdr.New(minLatency, maxLatency, sigFigs) }

// Observe records one request: its route, HTTP status, failure cause ("" for
// success) and latency. A status of 400 or more, or a cause, counts as failed.
func (r *Recorder) Observe(route string, status int, cause Cause, latency time.Duration) {
	if r == nil {
		return
	}
	now := r.now()
	failed := cause != OK || status >= 400
	if failed && cause == OK {
		cause = Other
		if status < 500 {
			cause = ClientError
		}
	}
	us := int64(latency / unit)
	us = max(minLatency, min(us, maxLatency))
	sec := now.Unix()

	r.mu.Lock()
	b := r.ring[sec%Keep]
	if b == nil {
		b = &bucket{hist: newHist()}
		r.ring[sec%Keep] = b
	}
	if b.sec != sec {
		b.reset(sec)
	}
	b.add(failed, cause, us)
	r.total.add(failed, cause, us)
	r.sum += latency
	r.max = max(r.max, latency)
	r.mu.Unlock()
}

func (b *bucket) reset(sec int64) {
	b.sec = sec
	b.requests, b.ok, b.failed = 0, 0, 0
	clear(b.byCause)
	b.hist.Reset()
	b.dirty = true
}

func (b *bucket) add(failed bool, cause Cause, us int64) {
	b.requests++
	if failed {
		b.failed++
		if b.byCause == nil {
			b.byCause = make(map[Cause]int, 4)
		}
		b.byCause[cause]++
	} else {
		b.ok++
	}
	_ = b.hist.RecordValue(us) // in range: clamped above
	b.dirty = true
}

// percentiles refreshes p50/p90/p99 if observations came in since last time.
func (b *bucket) percentiles() {
	if !b.dirty {
		return
	}
	if b.requests == 0 {
		b.p50, b.p90, b.p99 = 0, 0, 0
	} else {
		v := b.hist.ValueAtPercentiles([]float64{50, 90, 99})
		b.p50, b.p90, b.p99 = time.Duration(v[50])*unit, time.Duration(v[90])*unit, time.Duration(v[99])*unit
	}
	b.dirty = false
}

// Reset starts a new window now: every count and series starts from zero.
func (r *Recorder) Reset() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.start = r.now()
	for _, b := range r.ring {
		if b != nil {
			b.reset(-1)
		}
	}
	r.total.reset(0)
	r.sum, r.max = 0, 0
}
