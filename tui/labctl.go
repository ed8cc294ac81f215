package tui

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"scalelab/content"
	"scalelab/content/worksheet"
	"scalelab/lab"
	"scalelab/lab/load"
	"scalelab/lab/numfmt"
	"scalelab/lab/running"
)

// LabController runs a lab (lab.Lab) for the workshop: it starts it in the background, runs the
// actions the scenario's command blocks and the lab's keys name, and reports through messages
// (never by blocking Update):
//   - a LabSample (labSampleMsg) ~4 times a second while a load test runs, once a second otherwise;
//   - LabStatusMsg when the lab's status line or its Stuck? conditions change;
//   - ActionDoneMsg when an action ends, ActionProgressMsg while a long one reports progress,
//     and ExplainMsg with a plan an action read;
//   - SetTableMsg to fill the scenario's result tables from the recorded runs (runs.json is
//     watched, so a run recorded from another terminal fills them too);
//   - LabAppliedMsg when the lab's settings change, for the worksheet: the next start brings the
//     lab back with them (the caller's lab.Config.Applied).
//
// It knows nothing of a particular lab: what an action does, which stage a run measures and
// which conditions hold are the lab's answers.
//
// While the lab serves, it is recorded in the data home (lab/running) for other terminals; a
// load test holds the data home's load lock, so that one from another terminal never runs at
// the same time (the one that finds it held is refused, saying whose run it is).
//
// It implements Lab; the root model hands it every message (Init/Update).
type LabController struct {
	lab      lab.Lab
	hist     *load.History
	scenario *content.Scenario
	runOpts  load.Options  // defaults for in-app load tests
	users    int           // --users, overriding the text's -c (0: not given)
	duration time.Duration // --duration, overriding the text's -z (0: not given)

	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	up       bool // the lab started
	startErr error
	starting bool
	busy     *lab.Action // the short action running now (nil when idle)
	recordAs string
	status   string
	stateAt  time.Time

	followStart bool // a program attached while the lab started: its start ticks report the end
	closing     bool // Close has begun: spawn starts nothing more

	ws         *worksheet.Worksheet // the app's worksheet: read on Update's goroutine only
	record     *running.Handle      // lab.json in the data home while the lab serves
	lastStatus LabStatusMsg         // the last status line sent (with its conditions)

	histMod   time.Time    // runs.json's modification time when the tables were last filled
	histCheck time.Time    // when it was last looked at
	histSeen  atomic.Int64 // the highest run ID the tables were filled from (-1: none yet)

	runCancel context.CancelFunc
	progress  atomic.Pointer[load.Progress] // non-nil while a load test runs
	lastRun   atomic.Pointer[load.Result]
	lastLog   atomic.Pointer[string] // the latest progress line of the lab (starting, seeding)
	actLine   atomic.Pointer[string] // the latest progress line of the running action
	sentLine  string                 // the action line last sent (Update's goroutine)

	startDone chan struct{}  // closed when the background start has finished (or given up)
	inflight  sync.WaitGroup // actions and load tests in flight; Close waits for them
	closeOnce sync.Once

	home      string // the data home of the lab's record and the load lock ("" = home.Dir())
	gate      func(ctx context.Context, d time.Duration, wait func(place int, eta time.Duration)) (func() int, error)
	onRun     func(load.Record)
	queueLine atomic.Pointer[string] // the place in line of the load test waiting at the gate ("" admitted)
	sentQueue string                 // the queue line last sent (Update's goroutine)

	// after schedules the sampling loop's next tick (tea.Tick; a test makes it immediate to
	// count the loops without waiting).
	after func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

// LabOptions configure a LabController.
type LabOptions struct {
	// Lab is the scenario's lab (lab.New), not started: the controller starts and closes it.
	Lab      lab.Lab
	History  *load.History // nil: runs are not recorded
	Scenario *content.Scenario
	// Users is the number of users of every load test when given on the command line (--users):
	// it overrides the -c of the text's command blocks. 0 means not given: a block's -c is used,
	// and without one load.DefaultConcurrency (100).
	Users int
	// Duration is the length of every load test when given on the command line (--duration):
	// it overrides the -z of the text's command blocks. 0 means not given: a block's -z is
	// used, and without one load.DefaultDuration (30 s).
	Duration time.Duration
	// Worksheet is the app's worksheet (the same value): the controller reads its ticked boxes
	// for the lab's settings and conditions, on Update's goroutine only. nil: SetTasks only.
	Worksheet *worksheet.Worksheet
	// RecordAs names this process in the data home's record of the running lab ("the
	// workshop"); "" records nothing.
	RecordAs string
	// Home is the data home the record of the running lab and the load lock are kept in
	// ("" = home.Dir()): the class server gives each learner their own.
	Home string
	// Gate, when set, is asked for a turn before every load test of d: the class server lets K
	// run at once on the machine and queues the rest. wait is told the test's place in line
	// (1 = next) and an estimate of the wait, each time they change; the status line shows
	// them. release gives the turn back and says how many other load tests ran beside this one
	// (recorded with the run).
	Gate func(ctx context.Context, d time.Duration, wait func(place int, eta time.Duration)) (release func() (beside int), err error)
	// OnRun, when set, is told of every run recorded, on Update's goroutine: it must not block.
	OnRun func(load.Record)
}

// NewLabController makes a controller; nothing starts until Init's Cmd runs.
func NewLabController(o LabOptions) *LabController {
	ctx, cancel := context.WithCancel(context.Background())
	c := &LabController{lab: o.Lab, hist: o.History, scenario: o.Scenario, ctx: ctx, cancel: cancel, after: tea.Tick}
	c.ws, c.recordAs, c.users, c.duration = o.Worksheet, o.RecordAs, o.Users, o.Duration
	c.home, c.gate, c.onRun = o.Home, o.Gate, o.OnRun
	c.histSeen.Store(-1)
	c.runOpts = load.Options{Concurrency: load.DefaultConcurrency, Duration: load.DefaultDuration}
	return c
}

// Logf keeps the lab's latest progress line for the status while it starts (initdb, seeding):
// the caller puts it in the lab's Config.Logf.
func (c *LabController) Logf(format string, args ...any) {
	line := fmt.Sprintf(format, args...)
	c.lastLog.Store(&line)
}

// Contract is the lab the controller runs (its records: actions, stages, views).
func (c *LabController) Contract() lab.Lab { return c.lab }

type labUpMsg struct{ err error }

// labLoopSampleMsg is a sample taken by the sampling loop, a tick after the last one: the
// controller schedules the next tick from it, and the app hands it to the screens as a
// labSampleMsg (one message a second when idle: every message costs a View). Only this message reschedules,
// so there is exactly one loop however many one-shot samples (a run's start and end) are taken.
type labLoopSampleMsg struct{ LabSample }
type labStartTickMsg struct{}
type labStateMsg struct{ status lab.Status }
type loadDoneMsg struct {
	action content.Action
	rec    *load.Record
	err    error
}

// ExplainMsg carries a query plan an action read to the screens (the plan view). Before and
// After are the lab's latest plans without and with its fix (zero when not known yet), so the
// view shows both whatever order the learner applied the fix and explained in.
type ExplainMsg struct {
	Plan          lab.Plan
	Before, After lab.Plan
}

// ActionProgressMsg is the latest progress line of a long action ("grown to 400,000 of
// 1,000,000 posts"), for the status line beside the spinner.
type ActionProgressMsg struct {
	Action string
	Line   string
}

// Init starts the lab in the background: the Cmd returns at once with a "starting" status and
// the start runs in its own Cmd, so the first frame never waits for the lab.
func (c *LabController) Init() tea.Cmd {
	c.mu.Lock()
	if c.up && c.ctx.Err() == nil {
		// a new program on a lab that runs already (the class server, after a learner
		// reconnects): its status, its tables and the sampling loop, for the new screen
		c.status, c.sentLine, c.sentQueue = "", "", ""
		c.mu.Unlock()
		return tea.Batch(c.stateCmd(), c.fillTablesCmd(nil, true), c.tickCmd(0))
	}
	if c.starting || c.up || c.startDone != nil {
		c.mu.Unlock()
		if c.starting {
			// still starting (a reconnect during initdb): the start's end goes to the old
			// program; this one follows the start with its own ticks, and begins its loop
			// when the start ends (labStartTickMsg)
			c.mu.Lock()
			c.followStart = true
			c.mu.Unlock()
			return tea.Batch(func() tea.Msg { return c.startingStatus() },
				c.after(250*time.Millisecond, func(time.Time) tea.Msg { return labStartTickMsg{} }))
		}
		return nil // started already
	}
	c.starting = true
	c.startDone = make(chan struct{})
	c.mu.Unlock()
	return tea.Batch(
		func() tea.Msg { return c.startingStatus() },
		c.after(250*time.Millisecond, func(time.Time) tea.Msg { return labStartTickMsg{} }),
		c.startCmd(),
	)
}

// startingStatus is the header's line while the lab starts: its latest progress line.
func (c *LabController) startingStatus() LabStatusMsg {
	text := "lab: starting the " + c.lab.Name() + " lab…"
	if p := c.lastLog.Load(); p != nil {
		text = "lab: " + firstLine(*p)
	}
	return LabStatusMsg{Text: text, Short: "lab: starting…", Busy: true}
}

func (c *LabController) startCmd() tea.Cmd {
	return func() tea.Msg {
		defer close(c.startDone)
		err := c.lab.Start(c.ctx)
		c.mu.Lock()
		defer c.mu.Unlock()
		c.starting = false
		if c.ctx.Err() != nil { // closed while starting
			if err == nil {
				c.lab.Close()
			}
			return labUpMsg{err: errors.New("the lab was closed while it started")}
		}
		c.up, c.startErr = err == nil, err
		if err == nil && c.recordAs != "" {
			ctx, cancel := context.WithTimeout(c.ctx, 2*time.Second)
			addr := c.lab.Status(ctx).Addr
			cancel()
			if addr != "" {
				// A `scalelab loadtest` in another terminal measures this lab, not one of its own.
				if h, werr := running.WriteLabIn(c.home, c.lab.Name(), addr, c.recordAs); werr == nil {
					c.record = h
				} else {
					c.Logf("other terminals will not find this lab: %v", werr)
				}
			}
		}
		return labUpMsg{err: err}
	}
}

// Update handles the controller's own messages; it returns nil for everything else.
func (c *LabController) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case labStartTickMsg: // while starting: the latest progress line (initdb, seeding) as the status
		c.mu.Lock()
		starting, follow, up, startErr := c.starting, c.followStart, c.up, c.startErr
		if !starting {
			c.followStart = false
		}
		c.mu.Unlock()
		if !starting {
			if follow { // this program came after the start began: the start's end, here
				return func() tea.Msg { return labUpMsg{err: upErr(up, startErr)} }
			}
			return nil
		}
		st := c.startingStatus()
		return tea.Batch(
			func() tea.Msg { return st },
			c.after(250*time.Millisecond, func(time.Time) tea.Msg { return labStartTickMsg{} }),
		)
	case labUpMsg:
		if msg.err != nil {
			return func() tea.Msg {
				return LabStatusMsg{Text: "lab: not running: " + firstLine(msg.err.Error()), Short: "lab: not running (a lab key says why)", Err: true}
			}
		}
		c.syncTasks()
		return tea.Batch(c.stateCmd(), c.fillTablesCmd(nil, true), c.tickCmd(0))
	case labLoopSampleMsg:
		return c.loopSample(msg.LabSample)
	case labStateMsg:
		return c.statusChanged(msg.status)
	case histStatMsg:
		c.mu.Lock()
		c.histMod = msg.mod
		c.mu.Unlock()
		return c.fillTablesCmd(nil, true)
	case loadDoneMsg:
		return c.loadDone(msg)
	}
	return nil
}

