package telemetry

import (
	"maps"
	"time"
)

// Snapshot is a copy of a Recorder's data, safe to keep and read.
type Snapshot struct {
	Start, Now time.Time // the window: from the last Reset (or creation) to now
	// Seconds has one entry per second of the window (at most the last Keep
	// seconds), oldest first, with no gaps; the last one is the second in progress.
	Seconds []Second
	Total   Window
}

// Second is what happened during one wall-clock second.
type Second struct {
	At                   time.Time // the start of the second
	Requests, OK, Failed int
	ByCause              map[Cause]int // failures by cause; nil when none
	P50, P90, P99        time.Duration
}

// Window is what happened during the whole window.
type Window struct {
	Requests, OK, Failed    int
	ByCause                 map[Cause]int // failures by cause; never nil
	Avg, P50, P90, P99, Max time.Duration
}

// SuccessRate is OK/Requests in percent (0-100); 0 with no requests.
func (w Window) SuccessRate() float64 {
	if w.Requests == 0 {
		return 0
	}
	return 100 * float64(w.OK) / float64(w.Requests)
}

// RPS is the mean number of requests per second over d.
func (w Window) RPS(d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(w.Requests) / d.Seconds()
}

// Snapshot copies the window's data. It costs a few microseconds per second of
// window plus one histogram read; meant to be called a few times a second.
func (r *Recorder) Snapshot() Snapshot {
	if r == nil {
		return Snapshot{Total: Window{ByCause: map[Cause]int{}}}
	}
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()

	s := Snapshot{Start: r.start, Now: now}
	first, last := r.start.Unix(), now.Unix()
	if last-first >= Keep {
		first = last - Keep + 1
	}
	if last >= first {
		s.Seconds = make([]Second, 0, last-first+1)
	}
	for sec := first; sec <= last; sec++ {
		sd := Second{At: time.Unix(sec, 0)}
		if b := r.ring[sec%Keep]; b != nil && b.sec == sec {
			b.percentiles()
			sd.Requests, sd.OK, sd.Failed = b.requests, b.ok, b.failed
			if len(b.byCause) > 0 {
				sd.ByCause = maps.Clone(b.byCause)
			}
			sd.P50, sd.P90, sd.P99 = b.p50, b.p90, b.p99
		}
		s.Seconds = append(s.Seconds, sd)
	}

	t := &r.total
	t.percentiles()
	s.Total = Window{
		Requests: t.requests, OK: t.ok, Failed: t.failed,
		ByCause: maps.Clone(t.byCause),
		P50:     t.p50, P90: t.p90, P99: t.p99, Max: r.max,
	}
	if s.Total.ByCause == nil {
		s.Total.ByCause = map[Cause]int{}
	}
	if t.requests > 0 {
		s.Total.Avg = r.sum / time.Duration(t.requests)
	}
	return s
}
