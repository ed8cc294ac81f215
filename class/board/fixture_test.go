package board

import (
	"context"
	"fmt"
	"time"

	"scalelab/class/room"
)

// testAt is the fixed moment of the test snapshots.
var testAt = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

// classSnapshot is a class of n learners in Scenario 1's three stages, with runs for most.
func classSnapshot(n int) room.Snapshot {
	s := room.Snapshot{Class: "Tuesday workshop", Version: 1, At: testAt, Slots: 2, Message: "Fix 1 in five minutes"}
	stages := []string{"broken", "fix1", "fix2"}
	for i := range n {
		l := room.Learner{
			ID: fmt.Sprintf("learner%02d-abcd", i), Name: fmt.Sprintf("learner%02d", i), Connected: i%7 != 3,
			LastSeen: testAt.Add(-time.Duration(i) * time.Minute), Scenario: "single-server",
			Step: i % 6, Steps: 7, StepTitle: fmt.Sprintf("Step %d: measure the single server", i%6+1),
			Answered: i % 5, Questions: 5, Lab: "lab: up",
		}
		for j, st := range stages[:i%4] {
			l.Runs = append(l.Runs, room.Run{
				ID: j + 1, At: testAt.Add(time.Duration(j) * time.Minute), Scenario: "single-server", Lab: "single-server",
				Stage: st, Users: 100, Duration: 30 * time.Second, Total: 3000,
				SuccessRate: 40 + float64(j)*30 + float64(i%3), P99: time.Duration(2000-j*900-i) * time.Millisecond,
				RPS: 50 + float64(j*200+i),
			})
		}
		if i == 1 {
			l.Running = true
		}
		if i == 2 {
			l.Queued = 1
		}
		s.Learners = append(s.Learners, l)
	}
	s.Running, s.Queued = 1, 1
	for j, st := range stages {
		s.Medians = append(s.Medians, room.StageMedian{
			Scenario: "single-server", Lab: "single-server", Stage: st, Title: []string{"Broken preset", "Fix 1: shared pool", "Fix 2: index"}[j],
			Learners: n - j*3, SuccessRate: 41 + float64(j)*29.5, P99: time.Duration(1950-j*900) * time.Millisecond, RPS: 60 + float64(j*200),
		})
	}
	return s
}

// chanSource is a Source fed by the test: each Wait takes the next snapshot (or error) from
// a channel; Broadcast and Goto record what they were asked.
type chanSource struct {
	next       chan waitResult
	done       chan struct{}
	broadcasts chan string
	gotos      chan int
	afters     chan uint64
}

type waitResult struct {
	snap room.Snapshot
	err  error
}

func newChanSource() *chanSource {
	return &chanSource{
		next: make(chan waitResult), done: make(chan struct{}),
		broadcasts: make(chan string, 8), gotos: make(chan int, 8), afters: make(chan uint64, 64),
	}
}

func (c *chanSource) Wait(ctx context.Context, after uint64) (room.Snapshot, error) {
	select {
	case c.afters <- after:
	default:
	}
	select {
	case r := <-c.next:
		return r.snap, r.err
	case <-ctx.Done():
		return room.Snapshot{}, ctx.Err()
	case <-c.done:
		return room.Snapshot{}, context.Canceled
	}
}

func (c *chanSource) Broadcast(_ context.Context, message string) error {
	c.broadcasts <- message
	return nil
}

func (c *chanSource) Goto(_ context.Context, step int) error {
	c.gotos <- step
	return nil
}