// loopSample forwards the loop's own sample to the screens and schedules the next tick; the
// status is read again when it is old, and a running action's new progress line is sent.
func (c *LabController) loopSample(s LabSample) tea.Cmd {
	every := time.Second
	if s.Run != nil {
		every = 250 * time.Millisecond
	}
	cmds := []tea.Cmd{c.tickCmd(every)} // the sample itself goes to the screens through the app
	c.mu.Lock()
	stale := time.Since(c.stateAt) > 3*time.Second
	busy := c.busy
	c.mu.Unlock()
	if stale {
		cmds = append(cmds, c.stateCmd())
	}
	if p := c.queueLine.Load(); p != nil && *p != c.sentQueue {
		c.sentQueue = *p
		m := loadQueueMsg{line: *p}
		cmds = append(cmds, func() tea.Msg { return m })
	}
	if p := c.actLine.Load(); busy != nil && p != nil && *p != c.sentLine {
		c.sentLine = *p
		m := ActionProgressMsg{Action: busy.Name, Line: *p}
		cmds = append(cmds, func() tea.Msg { return m })
	}
	return tea.Batch(append(cmds, c.watchHistoryCmd())...)
}

// statusChanged turns the lab's status into the header's line; it is sent when the line or
// the conditions changed.
func (c *LabController) statusChanged(s lab.Status) tea.Cmd {
	c.syncTasks()
	st := statusMsg(s)
	c.mu.Lock()
	c.stateAt = time.Now()
	changed := st.Text != c.status || !sameHints(st.Hints, c.lastStatus.Hints)
	c.status = st.Text
	c.lastStatus = st
	c.mu.Unlock()
	if changed {
		return func() tea.Msg { return st }
	}
	return nil
}

