package queue

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"
)

// testCtx bounds every test in time.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// acquired is the outcome of an Acquire run in the background.
type acquired struct {
	t   *Ticket
	err error
}

// waitingAcquire starts an Acquire for who and returns once who is in the queue, with the
// channel its outcome arrives on and the positions it was told (read after the outcome).
func waitingAcquire(t *testing.T, ctx context.Context, q *Queue, who string, d time.Duration) (<-chan acquired, *positions) {
	t.Helper()
	out := make(chan acquired, 1)
	pos := &positions{}
	told := make(chan struct{}, 1)
	go func() {
		tk, err := q.Acquire(ctx, who, d, func(p Position) {
			pos.add(p)
			select {
			case told <- struct{}{}:
			default:
			}
		})
		out <- acquired{tk, err}
	}()
	select {
	case <-told:
	case a := <-out:
		t.Fatalf("%s was admitted at once (%v), want it to wait", who, a.err)
	case <-ctx.Done():
		t.Fatalf("%s never reported a position", who)
	}
	return out, pos
}

type positions struct {
	mu sync.Mutex
	ps []Position
}

func (p *positions) add(x Position) {
	p.mu.Lock()
	p.ps = append(p.ps, x)
	p.mu.Unlock()
}

func (p *positions) places() []int {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []int
	for _, x := range p.ps {
		out = append(out, x.Place)
	}
	return out
}

func (p *positions) all() []Position {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.ps)
}

// waitPlaces waits until the places told are want (Acquire reports on its own goroutine).
func waitPlaces(t *testing.T, p *positions, want []int) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for !slices.Equal(p.places(), want) {
		select {
		case <-deadline:
			t.Fatalf("told places %v, want %v", p.places(), want)
		case <-time.After(time.Millisecond):
		}
	}
}

func receive(t *testing.T, ctx context.Context, ch <-chan acquired, who string) *Ticket {
	t.Helper()
	select {
	case a := <-ch:
		if a.err != nil {
			t.Fatalf("%s: %v", who, a.err)
		}
		if a.t.Who() != who {
			t.Fatalf("ticket of %s, want %s", a.t.Who(), who)
		}
		return a.t
	case <-ctx.Done():
		t.Fatalf("%s was never admitted", who)
	}
	return nil
}

func notYet(t *testing.T, ch <-chan acquired, who string) {
	t.Helper()
	select {
	case a := <-ch:
		t.Fatalf("%s admitted (%v) while no slot was free", who, a.err)
	default:
	}
}

func TestDefaultSlots(t *testing.T) {
	for cpus, want := range map[int]int{0: 1, 1: 1, 2: 1, 3: 1, 4: 2, 8: 4, 64: 32} {
		if got := DefaultSlots(cpus); got != want {
			t.Errorf("DefaultSlots(%d) = %d, want %d", cpus, got, want)
		}
	}
	if New(0).Slots() != 1 || New(3).Slots() != 3 {
		t.Error("New(0) must have 1 slot and New(3) 3")
	}
}

func TestOneSlotIsFIFO(t *testing.T) {
	ctx := testCtx(t)
	q := New(1)
	a, err := q.Acquire(ctx, "ada", time.Minute, func(Position) { t.Error("ada was told to wait on a free slot") })
	if err != nil {
		t.Fatal(err)
	}
	bCh, bPos := waitingAcquire(t, ctx, q, "bob", 30*time.Second)
	cCh, cPos := waitingAcquire(t, ctx, q, "cy", 30*time.Second)
	if got := q.Running(); !slices.Equal(got, []string{"ada"}) {
		t.Errorf("running %v", got)
	}
	if got := q.Waiting(); !slices.Equal(got, []string{"bob", "cy"}) {
		t.Errorf("waiting %v", got)
	}
	notYet(t, bCh, "bob")

	if beside := a.Release(); beside != 0 {
		t.Errorf("ada ran alone, beside = %d", beside)
	}
	b := receive(t, ctx, bCh, "bob")
	notYet(t, cCh, "cy")
	if got := q.Waiting(); !slices.Equal(got, []string{"cy"}) {
		t.Errorf("waiting after ada %v", got)
	}
	waitPlaces(t, cPos, []int{2, 1})
	b.Release()
	c := receive(t, ctx, cCh, "cy")
	c.Release()

	if got := bPos.places(); !slices.Equal(got, []int{1}) {
		t.Errorf("bob was told places %v, want [1]", got)
	}
	if got := cPos.places(); !slices.Equal(got, []int{2, 1}) {
		t.Errorf("cy was told places %v, want [2 1]", got)
	}
	if len(q.Running())+len(q.Waiting()) != 0 {
		t.Errorf("queue not empty: %v %v", q.Running(), q.Waiting())
	}
}

func TestETAFromRunningAndWaiting(t *testing.T) {
	ctx := testCtx(t)
	q := New(2)
	now := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	q.now = func() time.Time { return now }
	a, _ := q.Acquire(ctx, "ada", 40*time.Second, nil)
	b, _ := q.Acquire(ctx, "bob", 10*time.Second, nil)
	_, cPos := waitingAcquire(t, ctx, q, "cy", 30*time.Second)
	_, dPos := waitingAcquire(t, ctx, q, "dan", 30*time.Second)
	_, ePos := waitingAcquire(t, ctx, q, "eve", 30*time.Second)
	// slots free at 10 s (bob) and 40 s (ada); cy takes bob's at 10 s until 40 s;
	// dan takes one at 40 s; eve the other at 40 s.
	for who, c := range map[string]struct {
		p    *positions
		want Position
	}{
		"cy":  {cPos, Position{1, 10 * time.Second}},
		"dan": {dPos, Position{2, 40 * time.Second}},
		"eve": {ePos, Position{3, 40 * time.Second}},
	} {
		if got := c.p.all(); len(got) == 0 || got[0] != c.want {
			t.Errorf("%s told %v, want first %v", who, got, c.want)
		}
	}
	a.Release()
	b.Release()
}

