// Package queue makes the class's load tests fair: at most K of them run at once on the
// machine, the rest wait in the order they asked, and each learner waiting is told their
// place and an estimate of when their turn comes. Every ticket also counts how many other
// load tests ran beside it, so a run measured while the machine was shared says so.
package queue

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"
)

// DefaultSlots is the number of load tests that may run at once on a machine with cpus
// cores: max(1, cpus/2). A load test keeps about two cores busy — one for the load
// generator's workers, one for the learner's API and PostgreSQL answering them — so more
// tests than cpus/2 at once would take CPU from each other and every run would measure the
// others as much as its own lab.
func DefaultSlots(cpus int) int {
	return max(1, cpus/2)
}

// Position is a waiting load test's place in the queue.
type Position struct {
	Place int           // 1 = next to run
	ETA   time.Duration // estimated wait until it runs, from the running tests' expected ends and the waiting ones' durations
}

// Queue admits at most Slots load tests at once, the others in FIFO order. Its methods are
// safe for concurrent use.
type Queue struct {
	k   int
	now func() time.Time

	mu       sync.Mutex
	running  []*Ticket // admission order
	waiting  []*waiter // queue order
	onChange []func()
}

// waiter is one Acquire waiting for a slot.
type waiter struct {
	who     string
	d       time.Duration
	ready   chan *Ticket  // receives the ticket once admitted (buffered 1)
	changed chan struct{} // signalled when the queue moved (buffered 1)
}

// Ticket is a held slot. Release gives it back.
type Ticket struct {
	q     *Queue
	who   string
	d     time.Duration
	start time.Time

	// guarded by q.mu
	beside   int
	released bool
}

// New makes a queue with k slots (k < 1 counts as 1).
func New(k int) *Queue {
	return &Queue{k: max(1, k), now: time.Now}
}

// Slots is K, the number of load tests that may run at once.
func (q *Queue) Slots() int { return q.k }

// OnChange registers fn to be called after every admission, release and departure from the
// queue. It is called outside the queue's lock (it may call Running and Waiting), possibly
// from several goroutines at once, and must not block for long.
func (q *Queue) OnChange(fn func()) {
	q.mu.Lock()
	q.onChange = append(q.onChange, fn)
	q.mu.Unlock()
}

// Running lists who holds a slot, in admission order.
func (q *Queue) Running() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]string, len(q.running))
	for i, t := range q.running {
		out[i] = t.who
	}
	return out
}

// Waiting lists who waits for a slot, in queue order.
func (q *Queue) Waiting() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]string, len(q.waiting))
	for i, w := range q.waiting {
		out[i] = w.who
	}
	return out
}

// Acquire waits for a slot for who's load test, expected to last d. A test is admitted at once
// when a slot is free and nobody waits; otherwise it waits its turn, and wait (if not nil) is
// called on Acquire's goroutine, outside the queue's lock, once when it starts waiting and then
// each time its position changes. When ctx ends first, it leaves the queue and returns ctx.Err().
func (q *Queue) Acquire(ctx context.Context, who string, d time.Duration, wait func(Position)) (*Ticket, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q.mu.Lock()
	if len(q.waiting) == 0 && len(q.running) < q.k {
		t := q.admitLocked(who, d)
		fns := q.onChange
		q.mu.Unlock()
		notify(fns)
		return t, nil
	}
	w := &waiter{who: who, d: d, ready: make(chan *Ticket, 1), changed: make(chan struct{}, 1)}
	q.waiting = append(q.waiting, w)
	fns := q.onChange
	q.mu.Unlock()
	notify(fns)

	var last Position
	reported := false
	for {
		q.mu.Lock()
		pos, queued := q.positionLocked(w)
		q.mu.Unlock()
		if queued && (!reported || pos != last) && wait != nil {
			wait(pos)
		}
		last, reported = pos, true
		select {
		case t := <-w.ready:
			return t, nil
		case <-w.changed:
		case <-ctx.Done():
			q.mu.Lock()
			if i := slices.Index(q.waiting, w); i >= 0 {
				q.waiting = slices.Delete(q.waiting, i, i+1)
				q.signalWaitersLocked()
				fns := q.onChange
				q.mu.Unlock()
				notify(fns)
				return nil, ctx.Err()
			}
			q.mu.Unlock()
			// admitted as ctx ended: the slot goes back to the next in line
			(<-w.ready).Release()
			return nil, ctx.Err()
		}
	}
}

// admitLocked gives who a slot; every running ticket and the new one see each other.
func (q *Queue) admitLocked(who string, d time.Duration) *Ticket {
	t := &Ticket{q: q, who: who, d: d, start: q.now(), beside: len(q.running)}
	for _, r := range q.running {
		r.beside++
	}
	q.running = append(q.running, t)
	return t
}

// fillLocked admits waiters in order while slots are free.
func (q *Queue) fillLocked() {
	for len(q.running) < q.k && len(q.waiting) > 0 {
		w := q.waiting[0]
		q.waiting = q.waiting[1:]
		w.ready <- q.admitLocked(w.who, w.d)
	}
}

// signalWaitersLocked wakes every waiter to look at its position again.
func (q *Queue) signalWaitersLocked() {
	for _, w := range q.waiting {
		select {
		case w.changed <- struct{}{}:
		default:
		}
	}
}

// positionLocked is w's place and ETA: the running tests end when expected (or now, if
// overdue), and each waiter ahead takes the earliest slot to free for its duration.
func (q *Queue) positionLocked(w *waiter) (Position, bool) {
	i := slices.Index(q.waiting, w)
	if i < 0 {
		return Position{}, false
	}
	now := q.now()
	frees := make([]time.Duration, 0, q.k)
	for _, t := range q.running {
		frees = append(frees, max(0, t.start.Add(t.d).Sub(now)))
	}
	for len(frees) < q.k {
		frees = append(frees, 0)
	}
	sort.Slice(frees, func(a, b int) bool { return frees[a] < frees[b] })
	for _, ahead := range q.waiting[:i] {
		// the earliest slot goes to the one ahead, and frees again after its run
		frees[0] += ahead.d
		sort.Slice(frees, func(a, b int) bool { return frees[a] < frees[b] })
	}
	return Position{Place: i + 1, ETA: frees[0]}, true
}

// Who is whose load test holds the slot.
func (t *Ticket) Who() string { return t.who }

// Release gives the slot back to the next in line and returns how many other tickets were
// running at some moment while this one held its slot. Calling it again changes nothing and
// returns the same count.
func (t *Ticket) Release() (beside int) {
	q := t.q
	q.mu.Lock()
	if t.released {
		b := t.beside
		q.mu.Unlock()
		return b
	}
	t.released = true
	if i := slices.Index(q.running, t); i >= 0 {
		q.running = slices.Delete(q.running, i, i+1)
	}
	q.fillLocked()
	q.signalWaitersLocked()
	b := t.beside
	fns := q.onChange
	q.mu.Unlock()
	notify(fns)
	return b
}

func notify(fns []func()) {
	for _, fn := range fns {
		fn()
	}
}