// statusMsg is the header's view of the lab: the full line and a short one for narrow windows.
func statusMsg(s lab.Status) LabStatusMsg {
	m := LabStatusMsg{Text: s.Line, Short: s.Short, Stage: s.Stage}
	for k, v := range s.Conditions {
		if v {
			if m.Hints == nil {
				m.Hints = map[string]bool{}
			}
			m.Hints[k] = true
		}
	}
	if !s.Up {
		m.Err = true
		if s.Err != "" {
			m.Text = "lab: " + firstLine(s.Err)
		}
		if m.Short == "" {
			m.Short = m.Text
		}
	}
	return m
}

func sameHints(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// SetTasks tells the lab which scenario tasks are ticked (task ID -> done, the worksheet's
// form): the lab gets them by tag (a task's Tag, or its ID when it has none), every task of the
// scenario there, ticked or not.
func (c *LabController) SetTasks(t map[string]bool) {
	c.lab.SetTasks(taskTags(c.scenario, t))
}

// taskTags turns the worksheet's ticks (task ID -> done) into the lab's form (tag -> ticked).
func taskTags(s *content.Scenario, ticked map[string]bool) map[string]bool {
	out := map[string]bool{}
	if s == nil {
		return out
	}
	for _, t := range s.Tasks() {
		tag := t.Tag
		if tag == "" {
			tag = t.ID
		}
		out[tag] = out[tag] || ticked[t.ID]
	}
	return out
}

// syncTasks gives the lab the worksheet's ticked tasks (on Update's goroutine, the only one
// that changes them), so that its conditions follow a box the moment it is ticked.
func (c *LabController) syncTasks() {
	if c.ws != nil {
		c.SetTasks(c.ws.Tasks)
	}
}

// CancelRun stops a running load test (its partial result is not recorded).
func (c *LabController) CancelRun() {
	c.mu.Lock()
	if c.runCancel != nil {
		c.runCancel()
	}
	c.mu.Unlock()
}

// spawn runs work at once on its own goroutine and returns the Cmd that delivers its message:
// the work runs, and the controller's state settles (busy, a run's progress), even when the
// program that asked ends before it would run a Cmd (a learner of the class server dropping
// their connection). Close waits for it.
func (c *LabController) spawn(work func() tea.Msg) tea.Cmd {
	done := make(chan tea.Msg, 1)
	c.mu.Lock()
	if c.closing {
		c.mu.Unlock()
		return func() tea.Msg { return nil } // the lab is closed: nothing more starts
	}
	c.inflight.Add(1)
	c.mu.Unlock()
	go func() {
		defer c.inflight.Done()
		done <- work()
	}()
	return func() tea.Msg { return <-done }
}

// Close cancels any run and stops the lab.
func (c *LabController) Close() error {
	var err error
	c.closeOnce.Do(func() {
		c.mu.Lock()
		c.closing = true // no action starts from here: Close waits for those in flight
		c.mu.Unlock()
		c.cancel()
		c.mu.Lock()
		done := c.startDone
		c.mu.Unlock()
		if done != nil {
			<-done // a start in progress unwinds (ctx is canceled) and leaves nothing running
		}
		c.record.Remove() // other terminals stop finding the lab before it goes
		err = c.lab.Close()
		c.inflight.Wait() // actions see the canceled ctx and the closed lab, and return
	})
	return err
}

// Run implements Actions: it starts the work and returns at once. The lab's action records
// say what may run when: one short action at a time, unless both may run during a load test
// (DuringLoad); during a load test only those.
func (c *LabController) Run(a content.Action) tea.Cmd {
	done := func(err error) tea.Cmd {
		return func() tea.Msg { return ActionDoneMsg{Action: a, Err: err} }
	}
	act, ok := lab.FindAction(c.lab, a.Name)
	if !ok {
		return done(unknownAction(c.lab, a.Name))
	}
	c.mu.Lock()
	up, startErr, starting, busy := c.up, c.startErr, c.starting, c.busy
	queued := c.runCancel != nil // a run waiting for its turn at the class's gate is one too
	c.mu.Unlock()
	loading := c.progress.Load() != nil || queued
	switch {
	case starting:
		return done(errors.New("the lab is still starting: try again in a moment"))
	case startErr != nil:
		// the whole error: its later lines say what to check (the header keeps only the first)
		return done(fmt.Errorf("the lab is not running: %v\nquit, fix that and start again, or run `scalelab doctor`", startErr))
	case !up:
		return done(errors.New("the lab is not running"))
	case loading && (act.Load || !act.DuringLoad):
		// an action that would change what the run measures waits for its end
		return done(errors.New("a load test is running: wait for it to end, or stop it with S"))
	case busy != nil && !(busy.DuringLoad && act.DuringLoad):
		return done(fmt.Errorf("%s is still running: wait for it", doingOf(*busy)))
	}
	if act.Load {
		return c.loadTest(act, a)
	}
	return c.do(act, a)
}

// unknownAction says that the lab has no such action, naming the ones it has.
func unknownAction(l lab.Lab, name string) error {
	var names []string
	for _, a := range l.Actions() {
		names = append(names, a.Name)
	}
	return fmt.Errorf("the %s lab has no action %q (its actions: %s)", l.Name(), name, strings.Join(names, ", "))
}

// doingOf says what an action is doing, for the status line beside the spinner.
func doingOf(a lab.Action) string {
	if a.Doing != "" {
		return strings.TrimSuffix(a.Doing, "…")
	}
	return a.Name
}

// do runs one short action in a Cmd, marks the controller busy meanwhile and reads the status
// again after it; its outcome goes to the status bar, the worksheet and the plan view.
func (c *LabController) do(act lab.Action, a content.Action) tea.Cmd {
	c.mu.Lock()
	if c.busy == nil {
		c.busy = &act
	}
	c.mu.Unlock()
	c.actLine.Store(nil)
	return c.spawn(func() tea.Msg {
		defer c.setIdle(act.Name)
		ctx, cancel := context.WithTimeout(c.ctx, 10*time.Minute)
		defer cancel()
		req := lab.Request{Args: a.Args, Progress: func(line string) { c.actLine.Store(&line) }}
		before := c.planStage(ctx)
		out, err := act.Do(ctx, req)
		if err != nil {
			out = lab.Outcome{}
		}
		var msgs tea.BatchMsg
		if err == nil && (out.Applied != nil || out.Reset) {
			m := LabAppliedMsg{Applied: out.Applied, Reset: out.Reset}
			msgs = append(msgs, func() tea.Msg { return m })
		}
		open := false
		if out.Plan != nil {
			m := c.explainMsg(*out.Plan)
			msgs = append(msgs, func() tea.Msg { return m })
			// an action that only read the plan (the lab where it was): the plan view opens;
			// one that changed the lab (a fix) keeps the learner where they are
			open = out.Applied == nil && !out.Reset && c.planStage(ctx) == before
		}
		return append(msgs,
			func() tea.Msg {
				return ActionDoneMsg{Action: a, Summary: out.Summary, Err: err, OpenPlan: open}
			},
			c.stateCmd(),
		)
	})
}

// planStage is the lab's stage now, read for a lab with a plan view only ("" otherwise).
func (c *LabController) planStage(ctx context.Context) string {
	if _, ok := c.lab.(lab.Planner); !ok {
		return ""
	}
	sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return c.lab.Status(sctx).Stage
}

// setIdle ends the busy mark of the action that set it.
func (c *LabController) setIdle(name string) {
	c.mu.Lock()
	if c.busy != nil && c.busy.Name == name {
		c.busy = nil
	}
	c.mu.Unlock()
}

// explainMsg is an ExplainMsg for plan with the lab's latest plans before and after its fix.
func (c *LabController) explainMsg(plan lab.Plan) ExplainMsg {
	m := ExplainMsg{Plan: plan}
	if p, ok := c.lab.(lab.Planner); ok {
		m.Before, m.After = p.Plans()
	}
	return m
}

// loadTest runs a load test against the lab; progress is read by the sample ticks.
func (c *LabController) loadTest(act lab.Action, a content.Action) tea.Cmd {
	opt, err := loadOptionsFromArgs(c.runOpts, c.users, c.duration, a.Args)
	if err != nil {
		return func() tea.Msg { return ActionDoneMsg{Action: a, Err: err} }
	}
	ctx, cancel := context.WithCancel(c.ctx)
	c.mu.Lock()
	c.runCancel = cancel
	c.mu.Unlock()
	if c.gate == nil { // a gated run shows as running once it has its turn
		c.progress.Store(&load.Progress{Duration: opt.Duration, Target: opt.Requests})
	}
	return tea.Batch(c.sampleCmd(), c.spawn(func() tea.Msg {
		defer cancel()
		// One load test at a time in a data home: one from another terminal would measure
		// this lab together with this one, and both runs would be wrong.
		release, lerr := running.LockLoadIn(c.home, orWorkshop(c.recordAs))
		if lerr != nil {
			c.settleLoad(nil, lerr)
			return loadDoneMsg{action: a, err: lerr}
		}
		defer release()
		var turn func() int
		if c.gate != nil {
			// the machine's turn: K load tests at once in a class, the rest wait in line
			var err error
			turn, err = c.gate(ctx, opt.Duration, func(place int, eta time.Duration) {
				line := fmt.Sprintf("load test waits its turn: %s in line, about %s (a few run at once, so that runs do not measure each other)",
					ordinal(place), aboutWait(eta))
				c.queueLine.Store(&line)
			})
			empty := ""
			c.queueLine.Store(&empty)
			if err != nil {
				c.settleLoad(nil, err)
				return loadDoneMsg{action: a, err: fmt.Errorf("waiting for a load-test turn: %w", err)}
			}
			defer turn()                                                                   // given back on every path; a second call is a no-op
			c.progress.Store(&load.Progress{Duration: opt.Duration, Target: opt.Requests}) // the clock starts now
		}
		rec, err := c.lab.LoadTest(ctx, c.hist, opt, func(p load.Progress) { c.progress.Store(&p) })
		if turn != nil {
			// how many ran beside it is part of the run: recorded with it
			if beside := turn(); beside > 0 && rec != nil && c.hist != nil {
				if r, uerr := c.hist.SetBeside(rec.ID, beside); uerr == nil {
					rec = &r
				}
			}
		}
		c.settleLoad(rec, err)
		return loadDoneMsg{action: a, rec: rec, err: err}
	}))
}

// orWorkshop names this process for the load lock: its record name, or "the workshop".
func orWorkshop(what string) string {
	if what == "" {
		return "the workshop"
	}
	return what
}

// settleLoad is the controller's own end of a load test, on the test's goroutine: the run is
// over for the lab and, recorded, told to OnRun, whether or not a program is there to hear
// loadDoneMsg (the class server's learner may have dropped their connection meanwhile: the next
// program must find no run going on, and the board the run).
func (c *LabController) settleLoad(rec *load.Record, err error) {
	c.progress.Store(nil)
	c.mu.Lock()
	c.runCancel = nil
	c.mu.Unlock()
	if rec == nil || rec.Result == nil {
		return
	}
	c.lastRun.Store(rec.Result)
	if err != nil { // stopped (the partial run is not recorded) or failed
		return
	}
	if id := int64(rec.ID); id > c.histSeen.Load() {
		c.histSeen.Store(id)
	}
	if c.onRun != nil {
		c.onRun(*rec)
	}
}

// loadDone is the program's end of a load test: its summary, the tables, the state.
func (c *LabController) loadDone(msg loadDoneMsg) tea.Cmd {
	var summary string
	err := msg.err
	if msg.rec != nil && msg.rec.Result != nil {
		r := msg.rec.Result
		summary = fmt.Sprintf("load test (%s): %s ok, %s failed, p99 %s, %s req/s",
			lab.StageTitle(c.lab.Stages(), msg.rec.State), numfmt.Pct(r.SuccessRate)+"%", numfmt.Int(r.Failed), numfmt.Dur(r.P99), numfmt.RPS(r.RPS))
	}
	stopped := errors.Is(err, context.Canceled)
	if stopped {
		err, summary = nil, "load test stopped; the partial run was not recorded"
	}
	var fresh map[string]bool // the stage whose rows the new run replaces
	var record tea.Cmd
	if rec := msg.rec; err == nil && !stopped && rec != nil && rec.Result != nil {
		fresh = map[string]bool{rec.State: true}
		record = func() tea.Msg { return runRecordMsg{rec: rec} }
	}
	return tea.Batch(
		record,
		func() tea.Msg { return ActionDoneMsg{Action: msg.action, Summary: summary, Err: err} },
		c.fillTablesCmd(fresh, false), c.sampleCmd(), c.stateCmd(),
	)
}

func (c *LabController) tickCmd(after time.Duration) tea.Cmd {
	if after <= 0 {
		return c.loopSampleCmd()
	}
	// the sample is read when the tick fires, in the tick's goroutine: one message per tick
	return c.after(after, func(time.Time) tea.Msg {
		s, ok := c.sample()
		if !ok {
			return nil // the lab is closed: the loop ends
		}
		return labLoopSampleMsg{s}
	})
}

// sampleCmd reads the lab once (a one-shot sample: a run's start and end show at once); it
// never schedules another.
func (c *LabController) sampleCmd() tea.Cmd {
	return func() tea.Msg {
		s, ok := c.sample()
		if !ok {
			return nil
		}
		return labSampleMsg{s}
	}
}

// loopSampleCmd is the sampling loop's read: its message schedules the next tick.
func (c *LabController) loopSampleCmd() tea.Cmd {
	return func() tea.Msg {
		s, ok := c.sample()
		if !ok {
			return nil // the lab is closed: the loop ends
		}
		return labLoopSampleMsg{s}
	}
}

// sample reads the lab once (its series and gauges), with the running load test's progress.
func (c *LabController) sample() (LabSample, bool) {
	c.mu.Lock()
	up := c.up
	c.mu.Unlock()
	if !up || c.ctx.Err() != nil {
		return LabSample{}, false
	}
	ctx, cancel := context.WithTimeout(c.ctx, 500*time.Millisecond)
	defer cancel()
	s := LabSample{Sample: c.lab.Sample(ctx), LastRun: c.lastRun.Load()}
	if s.At.IsZero() {
		s.At = time.Now()
	}
	if p := c.progress.Load(); p != nil {
		cp := *p
		s.Run, s.RunTotal = &cp, p.Duration
	}
	return s, true
}

func (c *LabController) stateCmd() tea.Cmd {
	return func() tea.Msg {
		c.mu.Lock()
		up := c.up
		c.mu.Unlock()
		if !up || c.ctx.Err() != nil {
			return nil
		}
		ctx, cancel := context.WithTimeout(c.ctx, 2*time.Second)
		defer cancel()
		return labStateMsg{status: c.lab.Status(ctx)}
	}
}

// fillTablesCmd fills the scenario's result tables from the latest recorded run of each stage:
// the empty cells only (the learner's corrections stay), and the rows of the fresh stages (a run
// that just ended) whatever they held. With reload the history is read from disk first, and the
// stages of runs recorded since the last fill (from another terminal) are fresh too.
func (c *LabController) fillTablesCmd(fresh map[string]bool, reload bool) tea.Cmd {
	if c.hist == nil || c.scenario == nil {
		return nil
	}
	stages := c.lab.Stages()
	return func() tea.Msg {
		// in the Cmd: reading the history may wait on its file lock (another scalelab records a run)
		if reload {
			if err := c.hist.Reload(); err == nil {
				fresh = c.newRuns(fresh)
			}
		}
		latest := latestRuns(c.hist, c.scenario, c.lab)
		measured := map[string]bool{}
		for st, rec := range latest {
			measured[st] = rec.Result != nil
		}
		msgs := tea.BatchMsg{func() tea.Msg { return LabRunsMsg{Stages: measured} }}
		for _, t := range c.scenario.Tables() {
			if rows, from, ok := fillTable(t, latest, stages); ok {
				msg := SetTableMsg{ID: t.ID, Rows: rows, KeepFilled: true}
				for i, st := range from {
					if st != "" && fresh[st] {
						msg.FreshRows = append(msg.FreshRows, i)
					}
				}
				msgs = append(msgs, func() tea.Msg { return msg })
			}
		}
		return msgs
	}
}

// latestRuns is the newest run of each stage among the runs of the scenario in the lab (the
// tables and the result screen show those; a run of another scenario or lab is not theirs);
// without a lab, of every run.
func latestRuns(h *load.History, sc *content.Scenario, l lab.Lab) map[string]load.Record {
	if l == nil || sc == nil {
		return h.LatestByState()
	}
	return h.LatestFor(sc.ID, l.Name())
}

// loadOptionsFromArgs reads -c, -z and -n from a loadtest command line written in the scenario.
// The number of users: users (--users on the command line, 0 when not given) overrides the
// block's -c; without --users the block's -c; without either def's (load.DefaultConcurrency).
// The length likewise: duration (--duration, 0 when not given) overrides the block's -z.
func loadOptionsFromArgs(def load.Options, users int, duration time.Duration, args []string) (load.Options, error) {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c := fs.Int("c", def.Concurrency, "")
	z := fs.Duration("z", def.Duration, "")
	n := fs.Int("n", def.Requests, "")
	// Other flags of `scalelab loadtest` (--json, --preset, ...) mean nothing here.
	var kept []string
	for i := 0; i < len(args); i++ {
		switch strings.SplitN(strings.TrimLeft(args[i], "-"), "=", 2)[0] {
		case "c", "z", "n":
			kept = append(kept, args[i])
			if !strings.Contains(args[i], "=") && i+1 < len(args) {
				kept = append(kept, args[i+1])
				i++
			}
		}
	}
	if err := fs.Parse(kept); err != nil {
		return def, fmt.Errorf("the load test command in the text is malformed (%v): run it as `scalelab loadtest -c 100 -z 30s`", err)
	}
	o := def
	o.Concurrency, o.Duration, o.Requests = *c, *z, *n
	if users > 0 {
		o.Concurrency = users
	}
	if duration > 0 {
		o.Duration, o.Requests = duration, 0
	}
	return o, nil // Lab.LoadTest checks the values against the lab's URL
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// loadQueueMsg is the place in line of a load test waiting for its turn ("" once it has it).
type loadQueueMsg struct{ line string }

// ordinal is 1st, 2nd, 3rd, 4th… for the place in line.
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

// upErr is the start's outcome for a program that attached while the lab started.
func upErr(up bool, err error) error {
	if !up && err == nil {
		return errors.New("the lab was closed while it started")
	}
	return err
}

// aboutWait is an estimated wait for people: "40 s", "3 min".
func aboutWait(d time.Duration) string {
	if d < time.Minute {
		return strconv.Itoa(int(max(d, time.Second).Round(time.Second)/time.Second)) + " s"
	}
	return strconv.Itoa(int((d+30*time.Second)/time.Minute)) + " min"
}
