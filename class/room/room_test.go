package room

import (
	"context"
	"slices"
	"testing"
	"time"

	"scalelab/lab/load"
	_ "scalelab/lab/singleserver" // registers the single-server lab: its stages' titles
)

func testCtx(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var t0 = time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)

func run(id int, stage string, minute int, success float64, p99ms int, rps float64) Run {
	return Run{ID: id, At: t0.Add(time.Duration(minute) * time.Minute), Scenario: "01-single-server", Lab: "single-server",
		Stage: stage, Users: 100, Duration: 30 * time.Second, Total: int(rps * 30), SuccessRate: success,
		P99: time.Duration(p99ms) * time.Millisecond, RPS: rps}
}

func TestUpdateMakesLearnersAndSnapshotSortsAndCopies(t *testing.T) {
	r := New("tuesday", 2)
	v0 := r.Snapshot().Version
	r.Update("zoe-ab12", func(l *Learner) { l.Name = "zoe"; l.Step = 2; l.ID = "tampered" })
	r.Update("ada-ff00", func(l *Learner) { l.Name = "ada" })
	r.Update("ada-0011", func(l *Learner) { l.Name = "ada" })
	s := r.Snapshot()
	if s.Version != v0+3 || s.Class != "tuesday" || s.Slots != 2 {
		t.Errorf("snapshot %+v, want version %d", s, v0+3)
	}
	var ids []string
	for _, l := range s.Learners {
		ids = append(ids, l.ID)
	}
	if !slices.Equal(ids, []string{"ada-0011", "ada-ff00", "zoe-ab12"}) {
		t.Errorf("learners in order %v, want by name then ID (and the ID kept)", ids)
	}
	r.AddRun("zoe-ab12", run(1, "broken", 0, 40, 900, 50))
	s = r.Snapshot()
	s.Learners[2].Runs[0].RPS = 1e9
	s.Learners[2].Name = "changed"
	s.Medians[0].RPS = 1e9
	again := r.Snapshot()
	if again.Learners[2].Runs[0].RPS != 50 || again.Learners[2].Name != "zoe" || again.Medians[0].RPS != 50 {
		t.Error("changing a snapshot changed the room: it must be a deep copy")
	}
	r.SetQueue(1, 3)
	if s := r.Snapshot(); s.Running != 1 || s.Queued != 3 || s.Version != again.Version+1 {
		t.Errorf("after SetQueue: running %d queued %d version %d", s.Running, s.Queued, s.Version)
	}
	r.SetQueue(1, 3)
	if s := r.Snapshot(); s.Version != again.Version+1 {
		t.Error("the same queue again made a new version")
	}
}

func TestAddRunDedupesAndKeepsOrder(t *testing.T) {
	r := New("c", 1)
	r.AddRun("ada", run(2, "fix1", 5, 100, 20, 900))
	r.AddRun("ada", run(1, "broken", 0, 40, 900, 50))
	v := r.Snapshot().Version
	r.AddRun("ada", run(1, "broken", 0, 40, 900, 50)) // the same again
	if got := r.Snapshot().Version; got != v {
		t.Errorf("the same run again made version %d, want %d", got, v)
	}
	changed := run(1, "broken", 0, 40, 900, 50)
	changed.Beside = 2
	r.AddRun("ada", changed)
	l := r.Snapshot().Learners[0]
	if len(l.Runs) != 2 || l.Runs[0].ID != 1 || l.Runs[1].ID != 2 || l.Runs[0].Beside != 2 {
		t.Errorf("runs %+v, want IDs 1 (beside 2) then 2, oldest first", l.Runs)
	}
	if l.Name != "" || l.ID != "ada" {
		t.Errorf("a learner made by AddRun: %+v", l)
	}
}

