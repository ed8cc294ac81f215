package room

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"scalelab/lab"
	"scalelab/lab/load"
)

// Room is the class's state in the server. Its methods are safe for concurrent use.
type Room struct {
	class string
	slots int

	mu       sync.Mutex
	version  uint64
	learners map[string]*Learner
	running  int
	queued   int
	message  string
	medians  []StageMedian
	changed  chan struct{} // closed (and replaced) at every change: wakes Wait
	subs     map[int]func(Notice)
	nextSub  int
	lastSnap *Snapshot // the snapshot of version, shared by the readers until the next change
}

// New makes the room of class with slots load tests allowed at once.
func New(class string, slots int) *Room {
	return &Room{
		class:    class,
		slots:    slots,
		learners: map[string]*Learner{},
		changed:  make(chan struct{}),
		subs:     map[int]func(Notice){},
	}
}

// changedLocked records a change: a new version, and every Wait wakes.
func (r *Room) changedLocked() {
	r.version++
	r.lastSnap = nil
	close(r.changed)
	r.changed = make(chan struct{})
}

// learnerLocked is the learner id, made if new.
func (r *Room) learnerLocked(id string) *Learner {
	l := r.learners[id]
	if l == nil {
		l = &Learner{ID: id}
		r.learners[id] = l
	}
	return l
}

// Update changes learner id with fn, making the learner first if new. fn runs under the
// room's lock: it must only change the learner, not call the Room. The learner keeps id as
// its ID whatever fn does.
func (r *Room) Update(id string, fn func(*Learner)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.learnerLocked(id)
	fn(l)
	l.ID = id
	slices.SortStableFunc(l.Runs, compareRuns)
	r.medians = computeMedians(r.learners)
	r.changedLocked()
}

// AddRun records a run of learner id (made if new). A run with the ID of one already recorded
// replaces it; the same run again changes nothing.
func (r *Room) AddRun(id string, run Run) {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.learnerLocked(id)
	i := slices.IndexFunc(l.Runs, func(x Run) bool { return x.ID == run.ID })
	switch {
	case i < 0:
		l.Runs = append(l.Runs, run)
		slices.SortStableFunc(l.Runs, compareRuns)
	case sameRun(l.Runs[i], run):
		return
	default:
		l.Runs[i] = run
		slices.SortStableFunc(l.Runs, compareRuns)
	}
	r.medians = computeMedians(r.learners)
	r.changedLocked()
}

// SetQueue says how many load tests run now and how many wait (the snapshot's Running and
// Queued).
func (r *Room) SetQueue(running, queued int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running == running && r.queued == queued {
		return
	}
	r.running, r.queued = running, queued
	r.changedLocked()
}

// Snapshot is the class now: a deep copy the caller may keep and change, learners sorted by
// Name then ID.
func (r *Room) Snapshot() Snapshot {
	r.mu.Lock()
	s := r.snapshotLocked()
	r.mu.Unlock()
	return s.clone()
}

// snapshotLocked builds (once per version) the snapshot shared by the readers; callers clone it.
func (r *Room) snapshotLocked() *Snapshot {
	if r.lastSnap != nil {
		return r.lastSnap
	}
	s := &Snapshot{
		Class:    r.class,
		Version:  r.version,
		At:       time.Now(),
		Slots:    r.slots,
		Running:  r.running,
		Queued:   r.queued,
		Message:  r.message,
		Learners: make([]Learner, 0, len(r.learners)),
		Medians:  slices.Clone(r.medians),
	}
	for _, l := range r.learners {
		c := *l
		c.Runs = slices.Clone(l.Runs)
		s.Learners = append(s.Learners, c)
	}
	slices.SortFunc(s.Learners, func(a, b Learner) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	r.lastSnap = s
	return s
}

// clone is a deep copy of s, dated now.
func (s *Snapshot) clone() Snapshot {
	c := *s
	c.At = time.Now()
	c.Learners = slices.Clone(s.Learners)
	for i := range c.Learners {
		c.Learners[i].Runs = slices.Clone(s.Learners[i].Runs)
	}
	c.Medians = slices.Clone(s.Medians)
	return c
}

// Wait returns the snapshot as soon as its Version is greater than after: at once if it
// already is, else at the next change. When ctx ends first it returns ctx's error.
func (r *Room) Wait(ctx context.Context, after uint64) (Snapshot, error) {
	for {
		r.mu.Lock()
		if r.version > after {
			s := r.snapshotLocked()
			r.mu.Unlock()
			return s.clone(), nil
		}
		ch := r.changed
		r.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return Snapshot{}, ctx.Err()
		}
	}
}

// Subscribe registers fn to receive every Broadcast notice, until cancel is called (safe
// more than once). fn is called on the broadcaster's goroutine, one subscriber after the
// other: it must not block (a session hands the notice to its program, e.g. with a
// non-blocking Send or a buffered channel) and must not call Subscribe or its cancel.
func (r *Room) Subscribe(fn func(Notice)) (cancel func()) {
	r.mu.Lock()
	id := r.nextSub
	r.nextSub++
	r.subs[id] = fn
	r.mu.Unlock()
	return func() {
		r.mu.Lock()
		delete(r.subs, id)
		r.mu.Unlock()
	}
}

// Broadcast sends n to every subscriber. A notice with a message makes it the snapshot's
// Message (the board shows what the room was last told).
func (r *Room) Broadcast(n Notice) {
	r.mu.Lock()
	if n.Message != "" && n.Message != r.message {
		r.message = n.Message
		r.changedLocked()
	}
	fns := make([]func(Notice), 0, len(r.subs))
	ids := make([]int, 0, len(r.subs))
	for id := range r.subs {
		ids = append(ids, id)
	}
	slices.Sort(ids) // in the order they subscribed
	for _, id := range ids {
		fns = append(fns, r.subs[id])
	}
	r.mu.Unlock()
	for _, fn := range fns {
		fn(n)
	}
}

