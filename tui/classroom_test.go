package tui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"scalelab/lab/load"
)

// The instructor's message shows on the status line, cleaned of control sequences and made
// one line; a goto moves the reader; Observe hears of each step and answer count.
func TestInstructorMessageAndGoto(t *testing.T) {
	seen := make(chan Progress, 32)
	a := newTestApp(t, "", func(o *Options) {
		o.Observe = func(p Progress) { seen <- p }
	})
	tm := start(t, a, 100, 30)
	first := <-seen
	if first.Step != 0 || first.Steps != len(a.c.scenario.Steps) || first.Questions == 0 || first.StepTitle == "" {
		t.Fatalf("first progress %+v", first)
	}

	tm.Send(BroadcastMsg{Text: "break \x1b[2J until\n11:00"})
	waitText(t, tm, "instructor: break", "until 11:00")

	waitStep := func(want int) {
		t.Helper()
		deadline := time.After(5 * time.Second)
		for got := first; got.Step != want; {
			select {
			case got = <-seen:
			case <-deadline:
				t.Fatalf("Observe never heard of step %d (last %+v)", want, got)
			}
		}
	}
	tm.Send(GotoStepMsg{Step: 2})
	waitText(t, tm, a.c.scenario.Steps[2].Title)
	waitStep(2)
	last := len(a.c.scenario.Steps) - 1
	tm.Send(GotoStepMsg{Step: 99}) // clamped to the last step
	waitText(t, tm, a.c.scenario.Steps[last].Title)
	waitStep(last)

	app, _ := finalView(t, tm)
	if app.instructor != "break � until 11:00" {
		t.Fatalf("instructor line %q: the escape sequence must be replaced and the line joined", app.instructor)
	}
	if strings.Contains(app.statusLine(), "\x1b[2J") {
		t.Fatal("a control sequence of the message reached the status line")
	}
}