func TestMediansOfLatestRunsPerStage(t *testing.T) {
	r := New("c", 1)
	// ada: an old fix1 run superseded by a later one
	r.AddRun("ada", run(1, "broken", 0, 40, 900, 50))
	r.AddRun("ada", run(2, "fix1", 5, 10, 5000, 5))
	r.AddRun("ada", run(3, "fix1", 9, 100, 20, 900))
	r.AddRun("bob", run(1, "broken", 1, 60, 700, 70))
	r.AddRun("bob", run(2, "fix2", 2, 100, 4, 3000))
	r.AddRun("cy", run(1, "broken", 2, 50, 1100, 40))
	r.AddRun("cy", run(2, "fix1", 3, 99, 30, 800))
	// another scenario, sorted after
	other := run(1, "lb-broken", 0, 80, 100, 200)
	other.Scenario, other.Lab = "02-load-balancing", "no-such-lab"
	r.AddRun("dan", other)

	got := r.Snapshot().Medians
	want := []StageMedian{
		{"01-single-server", "single-server", "broken", "Broken", 3, 50, 900 * time.Millisecond, 50},
		{"01-single-server", "single-server", "fix1", "After Fix 1", 2, 99.5, 25 * time.Millisecond, 850},
		{"01-single-server", "single-server", "fix2", "After Fix 2", 1, 100, 4 * time.Millisecond, 3000},
		{"02-load-balancing", "no-such-lab", "lb-broken", "lb-broken", 1, 80, 100 * time.Millisecond, 200},
	}
	if len(got) != len(want) {
		t.Fatalf("medians %+v\nwant %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("median %d = %+v\nwant %+v", i, got[i], want[i])
		}
	}
	// an old record without a lab is the default lab's
	r.AddRun("eve", Run{ID: 1, At: t0, Scenario: "01-single-server", Stage: "broken", SuccessRate: 70, RPS: 60, P99: time.Second})
	if m := r.Snapshot().Medians[0]; m.Stage != "broken" || m.Learners != 4 || m.SuccessRate != 55 {
		t.Errorf("with eve's lab-less run: %+v, want 4 learners and median success 55", m)
	}
}

func TestWaitReturnsAtOnceOrAtTheNextChange(t *testing.T) {
	ctx := testCtx(t)
	r := New("c", 1)
	r.Update("ada", func(l *Learner) { l.Name = "ada" })
	v := r.Snapshot().Version
	if s, err := r.Wait(ctx, v-1); err != nil || s.Version != v {
		t.Fatalf("Wait(past) = %d, %v; want %d at once", s.Version, err, v)
	}
	got := make(chan Snapshot, 1)
	go func() {
		s, err := r.Wait(ctx, v)
		if err != nil {
			t.Error(err)
		}
		got <- s
	}()
	select {
	case s := <-got:
		t.Fatalf("Wait returned %d before any change", s.Version)
	case <-time.After(20 * time.Millisecond):
	}
	r.AddRun("ada", run(1, "broken", 0, 40, 900, 50))
	select {
	case s := <-got:
		if s.Version != v+1 || len(s.Learners[0].Runs) != 1 {
			t.Errorf("woke with %+v", s)
		}
	case <-ctx.Done():
		t.Fatal("Wait did not wake at AddRun")
	}
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	if _, err := r.Wait(short, v+1); err != context.DeadlineExceeded {
		t.Errorf("Wait on a quiet room = %v, want the context's deadline", err)
	}
}

func TestSubscribeAndBroadcast(t *testing.T) {
	r := New("c", 1)
	var a, b []Notice
	cancelA := r.Subscribe(func(n Notice) { a = append(a, n) })
	r.Subscribe(func(n Notice) { b = append(b, n) })
	r.Broadcast(Notice{Message: "break until 11:00", Goto: GotoNone})
	cancelA()
	cancelA()
	r.Broadcast(Notice{Goto: 3})
	if len(a) != 1 || a[0].Message != "break until 11:00" {
		t.Errorf("first subscriber got %+v", a)
	}
	if len(b) != 2 || b[1].Goto != 3 {
		t.Errorf("second subscriber got %+v", b)
	}
	if s := r.Snapshot(); s.Message != "break until 11:00" {
		t.Errorf("snapshot message %q: a goto without a message must keep the last one", s.Message)
	}
}

func TestRunFromRecord(t *testing.T) {
	rec := load.Record{ID: 7, At: t0, State: "fix1", Scenario: "01-single-server", Lab: "single-server",
		Options: load.Options{Concurrency: 100, Duration: 30 * time.Second},
		Result:  &load.Result{Total: 27000, SuccessRate: 99.5, P99: 42 * time.Millisecond, RPS: 900}}
	got := RunFromRecord(rec, 2)
	want := Run{ID: 7, At: t0, Scenario: "01-single-server", Lab: "single-server", Stage: "fix1", Users: 100,
		Duration: 30 * time.Second, Total: 27000, SuccessRate: 99.5, P99: 42 * time.Millisecond, RPS: 900, Beside: 2}
	if got != want {
		t.Errorf("RunFromRecord = %+v\nwant %+v", got, want)
	}
	rec.Result = nil
	if got := RunFromRecord(rec, 0); got.Total != 0 || got.Stage != "fix1" {
		t.Errorf("a record without a result: %+v", got)
	}
}