func TestTwoSlotsBesideCounts(t *testing.T) {
	ctx := testCtx(t)
	q := New(2)
	a, _ := q.Acquire(ctx, "ada", time.Minute, nil)
	b, _ := q.Acquire(ctx, "bob", time.Minute, nil) // beside ada
	cCh, _ := waitingAcquire(t, ctx, q, "cy", time.Minute)
	if got := q.Running(); !slices.Equal(got, []string{"ada", "bob"}) {
		t.Errorf("running %v", got)
	}
	if got := a.Release(); got != 1 {
		t.Errorf("ada ran beside bob: beside = %d, want 1", got)
	}
	if got := a.Release(); got != 1 {
		t.Errorf("a second Release says %d, want the same 1", got)
	}
	c := receive(t, ctx, cCh, "cy") // beside bob
	if got := b.Release(); got != 2 {
		t.Errorf("bob ran beside ada, then cy: beside = %d, want 2", got)
	}
	if got := c.Release(); got != 1 {
		t.Errorf("cy ran beside bob: beside = %d, want 1", got)
	}
	// one after the other: nobody beside
	d, _ := q.Acquire(ctx, "dan", time.Minute, nil)
	if got := d.Release(); got != 0 {
		t.Errorf("dan ran alone: beside = %d", got)
	}
	e, _ := q.Acquire(ctx, "eve", time.Minute, nil)
	if got := e.Release(); got != 0 {
		t.Errorf("eve ran alone after dan: beside = %d", got)
	}
}

func TestCancelLeavesTheQueue(t *testing.T) {
	ctx := testCtx(t)
	q := New(1)
	changes := make(chan struct{}, 100)
	q.OnChange(func() { changes <- struct{}{} })
	a, _ := q.Acquire(ctx, "ada", time.Minute, nil)
	bCtx, cancelB := context.WithCancel(ctx)
	bCh, _ := waitingAcquire(t, bCtx, q, "bob", time.Minute)
	cCh, cPos := waitingAcquire(t, ctx, q, "cy", time.Minute)
	for len(changes) > 0 {
		<-changes
	}

	cancelB()
	select {
	case got := <-bCh:
		if !errors.Is(got.err, context.Canceled) || got.t != nil {
			t.Fatalf("cancelled Acquire = %v, %v; want context.Canceled", got.t, got.err)
		}
	case <-ctx.Done():
		t.Fatal("cancelled Acquire did not return")
	}
	select {
	case <-changes:
	case <-ctx.Done():
		t.Fatal("no change notified when bob left")
	}
	if got := q.Waiting(); !slices.Equal(got, []string{"cy"}) {
		t.Errorf("waiting after bob left %v", got)
	}
	waitPlaces(t, cPos, []int{2, 1}) // cy moves up to place 1
	notYet(t, cCh, "cy")
	a.Release()
	receive(t, ctx, cCh, "cy").Release()

	// an Acquire on an ended context does not queue at all
	done, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := q.Acquire(done, "dan", time.Minute, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Acquire on a cancelled context = %v", err)
	}
}

func TestOnChangeCalledOutsideTheLock(t *testing.T) {
	ctx := testCtx(t)
	q := New(1)
	var seen [][]string
	var mu sync.Mutex
	q.OnChange(func() {
		r := q.Running() // would deadlock if called under the lock
		mu.Lock()
		seen = append(seen, r)
		mu.Unlock()
	})
	a, _ := q.Acquire(ctx, "ada", time.Second, nil)
	a.Release()
	a.Release()
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 2 || !slices.Equal(seen[0], []string{"ada"}) || len(seen[1]) != 0 {
		t.Errorf("OnChange saw %v, want [[ada] []]", seen)
	}
}

// TestConcurrentNeverOverK runs many load tests through the queue at once (run it with -race)
// and checks that no more than K ever hold a slot and every one is admitted.
func TestConcurrentNeverOverK(t *testing.T) {
	ctx := testCtx(t)
	for _, k := range []int{1, 2, 3} {
		q := New(k)
		var mu sync.Mutex
		holding, most, done := 0, 0, 0
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := ctx
				if i%5 == 4 { // some give up while waiting
					var cancel context.CancelFunc
					c, cancel = context.WithTimeout(ctx, time.Duration(i)*50*time.Microsecond)
					defer cancel()
				}
				tk, err := q.Acquire(c, "learner", time.Millisecond, func(Position) {})
				if err != nil {
					return
				}
				mu.Lock()
				holding++
				most = max(most, holding)
				mu.Unlock()
				time.Sleep(100 * time.Microsecond)
				mu.Lock()
				holding--
				done++
				mu.Unlock()
				tk.Release()
			}()
		}
		wg.Wait()
		if most > k {
			t.Errorf("K=%d: %d held a slot at once", k, most)
		}
		if done < 32 {
			t.Errorf("K=%d: only %d of the 32 patient load tests ran", k, done)
		}
		if len(q.Running())+len(q.Waiting()) != 0 {
			t.Errorf("K=%d: queue not empty: %v %v", k, q.Running(), q.Waiting())
		}
	}
}