// RunFromRecord is the Run of a learner's history record; beside is how many other load tests
// ran beside it (the queue's Ticket.Release).
func RunFromRecord(rec load.Record, beside int) Run {
	run := Run{
		ID:       rec.ID,
		At:       rec.At,
		Scenario: rec.Scenario,
		Lab:      rec.Lab,
		Stage:    rec.State,
		Users:    rec.Options.Concurrency,
		Duration: rec.Options.Duration,
		Beside:   beside,
	}
	if res := rec.Result; res != nil {
		run.Total = res.Total
		run.SuccessRate = res.SuccessRate
		run.P99 = res.P99
		run.RPS = res.RPS
		if run.Stage == "" {
			run.Stage = res.State
		}
	}
	return run
}

// compareRuns orders runs oldest first, then by ID.
func compareRuns(a, b Run) int {
	return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID))
}

// sameRun reports whether two runs say the same (time.Time compared as instants).
func sameRun(a, b Run) bool {
	if !a.At.Equal(b.At) {
		return false
	}
	a.At, b.At = time.Time{}, time.Time{}
	return a == b
}

// labName is the lab a run or median belongs to: "" is the default lab (runs recorded before
// runs named their lab).
func labName(name string) string {
	if name == "" {
		return lab.Default
	}
	return name
}

// stagesOf caches each lab's stages: a lab answers Stages without being started, but making
// one for every snapshot would be waste.
var stagesOf sync.Map // lab name -> []lab.Stage (nil: no such lab in this build)

func labStages(name string) []lab.Stage {
	name = labName(name)
	if v, ok := stagesOf.Load(name); ok {
		return v.([]lab.Stage)
	}
	var stages []lab.Stage
	if k, err := lab.Lookup(name); err == nil {
		stages = k.New(lab.Config{}).Stages()
	}
	stagesOf.Store(name, stages)
	return stages
}

// StageTitle is the title of a stage of a lab: its row's title in the scenario's comparison
// table ("After Fix 1"), or the stage's own name when the lab does not know it.
func StageTitle(labName, stage string) string {
	stages := labStages(labName)
	if slices.ContainsFunc(stages, func(s lab.Stage) bool { return s.Name == stage }) ||
		stage == lab.StageOutage || stage == lab.StageMixed || stage == lab.StageCustom {
		return lab.StageTitle(stages, stage)
	}
	return stage
}

// stageKey names one stage of one scenario's lab.
type stageKey struct{ scenario, lab, stage string }

// LatestRuns is each learner's latest run per stage of each scenario (by scenario, then the
// lab's stage order).
func LatestRuns(runs []Run) []Run {
	latest := map[stageKey]Run{}
	for _, r := range runs {
		k := stageKey{r.Scenario, labName(r.Lab), r.Stage}
		if old, ok := latest[k]; !ok || compareRuns(r, old) >= 0 {
			latest[k] = r
		}
	}
	out := make([]Run, 0, len(latest))
	for _, r := range latest {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Run) int {
		return compareStages(stageKey{a.Scenario, labName(a.Lab), a.Stage}, stageKey{b.Scenario, labName(b.Lab), b.Stage})
	})
	return out
}

// compareStages orders by scenario, then lab, then the lab's stage order (stages the lab does
// not list after its own, by name).
func compareStages(a, b stageKey) int {
	if c := cmp.Or(cmp.Compare(a.scenario, b.scenario), cmp.Compare(a.lab, b.lab)); c != 0 {
		return c
	}
	return cmp.Or(cmp.Compare(stageIndex(a.lab, a.stage), stageIndex(b.lab, b.stage)), cmp.Compare(a.stage, b.stage))
}

func stageIndex(labName, stage string) int {
	stages := labStages(labName)
	if i := slices.IndexFunc(stages, func(s lab.Stage) bool { return s.Name == stage }); i >= 0 {
		return i
	}
	return len(stages)
}

// computeMedians is, for each stage of each scenario, the median over the learners of each
// one's latest run in it; each column's median is taken on its own.
func computeMedians(learners map[string]*Learner) []StageMedian {
	type column struct {
		success, rps []float64
		p99          []time.Duration
	}
	cols := map[stageKey]*column{}
	for _, l := range learners {
		for _, r := range LatestRuns(l.Runs) {
			k := stageKey{r.Scenario, labName(r.Lab), r.Stage}
			c := cols[k]
			if c == nil {
				c = &column{}
				cols[k] = c
			}
			c.success = append(c.success, r.SuccessRate)
			c.rps = append(c.rps, r.RPS)
			c.p99 = append(c.p99, r.P99)
		}
	}
	out := make([]StageMedian, 0, len(cols))
	for k, c := range cols {
		out = append(out, StageMedian{
			Scenario:    k.scenario,
			Lab:         k.lab,
			Stage:       k.stage,
			Title:       StageTitle(k.lab, k.stage),
			Learners:    len(c.success),
			SuccessRate: median(c.success),
			P99:         median(c.p99),
			RPS:         median(c.rps),
		})
	}
	slices.SortFunc(out, func(a, b StageMedian) int {
		return compareStages(stageKey{a.Scenario, a.Lab, a.Stage}, stageKey{b.Scenario, b.Lab, b.Stage})
	})
	return out
}

// median of xs (the mean of the middle two for an even count); 0 for none.
func median[T float64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