// A load test waits at the gate with its place in line on the status line; once let through it
// runs, and how many ran beside it is recorded with the run and told to OnRun.
func TestLoadTestWaitsAtTheGate(t *testing.T) {
	admit := make(chan struct{})
	var released atomic.Int32
	runs := make(chan load.Record, 4)
	r := newToyRigWith(t, 120, 40, 0, func(o *LabOptions) {
		o.Gate = func(ctx context.Context, d time.Duration, wait func(int, time.Duration)) (func() int, error) {
			if d <= 0 {
				t.Errorf("the gate was not told how long the run lasts")
			}
			wait(2, 40*time.Second)
			select {
			case <-admit:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return func() int { released.Add(1); return 1 }, nil
		}
		o.OnRun = func(rec load.Record) { runs <- rec }
	})
	waitText(t, r.tm, "toy lab · 0 pokes")
	send(r.tm, "L")
	waitText(t, r.tm, "load test waits its turn: 2nd in line, about 40 s")
	if n := len(r.hist.List()); n != 0 {
		t.Fatalf("%d runs recorded before the turn came", n)
	}
	close(admit)
	var rec load.Record
	select {
	case rec = <-runs:
	case <-time.After(20 * time.Second):
		t.Fatal("the run never ended after its turn came")
	}
	if rec.Beside != 1 {
		t.Fatalf("OnRun got beside %d, want 1", rec.Beside)
	}
	recs := r.hist.List()
	if len(recs) != 1 || recs[0].Beside != 1 {
		t.Fatalf("history: %+v", recs)
	}
	if released.Load() == 0 {
		t.Fatal("the turn was never given back")
	}
	r.tm.Send(tea.Quit())
	r.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// A second program on a controller whose lab runs already (a learner back after a dropped
// connection) gets the lab's status and samples, and the same step of the same worksheet,
// without starting the lab again.
func TestSecondProgramAttachesToTheRunningLab(t *testing.T) {
	r := newToyRig(t, 100, 30, 0)
	waitText(t, r.tm, "toy lab · 0 pokes")
	send(r.tm, "P")
	waitText(t, r.tm, "toy lab · 1 pokes")
	send(r.tm, "n")
	waitText(t, r.tm, "▸Step 2 — Poke")
	r.tm.Send(tea.Quit())
	r.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	starts := r.toy.starts.Load()

	app := New(Options{Scenario: r.app.c.scenario, Worksheet: r.ws, WorksheetPath: r.app.c.sheet.path, Lab: r.ctl, History: r.hist, GlamourStyle: "dark"})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(100, 30))
	waitText(t, tm, "toy lab · 1 pokes", "▸Step 2 — Poke")
	send(tm, "d")
	waitText(t, tm, "toy marbles") // the sampling loop runs for this program
	if got := r.toy.starts.Load(); got != starts {
		t.Fatalf("the lab was started again (%d starts, was %d)", got, starts)
	}
	tm.Send(tea.Quit())
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}

// A 256- or 16-colour terminal gets the palette's colours turned once into its own, the same
// ones lipgloss would pick at every frame.
func TestPaletteInTheTerminalsProfile(t *testing.T) {
	base := paletteFor(ThemeDefault, false)
	for _, profile := range []termenv.Profile{termenv.ANSI256, termenv.ANSI} {
		got := inProfile(Palette{Accent: base.Accent}, profile).Accent.(lipgloss.AdaptiveColor)
		want := base.Accent.(lipgloss.AdaptiveColor)
		for _, pair := range [][2]string{{got.Dark, want.Dark}, {got.Light, want.Light}} {
			if profile.Color(pair[0]) != profile.Color(pair[1]) {
				t.Errorf("profile %v: %s draws as %v, the hex %s as %v", profile, pair[0], profile.Color(pair[0]), pair[1], profile.Color(pair[1]))
			}
			if strings.HasPrefix(pair[0], "#") {
				t.Errorf("profile %v: %s was not turned into the profile's colour", profile, pair[0])
			}
		}
	}
	if got := inProfile(base, termenv.TrueColor); got != base {
		t.Errorf("a true-colour terminal's palette changed: %+v", got)
	}
}

// A load test that ends while no program is attached (the learner's connection dropped during
// the run) is over for the controller: it is told to OnRun, and the next program runs another.
func TestLoadTestEndingWithTheLearnerAway(t *testing.T) {
	admit := make(chan struct{}, 2)
	entered := make(chan struct{}, 2)
	runs := make(chan load.Record, 4)
	r := newToyRigWith(t, 120, 40, 0, func(o *LabOptions) {
		o.Gate = func(ctx context.Context, d time.Duration, wait func(int, time.Duration)) (func() int, error) {
			entered <- struct{}{}
			select {
			case <-admit:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return func() int { return 0 }, nil
		}
		o.OnRun = func(rec load.Record) { runs <- rec }
	})
	waitText(t, r.tm, "toy lab · 0 pokes")
	send(r.tm, "L")
	<-entered
	r.tm.Send(tea.Quit()) // the learner is gone before the run has its turn
	r.tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	admit <- struct{}{}
	select {
	case <-runs:
	case <-time.After(20 * time.Second):
		t.Fatal("a run that ended with no program attached was not told to OnRun")
	}

	app := New(Options{Scenario: r.app.c.scenario, Worksheet: r.ws, WorksheetPath: r.app.c.sheet.path, Lab: r.ctl, History: r.hist, GlamourStyle: "dark"})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(120, 40))
	waitText(t, tm, "toy lab · 0 pokes")
	admit <- struct{}{}
	send(tm, "L")
	select {
	case <-runs:
	case <-time.After(20 * time.Second):
		t.Fatal("the learner back could not run another load test")
	}
	if n := len(r.hist.List()); n != 2 {
		t.Fatalf("%d runs recorded, want 2", n)
	}
	tm.Send(tea.Quit())
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
}
