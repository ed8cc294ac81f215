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
	"scalelab/lab/feed"
	"scalelab/lab/load"
	"scalelab/lab/numfmt"
	"scalelab/lab/posts"
	"scalelab/lab/running"
	"scalelab/lab/singleserver"
)

// LabController runs the lab for the workshop: it starts it in the background, runs the actions
// the scenario's command blocks name, and reports through messages (never by blocking Update):
//   - a LabSample (labSampleMsg) ~4 times a second while a load test runs, once a second otherwise;
//   - LabStatusMsg when the lab's state line changes;
//   - ActionDoneMsg when an action ends, and ExplainMsg with the plan text;
//   - SetTableMsg to fill the scenario's result tables from the recorded runs (runs.json is
//     watched, so a run recorded from another terminal fills them too);
//   - LabAppliedMsg when the API's settings change (R, reset), for the worksheet: the next
//     start brings the lab back with them (LabOptions.Applied);
//   - LabStatusMsg.Hints: the Stuck? conditions (hints.go) that hold.
//
// While its API runs, the lab is recorded in the data home (lab/running) for other terminals;
// a load test holds the data home's load lock, so that one from another terminal never runs
// at the same time (the one that finds it held is refused, saying whose run it is).
//
// It implements Actions; the root model also hands it every message (Init/Update).
type LabController struct {
	cfg      singleserver.Config
	hist     *load.History
	scenario *content.Scenario
	runOpts  load.Options // defaults for in-app load tests (the scenario's 100 users for 30 s)

	ctx    context.Context
	cancel context.CancelFunc

	mu       sync.Mutex
	lab      *singleserver.Lab
	startErr error
	starting bool
	busy     string // the short action running now ("" when idle): one at a time
	recordAs string
	tasks    map[string]bool
	status   string
	stateAt  time.Time

	ws         *worksheet.Worksheet // the app's worksheet: read on Update's goroutine only
	applied    []string             // the settings the lab starts with (the worksheet's Lab)
	record     *running.Handle      // lab.json in the data home while the API runs
	lastState  singleserver.State   // the last state read, for the Stuck? conditions
	haveState  bool
	lastStatus LabStatusMsg // the last state line sent (with its hints)

	planBefore, planAfter posts.Plan // EXPLAIN without and with the index, the latest of each
	indexExisted          bool       // the last Fix 2 found the index there
	runWhileDown          bool       // the last load test ran while PostgreSQL or the API was down
	otherMaxConns         int        // max_connections of a DATABASE_URL server, when not 50

	histMod   time.Time    // runs.json's modification time when the tables were last filled
	histCheck time.Time    // when it was last looked at
	histSeen  atomic.Int64 // the highest run ID the tables were filled from (-1: none yet)

	runCancel context.CancelFunc
	progress  atomic.Pointer[load.Progress] // non-nil while a load test runs
	lastRun   atomic.Pointer[load.Result]
	lastLog   atomic.Pointer[string] // the latest progress line of the lab (starting, seeding)

	startDone chan struct{}  // closed when the background start has finished (or given up)
	inflight  sync.WaitGroup // actions and load tests in flight; Close waits for them
	closeOnce sync.Once

	// after schedules the sampling loop's next tick (tea.Tick; a test makes it immediate to
	// count the loops without waiting).
	after func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

// LabOptions configure a LabController.
type LabOptions struct {
	Config   singleserver.Config
	History  *load.History // nil: runs are not recorded
	Scenario *content.Scenario
	// Users and Duration are the defaults of a load test started from the text when its command
	// does not say (-c, -z); 0 means the scenario's 100 users for 30 s.
	Users    int
	Duration time.Duration
	// Worksheet is the app's worksheet (the same value): the controller reads its ticked boxes
	// for the Stuck? conditions, on Update's goroutine only. nil: SetTasks only.
	Worksheet *worksheet.Worksheet
	// Applied is what the learner last applied (the worksheet's Lab): the API starts with it.
	Applied []string
	// RecordAs names this process in the data home's record of the running lab ("the
	// workshop"); "" records nothing.
	RecordAs string
}

// NewLabController makes a controller; nothing starts until Init's Cmd runs.
func NewLabController(o LabOptions) *LabController {
	ctx, cancel := context.WithCancel(context.Background())
	c := &LabController{cfg: o.Config, hist: o.History, scenario: o.Scenario, ctx: ctx, cancel: cancel, after: tea.Tick}
	c.ws, c.applied, c.recordAs = o.Worksheet, append([]string(nil), o.Applied...), o.RecordAs
	c.histSeen.Store(-1)
	if len(c.applied) > 0 {
		c.cfg.Knobs = knobsFromApplied(c.applied)
	}
	c.runOpts = load.Options{Concurrency: o.Users, Duration: o.Duration}
	if c.runOpts.Concurrency == 0 {
		c.runOpts.Concurrency = load.DefaultConcurrency
	}
	if c.runOpts.Duration == 0 {
		c.runOpts.Duration = 30 * time.Second
	}
	logf := c.cfg.Logf
	c.cfg.Logf = func(format string, args ...any) {
		line := fmt.Sprintf(format, args...)
		c.lastLog.Store(&line)
		if logf != nil {
			logf(format, args...)
		}
	}
	return c
}

type labUpMsg struct{ err error }
type labTickMsg struct{}

// labLoopSampleMsg is a sample taken by the sampling loop (labTickMsg): the controller forwards
// it to the screens as a labSampleMsg and schedules the next tick. Only this message reschedules,
// so there is exactly one loop however many one-shot samples (a run's start and end) are taken.
type labLoopSampleMsg struct{ LabSample }
type labStartTickMsg struct{}
type labStateMsg struct{ state singleserver.State }
type loadDoneMsg struct {
	action content.Action
	rec    *load.Record
	err    error
}

// ExplainMsg carries EXPLAIN ANALYZE of the feed query to the screens (the explain view).
// Before and After are the latest plans without and with the index (zero when not known yet),
// so the view shows both whatever order the learner applied the fix and explained in.
type ExplainMsg struct {
	Plan          posts.Plan
	Before, After posts.Plan
	Err           error
}

// Init starts the lab in the background: the Cmd returns at once with a "starting" status and
// the start runs in its own Cmd, so the first frame never waits for PostgreSQL.
func (c *LabController) Init() tea.Cmd {
	c.mu.Lock()
	if c.starting || c.lab != nil || c.startDone != nil {
		c.mu.Unlock()
		return nil // started already
	}
	c.starting = true
	c.startDone = make(chan struct{})
	c.mu.Unlock()
	return tea.Batch(
		func() tea.Msg {
			return LabStatusMsg{Text: "lab: starting PostgreSQL and the feed API…", Short: "lab: starting…", Busy: true}
		},
		c.after(250*time.Millisecond, func(time.Time) tea.Msg { return labStartTickMsg{} }),
		c.startCmd(),
	)
}

func (c *LabController) startCmd() tea.Cmd {
	return func() tea.Msg {
		defer close(c.startDone)
		// The scenario's API is on 3000; a second workshop or a `scalelab serve` may hold it:
		// then the next free port of the ten after it (the header shows which).
		cfg := c.cfg
		if a, err := feed.NextFreeAddr(cfg.Addr, 10); err == nil {
			cfg.Addr = a
		}
		l, err := singleserver.Start(c.ctx, cfg)
		if errors.Is(err, feed.ErrAddrInUse) && c.ctx.Err() == nil {
			// taken between the probe and the listen: once more (that port is busy now)
			if a, aerr := feed.NextFreeAddr(cfg.Addr, 10); aerr == nil {
				cfg.Addr = a
				l, err = singleserver.Start(c.ctx, cfg)
			}
		}
		c.mu.Lock()
		defer c.mu.Unlock()
		c.starting = false
		if c.ctx.Err() != nil { // closed while starting
			if l != nil {
				l.Close()
			}
			return labUpMsg{err: errors.New("the lab was closed while it started")}
		}
		c.lab, c.startErr = l, err
		if err == nil && l.Feed() != nil && c.recordAs != "" {
			// A `scalelab loadtest` in another terminal measures this API, not one of its own.
			if h, werr := running.Write(l.Feed().Addr(), c.recordAs); werr == nil {
				c.record = h
			} else if c.cfg.Logf != nil {
				c.cfg.Logf("other terminals will not find this lab's API: %v", werr)
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
		starting := c.starting
		c.mu.Unlock()
		if !starting {
			return nil
		}
		text := "lab: starting PostgreSQL and the feed API…"
		if p := c.lastLog.Load(); p != nil {
			text = "lab: " + firstLine(*p)
		}
		return tea.Batch(
			func() tea.Msg { return LabStatusMsg{Text: text, Short: "lab: starting…", Busy: true} },
			c.after(250*time.Millisecond, func(time.Time) tea.Msg { return labStartTickMsg{} }),
		)
	case labUpMsg:
		if msg.err != nil {
			return func() tea.Msg {
				return LabStatusMsg{Text: "lab: not running: " + firstLine(msg.err.Error()), Short: "lab: not running (L says why)", Err: true}
			}
		}
		return tea.Batch(c.stateCmd(), c.fillTablesCmd(nil, true), c.tickCmd(0), c.maxConnsCmd())
	case labTickMsg:
		return c.loopSampleCmd()
	case labLoopSampleMsg: // the loop's own sample: to the screens, and the next tick
		every := time.Second
		if msg.Run != nil {
			every = 250 * time.Millisecond
		}
		s := msg.LabSample
		cmds := []tea.Cmd{func() tea.Msg { return labSampleMsg{s} }, c.tickCmd(every)}
		c.mu.Lock()
		stale := time.Since(c.stateAt) > 3*time.Second
		c.mu.Unlock()
		if stale {
			cmds = append(cmds, c.stateCmd())
		}
		cmds = append(cmds, c.hintsCmd(), c.watchHistoryCmd())
		return tea.Batch(cmds...)
	case labStateMsg:
		c.syncTasks()
		st := statusMsg(msg.state)
		c.mu.Lock()
		c.stateAt = time.Now()
		c.lastState, c.haveState = msg.state, true
		c.mu.Unlock()
		st.Hints = c.hintsNow()
		c.mu.Lock()
		changed := st.Text != c.status || !sameHints(st.Hints, c.lastStatus.Hints)
		c.status = st.Text
		c.lastStatus = st
		c.mu.Unlock()
		if changed {
			return func() tea.Msg { return st }
		}
	case labConditionsMsg:
		return c.hintsCmd()
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

// SetTasks tells the controller which scenario tasks are ticked (task ID -> done); the "start"
// action restarts the API with the knobs of the ticked Fix 1 items.
func (c *LabController) SetTasks(t map[string]bool) {
	cp := make(map[string]bool, len(t))
	for k, v := range t {
		cp[k] = v
	}
	c.mu.Lock()
	c.tasks = cp
	c.mu.Unlock()
}

// CancelRun stops a running load test (its partial result is not recorded).
func (c *LabController) CancelRun() {
	c.mu.Lock()
	if c.runCancel != nil {
		c.runCancel()
	}
	c.mu.Unlock()
}

// Lab returns the running lab, or nil while it starts or when it failed.
func (c *LabController) Lab() *singleserver.Lab {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lab
}

// Close cancels any run and stops the lab (PostgreSQL too, when this process started it).
func (c *LabController) Close() error {
	var err error
	c.closeOnce.Do(func() {
		c.cancel()
		c.mu.Lock()
		done := c.startDone
		c.mu.Unlock()
		if done != nil {
			<-done // a start in progress unwinds (ctx is canceled) and leaves nothing running
		}
		c.mu.Lock()
		l := c.lab
		c.mu.Unlock()
		c.record.Remove() // other terminals stop finding the API before it goes
		if l != nil {
			err = l.Close()
		}
		c.inflight.Wait() // actions see the canceled ctx and the closed lab, and return
	})
	return err
}

// Run implements Actions: it starts the work and returns at once.
func (c *LabController) Run(a content.Action) tea.Cmd {
	c.mu.Lock()
	l, startErr, starting, busy := c.lab, c.startErr, c.starting, c.busy
	c.mu.Unlock()
	running := c.progress.Load() != nil // the index (Fix 2 in place) and explain may run beside it
	done := func(summary string, err error) tea.Cmd {
		return func() tea.Msg { return ActionDoneMsg{Action: a, Summary: summary, Err: err} }
	}
	switch {
	case starting:
		return done("", errors.New("the lab is still starting: try again in a moment"))
	case l == nil && startErr != nil:
		// the whole error: its later lines say what to check (the header keeps only the first)
		return done("", fmt.Errorf("the lab is not running: %v\nquit, fix that and start again, or run `scalelab doctor`", startErr))
	case l == nil:
		return done("", errors.New("the lab is not running"))
	case busy != "" && a.Name != content.ActionExplain:
		return done("", fmt.Errorf("%s is still running: wait for it", actionDoing(busy)))
	case running && (a.Name == content.ActionLoadTest || a.Name == content.ActionStart || a.Name == content.ActionReset):
		// the index and EXPLAIN may go beside a run (Fix 2 in place); a restart or a reset would
		// change the stage the run is recorded as
		return done("", errors.New("a load test is running: wait for it to end, or stop it with S"))
	}
	switch a.Name {
	case content.ActionLoadTest:
		return c.loadTest(l, a)
	case content.ActionStart:
		return c.restart(l, a)
	case content.ActionApplyFix:
		return c.workMsgs(a, func(ctx context.Context) (string, []tea.Msg, error) {
			return c.applyIndex(ctx, l)
		})
	case content.ActionExplain:
		c.inflight.Add(1)
		return func() tea.Msg {
			defer c.inflight.Done()
			ctx, cancel := context.WithTimeout(c.ctx, 30*time.Second)
			defer cancel()
			plan, err := l.Explain(ctx)
			summary := ""
			if err == nil {
				summary = "EXPLAIN: " + plan.Verdict()
				c.recordPlan(plan)
			}
			em := c.explainMsg(plan, err)
			return tea.BatchMsg{
				func() tea.Msg { return em },
				func() tea.Msg { return ActionDoneMsg{Action: a, Summary: summary, Err: err} },
			}
		}
	case content.ActionReset:
		return c.workMsgs(a, func(ctx context.Context) (string, []tea.Msg, error) {
			if err := l.Reset(ctx); err != nil {
				return "", nil, err
			}
			c.mu.Lock()
			c.indexExisted = false
			c.mu.Unlock()
			return fmt.Sprintf("lab reset: broken API, no index, %d posts reseeded", l.Rows()), []tea.Msg{LabAppliedMsg{}}, nil
		})
	}
	return done("", fmt.Errorf("unknown lab action %q", a.Name))
}

// work runs one short action in a Cmd, marks the controller busy meanwhile and refreshes the state line.
func (c *LabController) work(a content.Action, f func(ctx context.Context) (string, error)) tea.Cmd {
	return c.workMsgs(a, func(ctx context.Context) (string, []tea.Msg, error) {
		s, err := f(ctx)
		return s, nil, err
	})
}

// workMsgs is work for an action that also reports other messages (a plan, what was applied).
func (c *LabController) workMsgs(a content.Action, f func(ctx context.Context) (string, []tea.Msg, error)) tea.Cmd {
	c.setBusy(a.Name)
	c.inflight.Add(1)
	return func() tea.Msg {
		defer c.inflight.Done()
		defer c.setBusy("")
		ctx, cancel := context.WithTimeout(c.ctx, 10*time.Minute)
		defer cancel()
		summary, msgs, err := f(ctx)
		out := tea.BatchMsg{}
		for _, m := range msgs {
			out = append(out, func() tea.Msg { return m })
		}
		return append(out,
			func() tea.Msg { return ActionDoneMsg{Action: a, Summary: summary, Err: err} },
			c.stateCmd(),
		)
	}
}

func (c *LabController) setBusy(name string) {
	c.mu.Lock()
	c.busy = name
	c.mu.Unlock()
}

// restart applies the knobs of the ticked Fix 1 tasks (or the command's --preset when the
// scenario has no such tasks) and restarts the API in place.
func (c *LabController) restart(l *singleserver.Lab, a content.Action) tea.Cmd {
	c.mu.Lock()
	ticked := c.tasks
	c.mu.Unlock()
	k, changes, total := knobsFromTasks(c.scenario, ticked)
	applied := appliedFixes(c.scenario, ticked)
	if total == 0 { // no Fix 1 task list: follow the command line
		k = presetFromArgs(a.Args)
		applied = []string{presetTag + k.Preset()}
	}
	return c.workMsgs(a, func(ctx context.Context) (string, []tea.Msg, error) {
		if err := l.SetKnobs(ctx, k); err != nil {
			return "", nil, err
		}
		done := []tea.Msg{LabAppliedMsg{Applied: applied}}
		msg := fmt.Sprintf("API restarted: %s (%s)", k.Preset(), k)
		if total > 0 {
			msg = fmt.Sprintf("API restarted with %d of %d Fix 1 changes: %s", changes, total, k.Preset())
			if changes == 0 {
				msg += " — tick the boxes above to apply them"
			}
		}
		return msg, done, nil
	})
}

// loadTest runs a load test against the lab's API; progress is read by the sample ticks.
func (c *LabController) loadTest(l *singleserver.Lab, a content.Action) tea.Cmd {
	opt, err := loadOptionsFromArgs(c.runOpts, a.Args)
	if err != nil {
		return func() tea.Msg { return ActionDoneMsg{Action: a, Err: err} }
	}
	ctx, cancel := context.WithCancel(c.ctx)
	c.mu.Lock()
	c.runCancel = cancel
	c.mu.Unlock()
	c.progress.Store(&load.Progress{Duration: opt.Duration, Target: opt.Requests})
	c.inflight.Add(1)
	return tea.Batch(c.sampleCmd(), func() tea.Msg {
		defer c.inflight.Done()
		defer cancel()
		// One load test at a time in a data home: one from another terminal would measure
		// this lab together with this one, and both runs would be wrong.
		release, lerr := running.LockLoad(orWorkshop(c.recordAs))
		if lerr != nil {
			return loadDoneMsg{action: a, err: lerr}
		}
		defer release()
		sctx, scancel := context.WithTimeout(ctx, 2*time.Second)
		down := !l.State(sctx).PGUp
		scancel()
		rec, err := l.LoadTest(ctx, c.hist, opt, func(p load.Progress) { c.progress.Store(&p) })
		if rec != nil && rec.Result != nil && !errors.Is(err, context.Canceled) {
			c.mu.Lock()
			c.runWhileDown = down || ranWhileDown(rec.Result)
			c.indexExisted = false // its hint says to run the test: done
			c.mu.Unlock()
		}
		return loadDoneMsg{action: a, rec: rec, err: err}
	})
}

// orWorkshop names this process for the load lock: its record name, or "the workshop".
func orWorkshop(what string) string {
	if what == "" {
		return "the workshop"
	}
	return what
}

func (c *LabController) loadDone(msg loadDoneMsg) tea.Cmd {
	c.progress.Store(nil)
	c.mu.Lock()
	c.runCancel = nil
	c.mu.Unlock()
	var summary string
	err := msg.err
	if msg.rec != nil && msg.rec.Result != nil {
		r := msg.rec.Result
		c.lastRun.Store(r)
		summary = fmt.Sprintf("load test (%s): %s ok, %s failed, p99 %s, %s req/s",
			singleserver.StageTitle(msg.rec.State), numfmt.Pct(r.SuccessRate)+"%", numfmt.Int(r.Failed), numfmt.Dur(r.P99), numfmt.RPS(r.RPS))
	}
	if errors.Is(err, context.Canceled) {
		err, summary = nil, "load test stopped; the partial run was not recorded"
	}
	var fresh map[string]bool // the stage whose rows the new run replaces
	if err == nil && msg.rec != nil && msg.rec.Result != nil {
		fresh = map[string]bool{msg.rec.State: true}
		if id := int64(msg.rec.ID); id > c.histSeen.Load() {
			c.histSeen.Store(id)
		}
	}
	var record tea.Cmd
	if rec := msg.rec; rec != nil && rec.Result != nil && err == nil {
		record = func() tea.Msg { return runRecordMsg{rec: rec} }
	}
	return tea.Batch(
		record,
		func() tea.Msg { return ActionDoneMsg{Action: msg.action, Summary: summary, Err: err} },
		c.fillTablesCmd(fresh, false), c.sampleCmd(), c.stateCmd(), c.hintsCmdLater(),
	)
}

func (c *LabController) tickCmd(after time.Duration) tea.Cmd {
	if after <= 0 {
		return func() tea.Msg { return labTickMsg{} }
	}
	return c.after(after, func(time.Time) tea.Msg { return labTickMsg{} })
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

// sample reads the lab once: the API's telemetry, its pool and PostgreSQL's backends.
func (c *LabController) sample() (LabSample, bool) {
	l := c.Lab()
	if l == nil || c.ctx.Err() != nil {
		return LabSample{}, false
	}
	ctx, cancel := context.WithTimeout(c.ctx, 500*time.Millisecond)
	defer cancel()
	s := LabSample{At: time.Now(), Telemetry: l.Recorder().Snapshot(), LastRun: c.lastRun.Load()}
	if f := l.Feed(); f != nil {
		s.Stats = f.Stats(ctx)
	}
	if p := c.progress.Load(); p != nil {
		cp := *p
		s.Run, s.RunTotal = &cp, p.Duration
	}
	return s, true
}

func (c *LabController) stateCmd() tea.Cmd {
	return func() tea.Msg {
		l := c.Lab()
		if l == nil || c.ctx.Err() != nil {
			return nil
		}
		ctx, cancel := context.WithTimeout(c.ctx, 2*time.Second)
		defer cancel()
		return labStateMsg{state: l.State(ctx)}
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
	return func() tea.Msg {
		// in the Cmd: reading the history may wait on its file lock (another scalelab records a run)
		if reload {
			if err := c.hist.Reload(); err == nil {
				fresh = c.newRuns(fresh)
			}
		}
		latest := c.hist.LatestByState()
		stages := map[string]bool{}
		for st, rec := range latest {
			stages[st] = rec.Result != nil
		}
		msgs := tea.BatchMsg{func() tea.Msg { return LabRunsMsg{Stages: stages} }}
		for _, t := range c.scenario.Tables() {
			if rows, from, ok := fillTable(t, latest); ok {
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

// statusMsg is the header's view of the lab: the full line and a short one for narrow windows.
func statusMsg(s singleserver.State) LabStatusMsg {
	if !s.PGUp {
		return LabStatusMsg{Text: "lab: PostgreSQL down: " + firstLine(s.PGErr), Short: "lab: PostgreSQL down", Err: true}
	}
	short := []string{"PG ✓"}
	if s.APIAddr != "" {
		short = append(short, s.APIAddr+" "+presetShort(s))
	}
	if s.Index {
		short = append(short, "index ✓")
	} else {
		short = append(short, "no index")
	}
	short = append(short, numfmt.Rows(s.Rows)+" rows")
	return LabStatusMsg{Text: statusLine(s), Short: strings.Join(short, " · "), Stage: s.Stage}
}

// presetShort names the API's knobs in a few characters: the preset, or for custom knobs the
// Fix 1 changes made so far ("custom 2/4").
func presetShort(s singleserver.State) string {
	if s.Preset != "custom" {
		return s.Preset
	}
	b, n := feed.Broken(), 0
	k := s.Knobs
	if k.SharedPool != b.SharedPool {
		n++
	}
	if k.MaxConns != b.MaxConns || k.ConnectTimeout != b.ConnectTimeout {
		n++
	}
	if k.ClosePerRequest != b.ClosePerRequest {
		n++
	}
	if k.SlowQuery != b.SlowQuery {
		n++
	}
	return "custom " + strconv.Itoa(n) + "/4 fixes"
}

// statusLine is the header's one-line view of the lab.
func statusLine(s singleserver.State) string {
	if !s.PGUp {
		return "lab: PostgreSQL down: " + firstLine(s.PGErr)
	}
	parts := []string{"PG " + s.PG.Version}
	if s.PG.External {
		parts[0] = "PG (DATABASE_URL)"
	} else if s.PG.Port != 0 {
		parts[0] = fmt.Sprintf("PG %s :%d", s.PG.Version, s.PG.Port)
	}
	if s.APIAddr != "" {
		api := "API " + s.APIAddr + " " + s.Preset
		if s.Preset == "custom" {
			api += " (" + s.Knobs.String() + ")"
		}
		parts = append(parts, api)
	}
	if s.Index {
		parts = append(parts, "index ✓")
	} else {
		parts = append(parts, "no index")
	}
	parts = append(parts, numfmt.Int(s.Rows)+" rows", "stage: "+singleserver.StageTitle(s.Stage))
	return strings.Join(parts, " · ")
}

// knobsFromTasks turns the ticked Fix 1 tasks into knobs, starting from the broken preset.
// Tasks are recognised by their tag (our scenario: shared-pool, pool-size, no-close, no-delay)
// or, in scenarios without tags (the original text), by what their words say.
func knobsFromTasks(s *content.Scenario, ticked map[string]bool) (k feed.Knobs, changes, total int) {
	k = feed.Broken()
	if s == nil {
		return k, 0, 0
	}
	for _, t := range s.Tasks() {
		fixes := taskFixes(t)
		if len(fixes) == 0 {
			continue
		}
		total++
		if !ticked[t.ID] {
			continue
		}
		changes++
		for _, f := range fixes {
			k = withFix(k, f)
		}
	}
	return k, changes, total
}

func taskFixes(t *content.Task) []string {
	switch t.Tag {
	case "shared-pool", "pool-size", "no-close", "no-delay":
		return []string{t.Tag}
	}
	x := strings.ToLower(t.Text)
	switch {
	case strings.Contains(x, "getdbconnection()") && strings.Contains(x, "shared"):
		return []string{"shared-pool", "pool-size"} // the original: "replace getDbConnection() with the shared pool above" (max 10, 2 s)
	case strings.Contains(x, "db.end()") || strings.Contains(x, "close"):
		return []string{"no-close"}
	case strings.Contains(x, "500") || strings.Contains(x, "settimeout") || strings.Contains(x, "delay") || strings.Contains(x, "sleep"):
		return []string{"no-delay"}
	case strings.Contains(x, "getdbconnection()") || strings.Contains(x, "shared pool"):
		return []string{"shared-pool"}
	}
	return nil
}

func presetFromArgs(args []string) feed.Knobs {
	for i, a := range args {
		v := ""
		if a == "--preset" || a == "-preset" {
			if i+1 < len(args) {
				v = args[i+1]
			}
		} else if strings.HasPrefix(a, "--preset=") {
			v = strings.TrimPrefix(a, "--preset=")
		}
		if k, err := feed.ParsePreset(v); v != "" && err == nil {
			return k
		}
	}
	return feed.Fixed() // `npm run start` after editing server.js: the learner's fixed code
}

// loadOptionsFromArgs reads -c, -z and -n from a loadtest command line written in the scenario.
func loadOptionsFromArgs(def load.Options, args []string) (load.Options, error) {
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
	return o, nil // Lab.LoadTest checks the values against the lab's URL
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
