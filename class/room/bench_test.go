package room

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// benchRoom is a class of ten learners with a few runs each.
func benchRoom() *Room {
	r := New("bench", 1)
	for i := range 10 {
		id := fmt.Sprintf("learner%02d-ab12", i)
		r.Update(id, func(l *Learner) {
			l.Name, l.Connected, l.Scenario, l.Step, l.Steps, l.Questions = fmt.Sprintf("learner%02d", i), true, "01-single-server", 3, 7, 9
		})
		for j, stage := range []string{"broken", "fix1", "fix2"} {
			r.AddRun(id, run(j+1, stage, j, 90+float64(i), 100+10*i, 500+float64(i)))
		}
	}
	return r
}

// channelRoundTrip is the reference: the time of one plain unbuffered channel send to a
// waiting goroutine and its answer back, measured n times.
func channelRoundTrip(n int) time.Duration {
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
		close(pong)
	}()
	start := time.Now()
	for i := range n {
		ping <- i
		<-pong
	}
	d := time.Since(start)
	close(ping)
	<-pong
	return d / time.Duration(n)
}

// BenchmarkRoomWaitDelay measures, with ten learners and a reader waiting in Wait, the delay
// from AddRun to the reader holding the new snapshot: the board's in-process path from a run
// ending to its row. The reference is a plain channel round trip in the same run
// (ratio = delay / channel round trip).
func BenchmarkRoomWaitDelay(b *testing.B) {
	r := benchRoom()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan uint64)
	v0 := r.Snapshot().Version
	go func() {
		v := v0
		for {
			s, err := r.Wait(ctx, v)
			if err != nil {
				close(got)
				return
			}
			v = s.Version
			got <- v
		}
	}()
	id := "learner05-ab12"
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		r.AddRun(id, run(100+i%10, "fix1", 10, 99, 20, float64(1000+i)))
		<-got
	}
	delay := time.Since(start) / time.Duration(max(1, b.N))
	b.StopTimer()
	ref := channelRoundTrip(max(b.N, 1000))
	b.ReportMetric(float64(delay.Nanoseconds()), "ns-delay")
	b.ReportMetric(float64(ref.Nanoseconds()), "ns-chan-roundtrip")
	b.ReportMetric(float64(delay)/float64(ref), "delay/chan")
}

// BenchmarkSocketWaitDelay is the same delay as the board sees it: a Client long-polling the
// control socket, from AddRun to the decoded snapshot. The reference is the in-process Wait
// delay measured in the same run (ratio = socket / in-process).
func BenchmarkSocketWaitDelay(b *testing.B) {
	r := benchRoom()
	dir := b.TempDir()
	path := filepath.Join(dir, "ctl", "control.sock")
	ln, err := Listen(path)
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- ServeListener(ctx, ln, Handler(r, nil)) }()
	defer func() { cancel(); <-served }()
	c := Dial(path)
	defer c.Close()

	seq := 0 // every AddRun says something new, or it would change nothing
	measure := func(n int, wait func(context.Context, uint64) (Snapshot, error)) time.Duration {
		got := make(chan uint64)
		wctx, stop := context.WithCancel(ctx)
		defer stop()
		v0 := r.Snapshot().Version
		go func() {
			v := v0
			for {
				s, err := wait(wctx, v)
				if err != nil {
					close(got)
					return
				}
				if s.Version > v {
					v = s.Version
					got <- v
				}
			}
		}()
		time.Sleep(10 * time.Millisecond) // the first poll reaches the server
		start := time.Now()
		for i := range n {
			seq++
			r.AddRun("learner05-ab12", run(100+seq%10, "fix1", 10, 99, 20, float64(1000+seq)))
			for v := range got {
				if v >= v0+uint64(i)+1 {
					break
				}
			}
		}
		return time.Since(start) / time.Duration(n)
	}
	b.ResetTimer()
	socket := measure(b.N, c.Wait)
	b.StopTimer()
	local := measure(max(b.N, 100), r.Wait)
	b.ReportMetric(float64(socket.Nanoseconds()), "ns-delay")
	b.ReportMetric(float64(local.Nanoseconds()), "ns-inprocess")
	b.ReportMetric(float64(socket)/float64(local), "socket/inprocess")
}
