package telemetry

import (
	"math"
	"sync"
	"testing"
	"time"
)

// fakeClock lets a test move time by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func newTestRecorder() (*Recorder, *fakeClock) {
	c := &fakeClock{t: time.Unix(1_700_000_000, 0)}
	r := NewRecorder()
	r.now = c.now
	r.Reset()
	return r, c
}

func within1pct(got, want time.Duration) bool {
	return math.Abs(float64(got-want)) <= 0.01*float64(want)
}

func TestCountsCausesAndPercentiles(t *testing.T) {
	r, c := newTestRecorder()
	// Second 0: 1..100 ms, one latency each; 10 of them failed.
	for i := 1; i <= 100; i++ {
		cause, status := OK, 200
		switch {
		case i <= 6:
			cause, status = ConnectTimeout, 503
		case i <= 9:
			cause, status = TooManyClients, 503
		case i == 10:
			status = 400 // no cause given: counted as a client error
		}
		r.Observe("/feed", status, cause, time.Duration(i)*time.Millisecond)
	}
	c.add(2 * time.Second) // second 1 stays empty
	r.Observe("/feed", 200, OK, 5*time.Second)
	c.add(300 * time.Millisecond)

	s := r.Snapshot()
	if len(s.Seconds) != 3 {
		t.Fatalf("got %d seconds, want 3 (one empty in the middle)", len(s.Seconds))
	}
	s0 := s.Seconds[0]
	if s0.Requests != 100 || s0.OK != 90 || s0.Failed != 10 {
		t.Errorf("second 0: %+v", s0)
	}
	if s0.ByCause[ConnectTimeout] != 6 || s0.ByCause[TooManyClients] != 3 || s0.ByCause[ClientError] != 1 {
		t.Errorf("second 0 causes: %v", s0.ByCause)
	}
	if !within1pct(s0.P50, 50*time.Millisecond) || !within1pct(s0.P90, 90*time.Millisecond) || !within1pct(s0.P99, 99*time.Millisecond) {
		t.Errorf("second 0 percentiles: %v %v %v", s0.P50, s0.P90, s0.P99)
	}
	if s.Seconds[1].Requests != 0 || s.Seconds[1].ByCause != nil {
		t.Errorf("second 1 should be empty: %+v", s.Seconds[1])
	}
	if got := s.Seconds[2]; got.Requests != 1 || !within1pct(got.P99, 5*time.Second) {
		t.Errorf("second 2: %+v", got)
	}
	if !s.Seconds[1].At.Equal(s.Seconds[0].At.Add(time.Second)) {
		t.Errorf("seconds not consecutive: %v %v", s.Seconds[0].At, s.Seconds[1].At)
	}

	w := s.Total
	if w.Requests != 101 || w.OK != 91 || w.Failed != 10 || w.ByCause[ConnectTimeout] != 6 {
		t.Errorf("window: %+v", w)
	}
	if w.Max != 5*time.Second {
		t.Errorf("max %v, want 5s", w.Max)
	}
	wantAvg := (5050*time.Millisecond + 5*time.Second) / 101
	if w.Avg != wantAvg {
		t.Errorf("avg %v, want %v", w.Avg, wantAvg)
	}
	if !within1pct(w.P50, 51*time.Millisecond) {
		t.Errorf("window p50 %v, want ~51ms", w.P50)
	}
	if got := w.SuccessRate(); math.Abs(got-100*91.0/101) > 1e-9 {
		t.Errorf("success rate %v", got)
	}
}

func TestResetStartsANewWindow(t *testing.T) {
	r, c := newTestRecorder()
	r.Observe("/feed", 200, OK, time.Millisecond)
	c.add(1500 * time.Millisecond)
	r.Reset()
	s := r.Snapshot()
	if s.Total.Requests != 0 || len(s.Total.ByCause) != 0 || s.Total.Max != 0 {
		t.Errorf("after Reset: %+v", s.Total)
	}
	if len(s.Seconds) != 1 || s.Seconds[0].Requests != 0 {
		t.Errorf("after Reset seconds: %+v", s.Seconds)
	}
	r.Observe("/feed", 503, DatabaseDown, time.Millisecond)
	if s := r.Snapshot(); s.Total.ByCause[DatabaseDown] != 1 || s.Seconds[0].Failed != 1 {
		t.Errorf("after Reset and one failure: %+v", s)
	}
}

func TestKeepsFifteenMinutes(t *testing.T) {
	r, c := newTestRecorder()
	for i := 0; i < Keep+100; i++ {
		r.Observe("/feed", 200, OK, time.Millisecond)
		c.add(time.Second)
	}
	s := r.Snapshot()
	if len(s.Seconds) != Keep {
		t.Fatalf("%d seconds kept, want %d", len(s.Seconds), Keep)
	}
	for i, sd := range s.Seconds[:Keep-1] {
		if sd.Requests != 1 {
			t.Fatalf("second %d has %d requests, want 1", i, sd.Requests)
		}
	}
	if s.Total.Requests != Keep+100 {
		t.Errorf("window total %d, want %d", s.Total.Requests, Keep+100)
	}
}

func TestNilRecorder(t *testing.T) {
	var r *Recorder
	r.Observe("/feed", 200, OK, time.Millisecond)
	r.Reset()
	if s := r.Snapshot(); s.Total.Requests != 0 || s.Total.ByCause == nil {
		t.Errorf("nil recorder snapshot: %+v", s)
	}
}

func TestConcurrentObserve(t *testing.T) {
	r := NewRecorder()
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 10_000; i++ {
				r.Observe("/feed", 200, OK, time.Duration(i)*time.Microsecond)
				if i%1000 == 0 {
					r.Snapshot()
				}
			}
		}()
	}
	wg.Wait()
	if s := r.Snapshot(); s.Total.Requests != 80_000 {
		t.Errorf("total %d, want 80000", s.Total.Requests)
	}
}

func BenchmarkObserve(b *testing.B) {
	r := NewRecorder()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			i++
			r.Observe("/feed", 200, OK, time.Duration(i%5000)*time.Microsecond)
		}
	})
}

func BenchmarkSnapshotFullWindow(b *testing.B) {
	r, c := newTestRecorder()
	for i := 0; i < Keep; i++ {
		for j := 0; j < 100; j++ {
			r.Observe("/feed", 200, OK, time.Duration(j)*time.Millisecond)
		}
		c.add(time.Second)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.Snapshot()
	}
}
